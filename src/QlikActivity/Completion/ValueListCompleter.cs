using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace QlikActivity.Completion
{
    /// <summary>Base of the completers: offers <see cref="Candidates"/> that match what was typed.</summary>
    public abstract class ValueListCompleter : IArgumentCompleter
    {
        /// <summary>True when a value may contain commas without quoting (a bucket list binds as an array).</summary>
        internal virtual bool CommaSeparated => false;

        internal abstract IEnumerable<CompletionCandidate> Candidates(IDictionary? fakeBoundParameters);

        /// <summary>The matching candidates, as PowerShell will show them; a pure function, for tests.</summary>
        internal IReadOnlyList<CompletionCandidate> Complete(string? wordToComplete, IDictionary? fakeBoundParameters) =>
            CompletionCandidate.Filter(Candidates(fakeBoundParameters), wordToComplete);

        /// <inheritdoc />
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
            Complete(wordToComplete, fakeBoundParameters)
                .Select(c => new CompletionResult(c.CompletionText(CommaSeparated), c.Value, CompletionResultType.ParameterValue, c.ToolTip))
                .ToList();
    }
}
