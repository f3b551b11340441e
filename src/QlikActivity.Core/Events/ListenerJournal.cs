using System;
using System.Threading;
using QlikActivity.Core.Journal;

namespace QlikActivity.Core.Events
{
    /// <summary>
    /// The listener's event journal: opened before the socket is bound (so a second listener on the
    /// same file is refused before anything else happens), appended to by the parse worker before the
    /// destinations get an event, and closed after the destinations have stopped, so their positions
    /// are saved. Journal faults arrive on other threads; the caller's thread turns them into warnings,
    /// the first at once and then at most one per <see cref="WarningInterval"/>, so a full disk is
    /// said loudly without flooding the host.
    /// </summary>
    internal sealed class ListenerJournal : IDisposable
    {
        public static readonly TimeSpan WarningInterval = TimeSpan.FromSeconds(30);

        private JournalFault? _latest;
        private long _faults;
        private long _faultsWarned;
        private DateTime _nextWarning = DateTime.MinValue;

        private ListenerJournal(EventJournalOptions options)
        {
            var own = options.CopyTo(options.Path);
            var theirs = options.OnFault;
            own.OnFault = fault =>
            {
                Volatile.Write(ref _latest, fault);
                Interlocked.Increment(ref _faults);
                theirs?.Invoke(fault);
            };
            Journal = EventJournal.Open(own);
        }

        public EventJournal Journal { get; }

        /// <summary>Opens the journal for writing; throws <see cref="JournalException"/> (e.g. <c>JournalInUse</c>) when it cannot.</summary>
        public static ListenerJournal Open(EventJournalOptions options) => new ListenerJournal(options);

        /// <summary>Parse worker: journals the event and stamps its id on it (0 when it could not be queued).</summary>
        public void Append(UserEvent userEvent) => userEvent.JournalId = Journal.Append(userEvent);

        /// <summary>Caller's thread: a warning for new journal faults, the first at once, then at most once per interval.</summary>
        public void WriteWarningsTo(IOperationHost host, bool final = false)
        {
            long faults = Interlocked.Read(ref _faults);
            if (faults == _faultsWarned || Volatile.Read(ref _latest) is not JournalFault fault)
            {
                return;
            }

            DateTime now = DateTime.UtcNow;
            if (_faultsWarned != 0 && now < _nextWarning && !final)
            {
                return;
            }

            long notJournaled = Journal.Statistics.NotJournaled;
            string text = _faultsWarned == 0
                ? $"Events are not being journaled: {fault.Message} The listener keeps receiving and forwarding; NotJournaled counts what the journal misses ({notJournaled} so far)."
                : $"The journal still misses events: {fault.Message} NotJournaled {notJournaled}.";
            _faultsWarned = faults;
            _nextWarning = now + WarningInterval;
            host.WriteWarning(text);
        }

        /// <summary>Any thread: the journal's counters into the listener's statistics.</summary>
        public void CopyCountersTo(ListenerStatistics statistics)
        {
            var s = Journal.Statistics;
            statistics.JournalPath = Journal.Path;
            statistics.Journaled = s.Journaled;
            statistics.NotJournaled = s.NotJournaled;
        }

        /// <summary>Writes what is queued, saves the destinations' positions and releases the file.</summary>
        public void Dispose() => Journal.Dispose();
    }
}
