using System;
using System.Linq;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace QlikActivity.Core.Qrs
{
    /// <summary>
    /// Decides whether to trust the server's certificate: against the site's own root CA
    /// (root.pem) when there is one, else the system store; the name must match either way,
    /// unless the admin opted out with -SkipCertificateCheck. The last reason for refusing is
    /// kept so the connection error can say why, not just "TLS failed".
    /// </summary>
    internal sealed class ServerCertificateValidator
    {
        private readonly X509Certificate2? _root;
        private readonly bool _skip;
        private volatile string? _lastFailure;

        public ServerCertificateValidator(X509Certificate2? root, string? rootSource, bool skip)
        {
            _root = root;
            RootSource = rootSource;
            _skip = skip;
        }

        /// <summary>Where the trusted root came from (a path), or null for the system store.</summary>
        public string? RootSource { get; }

        /// <summary>Why the last certificate was refused; null if none was.</summary>
        public string? LastFailure => _lastFailure;

        public bool Validate(X509Certificate? certificate, SslPolicyErrors errors)
        {
            string? failure = Check(certificate, errors);
            if (failure == null)
            {
                return true;
            }

            _lastFailure = failure;
            return false;
        }

        /// <summary>Null if acceptable, else the reason in the admin's words.</summary>
        internal string? Check(X509Certificate? certificate, SslPolicyErrors errors)
        {
            if (_skip)
            {
                return null;
            }

            if (certificate == null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
            {
                return "the server sent no certificate";
            }

            using var server = new X509Certificate2(certificate);
            if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                return $"its certificate '{server.Subject}' is not issued for the name used in -Server ({NamesOf(server)})";
            }

            if (_root == null)
            {
                return (errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0
                    ? $"its certificate '{server.Subject}' (issued by '{server.Issuer}') is not trusted by this computer's certificate store"
                    : null;
            }

            // Our own chain, so our own usage check: the store's validation did it for us above.
            return ChainsToRootCustomTrust(server, _root) ?? Certificates.ServerAuthUsage.Check(server);
        }

        /// <summary>
        /// net8.0: a chain whose only trust anchor is the site's root. netstandard2.0 has no
        /// custom trust mode and uses <see cref="ChainsToRootExtraStore"/> instead.
        /// </summary>
        internal static string? ChainsToRootCustomTrust(X509Certificate2 server, X509Certificate2 root)
        {
#if !NET8_0_OR_GREATER
            return ChainsToRootExtraStore(server, root);
#else
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(root);
            // A Qlik site's CA publishes no revocation list.
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(server) ? null : Describe(server, root, chain);
#endif
        }

        /// <summary>
        /// netstandard2.0 has no custom trust: put the root in the extra store, allow an unknown
        /// CA, then insist that the chain really ends at that root. Compiled on both targets so
        /// the tests reach it.
        /// </summary>
        internal static string? ChainsToRootExtraStore(X509Certificate2 server, X509Certificate2 root)
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.ExtraStore.Add(root);
            chain.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (!chain.Build(server))
            {
                return Describe(server, root, chain);
            }

            var top = chain.ChainElements[chain.ChainElements.Count - 1].Certificate;
            if (!string.Equals(top.Thumbprint, root.Thumbprint, StringComparison.OrdinalIgnoreCase))
            {
                return $"its certificate '{server.Subject}' (issued by '{server.Issuer}') was not signed by the root CA '{root.Subject}'";
            }

            return null;
        }

        private static string Describe(X509Certificate2 server, X509Certificate2 root, X509Chain chain)
        {
            var flags = chain.ChainStatus.Select(s => s.Status).Aggregate(X509ChainStatusFlags.NoError, (a, b) => a | b);
            if ((flags & X509ChainStatusFlags.NotTimeValid) != 0)
            {
                return $"its certificate '{server.Subject}' is expired or not yet valid ({server.NotBefore:u} to {server.NotAfter:u})";
            }

            if ((flags & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != 0)
            {
                return $"its certificate '{server.Subject}' (issued by '{server.Issuer}') was not signed by the root CA '{root.Subject}'";
            }

            string status = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
            return $"its certificate '{server.Subject}' does not chain to the root CA '{root.Subject}' ({status})";
        }

        private static string NamesOf(X509Certificate2 certificate)
        {
            // Subject Alternative Name (2.5.29.17), formatted by the platform.
            var san = certificate.Extensions.Cast<X509Extension>().FirstOrDefault(e => e.Oid?.Value == "2.5.29.17");
            string names = san != null ? san.Format(false) : certificate.GetNameInfo(X509NameType.DnsName, false);
            return "it names " + (string.IsNullOrEmpty(names) ? "no host" : names);
        }
    }
}
