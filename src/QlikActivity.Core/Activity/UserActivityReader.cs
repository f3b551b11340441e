using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Qrs;

namespace QlikActivity.Core.Activity
{
    /// <summary>
    /// The Get-QlikUserActivity operation: reads the selected license records and the user list
    /// in parallel (one background task each, streamed), merges the latest activity per user,
    /// and yields one <see cref="UserActivity"/> per user on the calling thread. Progress and
    /// verbose counts go to the host from the calling thread only.
    /// </summary>
    public static class UserActivityReader
    {
        public const int ProgressActivityId = 4242;
        private const string ProgressActivity = "Reading user activity";

        public static IEnumerable<UserActivity> Read(IOperationHost host, UserActivityRequest request)
        {
            if (host == null)
            {
                throw new ArgumentNullException(nameof(host));
            }

            if (request == null)
            {
                throw new ArgumentNullException(nameof(request));
            }

            var (types, directories, asOf) = Selection(request);
            return ReadIterator(host, request, types, directories, asOf);
        }

        /// <summary>
        /// Reads the user list for the merge in place of the reader's own (the condensed list,
        /// counted for the progress bar). A bucket run reads <c>/qrs/user/full</c> once, for the
        /// merge and for each user's custom property values.
        /// </summary>
        internal delegate IAsyncEnumerable<UserRecord> UserListSource(QrsFilter? filter, CancellationToken token);

        /// <summary>
        /// Every user of <paramref name="userList"/> and every user with a record of the selected
        /// types, merged as <see cref="Read"/> merges them with the user list, returned whole on the
        /// calling thread (which also writes the progress). Users with records whom the list lacks
        /// (deleted meanwhile) are named in <paramref name="unlisted"/>.
        /// </summary>
        internal static List<UserActivity> ReadWithUserList(IOperationHost host, UserActivityRequest request, UserListSource userList,
            out HashSet<Guid> unlisted)
        {
            var (types, directories, asOf) = Selection(request);
            var merger = new ActivityMerger();
            var results = Load(host, request, merger, types, directories, asOf, userList, countUsers: false);
            unlisted = merger.Unlisted();
            host.WriteProgress(Done());
            return results;
        }

        private static (LicenseType[] Types, string[] Directories, DateTime AsOf) Selection(UserActivityRequest request) =>
        (
            (request.LicenseTypes.Count == 0 ? LicenseTypes.All : request.LicenseTypes).Distinct().OrderBy(t => t).ToArray(),
            request.UserDirectories
                .Where(d => !string.IsNullOrWhiteSpace(d))
                .Select(d => d.Trim())
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .ToArray(),
            ActivityMerger.ToUtc(request.AsOf ?? DateTime.UtcNow)
        );

        /// <summary>Filter on license records: <c>user.userDirectory eq 'A' or ...</c>.</summary>
        internal static QrsFilter? RecordFilter(IReadOnlyList<string> directories) => QrsFilter.AnyOf("user.userDirectory", directories);

        /// <summary>Filter on the user list: <c>userDirectory eq 'A' or ...</c>.</summary>
        internal static QrsFilter? UserFilter(IReadOnlyList<string> directories) => QrsFilter.AnyOf("userDirectory", directories);

        private static IEnumerable<UserActivity> ReadIterator(IOperationHost host, UserActivityRequest request, LicenseType[] types,
            string[] directories, DateTime asOf)
        {
            var client = request.Connection.Client;
            var userList = request.IncludeUsersWithoutLicenseRecord
                ? (filter, ct) => client.GetArrayAsync("user", filter, UserRecord.Read, ct)
                : (UserListSource?)null;
            var results = Load(host, request, new ActivityMerger(), types, directories, asOf, userList, countUsers: true);
            var progress = new OperationProgress(ProgressActivityId, ProgressActivity, $"Writing {results.Count:N0} users");
            for (int i = 0; i < results.Count; i++)
            {
                if (i % 1000 == 0)
                {
                    host.CancellationToken.ThrowIfCancellationRequested();
                    progress.PercentComplete = (int)(100L * i / results.Count);
                    progress.CurrentOperation = $"{i:N0} of {results.Count:N0}";
                    host.WriteProgress(progress);
                }

                yield return results[i];
            }

            host.WriteProgress(Done());
        }

