using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace QlikActivity.Completion
{
    /// <summary>Completes user directory names read from the repository of the connection in use.</summary>
    public sealed class UserDirectoryCompleter : ValueListCompleter
    {
        internal override IEnumerable<CompletionCandidate> Candidates(IDictionary? fakeBoundParameters) =>
            QrsNameCompletion.GetNames(QrsNameCompletion.SourceFor(fakeBoundParameters), QrsNameCompletion.NameKind.UserDirectory)
                .OrderBy(n => n, System.StringComparer.OrdinalIgnoreCase)
                .Select(n => new CompletionCandidate(n, "User directory " + n));
    }
}
