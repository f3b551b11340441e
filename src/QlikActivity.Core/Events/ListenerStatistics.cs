using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using QlikActivity.Core.Destinations;

namespace QlikActivity.Core.Events
{
    /// <summary>
    /// The counters of one <c>Start-QlikEventListener</c> run (PowerShell type name
    /// <c>QlikActivity.Core.Events.ListenerStatistics</c>). Every datagram is counted exactly once, so:
    /// <list type="bullet">
    /// <item><c>Received = Parsed + Rejected + DroppedSource + DroppedQueueFull + DiscardedAtStop (+ QueueBacklog while running)</c></item>
    /// <item><c>Parsed = Excluded + Emitted</c></item>
    /// <item><c>Emitted = Written + PipelineDropped (+ PipelineBacklog while running)</c>, when events go to the pipeline</item>
    /// </list>
    /// </summary>
    public sealed class ListenerStatistics
    {
        /// <summary>When the socket was bound (UTC).</summary>
        public DateTime StartedAt { get; set; }

        public TimeSpan Duration { get; set; }

        /// <summary>The local address listened on (<c>::</c> or <c>0.0.0.0</c> for all interfaces).</summary>
        public string Address { get; set; } = "";

        public int Port { get; set; }

        /// <summary>The socket receive buffer asked for, in bytes.</summary>
        public int ReceiveBufferRequested { get; set; }

        /// <summary>
        /// The receive buffer the operating system granted, in the same terms as the request (on Linux
        /// half of what the kernel reports, since it doubles the value for its own bookkeeping).
        /// </summary>
        public int ReceiveBufferBytes { get; set; }

        /// <summary>Datagrams read from the socket.</summary>
        public long Received { get; set; }

        /// <summary>Datagrams that were user events.</summary>
        public long Parsed { get; set; }

        /// <summary>Datagrams that were not user events (see <see cref="RejectedByReason"/>).</summary>
        public long Rejected { get; set; }

        /// <summary>Rejections per reason (UnknownPrefix, TooFewFields, EmptyUser, UnknownCommand, Oversize, InvalidUtf8, FieldTooLong).</summary>
        public IReadOnlyDictionary<string, long> RejectedByReason { get; set; } = new QlikActivity.Core.Events.RejectionCounts();

        /// <summary>Parsed events whose message was longer than 2,048 characters and was cut there (they are part of <see cref="Parsed"/>).</summary>
        public long Truncated { get; set; }

        /// <summary>Datagrams from a sender not in <c>-AllowedSource</c>.</summary>
        public long DroppedSource { get; set; }

        /// <summary>Datagrams dropped because the intake queue was full (parsing could not keep up).</summary>
        public long DroppedQueueFull { get; set; }

        /// <summary>Datagrams received but not processed because the listener stopped after <c>-Count</c> events.</summary>
        public long DiscardedAtStop { get; set; }

        /// <summary>Events left out by <c>-ExcludeUser</c> or <c>-EventType</c>.</summary>
        public long Excluded { get; set; }

        /// <summary>Events that passed the filters: handed to every destination and offered to the pipeline.</summary>
        public long Emitted { get; set; }

        /// <summary>Events written to the pipeline.</summary>
        public long Written { get; set; }

        /// <summary>
        /// Emitted events that did not reach the pipeline: its buffer was full because the next command
        /// was slower than the events, or they were still buffered when the listener was stopped.
        /// Destinations got them all the same.
        /// </summary>
        public long PipelineDropped { get; set; }

        /// <summary>Datagrams waiting to be parsed when the snapshot was taken (0 at the end).</summary>
        public long QueueBacklog { get; set; }

        /// <summary>Events waiting for the pipeline when the snapshot was taken (0 at the end).</summary>
        public long PipelineBacklog { get; set; }

        /// <summary>
        /// Events the destinations did not deliver: the sum of each destination's Dropped (queue full by count
        /// or bytes, retries given up, or still held when the drain time at stop ran out), plus any event a
        /// destination failed to take by throwing. See <see cref="Destinations"/> for each one.
        /// </summary>
        public long DestinationDropped { get; set; }

