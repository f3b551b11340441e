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
        private long _missed;
        private DateTime _nextWarning = DateTime.MinValue;

        private ListenerJournal(EventJournalOptions options)
        {
            Path = System.IO.Path.GetFullPath(options.Path);
            var own = options.CopyTo(options.Path);
            var theirs = options.OnFault;
            own.OnFault = fault =>
            {
                Volatile.Write(ref _latest, fault);
                Interlocked.Increment(ref _faults);
                theirs?.Invoke(fault);
            };
            try
            {
                Journal = EventJournal.Open(own);
            }
            catch (JournalException ex) when (ex.ErrorId == "JournalNotOpened" || ex.ErrorId == "JournalFolderNotCreated")
            {
                // A file that is locked, damaged or out of reach must not stop the forwarding: the run
                // goes on without a journal, said loudly at once, and every event counts as not journaled.
                OpenFailure = ex.Message;
            }
        }

        /// <summary>The journal, or null when it could not be opened (see <see cref="OpenFailure"/>).</summary>
        public EventJournal? Journal { get; }

        /// <summary>Why the journal could not be opened; null when it is open.</summary>
        public string? OpenFailure { get; }

        public string Path { get; }

        /// <summary>
        /// Opens the journal for writing. Throws <see cref="JournalException"/> when another listener has
        /// it (<c>JournalInUse</c>) or the file is not a journal; a journal that is locked, damaged or out
        /// of reach gives a <see cref="ListenerJournal"/> without <see cref="Journal"/> instead.
        /// </summary>
        public static ListenerJournal Open(EventJournalOptions options) => new ListenerJournal(options);

        /// <summary>Parse worker: journals the event and stamps its id on it (0 when it could not be queued).</summary>
        public void Append(UserEvent userEvent)
        {
            if (Journal == null)
            {
                Interlocked.Increment(ref _missed);
                userEvent.JournalId = 0;
                return;
            }

            userEvent.JournalId = Journal.Append(userEvent);
        }

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

            long notJournaled = Journal!.Statistics.NotJournaled;
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
            statistics.JournalPath = Path;
            if (Journal == null)
            {
                statistics.Journaled = 0;
                statistics.NotJournaled = Interlocked.Read(ref _missed);
                return;
            }

            var s = Journal.Statistics;
            statistics.Journaled = s.Journaled;
            statistics.NotJournaled = s.NotJournaled;
        }

        /// <summary>Writes what is queued, saves the destinations' positions and releases the file.</summary>
        public void Dispose() => Journal?.Dispose();
    }
}
