using System.Collections.Generic;

namespace QlikActivity.Core.Destinations
{
    /// <summary>
    /// Remembers how much of a batch already went out when a destination sends one batch as several requests
    /// (New Relic's 1 MB limit, Slack's and Teams' message sizes), so a retry of that batch resumes where it
    /// stopped instead of posting the first part twice. One per destination, used only by its send loop.
    /// </summary>
    internal sealed class PartialDelivery
    {
        private UserEvent? _first;
        private UserEvent? _last;
        private int _count;
        private int _delivered;

        /// <summary>True when <paramref name="batch"/> is the batch seen last, i.e. this send is a retry.</summary>
        public bool IsRetryOf(IReadOnlyList<UserEvent> batch) =>
            batch.Count > 0 && _count == batch.Count
            && ReferenceEquals(_first, batch[0]) && ReferenceEquals(_last, batch[batch.Count - 1]);

        /// <summary>Where to start in <paramref name="batch"/>: 0 for a new batch, else the events already delivered.</summary>
        public int Resume(IReadOnlyList<UserEvent> batch)
        {
            if (IsRetryOf(batch))
            {
                return _delivered;
            }

            _first = batch.Count > 0 ? batch[0] : null;
            _last = batch.Count > 0 ? batch[batch.Count - 1] : null;
            _count = batch.Count;
            _delivered = 0;
            return 0;
        }

        /// <summary>How many events of <paramref name="batch"/> went out already (0 when it is not the batch seen last).</summary>
        public int DeliveredOf(IReadOnlyList<UserEvent> batch) => IsRetryOf(batch) ? _delivered : 0;

        /// <summary>Records that the events before <paramref name="index"/> have been delivered.</summary>
        public void DeliveredUpTo(int index) => _delivered = index;

        /// <summary>Forgets the batch once all of it went out.</summary>
        public void Complete()
        {
            _first = null;
            _last = null;
            _count = 0;
            _delivered = 0;
        }
    }
}
