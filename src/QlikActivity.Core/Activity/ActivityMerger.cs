using System;
using System.Collections.Generic;
using System.Linq;

namespace QlikActivity.Core.Activity
{
    /// <summary>
    /// Merges license records and the user list into one <see cref="UserActivity"/> per user:
    /// the latest activity over all records of all types wins. Thread-safe, because each license
    /// type is read by its own task. No I/O, so the rules are unit-tested directly.
    /// </summary>
    internal sealed class ActivityMerger
    {
        /// <summary>The QRS writes 1753-01-01 (SQL Server's smallest date) for "never used".</summary>
        internal static readonly DateTime NeverThreshold = new DateTime(1753, 1, 2, 0, 0, 0, DateTimeKind.Utc);

        private readonly object _gate = new object();
        private readonly Dictionary<Guid, Entry> _users = new Dictionary<Guid, Entry>();
        private readonly Dictionary<string, DateTime> _sessionEvents = new Dictionary<string, DateTime>(StringComparer.OrdinalIgnoreCase);
        private readonly long[] _records = new long[LicenseTypes.All.Count];
        private readonly long[] _withoutUser = new long[LicenseTypes.All.Count];
        private readonly long[] _quarantined = new long[LicenseTypes.All.Count];
        private long _listedUsers;

        public long Records(LicenseType type) { lock (_gate) { return _records[(int)type]; } }

        /// <summary>Records whose user was deleted (no <c>user</c>): left out.</summary>
        public long RecordsWithoutUser(LicenseType type) { lock (_gate) { return _withoutUser[(int)type]; } }

        /// <summary>Quarantined records still count: their last use was real.</summary>
        public long Quarantined(LicenseType type) { lock (_gate) { return _quarantined[(int)type]; } }

        public long ListedUsers { get { lock (_gate) { return _listedUsers; } } }

        public void AddRecord(LicenseType type, LicenseRecord record)
        {
            DateTime? used = ToActivity(LicenseTypes.DateField(type) == "lastUsed" ? record.LastUsed : record.LatestActivity);
            lock (_gate)
            {
                _records[(int)type]++;
                if (record.Quarantined)
                {
                    _quarantined[(int)type]++;
                }

                if (record.User == null || record.User.Id == Guid.Empty)
                {
                    _withoutUser[(int)type]++;
                    return;
                }

                var entry = GetOrAdd(record.User);
                entry.Types |= 1 << (int)type;
                if (used != null && (entry.LastActivity == null || used > entry.LastActivity))
                {
                    entry.LastActivity = used;
                }
            }
        }

        /// <summary>A user from the user list (its names win over the copies inside records).</summary>
        public void AddUser(UserRecord user)
        {
            if (user.Id == Guid.Empty)
            {
                return;
            }

            lock (_gate)
            {
                _listedUsers++;
                var entry = GetOrAdd(user);
                entry.Listed = true;
                entry.UserDirectory = user.UserDirectory ?? entry.UserDirectory;
                entry.UserId = user.UserId ?? entry.UserId;
                entry.Name = user.Name ?? entry.Name;
            }
        }

        /// <summary>
        /// Each user's latest journal event (the <see cref="ActivitySource.Session"/> source), matched to the
        /// repository's users by directory and user id, case-insensitive as the repository compares them.
        /// </summary>
        public void AddSessionEvents(IEnumerable<(string UserDirectory, string UserId, DateTime LastEventAt)> latest)
        {
            lock (_gate)
            {
                foreach (var (directory, userId, at) in latest)
                {
                    string key = directory + "\\" + userId;
                    DateTime utc = ToUtc(at);
                    if (!_sessionEvents.TryGetValue(key, out var known) || utc > known)
                    {
                        _sessionEvents[key] = utc;
                    }
                }
            }
        }

        /// <summary>Journal users whom no result matched (deleted from the repository, or outside the directories read).</summary>
        public int UnmatchedSessionUsers { get; private set; }

