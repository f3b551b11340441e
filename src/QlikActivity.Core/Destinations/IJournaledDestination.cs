using QlikActivity.Core.Journal;

namespace QlikActivity.Core.Destinations
{
    /// <summary>
    /// A destination that keeps its delivered position in the listener's event journal and resumes
    /// from it: after a restart, or after an outage longer than its memory queue holds, it replays
    /// from the journal, in order, at least once.
    /// </summary>
    internal interface IJournaledDestination
    {
        /// <summary>The key its position is saved under: the same for the same configuration, across restarts. Never holds a secret.</summary>
        string JournalKey { get; }

        /// <summary>Called by the listener before <see cref="IEventDestination.StartAsync"/>.</summary>
        void UseJournal(EventJournal journal);
    }
}
