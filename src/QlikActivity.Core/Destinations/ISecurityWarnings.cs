using System.Collections.Generic;

namespace QlikActivity.Core.Destinations
{
    /// <summary>
    /// A destination whose settings can weaken security: a server certificate that is not checked
    /// (-SkipCertificateCheck), or a password, token or key sent without TLS. The event listener writes
    /// each of these as a warning when it starts the destination, so no run is unsafe without saying so.
    /// </summary>
    public interface ISecurityWarnings
    {
        /// <summary>One sentence per risk, naming the destination; empty when there is none. Never holds a secret.</summary>
        IReadOnlyList<string> SecurityWarnings { get; }
    }
}
