using System.Collections;
using System.Collections.Generic;

namespace QlikActivity.Completion
{
    /// <summary>Completes common activity bucket lists (days since last activity); values past the last go to "N+".</summary>
    public sealed class BucketPresetCompleter : ValueListCompleter
    {
        internal static readonly CompletionCandidate[] Presets =
        {
            new CompletionCandidate("1,7,14,30,90,180,365", "ctrl-q's default buckets: 1, 7, 14, 30, 90, 180, 365 days, then 365+"),
            new CompletionCandidate("7,30,90,365", "Weekly, monthly, quarterly, yearly: then 365+"),
            new CompletionCandidate("30,60,90,180,365", "License review: 30 to 365 days, then 365+"),
            new CompletionCandidate("1,7,30", "Recent use only: 1, 7, 30 days, then 30+"),
            new CompletionCandidate("90,180,365", "Clean-up candidates: 90, 180, 365 days, then 365+"),
        };

        internal override bool CommaSeparated => true;

        internal override IEnumerable<CompletionCandidate> Candidates(IDictionary? fakeBoundParameters) => Presets;
    }
}
