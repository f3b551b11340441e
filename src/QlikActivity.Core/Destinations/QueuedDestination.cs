using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using QlikActivity.Core.Journal;

namespace QlikActivity.Core.Destinations
{
    /// <summary>
    /// The common shape of every destination: a bounded queue the listener writes to without
    /// waiting, and one background loop that sends batches, retries with back-off, and counts
    /// every event as sent or dropped. Subclasses only say how to send one batch.
    /// With the listener's journal (<see cref="IJournaledDestination"/>), what the queue cannot hold
    /// stays in the journal and is replayed from there (<see cref="JournalReplay"/>).
    /// </summary>
    public abstract partial class QueuedDestination : IEventDestination, IJournaledDestination
    {
        private readonly Channel<UserEvent> _queue;
        private readonly DestinationQueueOptions _options;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly Random _jitter = new Random();
        private Task? _loop;
        private int _stopped;
        private long _enqueued, _sent, _failed, _retried, _dropped, _droppedQueueFull, _inFlight, _queueDepth, _queueBytes, _replayed, _deferred;
        private JournalReplay? _replay;
        private long _byteLimit = long.MaxValue;
        private string? _lastError;

        protected QueuedDestination(string name, DestinationQueueOptions options)
        {
            Name = name;
            _options = options ?? throw new ArgumentNullException(nameof(options));
            _queue = Channel.CreateBounded<UserEvent>(new BoundedChannelOptions(options.QueueCapacity)
            {
                FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails instead of waiting
                SingleReader = true,
                SingleWriter = false,
            });
        }

        /// <inheritdoc />
        public string Name { get; }

        /// <inheritdoc />
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (_loop != null)
            {
                throw new InvalidOperationException($"Destination {Name} is already started.");
            }

            _loop = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
            return Task.CompletedTask;
        }

        /// <summary>
        /// The most memory the events this destination holds (queued and in flight) may take, as
        /// <see cref="UserEvent.EstimatedBytes"/> counts it; past it new events are dropped and counted.
        /// The listener sets it from <c>-DestinationQueueBytes</c> before it starts the destination.
        /// </summary>
        public long QueueByteLimit
        {
            get => Interlocked.Read(ref _byteLimit);
            set => Interlocked.Exchange(ref _byteLimit, value < 1 ? throw new ArgumentOutOfRangeException(nameof(value)) : value);
        }

        /// <inheritdoc />
        public bool TryEnqueue(UserEvent userEvent)
        {
            if (!Accepts(userEvent))
            {
                return true; // filtered out: not this destination's business, so not counted
            }

            Interlocked.Increment(ref _enqueued);
            var replay = _replay;
            if (replay != null && replay.TryDefer(userEvent.JournalId, queueFull: false) == JournalReplay.Outcome.Deferred)
            {
                // The journal is catching up: this event waits there too, so none overtakes another.
                Interlocked.Increment(ref _deferred);
                return true;
            }

            long size = userEvent.EstimatedBytes;
            if (Interlocked.Add(ref _queueBytes, size) <= Interlocked.Read(ref _byteLimit))
            {
                // Counted before the write: the send loop may take the event before TryWrite returns.
                Interlocked.Increment(ref _queueDepth);
                if (_queue.Writer.TryWrite(userEvent))
                {
                    return true;
                }

                Interlocked.Decrement(ref _queueDepth);
            }

            Interlocked.Add(ref _queueBytes, -size);
            if (replay != null && replay.TryDefer(userEvent.JournalId, queueFull: true) == JournalReplay.Outcome.Deferred)
            {
                // Not lost: the journal has it, and the sender reads it back once the queue has drained.
                Interlocked.Increment(ref _deferred);
                return true;
            }

            Interlocked.Increment(ref _droppedQueueFull);
            Interlocked.Increment(ref _dropped);
            return false;
        }

