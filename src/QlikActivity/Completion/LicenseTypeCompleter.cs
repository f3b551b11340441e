using System.Collections;
using System.Collections.Generic;

namespace QlikActivity.Completion
{
    /// <summary>
    /// Completes license types with the endpoint each is read from as tool tip. The values are the
    /// names of Core's LicenseType enum (what -LicenseType binds to).
    /// </summary>
    public sealed class LicenseTypeCompleter : ValueListCompleter
    {
        internal static readonly CompletionCandidate[] LicenseTypes =
        {
            new CompletionCandidate("Professional", "Professional access (license/professionalaccesstype, lastUsed)"),
            new CompletionCandidate("Analyzer", "Analyzer access (license/analyzeraccesstype, lastUsed)"),
            new CompletionCandidate("User", "User access, older token licensing (license/useraccesstype, lastUsed)"),
            new CompletionCandidate("Login", "Login access passes (license/loginaccessusage, latestActivity)"),
            new CompletionCandidate("AnalyzerTime", "Analyzer capacity (license/analyzertimeaccessusage, latestActivity)"),
        };

        internal override IEnumerable<CompletionCandidate> Candidates(IDictionary? fakeBoundParameters) => LicenseTypes;
    }
}
