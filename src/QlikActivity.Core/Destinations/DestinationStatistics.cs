namespace QlikActivity
{
    /// <summary>
    /// Counters of one destination. Every event handed to it ends as exactly one of
    /// Sent, Dropped or (while running) Queued/InFlight: Enqueued = Sent + Dropped + QueueDepth + InFlight.
    /// </summary>
    public sealed class DestinationStatistics
    {
        public string Name { get; set; } = "";
        public long Enqueued { get; set; }
        public long Sent { get; set; }
        /// <summary>Send attempts that failed (each may be retried).</summary>
        public long Failed { get; set; }
        public long Retried { get; set; }
        /// <summary>Events given up on: queue full, buffer bound exceeded, or retries exhausted.</summary>
        public long Dropped { get; set; }
        public long QueueDepth { get; set; }
        public long InFlight { get; set; }
        public string? LastError { get; set; }
    }
}
