using System;
using System.Security.Cryptography.X509Certificates;

namespace QlikActivity.Core.Certificates
{
    /// <summary>
    /// Whether a server's leaf certificate may be used to prove a TLS server: its Extended Key
    /// Usage must list serverAuth (1.3.6.1.5.5.7.3.1). The system store's validation checks this
    /// itself; a custom root (root.pem, a CA file) is checked by our own chain, which must check it
    /// too, or any certificate from that CA (a client certificate, say) could pose as the server.
    /// Shared by the QRS and the MQTT/HTTP destinations' validators.
    /// </summary>
    internal static class ServerAuthUsage
    {
        public const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";

        /// <summary>Null when <paramref name="leaf"/> lists serverAuth, else why not, in the admin's words.</summary>
        public static string? Check(X509Certificate2 leaf)
        {
            foreach (X509Extension extension in leaf.Extensions)
            {
                if (extension.Oid?.Value == "2.5.29.37")
                {
                    var usages = (extension as X509EnhancedKeyUsageExtension ?? new X509EnhancedKeyUsageExtension(extension, extension.Critical)).EnhancedKeyUsages;
                    foreach (var usage in usages)
                    {
                        if (string.Equals(usage.Value, ServerAuthOid, StringComparison.Ordinal))
                        {
                            return null;
                        }
                    }

                    return $"its certificate '{leaf.Subject}' is not issued for TLS servers (its Extended Key Usage lacks serverAuth, {ServerAuthOid}): it may be a client certificate of the same CA. Issue the server a certificate with extendedKeyUsage = serverAuth";
                }
            }

            return $"its certificate '{leaf.Subject}' names no Extended Key Usage, so it is not marked for TLS servers (serverAuth, {ServerAuthOid}). Issue the server a certificate with extendedKeyUsage = serverAuth";
        }
    }
}
