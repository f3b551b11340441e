using System;
using System.IO;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace QlikActivity.QrsSimulator.Security
{
    /// <summary>
    /// The certificates a Qlik Sense site has: a root CA (what the QMC exports as root.pem), a server
    /// certificate for 127.0.0.1/localhost issued by it, and the CN=QlikClient client certificate (client.pem,
    /// client_key.pem, client.pfx).
    /// </summary>
    public sealed class SimulatorCertificates
    {
        private static readonly Lazy<SimulatorCertificates> Shared = new Lazy<SimulatorCertificates>(Create);

        private SimulatorCertificates(X509Certificate2 root, X509Certificate2 server, X509Certificate2 client)
        {
            Root = root;
            Server = server;
            Client = client;
        }

        /// <summary>The CA; without private key.</summary>
        public X509Certificate2 Root { get; }
        public X509Certificate2 Server { get; }
        public X509Certificate2 Client { get; }

        /// <summary>One set per process: RSA key generation is slow on a loaded machine, and simulators may share a CA.</summary>
        public static SimulatorCertificates ForProcess() => Shared.Value;

        public static SimulatorCertificates Create()
        {
            using var caKey = RSA.Create(2048);
            var caRequest = new CertificateRequest("CN=QlikActivity-Simulator-CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
            var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
            using var ca = caRequest.CreateSelfSigned(notBefore, notBefore.AddYears(10));

            var server = Issue(ca, "CN=127.0.0.1", serverAuth: true);
            var client = Issue(ca, "CN=QlikClient", serverAuth: false);
            var root = X509CertificateLoader.LoadCertificate(ca.RawData);
            return new SimulatorCertificates(root, server, client);
        }

        /// <summary>A CN=QlikClient certificate from a different CA: the simulator must refuse it.</summary>
        public static X509Certificate2 CreateUntrustedClient()
        {
            using var otherKey = RSA.Create(2048);
            var req = new CertificateRequest("CN=QlikActivity-Simulator-CA", otherKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
            var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
            using var other = req.CreateSelfSigned(notBefore, notBefore.AddYears(10));
            return Issue(other, "CN=QlikClient", serverAuth: false);
        }

        /// <summary>True when the certificate chains to <see cref="Root"/> (the only trust anchor the simulator accepts).</summary>
        public bool IsIssuedByRoot(X509Certificate2? certificate)
        {
            if (certificate == null)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(Root);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationFlags = X509VerificationFlags.NoFlag;
            return chain.Build(certificate);
        }

        /// <summary>Writes root.pem, client.pem, client_key.pem (PKCS#1, as the QMC exports it), client_key_pkcs8.pem and client.pfx (empty password).</summary>
        public void Export(string directory)
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(Path.Combine(directory, "root.pem"), Root.ExportCertificatePem() + "\n");
            File.WriteAllText(Path.Combine(directory, "client.pem"), Client.ExportCertificatePem() + "\n");
            using var key = Client.GetRSAPrivateKey()!;
            File.WriteAllText(Path.Combine(directory, "client_key.pem"), key.ExportRSAPrivateKeyPem() + "\n");
            File.WriteAllText(Path.Combine(directory, "client_key_pkcs8.pem"), key.ExportPkcs8PrivateKeyPem() + "\n");
            File.WriteAllBytes(Path.Combine(directory, "client.pfx"), Client.Export(X509ContentType.Pfx, ""));
            File.WriteAllText(Path.Combine(directory, "server.pem"), Server.ExportCertificatePem() + "\n");
        }

        private static X509Certificate2 Issue(X509Certificate2 ca, string subject, bool serverAuth)
        {
            using var key = RSA.Create(2048);
            var req = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
            req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
            req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection
            {
                new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2"),
            }, false));
            if (serverAuth)
            {
                var san = new SubjectAlternativeNameBuilder();
                san.AddIpAddress(System.Net.IPAddress.Loopback);
                san.AddIpAddress(System.Net.IPAddress.IPv6Loopback);
                san.AddDnsName("localhost");
                req.CertificateExtensions.Add(san.Build());
            }

            req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
            var serial = new byte[12];
            RandomNumberGenerator.Fill(serial);
            serial[0] &= 0x7F;
            var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
            using var issued = req.Create(ca, notBefore, notBefore.AddYears(5) < ca.NotAfter ? notBefore.AddYears(5) : new DateTimeOffset(ca.NotAfter.ToUniversalTime()), serial);
            using var withKey = issued.CopyWithPrivateKey(key);
            // Through PFX so the key is usable by SslStream on every platform.
            return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pfx, ""), "", X509KeyStorageFlags.Exportable);
        }

        internal static string Pem(string label, byte[] der) =>
            new string(PemEncoding.Write(label, der)) + "\n";

        internal static Encoding Utf8 => new UTF8Encoding(false);
    }
}
