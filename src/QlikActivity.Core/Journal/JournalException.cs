using System;

namespace QlikActivity.Core.Journal
{
    /// <summary>A journal that cannot be opened: held by another writer, damaged, not a journal, or out of reach.</summary>
    public sealed class JournalException : QlikActivityException
    {
        public JournalException(string message, string errorId, OperationErrorCategory category, Exception? inner = null)
            : base(message, errorId, category, inner)
        {
        }
    }
}
