using System;

namespace QlikActivity.Core.Journal
{
    /// <summary>A snapshot of what an <see cref="EventJournal"/> did since it was opened.</summary>
    public sealed class JournalStatistics
    {
        /// <summary>Events handed to <see cref="EventJournal.Append"/> and taken into the queue.</summary>
        public long Accepted { get; internal set; }

        /// <summary>Events committed to the file.</summary>
        public long Journaled { get; internal set; }

        /// <summary>Events not in the journal: queue full, a failed write, or appended after close.</summary>
        public long NotJournaled { get; internal set; }

        /// <summary>The part of <see cref="NotJournaled"/> refused because the queue was full.</summary>
        public long QueueFull { get; internal set; }

        /// <summary>Write transactions that failed (each one reported through <see cref="EventJournalOptions.OnFault"/>).</summary>
        public long WriteFaults { get; internal set; }

        /// <summary>Committed transactions.</summary>
        public long Batches { get; internal set; }

        /// <summary>Events removed by retention (age or size cap).</summary>
        public long Pruned { get; internal set; }

        /// <summary>Events waiting for the writer thread.</summary>
        public long Queued { get; internal set; }

        /// <summary>The last fault, if any.</summary>
        public JournalFault? LastFault { get; internal set; }
    }
}
