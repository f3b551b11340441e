using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
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
    // One user's write: the PUT, the re-read after a 409, and the read-back after a PUT that got no answer.
    internal sealed partial class UserPropertyWriteQueue
    {
        /// <summary>
        /// One user's PUT. A 409 means the user changed since it was read: read it again,
        /// re-apply only this property, and try again (a retried PUT whose first attempt got
        /// through also lands here, and then finds the value already set).
        /// </summary>
        private async Task<WriteOutcome> WriteOneAsync(PlannedBucketChange change, JsonObject entity)
        {
            string path = "user/" + change.User.Id.ToString("D");
            var current = entity;
            for (int attempt = 1; ; attempt++)
            {
                if (UserCustomPropertyEdit.Holds(current, _definitionId, _definitionName, change.NewValue))
                {
                    return attempt == 1
                        ? ActivityBucketResult.Of(change, ActivityBucketStatus.Unchanged, null)
                        : ActivityBucketResult.Of(change, ActivityBucketStatus.Updated, null);
                }

                var body = UserCustomPropertyEdit.Apply(current, _definitionId, _definitionName, change.NewValue);
                try
                {
                    await _client.PutJsonAsync(path, body, _abandon).ConfigureAwait(false);
                    _watch.Answered();
                    return ActivityBucketResult.Of(change, ActivityBucketStatus.Updated, null);
                }
                catch (QrsConflictException) when (attempt < _request.MaximumConflictAttempts)
                {
                    // Read it again below and re-apply.
                    _watch.Answered();
                }
                catch (QrsConflictException)
                {
                    _watch.Answered();
                    return ActivityBucketResult.Of(change, ActivityBucketStatus.Failed,
                        $"the user kept changing while it was written (409 Conflict {attempt} times); run again later");
                }
                catch (QrsException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
                {
                    _watch.Answered();
                    return ActivityBucketResult.Of(change, ActivityBucketStatus.Failed, "the user no longer exists in the repository (404 on PUT)");
                }
                catch (OperationCanceledException) when (_abandon.IsCancellationRequested)
                {
                    return ActivityBucketResult.Of(change, ActivityBucketStatus.Unknown, "its write did not finish within the grace period after the stop; its value may or may not have changed");
                }
                catch (QrsException ex) when (ex.MayHaveArrived)
                {
                    // Timed out or dropped after it was sent: the server may have applied it. Only reading it back tells.
                    _watch.Report(ex);
                    return await ReadBackAsync(change, path, ex).ConfigureAwait(false);
                }
                catch (Exception ex) when (IsRequestFailure(ex))
                {
                    bool noAnswer = _watch.Report(ex);
                    bool refused = ex is QrsException q && (q.StatusCode == (HttpStatusCode)429 || q.StatusCode == HttpStatusCode.ServiceUnavailable);
                    var failed = ActivityBucketResult.Of(change, ActivityBucketStatus.Failed, ex.Message);
                    failed.NoAnswer = noAnswer;
                    return new WriteOutcome(failed, refused);
                }

                try
                {
                    current = await _client.GetJsonAsync(path, null, _abandon).ConfigureAwait(false) as JsonObject
                        ?? throw new QrsException($"GET /qrs/{path} answered without the user.", QrsErrorIds.UnexpectedResponse,
                            OperationErrorCategory.InvalidData, "GET", "/qrs/" + path);
                    _watch.Answered();
                }
                catch (QrsException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
                {
                    _watch.Answered();
                    return ActivityBucketResult.Of(change, ActivityBucketStatus.Failed, "the user was deleted while it was written (404 when read again after 409 Conflict)");
                }
                catch (OperationCanceledException) when (_abandon.IsCancellationRequested)
                {
                    return ActivityBucketResult.Of(change, ActivityBucketStatus.Failed, "stopped while resolving a 409 Conflict; its value was not changed");
                }
                catch (Exception ex) when (IsRequestFailure(ex))
                {
                    bool noAnswer = _watch.Report(ex);
                    var failed = ActivityBucketResult.Of(change, ActivityBucketStatus.Failed, "reading it again after 409 Conflict failed: " + ex.Message);
                    failed.NoAnswer = noAnswer;
                    return failed;
                }
            }
        }

        /// <summary>
        /// After a PUT that got no answer once sent: Updated if the user now holds the value
        /// written, otherwise Unknown (the server may still apply it, or could not be asked).
        /// Never Failed: that would tell the admin it surely was not written.
        /// </summary>
        private async Task<WriteOutcome> ReadBackAsync(PlannedBucketChange change, string path, QrsException putFailure)
        {
            string lost = $"its PUT got no answer ({putFailure.Message.TrimEnd('.')})";
            if (_watch.HasStopped)
            {
                return ActivityBucketResult.WithoutAnswer(change, ActivityBucketStatus.Unknown,
                    lost + " and the server stopped answering, so it could not be read back; its value may or may not have changed");
            }

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(_abandon, _watch.Stopped);
            try
            {
                var now = await _client.GetJsonAsync(path, null, stop.Token).ConfigureAwait(false) as JsonObject;
                _watch.Answered();
                if (now != null && UserCustomPropertyEdit.Holds(now, _definitionId, _definitionName, change.NewValue))
                {
                    return ActivityBucketResult.Of(change, ActivityBucketStatus.Updated, null);
                }

                return ActivityBucketResult.Of(change, ActivityBucketStatus.Unknown,
                    lost + " and reading it back shows the old value, but the server may still apply it; run again to settle it");
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return ActivityBucketResult.WithoutAnswer(change, ActivityBucketStatus.Unknown,
                    lost + " and the run stopped before it could be read back; its value may or may not have changed");
            }
            catch (Exception ex) when (IsRequestFailure(ex))
            {
                bool noAnswer = _watch.Report(ex);
                var unknown = ActivityBucketResult.Of(change, ActivityBucketStatus.Unknown,
                    lost + " and reading it back failed (" + ex.Message.TrimEnd('.') + "); its value may or may not have changed");
                unknown.NoAnswer = noAnswer;
                return unknown;
            }
        }

        /// <summary>A user's result, and whether the server refused the write for load (429/503 after the client's retries).</summary>
        private readonly struct WriteOutcome
        {
            public WriteOutcome(ActivityBucketResult result, bool pushedBack)
            {
                Result = result;
                PushedBack = pushedBack;
            }

            public ActivityBucketResult Result { get; }
            public bool PushedBack { get; }

            public static implicit operator WriteOutcome(ActivityBucketResult result) => new WriteOutcome(result, false);
        }
    }
}
