using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using QlikActivity.Core.Qrs;

namespace QlikActivity.Core.Activity
{
    /// <summary>
    /// The background half of a bucket run's writes (<see cref="BucketWriteRun"/> is the
    /// calling thread's half): a producer reads the changed users in batches and queues them;
    /// workers PUT each user whole, as many at once as <see cref="WriteConcurrency"/> allows. Never touches the host: every outcome goes to
    /// the collection the calling thread drains, which is completed when the last write ends.
    /// Every user planned gets exactly one outcome, whatever stops the run: Ctrl+C, a server that
    /// stopped answering (<see cref="ServerAnswerWatch"/>), or an unexpected exception (kept in
    /// <see cref="Unexpected"/>, the rest counted as not written).
    /// </summary>
    internal sealed partial class UserPropertyWriteQueue
    {
        private const string UserPath = "user/full";

        private readonly ActivityBucketRequest _request;
        private readonly QrsClient _client;
        private readonly List<PlannedBucketChange> _toWrite;
        private readonly Guid _definitionId;
        private readonly string _definitionName;
        private readonly BlockingCollection<ActivityBucketResult> _outcomes;
        private readonly CancellationTokenSource _stopStartingSource;
        private readonly CancellationToken _stopStarting;
        private readonly CancellationToken _abandon;
        private readonly ServerAnswerWatch _watch;
        private readonly Channel<Job> _jobs;
        private readonly object _gateLock = new object();
        private readonly WriteConcurrency _concurrency;
        private readonly Queue<TaskCompletionSource<bool>> _waiting = new Queue<TaskCompletionSource<bool>>();
        private int _inFlight;
        private int _peakInFlight;
        private int _accounted; // users of _toWrite the producer has queued or given an outcome, in order
        private Exception? _unexpected;

        public UserPropertyWriteQueue(ActivityBucketRequest request, List<PlannedBucketChange> toWrite, Guid definitionId, string definitionName,
            BlockingCollection<ActivityBucketResult> outcomes, CancellationTokenSource stopStarting, ServerAnswerWatch watch, CancellationToken abandon)
        {
            _request = request;
            _client = request.Connection.Client;
            _toWrite = toWrite;
            _definitionId = definitionId;
            _definitionName = definitionName;
            _outcomes = outcomes;
            _stopStartingSource = stopStarting;
            _stopStarting = stopStarting.Token;
            _abandon = abandon;
            _watch = watch;
            int ceiling = request.ThrottleCeiling;
            _concurrency = request.FixedThrottle ? new WriteConcurrency(ceiling, ceiling) : new WriteConcurrency(ceiling);
            // Read ahead about one batch: enough to keep the writers busy, little enough that
            // entities are fresh when written (fewer 409s).
            _jobs = Channel.CreateBounded<Job>(new BoundedChannelOptions(Math.Max(request.BatchSize, ceiling))
            {
                SingleWriter = true,
                SingleReader = false,
            });
        }

        /// <summary>Writes allowed in flight now (for the progress bar).</summary>
        public int Concurrency
        {
            get
            {
                lock (_gateLock)
                {
                    return _concurrency.Limit;
                }
            }
        }

        /// <summary>The first exception that was not a failed request (a bug, or data we cannot handle); it stopped the run.</summary>
        public Exception? Unexpected => Volatile.Read(ref _unexpected);

        /// <summary>The most writes that were in flight at once.</summary>
        public int PeakInFlight
        {
            get
            {
                lock (_gateLock)
                {
                    return _peakInFlight;
                }
            }
        }