        private static List<(string UserDirectory, string UserId, DateTime LastEventAt)> ReadSessionEvents(IOperationHost host, string path)
        {
            using var reader = Journal.JournalReader.Open(path);
            host.WriteVerbose($"Reading each user's latest event from the journal '{reader.Path}' (events since {reader.FirstEventAt:u}).");
            return reader.ReadLatestEventPerUser().Select(u => (u.UserDirectory, u.UserId, u.LastEventAt)).ToList();
        }

        private static OperationProgress Done() =>
            new OperationProgress(ProgressActivityId, ProgressActivity, "Done") { Completed = true, PercentComplete = 100 };

        private static List<UserActivity> Load(IOperationHost host, UserActivityRequest request, ActivityMerger merger, LicenseType[] types,
            string[] directories, DateTime asOf, UserListSource? userList, bool countUsers)
        {
            // The journal first: a wrong path fails before the repository is asked anything.
            var sessionEvents = request.JournalPath != null ? ReadSessionEvents(host, request.JournalPath) : null;
            var client = request.Connection.Client;
            var parts = types.Select(t => new Part(t.ToString(), counted: true)).ToList();
            var usersPart = new Part("users", countUsers);
            if (userList != null)
            {
                parts.Add(usersPart);
            }

            string where = directories.Length == 0 ? "" : $" in {string.Join(", ", directories)}";
            host.WriteVerbose($"Reading {string.Join(", ", types)} license records{(userList != null ? " and the user list" : "")}{where} from {request.Connection.BaseUri}.");

            using var cts = CancellationTokenSource.CreateLinkedTokenSource(host.CancellationToken);
            var recordFilter = RecordFilter(directories);
            var tasks = new List<Task>();
            for (int i = 0; i < types.Length; i++)
            {
                var type = types[i];
                var part = parts[i];
                tasks.Add(Run(cts, async ct =>
                {
                    Interlocked.Exchange(ref part.Total, await CountAsync(client, LicenseTypes.CountType(type), recordFilter, ct).ConfigureAwait(false));
                    await foreach (var record in client.GetArrayAsync(LicenseTypes.Endpoint(type), recordFilter, LicenseRecord.Read, ct).ConfigureAwait(false))
                    {
                        merger.AddRecord(type, record);
                        Interlocked.Increment(ref part.Done);
                    }
                }));
            }

            if (userList != null)
            {
                var userFilter = UserFilter(directories);
                tasks.Add(Run(cts, async ct =>
                {
                    if (countUsers)
                    {
                        Interlocked.Exchange(ref usersPart.Total, await CountAsync(client, "user", userFilter, ct).ConfigureAwait(false));
                    }

                    await foreach (var user in userList(userFilter, ct).ConfigureAwait(false))
                    {
                        merger.AddUser(user);
                        Interlocked.Increment(ref usersPart.Done);
                    }
                }));
            }

            var all = Task.WhenAll(tasks);
            try
            {
                while (Task.WaitAny(new Task[] { all }, 250, host.CancellationToken) < 0)
                {
                    host.WriteProgress(LoadingProgress(parts));
                }
            }
            catch (OperationCanceledException)
            {
                cts.Cancel();
                WaitQuietly(all);
                throw;
            }

            if (all.IsFaulted || all.IsCanceled)
            {
                // The first real failure, not the cancellations it caused in the other tasks.
                var errors = all.Exception?.InnerExceptions ?? (IReadOnlyCollection<Exception>)Array.Empty<Exception>();
                var first = errors.FirstOrDefault(e => !(e is OperationCanceledException)) ?? errors.FirstOrDefault()
                    ?? new OperationCanceledException(host.CancellationToken);
                ExceptionDispatchInfo.Capture(first).Throw();
            }

            host.WriteProgress(LoadingProgress(parts));
            foreach (var type in types)
            {
                host.WriteVerbose(string.Format(CultureInfo.InvariantCulture,
                    "Read {0:N0} {1} records ({2:N0} quarantined, still counted; {3:N0} without a user, left out: deleted users).",
                    merger.Records(type), type, merger.Quarantined(type), merger.RecordsWithoutUser(type)));
            }

            if (userList != null)
            {
                host.WriteVerbose($"Read {merger.ListedUsers:N0} users.");
            }

            if (sessionEvents != null)
            {
                merger.AddSessionEvents(sessionEvents);
            }

            var results = merger.Results(request.Buckets, asOf, userList != null);
            if (sessionEvents != null)
            {
                int bySession = results.Count(r => r.ActivitySource == ActivitySource.Session);
                host.WriteVerbose($"The journal knows {sessionEvents.Count:N0} users; its session events are the latest activity of {bySession:N0} of them" +
                    (merger.UnmatchedSessionUsers > 0 ? $"; {merger.UnmatchedSessionUsers:N0} journal users are not among the users read (deleted, or in other directories)." : "."));
            }

            int active = results.Count(r => r.LastActivity != null);
            int never = results.Count(r => r.HasLicenseRecord && r.LastActivity == null);
            int noRecord = results.Count(r => !r.HasLicenseRecord);
            host.WriteVerbose($"{results.Count:N0} users as of {asOf:yyyy-MM-dd} UTC: {active:N0} with activity, {never:N0} with license records but no use ('{BucketSet.NeverLabel}'), {noRecord:N0} without a license record ('{BucketSet.NoLicenseRecordLabel}').");
            return results;
        }

