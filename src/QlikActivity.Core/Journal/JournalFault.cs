using System;

namespace QlikActivity.Core.Journal
{
    /// <summary>Why events could not be journaled.</summary>
    public enum JournalFaultKind
    {
        /// <summary>The writer's queue was full: the caller produced faster than the disk took.</summary>
        QueueFull,
        /// <summary>The disk or the file system's quota is full.</summary>
        DiskFull,
        /// <summary>Another program holds a lock on the journal longer than the busy timeout.</summary>
        Locked,
        /// <summary>The file is damaged or is not a journal.</summary>
        Corrupt,
        /// <summary>The file could not be read or written (permissions, I/O error, deleted folder).</summary>
        IOError,
    }

    /// <summary>One report of events that were not journaled, passed to <see cref="EventJournalOptions.OnFault"/>.</summary>
    public sealed class JournalFault
    {
        public JournalFault(DateTime at, JournalFaultKind kind, string message, long eventsNotJournaled, Exception? exception)
        {
            At = at;
            Kind = kind;
            Message = message;
            EventsNotJournaled = eventsNotJournaled;
            Exception = exception;
        }

        public DateTime At { get; }
        public JournalFaultKind Kind { get; }

        /// <summary>What happened and what to do, naming the journal file.</summary>
        public string Message { get; }

        /// <summary>How many events this fault lost from the journal (they still went to the caller's other outputs).</summary>
        public long EventsNotJournaled { get; }
        public Exception? Exception { get; }

        public override string ToString() => Message;
    }
}
