using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace QlikActivity.Completion
{
    /// <summary>Completes the names of custom properties that apply to users, read from the connection in use.</summary>
    public sealed class CustomPropertyNameCompleter : ValueListCompleter
    {
        internal override IEnumerable<CompletionCandidate> Candidates(IDictionary? fakeBoundParameters) =>
            QrsNameCompletion.GetNames(QrsNameCompletion.SourceFor(fakeBoundParameters), QrsNameCompletion.NameKind.UserCustomProperty)
                .OrderBy(n => n, System.StringComparer.OrdinalIgnoreCase)
                .Select(n => new CompletionCandidate(n, "User custom property " + n));
    }
}
