using System;
using System.Collections.Generic;
using System.Diagnostics;

namespace QlikActivity.Core.Activity
{
    /// <summary>
    /// The Set-QlikActivityBucket operation, in five steps on the calling thread: 1. read the
    /// custom property's definition (stop before any write if it differs and -Force is absent);
    /// 2. read the users in scope with their activity and current values; 3. create or replace
    /// the definition; 4. plan, and ask ShouldProcess per user to be written; 5. write the changed
    /// users (<see cref="BucketWriteRun"/>: batches read and PUT on background tasks, outcomes
    /// drained on this thread). Returns the summary; with PassThru each user's result goes to the
    /// caller's callback, on this thread, as it is known.
    /// </summary>
    public static class ActivityBucketWriter
    {
        public const int ProgressActivityId = 4243;

        /// <summary>
        /// Runs the operation. With <see cref="ActivityBucketRequest.PassThru"/>, <paramref name="onResult"/>
        /// gets one result per user, on the calling thread (none once Ctrl+C stopped the writes). Returns
        /// the summary, also after Ctrl+C. An invalid request throws before anything is sent. When the
        /// server stops answering mid-run, or a write throws something unexpected, the writes stop and
        /// an <see cref="ActivityBucketStoppedException"/> carries the summary and says what was done.
        /// </summary>
        public static ActivityBucketSummary Run(IOperationHost host, ActivityBucketRequest request, Action<ActivityBucketResult>? onResult = null)
        {
            if (host == null)
            {
                throw new ArgumentNullException(nameof(host));
            }

            (request ?? throw new ArgumentNullException(nameof(request))).Validate();
            var stopwatch = Stopwatch.StartNew();
            var token = host.CancellationToken;
            var client = request.Connection.Client;
            var countsBefore = client.RequestCounts.Snapshot();
            string name = request.PropertyName.Trim();
            var summary = new ActivityBucketSummary { PropertyName = name };
            var check = new CustomPropertyDefinitionCheck(name,
                CustomPropertyDefinitionCheck.ChoiceValuesFor(request.Buckets.Labels, request.NoActivityValue));
            void Done(ActivityBucketResult result)
            {
                summary.Count(result.Status);
                if (request.PassThru)
                {
                    onResult?.Invoke(result);
                }
            }

            // 1. The definition, read only: a wrong one stops the run before anything is written.
            var definition = BucketPropertyDefinition.Read(client, check, token);
            definition.EnsureUsable(request.Force);
            string definitionName = definition.Name;
            host.WriteVerbose(definition.Describe());

            // 2. Who is in scope, their current values, and their activity.
            var scope = ActivityBucketScope.Read(host, request, definition.Id, definitionName);

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
                    Done(ActivityBucketResult.Of(user, null, null, ActivityBucketStatus.Skipped,
                        "not in the repository's user list (deleted since its license record was written?)"));
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

                Done(result);
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

            BucketWriteEnd end = default;
            if (toWrite.Count > 0 && !token.IsCancellationRequested)
            {
                try
                {
                    end = BucketWriteRun.Write(host, request, toWrite, definition.Id, definitionName, summary, onResult);
                }
                catch (Exception) when (!token.IsCancellationRequested)
                {
                    // A write error under -ErrorAction Stop (or a failing callback) ends the run here:
                    // the admin learns what was already written before the error reaches the script.
                    summary.Requests = RequestCounts.From(client.RequestCounts.Since(countsBefore));
                    summary.Duration = stopwatch.Elapsed;
                    host.WriteWarning("Stopped after an error: " + summary);
                    throw;
                }
            }

            summary.Requests = RequestCounts.From(client.RequestCounts.Since(countsBefore));
            summary.Duration = stopwatch.Elapsed;
            if (token.IsCancellationRequested)
            {
                summary.Cancelled = true; // after Ctrl+C PowerShell takes no more messages
                return summary;
            }

            host.WriteVerbose(summary.ToString());
            if (end.LastUnanswered is { } lost)
            {
                throw new ActivityBucketStoppedException(
                    $"The repository at {client.BaseUri.Authority} stopped answering: {end.UnansweredInARow} requests in a row got no answer (the last: {lost.Message.TrimEnd('.')}). "
                    + $"No more writes were started. Done: {WhatWasDone(summary)}. Run it again once the server answers: users already written are left as they are.",
                    ActivityErrorIds.ServerStoppedAnswering, OperationErrorCategory.ConnectionError, summary, lost);
            }

            if (end.Unexpected is { } unexpected)
            {
                throw new ActivityBucketStoppedException(
                    $"An unexpected error stopped the writes ({unexpected.GetType().Name}: {unexpected.Message}). Done: {WhatWasDone(summary)}.",
                    ActivityErrorIds.Unexpected, OperationErrorCategory.NotSpecified, summary, unexpected);
            }

            return summary;
        }

        /// <summary>What a run that stopped early did, for its error message.</summary>
        private static string WhatWasDone(ActivityBucketSummary s) =>
            $"{s.Updated:N0} updated, {s.Unchanged:N0} unchanged, {s.Skipped:N0} skipped, {s.Failed:N0} failed, {s.Unknown:N0} unknown (may or may not be written), {s.NotWritten:N0} not written, of {s.UsersInScope:N0} users";

        // ---------- small pieces ----------

        internal static string DescribeChange(string property, PlannedBucketChange change) =>
            change.Kind == BucketChangeKind.Remove
                ? $"Remove custom property '{property}' value '{change.OldValue}'"
                : $"Set custom property '{property}' from '{change.OldValue ?? "(none)"}' to '{change.NewValue}'";
    }
}
