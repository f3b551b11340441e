using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading;
using QlikActivity.Core.Destinations;

namespace QlikActivity.Core.Events
{
    /// <summary>
    /// The listener's parse thread: takes datagrams from the <see cref="DatagramRing"/> the receive
    /// thread fills, checks the sender against -AllowedSource, parses, filters, adds tags and the app
    /// name, hands each event to every destination and to the <see cref="PipelineQueue"/>. It never
    /// waits on a destination or the pipeline either: each takes the event or counts it as dropped.
    /// It ends when the listener stops it (after draining the ring) or when -Count is reached.
    /// </summary>
    internal sealed class ParseWorker
    {
        /// <summary>How long after the last datagram the worker keeps polling instead of sleeping.</summary>
        private const int BusyMilliseconds = 250;

        private readonly EventListenerOptions _options;
        private readonly UserEventFilter _filter;
        private readonly IReadOnlyDictionary<string, string>? _tags;
        private readonly IReadOnlyList<IEventDestination> _destinations;
        private readonly DatagramRing _ring;
        private readonly ConsumerSignal _ringSignal;
        private readonly PipelineQueue _pipeline;
        private readonly ConsumerSignal _outputSignal;
        private readonly ListenerNotes _notes;
        private readonly ListenerJournal? _journal;

        private Thread? _thread;
        private volatile bool _stopRequested;
        private volatile bool _done;
        private volatile Exception? _fatal;

        // Read and written only by the worker thread.
        private bool _countReached;

        // Written only by the worker thread.
        private WorkerCounters _counters;
        private readonly long[] _rejectedByReason = new long[Enum.GetValues(typeof(RejectReason)).Length];

        /// <param name="options">Count, WriteEvents, MaxDatagramBytes and AppNames are read from here.</param>
        /// <param name="filter">Allowed senders, excluded users, event types.</param>
        /// <param name="tags">Tags for every event; null for none.</param>
        /// <param name="destinations">Where every event goes besides the pipeline.</param>
        /// <param name="ring">The datagrams, filled by the receive thread.</param>
        /// <param name="ringSignal">Wakes the worker when a datagram arrives while it sleeps.</param>
        /// <param name="pipeline">Where events go to the caller's thread (when <see cref="EventListenerOptions.WriteEvents"/>).</param>
        /// <param name="outputSignal">Woken when the worker is done or has failed.</param>
        /// <param name="notes">Debug lines for the caller's thread.</param>
        /// <param name="journal">Where every emitted event is appended before anyone else gets it; null for none.</param>
        public ParseWorker(
            EventListenerOptions options,
            UserEventFilter filter,
            IReadOnlyDictionary<string, string>? tags,
            IReadOnlyList<IEventDestination> destinations,
            DatagramRing ring,
            ConsumerSignal ringSignal,
            PipelineQueue pipeline,
            ConsumerSignal outputSignal,
            ListenerNotes notes,
            ListenerJournal? journal = null)
        {
            _options = options;
            _filter = filter;
            _tags = tags;
            _destinations = destinations;
            _ring = ring;
            _ringSignal = ringSignal;
            _pipeline = pipeline;
            _outputSignal = outputSignal;
            _notes = notes;
            _journal = journal;
        }

        /// <summary>True once the worker has ended or -Count is reached: nothing more comes to the pipeline.</summary>
        public bool IsDone => _done;

        /// <summary>Why the worker ended early; null while it runs or after a clean stop.</summary>
        public Exception? Fatal => _fatal;

        /// <summary>Starts the worker thread.</summary>
        public void Start()
        {
            _thread = new Thread(Run) { IsBackground = true, Name = "QlikActivity event parser", Priority = ThreadPriority.AboveNormal };
            _thread.Start();
        }

        /// <summary>
        /// Call after the receive thread has ended: the worker processes what is left in the ring
        /// and ends; this waits for it.
        /// </summary>
        public void Stop()
        {
            _stopRequested = true;
            _ringSignal.Wake();
            _thread?.Join();
        }

        /// <summary>Every reject reason with its count so far; all 0 for a worker not yet created (null).</summary>
        public static RejectionCounts RejectionsOf(ParseWorker? worker)
        {
            var byReason = new RejectionCounts();
            foreach (RejectReason reason in Enum.GetValues(typeof(RejectReason)))
            {
                if (reason != RejectReason.None)
                {
                    byReason[reason.ToString()] = worker == null ? 0 : OwnedCounter.Read(ref worker._rejectedByReason[(int)reason]);
                }
            }

            return byReason;
        }

        /// <summary>Any thread: the parse counters.</summary>
        public void CopyCountersTo(ListenerStatistics statistics)
        {
            statistics.Parsed = OwnedCounter.Read(ref _counters.Parsed);
            statistics.Rejected = OwnedCounter.Read(ref _counters.Rejected);
            statistics.RejectedByReason = RejectionsOf(this);
            statistics.DroppedSource = OwnedCounter.Read(ref _counters.DroppedSource);
            statistics.DiscardedAtStop = OwnedCounter.Read(ref _counters.DiscardedAtStop);
            statistics.Excluded = OwnedCounter.Read(ref _counters.Excluded);
            statistics.Truncated = OwnedCounter.Read(ref _counters.Truncated);
            statistics.Emitted = OwnedCounter.Read(ref _counters.Emitted);
            statistics.DestinationDropped = OwnedCounter.Read(ref _counters.DestinationFailedToTake);
        }

