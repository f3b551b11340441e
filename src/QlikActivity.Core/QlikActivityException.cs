using System;

namespace QlikActivity.Core
{
    /// <summary>
    /// A failure Core can explain to an admin: the message names the cause and what to do, and
    /// never contains a secret. <see cref="ErrorId"/> and <see cref="Category"/> become the
    /// cmdlet's <c>ErrorRecord</c>.
    /// </summary>
    public class QlikActivityException : Exception
    {
        public QlikActivityException(string message, string errorId, OperationErrorCategory category, Exception? inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Category = category;
        }

        public string ErrorId { get; }
        public OperationErrorCategory Category { get; }
    }
}
