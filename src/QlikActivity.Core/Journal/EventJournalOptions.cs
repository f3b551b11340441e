using System;

namespace QlikActivity.Core.Journal
{
    /// <summary>How an <see cref="EventJournal"/> writes, keeps and reports.</summary>
    public sealed class EventJournalOptions
    {
        public EventJournalOptions(string path)
        {
            Path = path;
        }

        /// <summary>The journal file (SQLite); created with its folder when missing.</summary>
        public string Path { get; }

        /// <summary>Events waiting for the writer thread; when full, <see cref="EventJournal.Append"/> counts the event as not journaled instead of waiting.</summary>
        public int QueueCapacity { get; set; } = 100_000;

        /// <summary>Most events written in one transaction.</summary>
        public int MaxBatchSize { get; set; } = 10_000;

        /// <summary>Days of events kept (by receive time); older ones are pruned in the background. 0 keeps everything.</summary>
        public int RetentionDays { get; set; } = 90;

        /// <summary>The most bytes the journal's data may take; the oldest events are pruned beyond it. 0: no cap.</summary>
        public long MaxSizeBytes { get; set; } = 8L * 1024 * 1024 * 1024;

        /// <summary>How often retention runs (also once at open).</summary>
        public TimeSpan PruneInterval { get; set; } = TimeSpan.FromMinutes(10);

        /// <summary>A session with no event for this long is over even without a <c>Stop session</c>; the next event of that user on that host starts another.</summary>
        public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromMinutes(30);

        /// <summary>How long a write waits for a lock held by another connection before the batch counts as not journaled.</summary>
        public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary>
        /// Called whenever events could not be journaled: on the writer thread for a failed write (disk
        /// full, file locked or damaged), on the appending thread for a full queue (at the 1st, 2nd,
        /// 4th, 8th... refusal). Keep it short and thread-safe; exceptions it throws are ignored.
        /// </summary>
        public Action<JournalFault>? OnFault { get; set; }

        /// <summary>The clock retention reads (tests set it).</summary>
        public Func<DateTime> UtcNow { get; set; } = () => DateTime.UtcNow;

        /// <summary>The same settings for another path (the full path at open).</summary>
        internal EventJournalOptions CopyTo(string path) => new EventJournalOptions(path)
        {
            QueueCapacity = QueueCapacity,
            MaxBatchSize = MaxBatchSize,
            RetentionDays = RetentionDays,
            MaxSizeBytes = MaxSizeBytes,
            PruneInterval = PruneInterval,
            SessionTimeout = SessionTimeout,
            BusyTimeout = BusyTimeout,
            OnFault = OnFault,
            UtcNow = UtcNow,
        };

        internal void Validate()
        {
            if (string.IsNullOrWhiteSpace(Path))
            {
                throw new QlikActivityException("The journal path is empty.", JournalErrorIds.PathEmpty, OperationErrorCategory.InvalidArgument);
            }

            if (QueueCapacity < 1 || MaxBatchSize < 1)
            {
                throw new QlikActivityException("The journal's queue capacity and batch size must be at least 1.", JournalErrorIds.OptionOutOfRange, OperationErrorCategory.InvalidArgument);
            }

            if (RetentionDays < 0 || MaxSizeBytes < 0)
            {
                throw new QlikActivityException("The journal's retention days and size cap cannot be negative (0 means no limit).", JournalErrorIds.OptionOutOfRange, OperationErrorCategory.InvalidArgument);
            }

            if (SessionTimeout <= TimeSpan.Zero)
            {
                throw new QlikActivityException("The session timeout must be positive.", JournalErrorIds.OptionOutOfRange, OperationErrorCategory.InvalidArgument);
            }
        }
    }
}
