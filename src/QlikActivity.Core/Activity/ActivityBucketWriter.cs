using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using QlikActivity.Core.Qrs;

namespace QlikActivity.Core.Activity
{
    /// <summary>
    /// The Set-QlikActivityBucket operation. In order: check the custom property's definition
    /// (stop before any write if it differs and -Force is absent); read the users in scope with
    /// their current values (one list request) and their activity; create or replace the
    /// definition; plan; ask ShouldProcess per user to be written; then read the changed users in
    /// batches and PUT each, whole, with up to ThrottleLimit writes in flight on background tasks.
    /// The calling thread drains their results to write progress, errors and -PassThru objects.
    /// Yields the per-user results (with PassThru) and the summary last.
    /// </summary>
    public static class ActivityBucketWriter
    {
        public const int ProgressActivityId = 4243;

        public const string InvalidRequestErrorId = "ActivityBucketInvalidRequest";
        public const string DefinitionMismatchErrorId = "ActivityBucketDefinitionMismatch";
        public const string WriteFailedErrorId = "ActivityBucketWriteFailed";

        /// <summary>Up to this many piped users are looked up by id; more are found in their directories' user list.</summary>
        internal const int LookupByIdLimit = 100;

        private const string UserPath = "user/full";
        private const string DefinitionPath = "custompropertydefinition";

        public static IEnumerable<object> Run(IOperationHost host, ActivityBucketRequest request)
        {
            if (host == null)
            {
                throw new ArgumentNullException(nameof(host));
            }

            (request ?? throw new ArgumentNullException(nameof(request))).Validate();
            return RunIterator(host, request);
        }

        private static IEnumerable<object> RunIterator(IOperationHost host, ActivityBucketRequest request)
        {
            var stopwatch = Stopwatch.StartNew();
            var token = host.CancellationToken;
            var client = request.Connection.Client;
            var countsBefore = client.RequestCounts.Snapshot();
            string name = request.PropertyName.Trim();
            var summary = new ActivityBucketSummary { PropertyName = name };
            var check = new CustomPropertyDefinitionCheck(name,
                CustomPropertyDefinitionCheck.ChoiceValuesFor(request.Buckets.Labels, request.NoActivityValue));

            // 1. The definition, read only: a wrong one stops the run before anything is written.
            var definition = BucketPropertyDefinition.Read(client, check, token);
            definition.EnsureUsable(request.Force);
            string definitionName = definition.Name;
            host.WriteVerbose(definition.Describe());

            // 2. Who is in scope, their current values, and their activity.
            var scope = ReadScope(host, request, definition.Id, definitionName, token);

            // 3. Create or replace the definition (ShouldProcess: -WhatIf shows it, -Confirm asks).
            if (!definition.NeedsWrite)
            {
                summary.DefinitionAction = CustomPropertyDefinitionAction.Unchanged;
            }
            else if (host.ShouldProcess(definition.Target, definition.PlannedAction))
            {
                summary.DefinitionAction = definition.CreateOrReplace(token);
                host.WriteVerbose(summary.DefinitionAction == CustomPropertyDefinitionAction.Created
                    ? $"Created the custom property '{name}' ({definition.Id})."
                    : $"Replaced the choice values of the custom property '{definitionName}'.");
            }
            else
            {
                summary.DefinitionAction = CustomPropertyDefinitionAction.WhatIf;
            }

            // Values can be written only once the definition is right.
            bool canWrite = summary.DefinitionAction != CustomPropertyDefinitionAction.WhatIf;

            // 4. Plan, and ask per user that needs a write.
            var plan = new ActivityBucketPlan(check.ChoiceValues, request.NoActivityAction, request.NoActivityValue);
            var toWrite = new List<PlannedBucketChange>();
            int sets = 0, removes = 0;
            summary.UsersInScope = scope.Users.Count;
            foreach (var user in scope.Users)
            {
                if (token.IsCancellationRequested)
                {
                    // Ctrl+C while asking: the host may no longer be written to; count the rest.
                    summary.Cancelled = true;
                    summary.NotWritten++;
                    continue;
                }

                ActivityBucketResult result;
                if (scope.Missing.Contains(user.Id))
                {
                    result = ActivityBucketResult.Of(user, null, null, ActivityBucketStatus.Skipped,
                        "not in the repository's user list (deleted since its license record was written?)");
                    summary.Count(result.Status);
                    if (request.PassThru)
                    {
                        yield return result;
                    }

                    continue;
                }

                var change = plan.For(user, scope.Values.TryGetValue(user.Id, out var current) ? current : null);
                if (change.Kind == BucketChangeKind.Unchanged)
                {
                    result = ActivityBucketResult.Of(change, ActivityBucketStatus.Unchanged, null);
                }
                else if (change.Kind == BucketChangeKind.Skip)
                {
                    result = ActivityBucketResult.Of(change, ActivityBucketStatus.Skipped, change.Reason);
                }
                else if (!host.ShouldProcess(user.DisplayName, DescribeChange(definitionName, change)))
                {
                    result = ActivityBucketResult.Of(change, ActivityBucketStatus.WhatIf, "not written: -WhatIf, or declined");
                }
                else if (!canWrite)
                {
                    result = ActivityBucketResult.Of(change, ActivityBucketStatus.Skipped, $"the custom property '{name}' was not created or replaced");
                }
                else
                {
                    toWrite.Add(change);
                    if (change.Kind == BucketChangeKind.Set)
                    {
                        sets++;
                    }
                    else
                    {
                        removes++;
                    }

                    continue;
                }

                summary.Count(result.Status);
                if (request.PassThru)
                {
                    yield return result;
                }
            }

            if (!token.IsCancellationRequested)
            {
                host.WriteVerbose($"{summary.UsersInScope:N0} users in scope: {sets:N0} to set, {removes:N0} to remove, {summary.Unchanged:N0} unchanged, {summary.Skipped:N0} skipped"
                    + (summary.NotWritten > 0 ? $", {summary.NotWritten:N0} not written (-WhatIf or declined)." : "."));
            }

            // 5. Write.
            if (toWrite.Count > 0 && token.IsCancellationRequested)
            {
                summary.Cancelled = true;
                summary.NotWritten += toWrite.Count;
            }
            else if (toWrite.Count > 0)
            {
                foreach (var result in BucketWriteRun.Write(host, request, toWrite, definition.Id, definitionName, summary))
                {
                    yield return result;
                }
            }

            summary.Requests = RequestCounts.From(client.RequestCounts.Since(countsBefore));
            summary.Duration = stopwatch.Elapsed;
            if (token.IsCancellationRequested)
            {
                summary.Cancelled = true; // after Ctrl+C PowerShell takes no more messages
            }
            else
            {
                host.WriteVerbose(summary.ToString());
            }

            yield return summary;
        }

