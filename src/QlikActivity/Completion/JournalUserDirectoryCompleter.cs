using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace QlikActivity.Completion
{
    /// <summary>Completes -UserDirectory of the history cmdlets with the directories the journal (-JournalPath) knows.</summary>
    public sealed class JournalUserDirectoryCompleter : ValueListCompleter
    {
        internal override IEnumerable<CompletionCandidate> Candidates(IDictionary? fakeBoundParameters) =>
            JournalUserCompletion.Users(fakeBoundParameters)
                .Select(u => u.UserDirectory)
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .Select(d => new CompletionCandidate(d, "User directory " + d));
    }
}
