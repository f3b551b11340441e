using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using QlikActivity.Core;

namespace QlikActivity.Completion
{
    /// <summary>Completes user event types: the names of <see cref="UserEventType"/>, with the Proxy's command as tool tip.</summary>
    public sealed class EventTypeCompleter : ValueListCompleter
    {
        internal override IEnumerable<CompletionCandidate> Candidates(IDictionary? fakeBoundParameters) =>
            Enum.GetNames(typeof(UserEventType)).Select(name => new CompletionCandidate(name, ProxyCommand(name)));

        private static string ProxyCommand(string name) => name switch
        {
            nameof(UserEventType.SessionStart) => "Proxy command 'Start session'",
            nameof(UserEventType.SessionStop) => "Proxy command 'Stop session'",
            nameof(UserEventType.ConnectionOpen) => "Proxy command 'Open connection'",
            nameof(UserEventType.ConnectionClose) => "Proxy command 'Close connection'",
            _ => name,
        };
    }
}