        /// <summary>
        /// Connects to the server once (or at least reaches it) before any event is sent, so a wrong
        /// address, a closed port or a refused login is said when the listener starts rather than on the
        /// first event. Null when the server answered; otherwise why not (no secret in it). It never
        /// throws and never sends an event.
        /// </summary>
        public async Task<string?> ProbeAsync(CancellationToken cancellationToken)
        {
            try
            {
                await ProbeCoreAsync(cancellationToken).ConfigureAwait(false);
                return null;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return "the check was cancelled";
            }
            catch (Exception ex)
            {
                string reason = ex is DestinationException explained ? explained.Message : ex.GetType().Name + ": " + ex.Message;
                RecordError(reason);
                return reason;
            }
        }

        /// <inheritdoc />
        public async Task StopAsync(TimeSpan drainTimeout)
        {
            _queue.Writer.TryComplete();
            if (_loop != null)
            {
                var finished = await Task.WhenAny(_loop, Task.Delay(drainTimeout)).ConfigureAwait(false);
                if (finished != _loop)
                {
                    _stop.Cancel();
                    try
                    {
                        await _loop.ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }
            }

            // Whatever could not be delivered in time is dropped, and counted as such; with a journal,
            // what it holds is left there for the next run (the position is before it).
            while (_queue.Reader.TryRead(out var left))
            {
                Interlocked.Add(ref _queueBytes, -left.EstimatedBytes);
                Interlocked.Decrement(ref _queueDepth);
                if (_replay != null && left.JournalId != 0)
                {
                    Interlocked.Increment(ref _deferred);
                }
                else
                {
                    Interlocked.Increment(ref _dropped);
                }
            }

            // StopAsync may run more than once (Stop, then Dispose): release the resources only once.
            if (Interlocked.Exchange(ref _stopped, 1) == 0)
            {
                _replay?.Dispose();
                await OnStoppedAsync().ConfigureAwait(false);
            }
        }

        /// <inheritdoc />
        public DestinationStatistics GetStatistics() => new DestinationStatistics
        {
            Name = Name,
            Enqueued = Interlocked.Read(ref _enqueued),
            Sent = Interlocked.Read(ref _sent),
            Failed = Interlocked.Read(ref _failed),
            Retried = Interlocked.Read(ref _retried),
            Dropped = Interlocked.Read(ref _dropped),
            DroppedQueueFull = Interlocked.Read(ref _droppedQueueFull),
            QueueDepth = Interlocked.Read(ref _queueDepth),
            QueueBytes = Interlocked.Read(ref _queueBytes),
            QueueCapacity = _options.QueueCapacity,
            QueueByteLimit = QueueByteLimit,
            InFlight = Interlocked.Read(ref _inFlight),
            Replayed = Interlocked.Read(ref _replayed),
            Deferred = Interlocked.Read(ref _deferred),
            LastError = Volatile.Read(ref _lastError),
        };

        /// <summary>Sends one batch. Throw on failure; a <see cref="DestinationException"/> can ask for a delay or say retrying is pointless.</summary>
        protected abstract Task SendBatchAsync(IReadOnlyList<UserEvent> batch, CancellationToken cancellationToken);

        /// <summary>
        /// The events of <paramref name="batch"/> known to have arrived when the loop gives the batch up
        /// (retries exhausted, or the drain time at stop ran out): they count as sent, the rest as dropped.
        /// A destination that sends a batch in parts, or learns per event, says so here.
        /// </summary>
        protected virtual int DeliveredOf(IReadOnlyList<UserEvent> batch) => 0;

        /// <summary>Reaches the server without sending an event (see <see cref="ProbeAsync"/>); throws saying why it cannot.</summary>
        protected virtual Task ProbeCoreAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        /// <summary>Whether this destination wants the event (e.g. a webhook for session starts only). Runs on the listener's thread: keep it cheap.</summary>
        protected virtual bool Accepts(UserEvent userEvent) => true;

        /// <summary>Called once, after the loop has ended, however often the destination is stopped: close connections here.</summary>
        protected virtual Task OnStoppedAsync() => Task.CompletedTask;

        /// <summary>Records a failure message for the statistics. It must not contain a secret.</summary>
        protected void RecordError(string message) => Volatile.Write(ref _lastError, message);

        public async ValueTask DisposeAsync()
        {
            await StopAsync(TimeSpan.Zero).ConfigureAwait(false);
            _stop.Dispose();
            GC.SuppressFinalize(this);
        }

        private async Task RunAsync(CancellationToken stop)
        {
            var batch = new List<UserEvent>(_options.BatchSize);
            var reader = _queue.Reader;
            Task<bool>? waiting = null;
            try
            {
                while (true)
                {
                    var replay = _replay;
                    if (replay != null && await ReplayAsync(replay, queueEmpty: !reader.TryPeek(out _), stop).ConfigureAwait(false))
                    {
                        continue;
                    }

                    if (waiting == null && !reader.TryPeek(out _))
                    {
                        waiting = reader.WaitToReadAsync(stop).AsTask();
                    }

                    if (waiting != null)
                    {
                        // With a journal, look again now and then: deferring can start while the queue is empty.
                        if (replay != null && await Task.WhenAny(waiting, Task.Delay(100, stop)).ConfigureAwait(false) != waiting)
                        {
                            continue;
                        }

                        bool more = await waiting.ConfigureAwait(false);
                        waiting = null;
                        if (!more)
                        {
                            if (replay != null && replay.HasWork)
                            {
                                continue; // stopping: the journal's share is still delivered within the drain time
                            }

                            break;
                        }
                    }

                    batch.Clear();
                    try
                    {
                        await FillBatchAsync(reader, batch, stop).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        // Taken from the queue but never sent: the drain time ran out.
                        Interlocked.Add(ref _queueDepth, -batch.Count);
                        Interlocked.Add(ref _queueBytes, -BytesOf(batch));
                        LeftAtStop(batch, delivered: 0, replayed: false);
                        throw;
                    }

                    if (batch.Count == 0)
                    {
                        continue;
                    }

                    Interlocked.Add(ref _queueDepth, -batch.Count);
                    long bytes = BytesOf(batch);
                    long through = 0;
                    if (replay != null)
                    {
                        foreach (var e in batch)
                        {
                            through = Math.Max(through, e.JournalId);
                        }

                        // Delivered already, and counted as sent, by replay: on the ledger it went the journal's way.
                        int skipped = batch.RemoveAll(replay.AlreadyDelivered);
                        Interlocked.Add(ref _deferred, skipped);
                    }

                    try
                    {
                        await SendAsync(batch, replayed: false, stop).ConfigureAwait(false);
                    }
                    finally
                    {
                        Interlocked.Add(ref _queueBytes, -bytes);
                    }

                    replay?.Delivered(through);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Stopped: what was not delivered is counted where it was.
            }
        }

        private async Task SendAsync(List<UserEvent> batch, bool replayed, CancellationToken stop)
        {
            Interlocked.Add(ref _inFlight, batch.Count);
            try
            {
                await SendWithRetriesAsync(batch, replayed, stop).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Add(ref _inFlight, -batch.Count);
            }
        }

        private static long BytesOf(List<UserEvent> batch)
        {
            long bytes = 0;
            foreach (var e in batch)
            {
                bytes += e.EstimatedBytes;
            }

            return bytes;
        }

        // A batch given up: what the destination knows arrived is sent, the rest dropped (retries
        // exhausted) or, stopped with a journal, left there for the next run.
        private void GiveUp(List<UserEvent> batch, bool replayed, bool atStop)
        {
            int delivered = 0;
            try
            {
                delivered = Math.Max(0, Math.Min(batch.Count, DeliveredOf(batch)));
            }
            catch (Exception ex)
            {
                RecordError(ex.GetType().Name + ": " + ex.Message);
            }

            Interlocked.Add(ref _sent, delivered);
            if (atStop)
            {
                LeftAtStop(batch, delivered, replayed);
            }
            else
            {
                Interlocked.Add(ref _dropped, batch.Count - delivered);
            }
        }

        // Waits up to BatchInterval for a full batch, so low traffic still leaves promptly.
        private async Task FillBatchAsync(ChannelReader<UserEvent> reader, List<UserEvent> batch, CancellationToken stop)
        {
            while (batch.Count < _options.BatchSize && reader.TryRead(out var e))
            {
                batch.Add(e);
            }

            if (batch.Count >= _options.BatchSize || _options.BatchInterval <= TimeSpan.Zero)
            {
                return;
            }

            using var window = CancellationTokenSource.CreateLinkedTokenSource(stop);
            window.CancelAfter(_options.BatchInterval);
            try
            {
                while (batch.Count < _options.BatchSize && await reader.WaitToReadAsync(window.Token).ConfigureAwait(false))
                {
                    while (batch.Count < _options.BatchSize && reader.TryRead(out var e))
                    {
                        batch.Add(e);
                    }
                }
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
            {
                // The batch window closed: send what we have.
            }
        }

        private async Task SendWithRetriesAsync(List<UserEvent> batch, bool replayed, CancellationToken stop)
        {
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    await SendBatchAsync(batch, stop).ConfigureAwait(false);
                    Interlocked.Add(ref _sent, batch.Count);
                    return;
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    GiveUp(batch, replayed, atStop: true);
                    throw;
                }
                catch (Exception ex)
                {
                    Interlocked.Increment(ref _failed);
                    var explained = ex as DestinationException;
                    RecordError(explained?.Message ?? ex.GetType().Name + ": " + ex.Message);
                    bool giveUp = (explained != null && !explained.Retryable)
                        || (_options.MaxAttempts > 0 && attempt >= _options.MaxAttempts);
                    if (giveUp)
                    {
                        GiveUp(batch, replayed, atStop: false);
                        return;
                    }

                    Interlocked.Increment(ref _retried);
                    var delay = explained?.RetryAfter ?? BackOff(attempt);
                    try
                    {
                        await _options.Clock.Delay(delay, stop).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        GiveUp(batch, replayed, atStop: true);
                        throw;
                    }
                }
            }
        }

        private TimeSpan BackOff(int attempt)
        {
            double ceiling = Math.Min(_options.MaxRetryDelay.TotalMilliseconds,
                _options.InitialRetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 20)));
            double jittered;
            lock (_jitter)
            {
                jittered = ceiling * (0.5 + (_jitter.NextDouble() / 2));
            }