        // ---------- reading ----------

        private sealed class Scope
        {
            public List<ActivityBucketUser> Users { get; } = new List<ActivityBucketUser>();

            /// <summary>Current values per user id (users holding none may be absent).</summary>
            public Dictionary<Guid, IReadOnlyList<string>> Values { get; } = new Dictionary<Guid, IReadOnlyList<string>>();

            /// <summary>Users with activity that the user list does not have (deleted meanwhile).</summary>
            public HashSet<Guid> Missing { get; } = new HashSet<Guid>();
        }

        private static Scope ReadScope(IOperationHost host, ActivityBucketRequest request, Guid definitionId, string definitionName, CancellationToken token)
        {
            var client = request.Connection.Client;
            var directories = request.UserDirectories
                .Where(d => !string.IsNullOrWhiteSpace(d))
                .Select(d => d.Trim())
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .ToArray();
            var scope = new Scope();
            DateTime asOf = ActivityMerger.ToUtc(request.AsOf ?? DateTime.UtcNow);

            if (request.Users == null)
            {
                // The user list (with current values) streams on a background task while the
                // activity is read on this thread, which writes the reader's progress.
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(token);
                var listTask = Task.Run(() => ReadUserListAsync(client, QrsFilter.AnyOf("userDirectory", directories), cts.Token));
                List<UserActivity> activity;
                try
                {
                    var readRequest = new UserActivityRequest(request.Connection)
                    {
                        LicenseTypes = request.LicenseTypes,
                        UserDirectories = directories,
                        Buckets = request.Buckets,
                        AsOf = request.AsOf,
                        IncludeUsersWithoutLicenseRecord = false, // the user list below says who has none
                    };
                    activity = UserActivityReader.Read(host, readRequest).ToList();
                }
                catch
                {
                    cts.Cancel();
                    WaitQuietly(listTask);
                    throw;
                }

                List<UserPropertyValuesRecord> listed;
                try
                {
                    listed = Wait(listTask, token);
                }
                catch (OperationCanceledException)
                {
                    cts.Cancel();
                    WaitQuietly(listTask);
                    throw;
                }

                host.WriteVerbose($"Read {listed.Count:N0} users{(directories.Length > 0 ? " of " + string.Join(", ", directories) : "")} with their custom property values.");
                var byId = new Dictionary<Guid, UserActivity>(activity.Count);
                foreach (var a in activity)
                {
                    byId[a.Id] = a;
                }

                foreach (var u in listed)
                {
                    if (byId.TryGetValue(u.Id, out var a))
                    {
                        scope.Users.Add(ToBucketUser(a, request.Buckets, u, asOf));
                        byId.Remove(u.Id);
                    }
                    else if (!request.LicensedOnly)
                    {
                        scope.Users.Add(new ActivityBucketUser(u.Id, u.UserDirectory ?? "", u.UserId ?? "", null, false));
                    }
                    else
                    {
                        continue;
                    }

                    AddValues(scope, u, definitionId, definitionName);
                }

                foreach (var a in byId.Values)
                {
                    scope.Users.Add(ToBucketUser(a, request.Buckets, null, asOf));
                    scope.Missing.Add(a.Id);
                }

                return scope;
            }

            // Users from the pipeline: bucketed again with this run's buckets.
            var supplied = new Dictionary<Guid, UserActivity>();
            foreach (var a in request.Users)
            {
                if (a == null)
                {
                    continue;
                }

                if (a.Id == Guid.Empty)
                {
                    host.WriteError(new OperationError(
                        new QlikActivityException($"The input user '{a.UserDirectory}\\{a.UserId}' has no Id: pass users from Get-QlikUserActivity or objects with the repository's user Id.",
                            InvalidRequestErrorId, OperationErrorCategory.InvalidArgument),
                        InvalidRequestErrorId, OperationErrorCategory.InvalidArgument, a));
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
                host.WriteWarning($"{rebucketed:N0} input users were bucketed with other buckets than this run's ({request.Buckets}); they get buckets of {request.Buckets} so that the values match the custom property's choice values. Pass the same -Bucket to both cmdlets.");
            }

            var found = new Dictionary<Guid, UserPropertyValuesRecord>();
            foreach (var u in ReadSuppliedUsers(client, supplied.Values.ToList(), token))
            {
                found[u.Id] = u;
            }

            foreach (var a in supplied.Values)
            {
                found.TryGetValue(a.Id, out var u);
                scope.Users.Add(ToBucketUser(a, request.Buckets, u, asOf));
                if (u != null)
                {
                    AddValues(scope, u, definitionId, definitionName);
                }
                else
                {
                    scope.Missing.Add(a.Id);
                }
            }

            return scope;
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
            string? bucket = a.HasLicenseRecord && days is int d ? buckets.Assign(d) : null;
            return new ActivityBucketUser(a.Id, listed?.UserDirectory ?? a.UserDirectory, listed?.UserId ?? a.UserId, bucket, a.HasLicenseRecord);
        }

        private static void AddValues(Scope scope, UserPropertyValuesRecord u, Guid definitionId, string definitionName)
        {
            if (definitionId == Guid.Empty)
            {
                return; // no definition yet, so no user holds a value of it
            }

            var values = u.ValuesOf(definitionId, definitionName);
            if (values.Count > 0)
            {
                scope.Values[u.Id] = values;
            }
        }

        // ---------- small pieces ----------

        internal static string DescribeChange(string property, PlannedBucketChange change) =>
            change.Kind == BucketChangeKind.Remove
                ? $"Remove custom property '{property}' value '{change.OldValue}'"
                : $"Set custom property '{property}' from '{change.OldValue ?? "(none)"}' to '{change.NewValue}'";

        private static T Wait<T>(Task<T> task, CancellationToken token)
        {
            try
            {
                // Waiting with the token: Ctrl+C returns at once instead of after the whole list.
                task.Wait(token);
            }
            catch (AggregateException)
            {
                // GetResult below throws the task's own exception.
            }

            return task.GetAwaiter().GetResult();
        }

        private static void WaitQuietly(Task task, TimeSpan? limit = null)
        {
            try
            {
                task.Wait(limit ?? TimeSpan.FromSeconds(10));
            }
            catch (AggregateException)
            {
                // Its failure is reported elsewhere, or it was cancelled on purpose.
            }
        }
    }
}