        private void Run()
        {
            ListenerThreadPriority.RaiseCurrent(ListenerThreadPriority.ParseNice);
            var ring = _ring;
            var parser = new UserEventParser(Math.Min(_options.MaxDatagramBytes, UserEventParser.MaxUdpPayload));
            var senders = new SenderCache(_filter);
            int lastBusy = Environment.TickCount;
            try
            {
                while (true)
                {
                    if (ring.TryRead(out var datagram))
                    {
                        Process(datagram, parser, senders);
                        ring.Release();
                        lastBusy = Environment.TickCount;
                        continue;
                    }

                    if (_stopRequested)
                    {
                        // The receive thread has ended: whatever it published is in the ring now.
                        while (ring.TryRead(out datagram))
                        {
                            Process(datagram, parser, senders);
                            ring.Release();
                        }

                        break;
                    }

                    // While events flow, poll every millisecond and take what came as a batch: a wake-up
                    // per datagram would cost more CPU than parsing it. Idle, sleep until signalled.
                    if (unchecked(Environment.TickCount - lastBusy) < BusyMilliseconds)
                    {
                        Thread.Sleep(1);
                        continue;
                    }

                    _ringSignal.Wait(() => !ring.IsEmpty || _stopRequested, 200);
                }
            }
            catch (Exception ex)
            {
                _fatal = ex;
            }
            finally
            {
                _done = true;
                _outputSignal.Wake();
            }
        }

        private void Process(DatagramRing.Datagram datagram, UserEventParser parser, SenderCache senders)
        {
            if (_countReached)
            {
                OwnedCounter.Increment(ref _counters.DiscardedAtStop);
                return;
            }

            var sender = senders.Get(datagram.Family, datagram.Address);
            if (!sender.Allowed)
            {
                OwnedCounter.Increment(ref _counters.DroppedSource);
                if (!sender.Noted && _notes.HasRoom)
                {
                    sender.Noted = true;
                    _notes.Add($"Dropped a datagram from {sender.Text}: not in -AllowedSource.");
                }

                return;
            }

            var result = parser.Parse(datagram.Payload, new DateTime(datagram.Ticks, DateTimeKind.Utc), sender.Text);
            var userEvent = result.Event;
            if (userEvent == null)
            {
                OwnedCounter.Increment(ref _counters.Rejected);
                OwnedCounter.Increment(ref _rejectedByReason[(int)result.Reason]);
                if (_notes.HasRoom)
                {
                    _notes.Add($"Rejected a datagram from {sender.Text}: {result.Reason}, {result.Detail}.");
                }

                return;
            }

            OwnedCounter.Increment(ref _counters.Parsed);
            if (result.MessageTruncated)
            {
                OwnedCounter.Increment(ref _counters.Truncated);
            }

            if (_filter.IsExcluded(userEvent))
            {
                OwnedCounter.Increment(ref _counters.Excluded);
                return;
            }

            if (_tags != null)
            {
                userEvent.Tags = _tags;
            }

            // A dictionary read: the names load on their own task and never hold up parsing.
            if (_options.AppNames != null && userEvent.AppId is Guid appId && userEvent.AppName == null)
            {
                userEvent.AppName = _options.AppNames.Find(appId);
            }

            long emitted = OwnedCounter.Increment(ref _counters.Emitted);

            // First into the journal (never waits): destinations that fall behind replay from there.
            _journal?.Append(userEvent);
            foreach (var destination in _destinations)
            {
                // A refused event (full queue) the destination counts itself; one that threw, it cannot.
                try
                {
                    destination.TryEnqueue(userEvent);
                }
                catch (Exception ex)
                {
                    OwnedCounter.Increment(ref _counters.DestinationFailedToTake);
                    _notes.Add($"Destination {destination.Name} failed to take an event: {ex.Message}");
                }
            }

            if (_options.WriteEvents)
            {
                _pipeline.Add(userEvent);
            }

            if (_options.Count.HasValue && emitted >= _options.Count.Value)
            {
                _countReached = true;
                _done = true;
                _outputSignal.Wake();
            }
        }

        // Padded onto cache lines of their own, away from the fields the other threads read.
        [StructLayout(LayoutKind.Explicit, Size = 192)]
        private struct WorkerCounters
        {
            [FieldOffset(64)] public long Parsed;
            [FieldOffset(72)] public long Rejected;
            [FieldOffset(80)] public long DroppedSource;
            [FieldOffset(88)] public long DiscardedAtStop;
            [FieldOffset(96)] public long Excluded;
            [FieldOffset(104)] public long Emitted;
            [FieldOffset(112)] public long DestinationFailedToTake;
            [FieldOffset(120)] public long Truncated;
        }
    }
}
