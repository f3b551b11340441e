using System;
using System.Collections.Generic;
using System.Linq;

namespace QlikActivity.Core.Events
{
    /// <summary>
    /// Rejected datagrams per reason (ListenerStatistics.RejectedByReason). As text, which Export-Csv
    /// writes, it is "UnknownPrefix=3; TooFewFields=0; ...", not the dictionary's type name, so a CSV
    /// log of the statistics keeps the counts.
    /// </summary>
    public sealed class RejectionCounts : Dictionary<string, long>
    {
        /// <summary>An empty set of counts; reason names compare without case.</summary>
        public RejectionCounts()
            : base(StringComparer.OrdinalIgnoreCase)
        {
        }

        /// <summary>Every reason with its count, in the order the reasons were added.</summary>
        public override string ToString() => string.Join("; ", this.Select(p => p.Key + "=" + p.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }
}
