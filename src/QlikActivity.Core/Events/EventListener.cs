using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Destinations;
using QlikActivity.Core.Journal;

namespace QlikActivity.Core.Events
{
    /// <summary>
    /// Receives the user events the Qlik Sense Proxy sends over UDP without losing any unseen.
    /// Three threads, each the only writer of its own counters:
    /// <list type="number">
    /// <item>the <see cref="UdpReceiver"/> thread only reads datagrams into a preallocated
    /// <see cref="DatagramRing"/> (no allocation, no waiting);</item>
    /// <item>the <see cref="ParseWorker"/> thread parses, filters, tags, and hands events to the
    /// destinations and to the bounded <see cref="PipelineQueue"/>;</item>
    /// <item>the caller's thread drains that queue in <see cref="Listen"/> and is the only one that
    /// talks to the host.</item>
    /// </list>
    /// This class starts and stops them and runs the caller's loop.
    /// </summary>
    /// <example>
    /// <code>
    /// var listener = new EventListener(new EventListenerOptions { Port = 9997, Count = 10 });
    /// foreach (UserEvent e in listener.Listen(host)) { ... }
    /// ListenerStatistics summary = listener.Statistics;
    /// </code>
    /// </example>
    [SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The output signal is a ManualResetEventSlim that is only waited on with Wait (a monitor, no OS handle); Stop can wake it from another thread at any time, even after Listen ends, so it is never disposed.")]
    public sealed class EventListener
    {
        /// <summary>How long after the last event the caller keeps polling instead of sleeping.</summary>
        private const int BusyMilliseconds = 250;

        private readonly EventListenerOptions _options;
        private readonly TaskCompletionSource<IPEndPoint> _listening = new TaskCompletionSource<IPEndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConsumerSignal _outputSignal = new ConsumerSignal();
        private readonly ListenerNotes _notes = new ListenerNotes();

        private int _started;
        private UdpReceiver? _receiver;
        private DatagramRing? _ring;
        private ParseWorker? _worker;
        private PipelineQueue? _pipeline;
        private ListenerJournal? _journal;
        private volatile bool _crash;
        private IReadOnlyList<IEventDestination> _destinations = Array.Empty<IEventDestination>();
        private string? _destinationError;
        private DestinationWatch? _watch;
        private DateTime _startedAt;
        // Ticks of the options' clock at the start and of the run's length at the end; -1 until then.
        private long _clockStart = -1;
        private long _duration = -1;

        /// <summary>Creates a listener; nothing is bound until <see cref="Listen"/>.</summary>
        public EventListener(EventListenerOptions options)
        {
            _options = options ?? throw new ArgumentNullException(nameof(options));
        }

        /// <summary>Completes with the bound local end point once the socket listens (handy with port 0).</summary>
        public Task<IPEndPoint> Listening => _listening.Task;

        /// <summary>The summary of the run, set when <see cref="Listen"/> has finished (also after an early stop).</summary>
        public ListenerStatistics? Statistics { get; private set; }

        // Time since the start on the options' clock (zero before the start).
        private TimeSpan Elapsed => Volatile.Read(ref _clockStart) is long start && start >= 0
            ? new TimeSpan(_options.Clock.Elapsed.Ticks - start)
            : TimeSpan.Zero;

        // Either background thread's failure ends the run.
        private Exception? Fatal => _receiver?.Fatal ?? _worker?.Fatal;

        /// <summary>
        /// Binds the socket, starts the destinations and yields events on the calling thread as they
        /// arrive, until <see cref="EventListenerOptions.Count"/>, <see cref="EventListenerOptions.Timeout"/>
        /// or the host's cancellation token. Writes counters to the verbose stream every
        /// <see cref="EventListenerOptions.StatisticsInterval"/>. A listener runs once.
        /// </summary>
        public IEnumerable<UserEvent> Listen(IOperationHost host)
        {
            if (host == null)
            {
                throw new ArgumentNullException(nameof(host));
            }

            if (Interlocked.Exchange(ref _started, 1) != 0)
            {
                throw new InvalidOperationException("An EventListener runs once; create a new one.");
            }

            return ListenCore(host);
        }

        /// <summary>
        /// For fault tests: the run ends, once its caller cancels, the way a killed process would: the
        /// journal stops without writing its queue or saving positions, and destinations stop at once.
        /// </summary>
        internal void SimulateCrash() => _crash = true;

        /// <summary>A snapshot of the counters; safe from any thread while the listener runs.</summary>
        public ListenerStatistics GetStatistics() => Snapshot(final: false);

        private IEnumerable<UserEvent> ListenCore(IOperationHost host)
        {
            try
            {
                Start(host);
            }
            catch (Exception ex)
            {
                _listening.TrySetException(ex);
                throw;
            }

            var token = host.CancellationToken;
            var pipeline = _pipeline!;
            var worker = _worker!;
            try
            {
                using (token.Register(_outputSignal.Wake))
                {
                    var timeout = _options.Timeout ?? TimeSpan.MaxValue;
                    var interval = TimeSpan.FromSeconds(Math.Max(0.1, _options.StatisticsInterval.TotalSeconds));
                    var nextStatistics = interval;
                    var watchInterval = TimeSpan.FromMilliseconds(250);
                    var nextWatch = watchInterval;
                    int sinceCheck = 0;
                    int lastBusy = Environment.TickCount;
                    Func<bool> hasWork = () => !pipeline.IsEmpty || worker.IsDone || token.IsCancellationRequested;
                    while (true)
                    {
                        if (pipeline.TryTake(out var userEvent))
                        {
                            lastBusy = Environment.TickCount;
                            yield return userEvent;

                            // Keep an eye on the clock and the token while events stream without a pause.
                            if (++sinceCheck < 256)
                            {
                                continue;
                            }
                        }

                        sinceCheck = 0;
                        if (token.IsCancellationRequested || Fatal != null)
                        {
                            break;
                        }

                        if (worker.IsDone && pipeline.IsEmpty)
                        {
                            break;
                        }

                        var now = Elapsed;
                        if (now >= timeout)
                        {
                            break;
                        }

                        _notes.WriteTo(host);
                        _journal?.WriteWarningsTo(host);
                        if (now >= nextWatch)
                        {
                            _watch!.Check(host, _destinations.Select(SafeStatistics).ToArray(), now.Ticks);
                            nextWatch = now + watchInterval;
                        }

                        WriteAppNamesError(host);

                        if (now >= nextStatistics)
                        {
                            host.WriteVerbose(Snapshot(final: false).ToSummaryLine());
                            _notes.StartInterval();
                            nextStatistics = now + interval;
                        }

                        if (pipeline.IsEmpty)
                        {
                            if (unchecked(Environment.TickCount - lastBusy) < BusyMilliseconds)
                            {
                                // Events are flowing: take the next ones as a batch in a millisecond.
                                Thread.Sleep(1);
                                continue;
                            }

                            // At most a quarter second, so a clock that jumps (a test's) is seen soon.
                            double wait = Math.Min(Math.Min(timeout.TotalMilliseconds, nextStatistics.TotalMilliseconds) - now.TotalMilliseconds, 250);
                            int waitMs = (int)Math.Max(1, wait);
                            _outputSignal.Wait(hasWork, waitMs);
                        }
                    }
                }
            }
            finally
            {
                Shutdown();
            }

            // Only a run that ended by itself (not by its caller dropping the enumeration) reaches here.
            _notes.WriteTo(host);
            // A run can end (-Count reached) before the loop looked again: the failure is still said.
            WriteAppNamesError(host);
            _journal?.WriteWarningsTo(host, final: true);
            if (Fatal is Exception fatal)
            {
                throw fatal as QlikActivityException ?? new QlikActivityException(
                    $"The event listener stopped: {fatal.Message}", EventErrorIds.ListenerFailed, OperationErrorCategory.InvalidOperation, fatal);
            }

            if (_destinationError != null)
            {
                host.WriteWarning(_destinationError);
            }

            if (!token.IsCancellationRequested)
            {
                // Drops at stop (the drain time ran out) and any not yet said.
                _watch!.Check(host, Statistics!.Destinations, Elapsed.Ticks, final: true);
            }

            if (!token.IsCancellationRequested)
            {
                // After Ctrl+C PowerShell takes no more messages; the cmdlet shows the line itself.
                host.WriteVerbose(Statistics!.ToSummaryLine());
            }
        }

        // ------------------------------------------------------------------ start and stop

        private void Start(IOperationHost host)
        {
            _options.Validate();
            var filter = UserEventFilter.Create(_options.ExcludeUsers, _options.EventTypes, _options.AllowedSources);
            var tags = _options.Tags != null && _options.Tags.Count > 0 ? new EventTags(_options.Tags) : null;
            _destinations = _options.Destinations ?? Array.Empty<IEventDestination>();

            // The journal first: a second listener on the same file is refused before it binds anything.
            var journal = _options.Journal != null ? ListenerJournal.Open(_options.Journal) : null;
            UdpReceiver receiver;
            try
            {
                receiver = UdpReceiver.Bind(_options, host);
            }
            catch
            {
                journal?.Dispose();
                throw;
            }

            var local = receiver.LocalEndPoint;
            try
            {
                if (!filter.RestrictsSources)
                {
                    host.WriteWarning(
                        $"No -AllowedSource given: the listener on UDP port {local.Port} accepts datagrams from any address, so anyone who can reach it can inject user events. Name your Sense servers with -AllowedSource.");
                }

                _journal = journal;
                if (journal?.Journal is EventJournal open)
                {
                    host.WriteVerbose($"Journaling every event to {open.Path} (retention {_options.Journal!.RetentionDays} days, size cap {_options.Journal.MaxSizeBytes / (1024 * 1024)} MB; 0 is no limit).");
                    foreach (var destination in _destinations.OfType<IJournaledDestination>())
                    {
                        destination.UseJournal(open);
                    }
                }
                else if (journal?.OpenFailure is string failure)
                {
                    host.WriteWarning($"Events are not being journaled: {failure} The listener runs without the journal, receiving and forwarding; NotJournaled counts every event it misses.");
                }

                StartDestinations(host);

                // Bytes for the intake ring: about 512 per queued datagram (real ones are ~300-600).
                long ringBytes = Math.Min((long)_options.QueueCapacity * 512, 1L << 30);
                var ring = new DatagramRing((int)ringBytes, _options.QueueCapacity);
                var ringSignal = new ConsumerSignal();
                var pipeline = new PipelineQueue(_options.PipelineCapacity, _outputSignal);
                var worker = new ParseWorker(_options, filter, tags, _destinations, ring, ringSignal, pipeline, _outputSignal, _notes, journal);
                (_receiver, _ring, _pipeline, _worker) = (receiver, ring, pipeline, worker);

                _startedAt = DateTime.UtcNow;
                Volatile.Write(ref _clockStart, _options.Clock.Elapsed.Ticks);
                worker.Start();
                receiver.Start(ring, ringSignal, _outputSignal);
            }
            catch
            {
                receiver.Dispose();
                _journal = null;
                journal?.Dispose();
                throw;
            }

            host.WriteVerbose(
                $"Listening for Qlik Sense user events on UDP {local.Address} port {local.Port}; receive buffer {receiver.BufferGranted / 1024} KiB, queue {_options.QueueCapacity} datagrams, {_destinations.Count} destination(s).");
            _listening.TrySetResult(local);
        }

        private void StartDestinations(IOperationHost host)
        {
            _options.AppNames?.Start();

            // Each destination reaches its server now, so a closed port or a wrong password is said at start.
            _watch = new DestinationWatch(_destinations, _options.StatisticsInterval);
            _watch.Start(host, _options.DestinationQueueBytes);
            var started = new List<IEventDestination>();
            foreach (var destination in _destinations)
            {
                // An unchecked certificate or a secret sent in clear is said at every start, not only at creation.
                if (destination is ISecurityWarnings risky)
                {
                    foreach (var warning in risky.SecurityWarnings)
                    {
                        host.WriteWarning(warning);
                    }
                }

                try
                {
                    destination.StartAsync(host.CancellationToken).GetAwaiter().GetResult();
                    started.Add(destination);
                    host.WriteVerbose($"Destination {destination.Name} started.");
                    if (destination is QueuedDestination { Replay: JournalReplay replay })
                    {
                        host.WriteVerbose(replay.Resumed
                            ? $"Destination {destination.Name} resumes at journal position {replay.StartPosition}: {replay.Backlog} journaled event(s) to deliver first (journal key '{replay.Key}')."
                            : $"Destination {destination.Name} is new to the journal: it starts at position {replay.StartPosition} (journal key '{replay.Key}').");
                    }
                }
                catch
                {
                    StopDestinations(started, TimeSpan.FromSeconds(1));
                    throw;
                }
            }
        }

        private void Shutdown()
        {
            if (_crash)
            {
                // What the file holds now is what survives a crash.
                _journal?.Journal?.Abandon();
            }

            // The order matters: the receive thread ends first, so the worker can empty the ring behind it.
            _receiver!.Stop();
            _worker!.Stop();
            Volatile.Write(ref _duration, Elapsed.Ticks);

            // Emitted events the caller will not take any more.
            _pipeline!.DiscardRest();

            var errors = StopDestinations(_destinations, _crash ? TimeSpan.Zero : _options.DestinationDrainTimeout);
            if (errors.Count > 0)
            {
                _destinationError = "Destinations did not stop cleanly: " + string.Join("; ", errors);
            }

            // After the destinations: what they delivered last is saved as their positions.
            _journal?.Dispose();

            Statistics = Snapshot(final: true);
            _listening.TrySetCanceled();
        }

        private static List<string> StopDestinations(IReadOnlyList<IEventDestination> destinations, TimeSpan drainTimeout)
        {
            var errors = new List<string>();
            if (destinations.Count == 0)
            {
                return errors;
            }

            var stops = destinations.Select(d => (d, Task.Run(() => d.StopAsync(drainTimeout)))).ToList();
            var grace = drainTimeout + TimeSpan.FromSeconds(5);
            foreach (var (destination, stop) in stops)
            {
                try
                {
                    if (!stop.Wait(grace))
                    {
                        errors.Add($"{destination.Name} did not stop within {grace.TotalSeconds:0} s");
                    }
                }
                catch (AggregateException ex)
                {
                    errors.Add($"{destination.Name}: {ex.InnerException?.Message ?? ex.Message}");
                }
            }

            return errors;
        }

        // ------------------------------------------------------------------ statistics

        // Each part copies the counters its thread owns; the rest are the listener's own.
        // The app-name loader runs on its own thread; its failure is said here, on the caller's.
        private void WriteAppNamesError(IOperationHost host)
        {
            if (_options.AppNames?.TakeError() is string error)
            {
                host.WriteWarning(error);
            }
        }

        private ListenerStatistics Snapshot(bool final)
        {
            var statistics = new ListenerStatistics
            {
                StartedAt = _startedAt,
                Duration = Volatile.Read(ref _duration) is long ended && ended >= 0 ? new TimeSpan(ended) : Elapsed,
                ReceiveBufferRequested = _options.ReceiveBufferSize,
                QueueBacklog = _ring?.Count ?? 0,
                IsFinal = final,
            };
            _receiver?.CopyCountersTo(statistics, final);
            if (_worker != null)
            {
                _worker.CopyCountersTo(statistics);
            }
            else
            {
                statistics.RejectedByReason = ParseWorker.RejectionsOf(null);
            }

            _pipeline?.CopyCountersTo(statistics);
            _journal?.CopyCountersTo(statistics);
            statistics.EventsPerSecond = statistics.Duration.TotalSeconds > 0 ? Math.Round(statistics.Emitted / statistics.Duration.TotalSeconds, 1) : 0;
            statistics.Destinations = _destinations.Select(SafeStatistics).ToArray();

            // What each destination dropped, plus the events a destination failed to take by throwing.
            statistics.DestinationDropped += statistics.Destinations.Sum(d => d.Dropped);
            return statistics;
        }

        private static DestinationStatistics SafeStatistics(IEventDestination destination)
        {
            try
            {
                return destination.GetStatistics();
            }
            catch (Exception ex)
            {
                return new DestinationStatistics { Name = destination.Name, LastError = ex.Message };
            }
        }
    }
}
