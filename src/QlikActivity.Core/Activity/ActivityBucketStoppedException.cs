using System;

namespace QlikActivity.Core.Activity
{
    /// <summary>
    /// A bucket run that stopped before its end for a reason other than Ctrl+C: the repository
    /// stopped answering, or a write threw something unexpected. The message says why and what
    /// was done; <see cref="Summary"/> has the counts (they add up to the users in scope), so the
    /// cmdlet can emit it before the terminating error.
    /// </summary>
    public sealed class ActivityBucketStoppedException : QlikActivityException
    {
        public ActivityBucketStoppedException(string message, string errorId, OperationErrorCategory category, ActivityBucketSummary summary, Exception? inner)
            : base(message, errorId, category, inner)
        {
            Summary = summary ?? throw new ArgumentNullException(nameof(summary));
        }

        /// <summary>What the run did before it stopped.</summary>
        public ActivityBucketSummary Summary { get; }
    }
}
