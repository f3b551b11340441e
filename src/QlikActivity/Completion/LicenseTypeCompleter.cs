using System.Collections;
using System.Collections.Generic;

namespace QlikActivity.Completion
{
    /// <summary>Completes license types as the admin writes them (and ctrl-q's --license-type accepts them).</summary>
    public sealed class LicenseTypeCompleter : ValueListCompleter
    {
        internal static readonly CompletionCandidate[] LicenseTypes =
        {
            new CompletionCandidate("professional", "Professional access (license/professionalaccesstype, lastUsed)"),
            new CompletionCandidate("analyzer", "Analyzer access (license/analyzeraccesstype, lastUsed)"),
            new CompletionCandidate("user", "User access, older token licensing (license/useraccesstype, lastUsed)"),
            new CompletionCandidate("login", "Login access passes (license/loginaccessusage, latestActivity)"),
            new CompletionCandidate("analyzer-time", "Analyzer capacity (license/analyzertimeaccessusage, latestActivity)"),
        };

        internal override IEnumerable<CompletionCandidate> Candidates(IDictionary? fakeBoundParameters) => LicenseTypes;
    }
}