        public async Task RunAsync()
        {
            try
            {
                var workers = Enumerable.Range(0, _concurrency.Ceiling).Select(_ => Task.Run(WorkAsync)).ToArray();
                try
                {
                    await ProduceAsync().ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    // Not a failed request (those are outcomes): stop, and count whom the producer never reached.
                    StopUnexpectedly(ex);
                    NotStartedRest();
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
                    NotStartedRest();
                    return;
                }

                Dictionary<Guid, JsonObject> entities;
                try
                {
                    entities = await ReadBatchAsync(batch).ConfigureAwait(false);
                    _watch.Answered();
                }
                catch (OperationCanceledException) when (_stopStarting.IsCancellationRequested)
                {
                    NotStartedRest();
                    return;
                }
                catch (Exception ex) when (IsRequestFailure(ex))
                {
                    bool noAnswer = _watch.Report(ex);
                    if (_watch.HasStopped)
                    {
                        // Nothing of this batch was sent: with the server gone, it is not written, like the rest.
                        NotStartedRest();
                        return;
                    }

                    foreach (var change in batch)
                    {
                        _accounted++;
                        var failed = ActivityBucketResult.Of(change, ActivityBucketStatus.Failed, "reading it before the write failed: " + ex.Message);
                        failed.NoAnswer = noAnswer;
                        _outcomes.Add(failed);
                    }

                    continue;
                }

                var tracker = new BatchTracker(batch.Count);
                for (int i = 0; i < batch.Count; i++)
                {
                    var change = batch[i];
                    if (!entities.TryGetValue(change.User.Id, out var entity))
                    {
                        _accounted++;
                        _outcomes.Add(ActivityBucketResult.Of(change, ActivityBucketStatus.Failed, "the user no longer exists in the repository (deleted since it was read)"));
                        tracker.Signal();
                        continue;
                    }

                    try
                    {
                        await _jobs.Writer.WriteAsync(new Job(change, entity, tracker), _stopStarting).ConfigureAwait(false);
                        _accounted++;
                    }
                    catch (OperationCanceledException) when (_stopStarting.IsCancellationRequested)
                    {
                        NotStartedRest();
                        return;
                    }
                }

                if (_request.BatchSleep > TimeSpan.Zero && b < batches.Count - 1)
                {
                    // ctrl-q's batch sleep: this batch's writes end, then a pause, then the next batch.
                    // Both waits end at once on Ctrl+C or any other stop (a writer that never
                    // signals must not hold the run).
                    try
                    {
                        await WaitAsync(tracker.Done, _stopStarting).ConfigureAwait(false);
                        await _request.Clock.Delay(_request.BatchSleep, _stopStarting).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (_stopStarting.IsCancellationRequested)
                    {
                        // The loop head counts the rest as not started.
                    }
                }
            }
        }

        /// <summary>Waits for <paramref name="task"/>, or throws when <paramref name="token"/> is cancelled first.</summary>
        private static async Task WaitAsync(Task task, CancellationToken token)
        {
            var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            using (token.Register(() => cancelled.TrySetCanceled()))
            {
                await (await Task.WhenAny(task, cancelled.Task).ConfigureAwait(false)).ConfigureAwait(false);
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
            while (true)
            {
                await EnterAsync().ConfigureAwait(false);
                TimeSpan? latency = null;
                bool pushedBack = false;
                try
                {
                    if (!await _jobs.Reader.WaitToReadAsync().ConfigureAwait(false))
                    {
                        return;
                    }

                    if (!_jobs.Reader.TryRead(out var job))
                    {
                        continue;
                    }

                    try
                    {
                        if (_stopStarting.IsCancellationRequested)
                        {
                            NotStarted(new[] { job.Change });
                            continue;
                        }

                        // The client retries 429/503 itself; a retry counted while this write ran means the server pushed back.
                        long retriesBefore = _client.RequestCounts.Retries;
                        var clock = System.Diagnostics.Stopwatch.StartNew();
                        WriteOutcome outcome;
                        try
                        {
                            outcome = await WriteOneAsync(job.Change, job.Entity).ConfigureAwait(false);
                        }
                        catch (Exception ex)
                        {
                            // Not a failed request (those are outcomes): the write may have gone out, so this
                            // user is unknown; the run stops and the exception ends it, loud.
                            StopUnexpectedly(ex);
                            outcome = ActivityBucketResult.Of(job.Change, ActivityBucketStatus.Unknown,
                                $"an unexpected error during its write stopped the run ({ex.GetType().Name}: {ex.Message}); its value may or may not have changed");
                        }

                        latency = clock.Elapsed;
                        pushedBack = _client.RequestCounts.Retries != retriesBefore || outcome.PushedBack;
                        _outcomes.Add(outcome.Result);
                    }
                    finally
                    {
                        // Whatever happened, the batch learns this user is done (the batch sleep waits for it).
                        job.Tracker.Signal();
                    }
                }
                finally
                {
                    Exit(latency, pushedBack);
                }

                if (_request.UserSleep > TimeSpan.Zero)
                {
                    try
                    {
                        await _request.Clock.Delay(_request.UserSleep, _stopStarting).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        // Stopped: the next job is counted as not started.
                    }
                }
            }
        }

        /// <summary>Waits for a place among the writes allowed in flight.</summary>
        private Task EnterAsync()
        {
            lock (_gateLock)
            {
                if (_inFlight < _concurrency.Limit)
                {
                    _inFlight++;
                    _peakInFlight = Math.Max(_peakInFlight, _inFlight);
                    return Task.CompletedTask;
                }

                var waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiting.Enqueue(waiter);
                return waiter.Task;
            }
        }

        /// <summary>Frees a place, lets the write's latency move the limit, and lets in as many waiting writers as it now allows.</summary>
        private void Exit(TimeSpan? latency, bool pushedBack)
        {
            var release = new List<TaskCompletionSource<bool>>();
            lock (_gateLock)
            {
                _inFlight--;
                if (latency is { } measured)
                {
                    _concurrency.Record(measured, pushedBack);
                }

                while (_inFlight < _concurrency.Limit && _waiting.Count > 0)
                {
                    _inFlight++;
                    _peakInFlight = Math.Max(_peakInFlight, _inFlight);
                    release.Add(_waiting.Dequeue());
                }
            }

            foreach (var waiter in release)
            {
                waiter.TrySetResult(true);
            }
        }

        /// <summary>Keeps the first unexpected exception and stops starting work.</summary>
        private void StopUnexpectedly(Exception ex)
        {
            Interlocked.CompareExchange(ref _unexpected, ex, null);
            try
            {
                _stopStartingSource.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The run already ended.
            }
        }

        /// <summary>The producer's stop: every user it has not reached yet is not written.</summary>
        private void NotStartedRest()
        {
            NotStarted(_toWrite.Skip(_accounted).ToList());
            _accounted = _toWrite.Count;
        }

        private void NotStarted(IEnumerable<PlannedBucketChange> changes)
        {
            string reason = _watch.HasStopped ? "not written: the server stopped answering before its turn"
                : Unexpected != null ? "not written: an unexpected error stopped the run before its turn"
                : "not written: stopped (Ctrl+C) before its turn";
            foreach (var change in changes)
            {
                _outcomes.Add(ActivityBucketResult.Of(change, ActivityBucketStatus.WhatIf, reason));
            }
        }

        private static IEnumerable<List<T>> Batches<T>(List<T> items, int size)
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
            ex is QlikActivityException || ex is HttpRequestException || ex is IOException || ex is SocketException || ex is JsonException;

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
    }
}