        /// <summary>One result per user, ordered by directory and user id.</summary>
        public List<UserActivity> Results(BucketSet buckets, DateTime asOfUtc, bool includeUsersWithoutLicenseRecord)
        {
            List<Entry> entries;
            lock (_gate)
            {
                entries = _users.Values.Where(e => includeUsersWithoutLicenseRecord || e.Types != 0).ToList();
            }

            entries.Sort((a, b) =>
            {
                int c = string.Compare(a.UserDirectory, b.UserDirectory, StringComparison.OrdinalIgnoreCase);
                return c != 0 ? c : string.Compare(a.UserId, b.UserId, StringComparison.OrdinalIgnoreCase);
            });

            var results = new List<UserActivity>(entries.Count);
            int matched = 0;
            foreach (var e in entries)
            {
                DateTime? session = null;
                if (_sessionEvents.Count > 0 && _sessionEvents.TryGetValue((e.UserDirectory ?? "") + "\\" + (e.UserId ?? ""), out var s))
                {
                    session = s;
                    matched++;
                }

                // The latest of the sources wins; a tie goes to the license records.
                var source = session != null && (e.LastActivity == null || session > e.LastActivity) ? ActivitySource.Session
                    : e.LastActivity != null ? ActivitySource.License : ActivitySource.None;
                DateTime? latest = source == ActivitySource.Session ? session : e.LastActivity;
                int? days = latest is { } last ? DaysBetween(last, asOfUtc) : null;
                results.Add(new UserActivity
                {
                    Id = e.Id,
                    UserDirectory = e.UserDirectory ?? "",
                    UserId = e.UserId ?? "",
                    Name = e.Name,
                    LastActivity = latest,
                    ActivitySource = source,
                    LastLicenseActivity = e.LastActivity,
                    LastSessionEvent = session,
                    DaysInactive = days,
                    LicenseTypes = LicenseTypes.All.Where(t => (e.Types & (1 << (int)t)) != 0).ToArray(),
                    HasLicenseRecord = e.Types != 0,
                    // A session event is known activity even without a license record.
                    Bucket = days is { } d ? buckets.Assign(d) : e.Types == 0 ? BucketSet.NoLicenseRecordLabel : BucketSet.NeverLabel,
                    AsOf = asOfUtc,
                });
            }

            lock (_gate)
            {
                UnmatchedSessionUsers = _sessionEvents.Count - matched;
            }

            return results;
        }

        /// <summary>
        /// Users with records whom the user list did not have: deleted between the two reads (a
        /// deleted user's records lose their user). Meaningful only once the list was read whole.
        /// </summary>
        public HashSet<Guid> Unlisted()
        {
            lock (_gate)
            {
                return new HashSet<Guid>(_users.Values.Where(e => !e.Listed).Select(e => e.Id));
            }
        }

        /// <summary>Whole UTC calendar days from the activity to the as-of date; a future date counts as 0.</summary>
        internal static int DaysBetween(DateTime lastActivityUtc, DateTime asOfUtc) =>
            Math.Max(0, (asOfUtc.Date - lastActivityUtc.Date).Days);

        /// <summary>UTC, with Local converted and Unspecified taken as UTC.</summary>
        internal static DateTime ToUtc(DateTime value) => value.Kind switch
        {
            DateTimeKind.Local => value.ToUniversalTime(),
            DateTimeKind.Unspecified => DateTime.SpecifyKind(value, DateTimeKind.Utc),
            _ => value,
        };

        /// <summary>The activity date in UTC, or null for "never" (null or 1753-01-01).</summary>
        internal static DateTime? ToActivity(DateTimeOffset? value) =>
            value is { } v && v.UtcDateTime >= NeverThreshold ? v.UtcDateTime : null;

        private Entry GetOrAdd(UserRecord user)
        {
            if (!_users.TryGetValue(user.Id, out var entry))
            {
                entry = new Entry { Id = user.Id, UserDirectory = user.UserDirectory, UserId = user.UserId, Name = user.Name };
                _users.Add(user.Id, entry);
            }

            return entry;
        }

        private sealed class Entry
        {
            public Guid Id;
            public string? UserDirectory;
            public string? UserId;
            public string? Name;
            public DateTime? LastActivity;
            public int Types;
            public bool Listed;
        }
    }
}
