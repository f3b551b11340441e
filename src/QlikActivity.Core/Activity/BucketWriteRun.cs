using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Qrs;

namespace QlikActivity.Core.Activity
{
    /// <summary>
    /// The writes of a bucket run as the calling (pipeline) thread sees them: it starts the
    /// <see cref="UserPropertyWriteQueue"/> on background tasks and drains its outcomes, so that
    /// progress, write errors and -PassThru results reach the host from this thread only.
    /// </summary>
    internal static class BucketWriteRun
    {
        /// <summary>
        /// Writes <paramref name="toWrite"/>, counting each outcome in <paramref name="summary"/> and
        /// handing it (with PassThru) to <paramref name="onResult"/> as it arrives. When Ctrl+C comes or
        /// the callback throws (a stopped pipeline), no new write starts and the ones in flight get the grace period.
        /// The same happens when the server stops answering (<see cref="ServerAnswerWatch"/>) or a write
        /// throws something unexpected; then the returned <see cref="BucketWriteEnd"/> says why, and the
        /// per-user errors of requests that got no answer are left to the one error the caller throws.
        /// </summary>
        public static BucketWriteEnd Write(IOperationHost host, ActivityBucketRequest request, List<PlannedBucketChange> toWrite,
            Guid definitionId, string definitionName, ActivityBucketSummary summary, Action<ActivityBucketResult>? onResult)
        {
            var token = host.CancellationToken;
            using var watch = new ServerAnswerWatch(request.UnansweredRequestsBeforeStop);
            using var stopStarting = CancellationTokenSource.CreateLinkedTokenSource(token, watch.Stopped);
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
            var queue = new UserPropertyWriteQueue(request, toWrite, definitionId, definitionName, outcomes, stopStarting, watch, abandon.Token);
            var running = Task.Run(queue.RunAsync);
            string activity = $"Setting the custom property '{definitionName}'";
            var progressClock = Stopwatch.StartNew();
            Stopwatch? sinceStop = null;
            // Writes in flight get the grace period; a write that ignores even that (a bug) must not hold the run forever.
            var giveUpAfter = grace + TimeSpan.FromSeconds(10);
            var rateClock = Stopwatch.StartNew();
            int done = 0;
            bool finished = false;
            // Errors of users whose request got no answer wait for the next answer: if the server
            // turns out to be gone they are all said by one terminating error instead.
            var held = new List<ActivityBucketResult>();
            try
            {
                while (true)
                {
                    if (outcomes.TryTake(out var result, 200))
                    {
                        done++;
                        summary.Count(result.Status);
                        if (token.IsCancellationRequested)
                        {
                            // After Ctrl+C PowerShell refuses every Write*: only count.
                            summary.Cancelled = true;
                            continue;
                        }

                        if (result.NoAnswer && !watch.HasStopped)
                        {
                            held.Add(result);
                        }
                        else if (!result.NoAnswer)
                        {
                            if (result.Status != ActivityBucketStatus.WhatIf)
                            {
                                WriteErrors(host, definitionName, held);
                            }

                            if (!(queue.Unexpected != null && result.Status == ActivityBucketStatus.Unknown))
                            {
                                WriteErrors(host, definitionName, new List<ActivityBucketResult> { result });
                            }
                        }

                        if (request.PassThru)
                        {
                            onResult?.Invoke(result);
                        }
                    }
                    else if (outcomes.IsCompleted)
                    {
                        break;
                    }

                    if (stopStarting.IsCancellationRequested)
                    {
                        sinceStop ??= Stopwatch.StartNew();
                        if (sinceStop.Elapsed > giveUpAfter)
                        {
                            // Whoever has no outcome yet may be mid-write.
                            for (int i = done; i < toWrite.Count; i++)
                            {
                                summary.Count(ActivityBucketStatus.Unknown);
                            }

                            done = toWrite.Count;
                            break;
                        }
                    }

                    if (token.IsCancellationRequested)
                    {
                        summary.Cancelled = true;
                    }
                    else if (progressClock.ElapsedMilliseconds >= 250)
                    {
                        progressClock.Restart();
                        host.WriteProgress(new OperationProgress(ActivityBucketWriter.ProgressActivityId, activity,
                            ProgressStatus(done, toWrite.Count, summary.Failed, rateClock.Elapsed, queue.Concurrency))
                        {
                            PercentComplete = (int)(100L * done / toWrite.Count),
                        });
                    }
                }

                finished = true;
                if (!watch.HasStopped && !token.IsCancellationRequested)
                {
                    WriteErrors(host, definitionName, held);
                }
            }
            finally
            {
                // Also reached when the callback throws: start nothing new, let writes in flight end.
                stopStarting.Cancel();
                WaitQuietly(running, grace + TimeSpan.FromSeconds(10));
                if (!finished)
                {
                    // Count the writes that ended after the stop and the users never started, so the summary is whole.
                    while (outcomes.TryTake(out var rest))
                    {
                        summary.Count(rest.Status);
                    }
                }
            }

            if (finished)
            {
                if (running.IsCompleted)
                {
                    running.GetAwaiter().GetResult(); // a bug in the queue surfaces here
                }
                if (!token.IsCancellationRequested)
                {
                    host.WriteProgress(new OperationProgress(ActivityBucketWriter.ProgressActivityId, activity, "Done") { Completed = true, PercentComplete = 100 });
                }
                else
                {
                    summary.Cancelled = true;
                }
            }

            summary.ServerStoppedAnswering = watch.HasStopped;
            return new BucketWriteEnd(watch.HasStopped ? watch.LastFailure : null, watch.ConsecutiveFailures, queue.Unexpected);
        }