        /// <summary>
        /// Datagrams the operating system dropped before the listener could read them, because the
        /// socket receive buffer was full (Linux only; null where the system does not count them).
        /// They are not part of <see cref="Received"/>.
        /// </summary>
        public long? KernelDropped { get; set; }

        /// <summary>The event journal written (<c>-JournalPath</c>); null without one.</summary>
        public string? JournalPath { get; set; }

        /// <summary>Emitted events committed to the journal; null without one.</summary>
        public long? Journaled { get; set; }

        /// <summary>
        /// Emitted events the journal could not keep (disk full, file locked or damaged, or its queue full);
        /// they still went to the destinations and the pipeline. Null without a journal.
        /// </summary>
        public long? NotJournaled { get; set; }

        /// <summary>Emitted events per second over the run.</summary>
        public double EventsPerSecond { get; set; }

        /// <summary>Each destination's counters; in a CSV column, "name: sent N, dropped N, queued N; ...".</summary>
        public DestinationStatisticsList Destinations { get; set; } = DestinationStatisticsList.None;

        /// <summary>True for the summary written when the listener has stopped.</summary>
        public bool IsFinal { get; set; }

        /// <summary>The counters in brief, as a table cell or <c>"$statistics"</c> shows them.</summary>
        public override string ToString() =>
            $"Received {Received}, parsed {Parsed}, rejected {Rejected}, excluded {Excluded}, emitted {Emitted}, dropped {DroppedSource + DroppedQueueFull}, destination dropped {DestinationDropped}";

        /// <summary>
        /// Every counter in one sentence (invariant culture), as the listener writes it to the verbose
        /// stream: <c>Listener after 00:00:05: received ...</c> while it runs, <c>Listener stopped after ...</c>
        /// at the end, with the kernel's drops, the reject reasons and each destination when there are any.
        /// </summary>
        public string ToSummaryLine()
        {
            var c = CultureInfo.InvariantCulture;
            string rejected = string.Join(", ", RejectedByReason.Where(p => p.Value > 0).Select(p => $"{p.Key} {p.Value.ToString("N0", c)}"));
            string text = string.Format(
                c,
                "{0} after {1:hh\\:mm\\:ss}: received {2:N0}, parsed {3:N0}, emitted {4:N0} ({5:N1}/s), excluded {6:N0}, rejected {7:N0}{8}, dropped {9:N0} (not allowed source) + {10:N0} (queue full), queue {11:N0}, pipeline backlog {12:N0}, pipeline dropped {13:N0}",
                IsFinal ? "Listener stopped" : "Listener",
                Duration,
                Received,
                Parsed,
                Emitted,
                EventsPerSecond,
                Excluded,
                Rejected,
                rejected.Length > 0 ? " (" + rejected + ")" : "",
                DroppedSource,
                DroppedQueueFull,
                QueueBacklog,
                PipelineBacklog,
                PipelineDropped);
            if (KernelDropped.HasValue)
            {
                text += string.Format(c, ", dropped by the kernel before reading {0:N0}", KernelDropped.Value);
            }

            if (Journaled.HasValue)
            {
                text += string.Format(c, ", journaled {0:N0}, not journaled {1:N0}", Journaled.Value, NotJournaled ?? 0);
            }

            if (DiscardedAtStop > 0)
            {
                text += string.Format(c, ", discarded at stop {0:N0}", DiscardedAtStop);
            }

            if (Truncated > 0)
            {
                text += string.Format(c, ", messages truncated {0:N0}", Truncated);
            }

            if (Destinations.Length > 0)
            {
                text += string.Format(c, ", destination dropped {0:N0}", DestinationDropped);
            }

            foreach (var d in Destinations)
            {
                text += string.Format(c, "; {0}: sent {1:N0}, dropped {2:N0}, queued {3:N0}", d.Name, d.Sent, d.Dropped, d.QueueDepth + d.InFlight);
                if (d.Replayed > 0 || d.Deferred > 0)
                {
                    text += string.Format(c, ", replayed from the journal {0:N0}, left in the journal {1:N0}", d.Replayed, d.Deferred);
                }
            }

            return text + ".";
        }
    }
}
