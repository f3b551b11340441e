using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Qrs;

namespace QlikActivity.Core.Activity
{
    /// <summary>
    /// The users a bucket run is for, each with its bucket and the values of the bucket property
    /// it holds now. Without piped users: every user of the directories in scope, read by
    /// <see cref="UserActivityReader"/>, whose merge joins the license records with the user list
    /// (read once, from <c>/qrs/user/full</c>, which also carries the values). With piped users:
    /// those users, bucketed again with this run's buckets and looked up for their values.
    /// Reads on the calling thread, which also writes the progress, warnings and errors.
    /// </summary>
    internal sealed class ActivityBucketScope
    {
        /// <summary>Up to this many piped users are looked up by id; more are found in their directories' user list.</summary>
        internal const int LookupByIdLimit = 100;

        private const string UserPath = "user/full";

        private readonly Guid _definitionId;
        private readonly string _definitionName;

        private ActivityBucketScope(Guid definitionId, string definitionName)
        {
            _definitionId = definitionId;
            _definitionName = definitionName;
        }

        public List<ActivityBucketUser> Users { get; } = new List<ActivityBucketUser>();

        /// <summary>Current values per user id (users holding none may be absent).</summary>
        public Dictionary<Guid, IReadOnlyList<string>> Values { get; } = new Dictionary<Guid, IReadOnlyList<string>>();

        /// <summary>Users with activity that the user list does not have (deleted meanwhile).</summary>
        public HashSet<Guid> Missing { get; private set; } = new HashSet<Guid>();

        /// <summary>
        /// Reads the scope of <paramref name="request"/>. <paramref name="definitionId"/> is empty
        /// while the definition does not exist: then no user holds a value of it.
        /// </summary>
        public static ActivityBucketScope Read(IOperationHost host, ActivityBucketRequest request, Guid definitionId, string definitionName)
        {
            var scope = new ActivityBucketScope(definitionId, definitionName);
            var directories = request.UserDirectories
                .Where(d => !string.IsNullOrWhiteSpace(d))
                .Select(d => d.Trim())
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .ToArray();
            DateTime asOf = ActivityMerger.ToUtc(request.AsOf ?? DateTime.UtcNow);
            if (request.Users == null)
            {
                scope.ReadDirectories(host, request, directories, asOf);
            }
            else
            {
                scope.ReadPiped(host, request, request.Users, directories, asOf);
            }

            return scope;
        }

        private void ReadDirectories(IOperationHost host, ActivityBucketRequest request, string[] directories, DateTime asOf)
        {
            var client = request.Connection.Client;
            var readRequest = new UserActivityRequest(request.Connection)
            {
                LicenseTypes = request.LicenseTypes,
                UserDirectories = directories,
                Buckets = request.Buckets,
                AsOf = request.AsOf,
                JournalPath = request.JournalPath,
            };

            // The reader streams the list on its own task; only that task fills Values, which is read once the reader returns.
            var activity = UserActivityReader.ReadWithUserList(host, readRequest, (filter, ct) => ListWithValues(client, filter, ct), out var unlisted);
            foreach (var a in activity)
            {
                if (request.LicensedOnly && !a.HasLicenseRecord)
                {
                    continue;
                }

                Users.Add(ToBucketUser(a, request.Buckets, null, asOf));
            }

            Missing = unlisted;
        }

        /// <summary>The user list as the merge takes it; each user's values of the bucket property are kept on the way.</summary>
        private async IAsyncEnumerable<UserRecord> ListWithValues(QrsClient client, QrsFilter? filter, [EnumeratorCancellation] CancellationToken token)
        {
            await foreach (var u in client.GetArrayAsync<UserPropertyValuesRecord>(UserPath, filter, token).ConfigureAwait(false))
            {
                if (u.Id == Guid.Empty)
                {
                    continue;
                }

                AddValues(u);
                yield return new UserRecord { Id = u.Id, UserDirectory = u.UserDirectory, UserId = u.UserId };
            }
        }