        /// <summary>The count gives the progress bar its percentage; a server without it only loses that.</summary>
        private static async Task<long> CountAsync(QrsClient client, string type, QrsFilter? filter, CancellationToken ct)
        {
            try
            {
                return await client.GetCountAsync(type, filter, ct).ConfigureAwait(false);
            }
            catch (QrsException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound || ex.ErrorId == QrsErrorIds.UnexpectedResponse)
            {
                return -1;
            }
        }

        /// <summary>Runs one reading task; its failure cancels the others so the error surfaces at once.</summary>
        private static Task Run(CancellationTokenSource cts, Func<CancellationToken, Task> work) =>
            Task.Run(async () =>
            {
                try
                {
                    await work(cts.Token).ConfigureAwait(false);
                }
                catch
                {
                    cts.Cancel();
                    throw;
                }
            });

        private static void WaitQuietly(Task task)
        {
            try
            {
                task.Wait(TimeSpan.FromSeconds(10));
            }
            catch (AggregateException)
            {
                // Already cancelled: the cancellation is what the caller sees.
            }
        }

        private static OperationProgress LoadingProgress(IReadOnlyList<Part> parts)
        {
            var snapshot = parts.Select(p => (p.Name, p.Counted, Done: Interlocked.Read(ref p.Done), Total: Interlocked.Read(ref p.Total))).ToList();
            // A part read without a count shows its number but leaves the percentage to the others.
            var counted = snapshot.Where(p => p.Counted).ToList();
            long done = counted.Sum(p => p.Done);
            bool known = counted.All(p => p.Total >= 0);
            long total = known ? counted.Sum(p => Math.Max(p.Total, p.Done)) : -1;
            string status = string.Join(", ", snapshot.Select(p => p.Total >= 0 ? $"{p.Name} {p.Done:N0}/{p.Total:N0}" : $"{p.Name} {p.Done:N0}"));
            return new OperationProgress(ProgressActivityId, ProgressActivity, "Reading license records and users")
            {
                CurrentOperation = status,
                PercentComplete = known && total > 0 ? (int)Math.Min(99, 100 * done / total) : -1,
            };
        }

        private sealed class Part
        {
            public Part(string name, bool counted)
            {
                Name = name;
                Counted = counted;
            }

            public string Name { get; }

            /// <summary>False when its total is never asked for (it then leaves the percentage to the other parts).</summary>
            public bool Counted { get; }

            public long Done;

            /// <summary>-1 until the count has arrived (or when the server has none).</summary>
            public long Total = -1;
        }
    }
}
