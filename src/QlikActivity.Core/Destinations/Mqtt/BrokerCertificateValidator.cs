using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace QlikActivity.Core.Destinations.Mqtt
{
    /// <summary>
    /// Decides whether to trust the broker's TLS certificate: against this computer's store by
    /// default, against the CA certificate(s) in a given file, or not at all when the admin opted out
    /// by name. Remembers why it refused, so the error can say so. The HTTP destinations (InfluxDB,
    /// New Relic, webhooks) use it too, naming their server instead of the broker.
    /// </summary>
    internal sealed class BrokerCertificateValidator
    {
        private readonly X509Certificate2Collection? _trustedCas;
        private readonly string? _caPath;
        private readonly bool _skip;
        private readonly string _server;
        private readonly string _hostAdvice;

        /// <param name="skipCertificateCheck">Trust any certificate (the admin opted out by name).</param>
        /// <param name="caCertificatePath">CA file the certificate must chain to; null or empty means this computer's store.</param>
        /// <param name="server">Who presents the certificate, in messages: "the broker", "the server".</param>
        /// <param name="hostAdvice">What to do when the certificate names another host.</param>
        /// <param name="errorIdPrefix">Prefix of the error ids for an unreadable CA file.</param>
        public BrokerCertificateValidator(
            bool skipCertificateCheck,
            string? caCertificatePath,
            string server = "the broker",
            string hostAdvice = "use a -Broker name the certificate lists",
            string errorIdPrefix = "Mqtt")
        {
            _skip = skipCertificateCheck;
            _caPath = caCertificatePath;
            _server = server;
            _hostAdvice = hostAdvice;
            if (!skipCertificateCheck && !string.IsNullOrEmpty(caCertificatePath))
            {
                _trustedCas = LoadCertificates(caCertificatePath!, errorIdPrefix);
            }
        }

        /// <summary>Why the last certificate was refused, in words for an admin.</summary>
        public string? LastFailure { get; private set; }

        /// <summary>Forgets the last refusal once it has been reported, so a later, unrelated failure is not blamed on it.</summary>
        public void ClearFailure() => LastFailure = null;

        public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            if (_skip)
            {
                return true;
            }

            if (certificate == null)
            {
                LastFailure = _server + " presented no certificate";
                return false;
            }

            if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                LastFailure = $"its certificate ({certificate.Subject}) is not issued for the host name used to connect; {_hostAdvice}";
                return false;
            }

            if (_trustedCas == null)
            {
                if (errors == SslPolicyErrors.None)
                {
                    return true;
                }

                LastFailure = $"its certificate ({certificate.Subject}) is not trusted by this computer's certificate store ({Describe(chain)}); give {_server}'s CA with -CaCertificatePath";
                return false;
            }

            return ValidateAgainstCa(certificate, chain);
        }

        /// <summary>Reads one or more certificates from a PEM file (a CA bundle) or a single DER file.</summary>
        public static X509Certificate2Collection LoadCertificates(string path, string errorIdPrefix = "Mqtt")
        {
            byte[] raw;
            try
            {
                raw = File.ReadAllBytes(path);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new QlikActivityException($"Cannot read the CA certificate file '{path}': {ex.Message}", errorIdPrefix + DestinationErrorIds.CaCertificateUnreadable, OperationErrorCategory.ReadError, ex);
            }

            var collection = new X509Certificate2Collection();
            string text = Encoding.ASCII.GetString(raw);
            const string Begin = "-----BEGIN CERTIFICATE-----";
            const string End = "-----END CERTIFICATE-----";
            int at = text.IndexOf(Begin, StringComparison.Ordinal);
            try
            {
                if (at < 0)
                {
                    collection.Add(new X509Certificate2(raw));
                }

                while (at >= 0)
                {
                    int stop = text.IndexOf(End, at, StringComparison.Ordinal);
                    if (stop < 0)
                    {
                        break;
                    }

                    string base64 = text.Substring(at + Begin.Length, stop - at - Begin.Length);
                    collection.Add(new X509Certificate2(Convert.FromBase64String(base64)));
                    at = text.IndexOf(Begin, stop, StringComparison.Ordinal);
                }
            }
            catch (Exception ex) when (ex is FormatException || ex is System.Security.Cryptography.CryptographicException)
            {
                throw new QlikActivityException($"The CA certificate file '{path}' does not hold a PEM or DER certificate: {ex.Message}", errorIdPrefix + DestinationErrorIds.CaCertificateInvalid, OperationErrorCategory.InvalidData, ex);
            }

            if (collection.Count == 0)
            {
                throw new QlikActivityException($"The CA certificate file '{path}' holds no certificate.", errorIdPrefix + DestinationErrorIds.CaCertificateInvalid, OperationErrorCategory.InvalidData);
            }

            return collection;
        }

        private bool ValidateAgainstCa(X509Certificate certificate, X509Chain? presented)
        {
            using var leaf = new X509Certificate2(certificate);
#if NET8_0_OR_GREATER
            var (trusted, status) = ChainsToCaWithCustomRootTrust(leaf, presented);
#else
            var (trusted, status) = ChainsToCaWithUnknownRootAllowed(leaf, presented);
#endif
            if (!trusted)
            {
                LastFailure = $"its certificate ({certificate.Subject}) does not chain to the CA in '{_caPath}' ({status})";
                return false;
            }

            // Our own chain, so our own usage check (the store's validation does it itself).
            if (Certificates.ServerAuthUsage.Check(leaf) is { } usage)
            {
                LastFailure = usage;
                return false;
            }

            return true;
        }

#if NET8_0_OR_GREATER
        /// <summary>.NET 5+: the given CAs are the only roots the chain may end in.</summary>
        internal (bool Trusted, string Status) ChainsToCaWithCustomRootTrust(X509Certificate2 leaf, X509Chain? presented)
        {
            using var chain = NewChain(presented);
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(_trustedCas!);
            bool built = chain.Build(leaf);
            return (built, Describe(chain));
        }
#endif

        /// <summary>
        /// .NET Framework (Windows PowerShell 5.1) has no custom root store: allow an unknown root,
        /// then insist the root is one of the given CAs. Compiled everywhere so tests cover it.
        /// </summary>
        internal (bool Trusted, string Status) ChainsToCaWithUnknownRootAllowed(X509Certificate2 leaf, X509Chain? presented)
        {
            using var chain = NewChain(presented);
            chain.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
            if (!chain.Build(leaf))
            {
                return (false, Describe(chain));
            }

            var root = chain.ChainElements[chain.ChainElements.Count - 1].Certificate;
            bool ours = _trustedCas!.Cast<X509Certificate2>().Any(ca => ca.Thumbprint == root.Thumbprint);
            return (ours, ours ? "trusted" : "UntrustedRoot");
        }

        private X509Chain NewChain(X509Chain? presented)
        {
            var chain = new X509Chain();
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.ExtraStore.AddRange(_trustedCas!);
            if (presented != null)
            {
                // Intermediates the broker sent along.
                foreach (var element in presented.ChainElements)
                {
                    chain.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }

            return chain;
        }

        private static string Describe(X509Chain? chain)
        {
            if (chain == null)
            {
                return "no chain";
            }

            var statuses = new List<string>();
            foreach (var status in chain.ChainStatus)
            {
                string s = status.Status.ToString();
                if (!statuses.Contains(s))
                {
                    statuses.Add(s);
                }
            }

            return statuses.Count == 0 ? "untrusted" : string.Join(", ", statuses);
        }
    }
}