        /// <summary>Users from the pipeline: bucketed again with this run's buckets.</summary>
        private void ReadPiped(IOperationHost host, ActivityBucketRequest request, IReadOnlyList<UserActivity> users, string[] directories, DateTime asOf)
        {
            var supplied = new Dictionary<Guid, UserActivity>();
            foreach (var a in users)
            {
                if (a == null)
                {
                    continue;
                }

                if (a.Id == Guid.Empty)
                {
                    host.WriteError(new OperationError(
                        new QlikActivityException($"The input user '{a.UserDirectory}\\{a.UserId}' has no Id: pass users from Get-QlikUserActivity or objects with the repository's user Id.",
                            ActivityErrorIds.InvalidRequest, OperationErrorCategory.InvalidArgument),
                        ActivityErrorIds.InvalidRequest, OperationErrorCategory.InvalidArgument, a));
                    continue;
                }

                if (directories.Length == 0 || directories.Contains(a.UserDirectory, StringComparer.OrdinalIgnoreCase))
                {
                    supplied[a.Id] = a;
                }
            }

            int rebucketed = supplied.Values.Count(a => a.HasLicenseRecord && a.DaysInactive is int d
                && !string.IsNullOrEmpty(a.Bucket) && a.Bucket != request.Buckets.Assign(d));
            if (rebucketed > 0)
            {
                host.WriteWarning($"{rebucketed:N0} input {(rebucketed == 1 ? "user was" : "users were")} bucketed with other buckets than this run's ({request.Buckets}); they get buckets of {request.Buckets} so that the values match the custom property's choice values. Pass the same -Bucket to both cmdlets.");
            }

            var found = new Dictionary<Guid, UserPropertyValuesRecord>();
            foreach (var u in ReadSuppliedUsers(request.Connection.Client, supplied.Values.ToList(), host.CancellationToken))
            {
                found[u.Id] = u;
            }

            foreach (var a in supplied.Values)
            {
                found.TryGetValue(a.Id, out var u);
                Users.Add(ToBucketUser(a, request.Buckets, u, asOf));
                if (u != null)
                {
                    AddValues(u);
                }
                else
                {
                    Missing.Add(a.Id);
                }
            }
        }

        private static IEnumerable<UserPropertyValuesRecord> ReadSuppliedUsers(QrsClient client, List<UserActivity> users, CancellationToken token)
        {
            if (users.Count == 0)
            {
                return Array.Empty<UserPropertyValuesRecord>();
            }

            if (users.Count <= LookupByIdLimit)
            {
                var result = new List<UserPropertyValuesRecord>();
                for (int i = 0; i < users.Count; i += ActivityBucketRequest.MaximumBatchSize)
                {
                    var batch = users.Skip(i).Take(ActivityBucketRequest.MaximumBatchSize).Select(u => (object?)u.Id);
                    result.AddRange(ReadUserListAsync(client, QrsFilter.AnyOf("id", batch), token).GetAwaiter().GetResult());
                }

                return result;
            }

            // Many users: their directories' list is one request instead of one per 25 users.
            var directories = users.Select(u => u.UserDirectory).Where(d => !string.IsNullOrEmpty(d)).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
            var filter = directories.Length > 0 && directories.Length <= 20 ? QrsFilter.AnyOf("userDirectory", directories) : null;
            return ReadUserListAsync(client, filter, token).GetAwaiter().GetResult();
        }

        private static async Task<List<UserPropertyValuesRecord>> ReadUserListAsync(QrsClient client, QrsFilter? filter, CancellationToken token)
        {
            var list = new List<UserPropertyValuesRecord>();
            await foreach (var u in client.GetArrayAsync<UserPropertyValuesRecord>(UserPath, filter, token).ConfigureAwait(false))
            {
                if (u.Id != Guid.Empty)
                {
                    list.Add(u);
                }
            }

            return list;
        }

        private static ActivityBucketUser ToBucketUser(UserActivity a, BucketSet buckets, UserPropertyValuesRecord? listed, DateTime asOfUtc)
        {
            // Only a day count gives a bucket; "never" and "no record" are the no-activity policy's.
            // Objects that carry only the last activity (e.g. deserialized ones) are counted to this run's date.
            int? days = a.DaysInactive ?? (a.LastActivity is DateTime last ? ActivityMerger.DaysBetween(ActivityMerger.ToUtc(last), asOfUtc) : null);
            // A session event from the journal is known activity too, with or without a license record.
            bool known = a.HasLicenseRecord || a.LastSessionEvent != null;
            string? bucket = known && days is int d ? buckets.Assign(d) : null;
            return new ActivityBucketUser(a.Id, listed?.UserDirectory ?? a.UserDirectory, listed?.UserId ?? a.UserId, bucket, known);
        }

        private void AddValues(UserPropertyValuesRecord u)
        {
            if (_definitionId == Guid.Empty)
            {
                return; // no definition yet, so no user holds a value of it
            }

            var values = u.ValuesOf(_definitionId, _definitionName);
            if (values.Count > 0)
            {
                Values[u.Id] = values;
            }
        }
    }
}
