using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace QlikActivity.Completion
{
    /// <summary>Completes -UserId of the history cmdlets with the journal's users, of the typed -UserDirectory (wildcards allowed) if any.</summary>
    public sealed class JournalUserIdCompleter : ValueListCompleter
    {
        internal override IEnumerable<CompletionCandidate> Candidates(IDictionary? fakeBoundParameters)
        {
            string? directory = fakeBoundParameters?["UserDirectory"]?.ToString();
            var pattern = string.IsNullOrEmpty(directory) ? null : WildcardPattern.Get(directory, WildcardOptions.IgnoreCase);
            return JournalUserCompletion.Users(fakeBoundParameters)
                .Where(u => pattern == null || pattern.IsMatch(u.UserDirectory))
                .Select(u => u.UserId)
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .Select(id => new CompletionCandidate(id, "User " + id));
        }
    }
}
