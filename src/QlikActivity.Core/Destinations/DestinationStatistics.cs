namespace QlikActivity.Core.Destinations
{
    /// <summary>
    /// Counters of one destination. Every event handed to it ends as exactly one of
    /// Sent, Dropped or (while running) Queued/InFlight: Enqueued = Sent + Dropped + QueueDepth + InFlight.
    /// With the listener's event journal, events also come from the journal (Replayed) and can be left
    /// there (Deferred): Enqueued + Replayed = Sent + Dropped + Deferred + QueueDepth + InFlight.
    /// </summary>
    public sealed class DestinationStatistics
    {
        public string Name { get; set; } = "";
        public long Enqueued { get; set; }
        public long Sent { get; set; }
        /// <summary>Send attempts that failed (each may be retried).</summary>
        public long Failed { get; set; }
        public long Retried { get; set; }
        /// <summary>Events given up on: queue full, byte bound exceeded, retries exhausted, or still held when the drain time at stop ran out.</summary>
        public long Dropped { get; set; }
        /// <summary>The part of <see cref="Dropped"/> refused on arrival because the queue was full (by count or by bytes).</summary>
        public long DroppedQueueFull { get; set; }
        public long QueueDepth { get; set; }
        public long InFlight { get; set; }
        /// <summary>Estimated memory of the events held (queued and in flight), in bytes.</summary>
        public long QueueBytes { get; set; }
        /// <summary>The most events the queue holds (0 when the destination does not say).</summary>
        public long QueueCapacity { get; set; }
        /// <summary>The most bytes the held events may take (<see cref="long.MaxValue"/> or 0 when unbounded or not said).</summary>
        public long QueueByteLimit { get; set; }
        /// <summary>Events read back from the event journal and handed to the sender: after a restart, or after the memory queue was full.</summary>
        public long Replayed { get; set; }

        /// <summary>Events left in the event journal instead of the memory queue (full, or not delivered at stop); they are replayed, now or at the next start.</summary>
        public long Deferred { get; set; }

        public string? LastError { get; set; }

        /// <summary>The counters in brief: <c>mqtt://host:1883: sent 5, dropped 0, queued 0</c>.</summary>
        public override string ToString() => $"{Name}: sent {Sent}, dropped {Dropped}, queued {QueueDepth + InFlight}";
    }
}