            return TimeSpan.FromMilliseconds(jittered);
        }
    }

    /// <summary>Queue, batch and retry settings of one destination.</summary>
    public sealed class DestinationQueueOptions
    {
        /// <summary>Events held while the destination is slow or down; beyond it new events are dropped and counted.</summary>
        public int QueueCapacity { get; set; } = 100_000;

        public int BatchSize { get; set; } = 500;

        /// <summary>How long to wait for a batch to fill before sending a partial one.</summary>
        public TimeSpan BatchInterval { get; set; } = TimeSpan.FromMilliseconds(200);

        /// <summary>Attempts per batch; 0 retries until the destination stops.</summary>
        public int MaxAttempts { get; set; } = 5;

        public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

        public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>What the retry back-off waits on; tests give their own to check the delays asked for.</summary>
        internal IClock Clock { get; set; } = SystemClock.Instance;
    }

    /// <summary>A send failure a destination can explain: whether to retry, and after how long.</summary>
    public class DestinationException : Exception
    {
        public DestinationException(string message, bool retryable = true, TimeSpan? retryAfter = null, Exception? inner = null)
            : base(message, inner)
        {
            Retryable = retryable;
            RetryAfter = retryAfter;
        }

        public bool Retryable { get; }

        public TimeSpan? RetryAfter { get; }
    }
}
