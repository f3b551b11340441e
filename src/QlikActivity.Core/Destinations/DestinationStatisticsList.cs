using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;

namespace QlikActivity.Core.Destinations
{
    /// <summary>
    /// The listener statistics' per-destination counters. A collection of its own so that a CSV or a
    /// table cell shows the counters (<c>mqtt://broker:1883: sent 5, dropped 0, queued 0; ...</c>)
    /// instead of a type name: Export-Csv writes a property's ToString().
    /// </summary>
    public sealed class DestinationStatisticsList : ReadOnlyCollection<DestinationStatistics>
    {
        /// <summary>No destinations.</summary>
        public static readonly DestinationStatisticsList None = new DestinationStatisticsList(Array.Empty<DestinationStatistics>());

        public DestinationStatisticsList(IList<DestinationStatistics> items)
            : base(items)
        {
        }

        /// <summary>The number of destinations, as on the array this type replaced.</summary>
        public int Length => Count;

        public static implicit operator DestinationStatisticsList(DestinationStatistics[] items) => new DestinationStatisticsList(items);

        /// <summary>Each destination's counters in brief, separated by "; ".</summary>
        public override string ToString() => string.Join("; ", this.Select(d => d.ToString()));
    }
}