        /// <summary>One write error per failed or unknown user; empties <paramref name="results"/>.</summary>
        private static void WriteErrors(IOperationHost host, string definitionName, List<ActivityBucketResult> results)
        {
            foreach (var result in results)
            {
                if (result.Status == ActivityBucketStatus.Failed)
                {
                    var error = new QlikActivityException($"Could not set the custom property '{definitionName}' of {result.User}: {result.Reason}",
                        ActivityErrorIds.WriteFailed, OperationErrorCategory.WriteError);
                    host.WriteError(new OperationError(error, ActivityErrorIds.WriteFailed, OperationErrorCategory.WriteError, result.User));
                }
                else if (result.Status == ActivityBucketStatus.Unknown)
                {
                    var error = new QlikActivityException($"The custom property '{definitionName}' of {result.User} may or may not have been set: {result.Reason}",
                        ActivityErrorIds.WriteUnknown, OperationErrorCategory.OperationTimeout);
                    host.WriteError(new OperationError(error, ActivityErrorIds.WriteUnknown, OperationErrorCategory.OperationTimeout, result.User));
                }
            }

            results.Clear();
        }

        /// <summary>The progress bar's status: users written, the rate so far and how many writes the server is given at once.</summary>
        internal static string ProgressStatus(int done, int total, int failed, TimeSpan elapsed, int concurrency)
        {
            double rate = elapsed.TotalSeconds > 0 ? done / elapsed.TotalSeconds : 0;
            return string.Format(System.Globalization.CultureInfo.InvariantCulture,
                "{0:N0} of {1:N0} users written ({2:N0} failed), {3:0.0} writes/s, {4} at once", done, total, failed, rate, concurrency);
        }

        private static void WaitQuietly(Task task, TimeSpan limit)
        {
            try
            {
                task.Wait(limit);
            }
            catch (AggregateException)
            {
                // Its failure is reported elsewhere, or it was cancelled on purpose.
            }
        }
    }

    /// <summary>Why the writes of a bucket run ended early, if they did (nothing set: they ran to the end or Ctrl+C stopped them).</summary>
    internal readonly struct BucketWriteEnd
    {
        public BucketWriteEnd(QrsException? lastUnanswered, int unansweredInARow, Exception? unexpected)
        {
            LastUnanswered = lastUnanswered;
            UnansweredInARow = unansweredInARow;
            Unexpected = unexpected;
        }

        /// <summary>Set when the server stopped answering: the last request that got no answer.</summary>
        public QrsException? LastUnanswered { get; }

        public int UnansweredInARow { get; }

        /// <summary>An exception that was not a failed request; it stopped the run.</summary>
        public Exception? Unexpected { get; }
    }
}
