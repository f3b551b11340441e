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
                    result = Result(user, null, null, ActivityBucketStatus.Skipped,
                        "not in the repository's user list (deleted since its license record was written?)");
                    Count(summary, result.Status);
                    if (request.PassThru)
                    {
                        yield return result;
                    }

                    continue;
                }

                var change = plan.For(user, scope.Values.TryGetValue(user.Id, out var current) ? current : null);
                if (change.Kind == BucketChangeKind.Unchanged)
                {
                    result = Result(change, ActivityBucketStatus.Unchanged, null);
                }
                else if (change.Kind == BucketChangeKind.Skip)
                {
                    result = Result(change, ActivityBucketStatus.Skipped, change.Reason);
                }
                else if (!host.ShouldProcess(user.DisplayName, DescribeChange(definitionName, change)))
                {
                    result = Result(change, ActivityBucketStatus.WhatIf, "not written: -WhatIf, or declined");
                }
                else if (!canWrite)
                {
                    result = Result(change, ActivityBucketStatus.Skipped, $"the custom property '{name}' was not created or replaced");
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

                Count(summary, result.Status);
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
                foreach (var result in Write(host, request, toWrite, definition.Id, definitionName, summary))
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
                foreach (var batch in Batches(users.Select(u => u.Id).ToList(), ActivityBucketRequest.MaximumBatchSize))
                {
                    result.AddRange(ReadUserListAsync(client, QrsFilter.AnyOf("id", batch.Cast<object?>()), token).GetAwaiter().GetResult());
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

        // ---------- writing ----------

        private static IEnumerable<object> Write(IOperationHost host, ActivityBucketRequest request, List<PlannedBucketChange> toWrite,
            Guid definitionId, string definitionName, ActivityBucketSummary summary)
        {
            var token = host.CancellationToken;
            using var stopStarting = CancellationTokenSource.CreateLinkedTokenSource(token);
            using var abandon = new CancellationTokenSource();
            var grace = request.StopGracePeriod;
            using var graceTimer = stopStarting.Token.Register(() =>
            {
                try
                {
                    abandon.CancelAfter(grace);
                }
                catch (ObjectDisposedException)
                {
                    // The run already ended.
                }
            });

            var outcomes = new BlockingCollection<ActivityBucketResult>();
            var engine = new WriteEngine(request, toWrite, definitionId, definitionName, outcomes, stopStarting.Token, abandon.Token);
            var running = Task.Run(engine.RunAsync);
            string activity = $"Setting the custom property '{definitionName}'";
            var progressClock = Stopwatch.StartNew();
            int done = 0;
            bool finished = false;
            try
            {
                while (true)
                {
                    if (outcomes.TryTake(out var result, 200))
                    {
                        done++;
                        Count(summary, result.Status);
                        if (token.IsCancellationRequested)
                        {
                            // After Ctrl+C PowerShell refuses every Write*: only count.
                            summary.Cancelled = true;
                            continue;
                        }

                        if (result.Status == ActivityBucketStatus.Failed)
                        {
                            var error = new QlikActivityException($"Could not set the custom property '{definitionName}' of {result.User}: {result.Reason}",
                                WriteFailedErrorId, OperationErrorCategory.WriteError);
                            host.WriteError(new OperationError(error, WriteFailedErrorId, OperationErrorCategory.WriteError, result.User));
                        }

                        if (request.PassThru)
                        {
                            yield return result;
                        }
                    }
                    else if (outcomes.IsCompleted)
                    {
                        break;
                    }

                    if (token.IsCancellationRequested)
                    {
                        summary.Cancelled = true;
                    }
                    else if (progressClock.ElapsedMilliseconds >= 250)
                    {
                        progressClock.Restart();
                        host.WriteProgress(new OperationProgress(ProgressActivityId, activity,
                            $"{done:N0} of {toWrite.Count:N0} users written ({summary.Failed:N0} failed)")
                        {
                            PercentComplete = (int)(100L * done / toWrite.Count),
                        });
                    }
                }

                finished = true;
            }
            finally
            {
                // Also reached when the consumer stops early: start nothing new, let writes in flight end.
                stopStarting.Cancel();
                WaitQuietly(running, grace + TimeSpan.FromSeconds(10));
            }

            if (finished)
            {
                running.GetAwaiter().GetResult(); // a bug in the engine surfaces here
                if (!token.IsCancellationRequested)
                {
                    host.WriteProgress(new OperationProgress(ProgressActivityId, activity, "Done") { Completed = true, PercentComplete = 100 });
                }
                else
                {
                    summary.Cancelled = true;
                }
            }
        }

        /// <summary>
        /// The background half of <see cref="Write"/>: a producer reads the changed users in
        /// batches and queues them; ThrottleLimit workers PUT them. Never touches the host:
        /// every outcome goes to the queue the calling thread drains.
        /// </summary>
        private sealed class WriteEngine
        {
            private readonly ActivityBucketRequest _request;
            private readonly QrsClient _client;
            private readonly List<PlannedBucketChange> _toWrite;
            private readonly Guid _definitionId;
            private readonly string _definitionName;
            private readonly BlockingCollection<ActivityBucketResult> _outcomes;
            private readonly CancellationToken _stopStarting;
            private readonly CancellationToken _abandon;
            private readonly Channel<Job> _jobs;

            public WriteEngine(ActivityBucketRequest request, List<PlannedBucketChange> toWrite, Guid definitionId, string definitionName,
                BlockingCollection<ActivityBucketResult> outcomes, CancellationToken stopStarting, CancellationToken abandon)
            {
                _request = request;
                _client = request.Connection.Client;
                _toWrite = toWrite;
                _definitionId = definitionId;
                _definitionName = definitionName;
                _outcomes = outcomes;
                _stopStarting = stopStarting;
                _abandon = abandon;
                // Read ahead about one batch: enough to keep the writers busy, little enough that
                // entities are fresh when written (fewer 409s).
                _jobs = Channel.CreateBounded<Job>(new BoundedChannelOptions(Math.Max(request.BatchSize, request.ThrottleLimit))
                {
                    SingleWriter = true,
                    SingleReader = false,
                });
            }

            public async Task RunAsync()
            {
                try
                {
                    var workers = Enumerable.Range(0, _request.ThrottleLimit).Select(_ => Task.Run(WorkAsync)).ToArray();
                    try
                    {
                        await ProduceAsync().ConfigureAwait(false);
                    }
                    finally
                    {
                        // Even if the producer failed, the writers finish what they hold before the queue closes.
                        _jobs.Writer.TryComplete();
                        await Task.WhenAll(workers).ConfigureAwait(false);
                    }
                }
                finally
                {
                    _outcomes.CompleteAdding();
                }
            }

            private async Task ProduceAsync()
            {
                var batches = Batches(_toWrite, _request.BatchSize).ToList();
                for (int b = 0; b < batches.Count; b++)
                {
                    var batch = batches[b];
                    if (_stopStarting.IsCancellationRequested)
                    {
                        NotStarted(batches.Skip(b).SelectMany(x => x));
                        return;
                    }

                    Dictionary<Guid, JsonObject> entities;
                    try
                    {
                        entities = await ReadBatchAsync(batch).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (_stopStarting.IsCancellationRequested)
                    {
                        NotStarted(batches.Skip(b).SelectMany(x => x));
                        return;
                    }
                    catch (Exception ex) when (IsRequestFailure(ex))
                    {
                        foreach (var change in batch)
                        {
                            _outcomes.Add(Result(change, ActivityBucketStatus.Failed, "reading it before the write failed: " + ex.Message));
                        }

                        continue;
                    }

                    var tracker = new BatchTracker(batch.Count);
                    for (int i = 0; i < batch.Count; i++)
                    {
                        var change = batch[i];
                        if (!entities.TryGetValue(change.User.Id, out var entity))
                        {
                            _outcomes.Add(Result(change, ActivityBucketStatus.Failed, "the user no longer exists in the repository (deleted since it was read)"));
                            tracker.Signal();
                            continue;
                        }

                        try
                        {
                            await _jobs.Writer.WriteAsync(new Job(change, entity, tracker), _stopStarting).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException) when (_stopStarting.IsCancellationRequested)
                        {
                            NotStarted(batch.Skip(i).Concat(batches.Skip(b + 1).SelectMany(x => x)));
                            return;
                        }
                    }

                    if (_request.BatchSleep > TimeSpan.Zero && b < batches.Count - 1)
                    {
                        // ctrl-q's batch sleep: this batch's writes end, then a pause, then the next batch.
                        try
                        {
                            await tracker.Done.ConfigureAwait(false);
                            await Task.Delay(_request.BatchSleep, _stopStarting).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException) when (_stopStarting.IsCancellationRequested)
                        {
                            // The loop head counts the rest as not started.
                        }
                    }
                }
            }

            private async Task<Dictionary<Guid, JsonObject>> ReadBatchAsync(List<PlannedBucketChange> batch)
            {
                var filter = QrsFilter.AnyOf("id", batch.Select(c => (object?)c.User.Id));
                var node = await _client.GetJsonAsync(UserPath, filter, _stopStarting).ConfigureAwait(false);
                var map = new Dictionary<Guid, JsonObject>();
                if (node is JsonArray list)
                {
                    foreach (var item in list)
                    {
                        if (item is JsonObject o && QrsEntityId.Of(o) is var id && id != Guid.Empty)
                        {
                            map[id] = o;
                        }
                    }
                }

                return map;
            }

            private async Task WorkAsync()
            {
                while (await _jobs.Reader.WaitToReadAsync().ConfigureAwait(false))
                {
                    while (_jobs.Reader.TryRead(out var job))
                    {
                        if (_stopStarting.IsCancellationRequested)
                        {
                            NotStarted(new[] { job.Change });
                            job.Tracker.Signal();
                            continue;
                        }

                        var outcome = await WriteOneAsync(job.Change, job.Entity).ConfigureAwait(false);
                        _outcomes.Add(outcome);
                        job.Tracker.Signal();
                        if (_request.UserSleep > TimeSpan.Zero)
                        {
                            try
                            {
                                await Task.Delay(_request.UserSleep, _stopStarting).ConfigureAwait(false);
                            }
                            catch (OperationCanceledException)
                            {
                                // Stopped: the next job is counted as not started.
                            }
                        }
                    }
                }
            }

            /// <summary>
            /// One user's PUT. A 409 means the user changed since it was read: read it again,
            /// re-apply only this property, and try again (a retried PUT whose first attempt got
            /// through also lands here, and then finds the value already set).
            /// </summary>
            private async Task<ActivityBucketResult> WriteOneAsync(PlannedBucketChange change, JsonObject entity)
            {
                string path = "user/" + change.User.Id.ToString("D");
                var current = entity;
                for (int attempt = 1; ; attempt++)
                {
                    if (UserCustomPropertyEdit.Holds(current, _definitionId, _definitionName, change.NewValue))
                    {
                        return attempt == 1
                            ? Result(change, ActivityBucketStatus.Unchanged, null)
                            : Result(change, ActivityBucketStatus.Updated, null);
                    }

                    var body = UserCustomPropertyEdit.Apply(current, _definitionId, _definitionName, change.NewValue);
                    try
                    {
                        await _client.PutJsonAsync(path, body, _abandon).ConfigureAwait(false);
                        return Result(change, ActivityBucketStatus.Updated, null);
                    }
                    catch (QrsConflictException) when (attempt < _request.MaximumConflictAttempts)
                    {
                        // Read it again below and re-apply.
                    }
                    catch (QrsConflictException)
                    {
                        return Result(change, ActivityBucketStatus.Failed,
                            $"the user kept changing while it was written (409 Conflict {attempt} times); run again later");
                    }
                    catch (QrsException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
                    {
                        return Result(change, ActivityBucketStatus.Failed, "the user no longer exists in the repository (404 on PUT)");
                    }
                    catch (OperationCanceledException) when (_abandon.IsCancellationRequested)
                    {
                        return Result(change, ActivityBucketStatus.Failed, "its write did not finish within the grace period after Ctrl+C; its value may or may not have changed");
                    }
                    catch (Exception ex) when (IsRequestFailure(ex))
                    {
                        return Result(change, ActivityBucketStatus.Failed, ex.Message);
                    }

                    try
                    {
                        current = await _client.GetJsonAsync(path, null, _abandon).ConfigureAwait(false) as JsonObject
                            ?? throw new QrsException($"GET /qrs/{path} answered without the user.", QrsErrorIds.UnexpectedResponse,
                                OperationErrorCategory.InvalidData, "GET", "/qrs/" + path);
                    }
                    catch (QrsException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
                    {
                        return Result(change, ActivityBucketStatus.Failed, "the user was deleted while it was written (404 when read again after 409 Conflict)");
                    }
                    catch (OperationCanceledException) when (_abandon.IsCancellationRequested)
                    {
                        return Result(change, ActivityBucketStatus.Failed, "stopped by Ctrl+C while resolving a 409 Conflict; its value was not changed");
                    }
                    catch (Exception ex) when (IsRequestFailure(ex))
                    {
                        return Result(change, ActivityBucketStatus.Failed, "reading it again after 409 Conflict failed: " + ex.Message);
                    }
                }
            }

            private void NotStarted(IEnumerable<PlannedBucketChange> changes)
            {
                foreach (var change in changes)
                {
                    _outcomes.Add(Result(change, ActivityBucketStatus.WhatIf, "not written: stopped (Ctrl+C) before its turn"));
                }
            }
        }

        private sealed class Job
        {
            public Job(PlannedBucketChange change, JsonObject entity, BatchTracker tracker)
            {
                Change = change;
                Entity = entity;
                Tracker = tracker;
            }

            public PlannedBucketChange Change { get; }
            public JsonObject Entity { get; }
            public BatchTracker Tracker { get; }
        }

        /// <summary>Completes when every user of a batch is written (for the batch sleep).</summary>
        private sealed class BatchTracker
        {
            private readonly TaskCompletionSource<bool> _done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            private int _pending;

            public BatchTracker(int count)
            {
                _pending = count;
                if (count == 0)
                {
                    _done.TrySetResult(true);
                }
            }

            public Task Done => _done.Task;

            public void Signal()
            {
                if (Interlocked.Decrement(ref _pending) == 0)
                {
                    _done.TrySetResult(true);
                }
            }
        }

        // ---------- small pieces ----------

        internal static string DescribeChange(string property, PlannedBucketChange change) =>
            change.Kind == BucketChangeKind.Remove
                ? $"Remove custom property '{property}' value '{change.OldValue}'"
                : $"Set custom property '{property}' from '{change.OldValue ?? "(none)"}' to '{change.NewValue}'";

        private static ActivityBucketResult Result(PlannedBucketChange change, ActivityBucketStatus status, string? reason) =>
            Result(change.User, change.OldValue, change.Kind == BucketChangeKind.Skip ? null : change.NewValue, status, reason);

        private static ActivityBucketResult Result(ActivityBucketUser user, string? oldValue, string? newValue, ActivityBucketStatus status, string? reason) =>
            new ActivityBucketResult
            {
                User = user.DisplayName,
                UserId = user.Id,
                OldValue = oldValue,
                NewValue = newValue,
                Status = status,
                Reason = reason,
            };

        private static void Count(ActivityBucketSummary summary, ActivityBucketStatus status)
        {
            switch (status)
            {
                case ActivityBucketStatus.Updated: summary.Updated++; break;
                case ActivityBucketStatus.Unchanged: summary.Unchanged++; break;
                case ActivityBucketStatus.Skipped: summary.Skipped++; break;
                case ActivityBucketStatus.Failed: summary.Failed++; break;
                default: summary.NotWritten++; break;
            }
        }

        private static IEnumerable<List<T>> Batches<T>(IReadOnlyList<T> items, int size)
        {
            for (int i = 0; i < items.Count; i += size)
            {
                var batch = new List<T>(Math.Min(size, items.Count - i));
                for (int j = i; j < items.Count && j < i + size; j++)
                {
                    batch.Add(items[j]);
                }

                yield return batch;
            }
        }

        /// <summary>A failure of one request, after the client's retries: reported per user, the run goes on.</summary>
        private static bool IsRequestFailure(Exception ex) =>
            ex is QlikActivityException || ex is HttpRequestException || ex is IOException || ex is JsonException;

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
