using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Destinations;

namespace QlikActivity.Core.Events
{
    /// <summary>
    /// Makes a destination's trouble loud: at start it checks that each destination reaches its
    /// server, and while the listener runs it warns when a destination starts failing, when it
    /// delivers again, and when it drops events (again at most once per statistics interval while
    /// the drops go on). Used on the caller's thread only, so every warning goes to the host there.
    /// </summary>
    internal sealed class DestinationWatch
    {
        private readonly IReadOnlyList<IEventDestination> _destinations;
        private readonly State[] _states;
        private readonly long _repeatTicks;

        public DestinationWatch(IReadOnlyList<IEventDestination> destinations, TimeSpan repeat)
        {
            _destinations = destinations;
            _states = destinations.Select(_ => new State()).ToArray();
            _repeatTicks = Math.Max(1, repeat.Ticks);
        }

        /// <summary>
        /// Gives each queued destination its share of <paramref name="totalBytes"/> and checks, all at
        /// once, that each reaches its server; a warning per one that does not (the listener runs on
        /// and the destination keeps retrying with the events in its queue).
        /// </summary>
        public void Start(IOperationHost host, long totalBytes)
        {
            var queued = _destinations.OfType<QueuedDestination>().ToList();
            if (queued.Count == 0)
            {
                return;
            }

            long share = Math.Max(1, totalBytes / queued.Count);
            foreach (var destination in queued)
            {
                destination.QueueByteLimit = share;
            }

            var probes = queued.Select(d => (d, Task.Run(() => d.ProbeAsync(host.CancellationToken)))).ToList();
            foreach (var (destination, probe) in probes)
            {
                string? problem = probe.GetAwaiter().GetResult();
                if (problem != null)
                {
                    host.WriteWarning(
                        $"Cannot reach {destination.Name}: {problem.TrimEnd('.')}. The listener runs on; its events wait in its queue and are retried until it answers (see the statistics' Destinations).");
                }
                else
                {
                    host.WriteVerbose($"Destination {destination.Name} answered.");
                }
            }
        }

        // What the memory queue could not hold and the journal keeps for it, not yet read back.
        private static long InJournal(DestinationStatistics s) => Math.Max(0, s.Deferred - s.Replayed);

        /// <summary>Compares each destination's counters with the last look and warns of what changed.</summary>
        public void Check(IOperationHost host, IReadOnlyList<DestinationStatistics> statistics, long nowTicks, bool final = false)
        {
            var c = CultureInfo.InvariantCulture;
            for (int i = 0; i < statistics.Count && i < _states.Length; i++)
            {
                var s = statistics[i];
                var state = _states[i];
                if (s.Failed > state.Failed && !state.Failing)
                {
                    state.Failing = true;
                    long inJournal = InJournal(s);
                    host.WriteWarning(final
                        ? string.Format(c, "{0} failed: {1}.", s.Name, (s.LastError ?? "no reason given").TrimEnd('.'))
                        : string.Format(
                            c,
                            "{0} is failing: {1}. Its events wait in its queue ({2:N0} queued{3}) and are retried.",
                            s.Name,
                            (s.LastError ?? "no reason given").TrimEnd('.'),
                            s.QueueDepth + s.InFlight,
                            inJournal > 0 ? string.Format(c, ", {0:N0} more in the journal", inJournal) : ""));
                }
                else if (state.Failing && s.Sent > state.Sent && s.Failed == state.Failed)
                {
                    state.Failing = false;
                    host.WriteVerbose($"{s.Name} delivers again.");
                }

                long newDrops = s.Dropped - state.DroppedWarned;
                if (newDrops > 0 && (final || state.DropWarnedAt == 0 || nowTicks - state.DropWarnedAt >= _repeatTicks))
                {
                    long full = s.DroppedQueueFull - state.DroppedQueueFullWarned;
                    var why = new List<string>();
                    if (full > 0)
                    {
                        why.Add(string.Format(c, "{0:N0} because its queue was full ({1})", full, Bounds(s)));
                    }

                    if (newDrops > full)
                    {
                        why.Add(string.Format(
                            c,
                            "{0:N0} not delivered: {1}",
                            newDrops - full,
                            s.LastError == null ? "the listener stopped before they were delivered" : s.LastError.TrimEnd('.')));
                    }

                    host.WriteWarning(string.Format(
                        c,
                        "{0} dropped {1:N0} event(s): {3}. Dropped {2}: {4:N0} of {5:N0}.",
                        s.Name,
                        newDrops,
                        final ? "in all" : "so far",
                        string.Join("; ", why),
                        s.Dropped,
                        s.Enqueued));
                    state.DroppedWarned = s.Dropped;
                    state.DroppedQueueFullWarned = s.DroppedQueueFull;
                    state.DropWarnedAt = Math.Max(1, nowTicks);
                }

                state.Failed = s.Failed;
                state.Sent = s.Sent;
            }
        }

        private static string Bounds(DestinationStatistics s)
        {
            var c = CultureInfo.InvariantCulture;
            string bytes = s.QueueByteLimit > 0 && s.QueueByteLimit < long.MaxValue
                ? string.Format(c, ", {0:N0} MB", s.QueueByteLimit / (1024.0 * 1024.0))
                : "";
            return string.Format(c, "at most {0:N0} events{1}", s.QueueCapacity, bytes);
        }

        private sealed class State
        {
            public long Failed;
            public long Sent;
            public bool Failing;
            public long DroppedWarned;
            public long DroppedQueueFullWarned;
            public long DropWarnedAt;
        }
    }
}
