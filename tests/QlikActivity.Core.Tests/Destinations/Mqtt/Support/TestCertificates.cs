using System;
using System.IO;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace QlikActivity.Core.Tests.Destinations.Mqtt.Support
{
    /// <summary>
    /// A throw-away CA and a broker certificate it signed for 127.0.0.1 only (not "localhost", so a
    /// test can connect by a name the certificate does not list), written as
    /// PEM files mosquitto reads, plus an unrelated CA to prove a wrong CA is refused, and a client
    /// certificate of the same CA (PEM pair, PKCS#1 key, PFX) for brokers that require one.
    /// </summary>
    public sealed class TestCertificates : IDisposable
    {
        private TestCertificates(string directory)
        {
            Directory = directory;
        }

        public string Directory { get; }

        public string CaFile => Path.Combine(Directory, "ca.pem");

        public string ServerCertFile => Path.Combine(Directory, "broker.pem");

        public string ServerKeyFile => Path.Combine(Directory, "broker.key");

        /// <summary>The client certificate (clientAuth), its key (PKCS#1) and both as a PFX (password <see cref="ClientPfxPassword"/>).</summary>
        public string ClientCertFile => Path.Combine(Directory, "client.pem");

        public string ClientKeyFile => Path.Combine(Directory, "client_key.pem");

        public string ClientPfxFile => Path.Combine(Directory, "client.pfx");

        public const string ClientPfxPassword = "pfx-secret";

        /// <summary>The client certificate's thumbprint.</summary>
        public string ClientThumbprint { get; private set; } = "";

        /// <summary>A client certificate of <see cref="OtherCaFile"/>'s CA, which the broker does not trust: other.pem, other_key.pem.</summary>
        public string UntrustedClientDirectory => Path.Combine(Directory, "untrusted");

        /// <summary>A CA that signed nothing here.</summary>
        public string OtherCaFile => Path.Combine(Directory, "other-ca.pem");

        /// <param name="brokerUsage">The broker's Extended Key Usage: serverAuth (a proper server), clientAuth, or none at all.</param>
        public static TestCertificates Create(string? brokerUsage = "1.3.6.1.5.5.7.3.1")
        {
            string directory = Path.Combine(Path.GetTempPath(), "qa-mqtt-certs-" + Guid.NewGuid().ToString("N").Substring(0, 12));
            System.IO.Directory.CreateDirectory(directory);
            var certificates = new TestCertificates(directory);
            var now = DateTimeOffset.UtcNow;

            using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using var ca = SelfSignedCa("CN=QlikActivity MQTT Test CA", caKey, now);
            File.WriteAllText(certificates.CaFile, ca.ExportCertificatePem());

            using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=QlikActivity test broker", serverKey, HashAlgorithmName.SHA256);
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
            if (brokerUsage != null)
            {
                request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid(brokerUsage) }, false));
            }

            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
            var serial = new byte[12];
            RandomNumberGenerator.Fill(serial);
            serial[0] &= 0x7F;
            using var server = request.Create(ca, now.AddDays(-1), now.AddDays(30), serial);
            File.WriteAllText(certificates.ServerCertFile, server.ExportCertificatePem());
            File.WriteAllText(certificates.ServerKeyFile, serverKey.ExportPkcs8PrivateKeyPem());

            using (var client = IssueClient(ca, "CN=QlikActivity MQTT test client", now))
            {
                certificates.ClientThumbprint = client.Thumbprint;
                WriteClient(client, certificates.ClientCertFile, certificates.ClientKeyFile);
                File.WriteAllBytes(certificates.ClientPfxFile, client.Export(X509ContentType.Pfx, ClientPfxPassword));
            }

            using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using var other = SelfSignedCa("CN=QlikActivity Unrelated CA", otherKey, now);
            File.WriteAllText(certificates.OtherCaFile, other.ExportCertificatePem());
            System.IO.Directory.CreateDirectory(certificates.UntrustedClientDirectory);
            using (var stranger = IssueClient(other, "CN=QlikActivity stranger", now))
            {
                WriteClient(stranger, Path.Combine(certificates.UntrustedClientDirectory, "client.pem"), Path.Combine(certificates.UntrustedClientDirectory, "client_key.pem"));
            }

            return certificates;
        }

        public void Dispose()
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        /// <summary>An RSA client certificate (clientAuth) of <paramref name="ca"/>, with its key: RSA, as the QMC's client.pem is.</summary>
        private static X509Certificate2 IssueClient(X509Certificate2 ca, string subject, DateTimeOffset now)
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.2") }, false));
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
            var serial = new byte[12];
            RandomNumberGenerator.Fill(serial);
            serial[0] &= 0x7F;
            // The CA's key is EC, the client's RSA (our loader reads RSA keys, as the QMC exports): sign with the CA's own generator.
            using var caKey = ca.GetECDsaPrivateKey()!;
            using var issued = request.Create(ca.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), now.AddDays(-1), now.AddDays(30), serial);
            return issued.CopyWithPrivateKey(key);
        }

        private static void WriteClient(X509Certificate2 client, string certFile, string keyFile)
        {
            File.WriteAllText(certFile, client.ExportCertificatePem());
            using var key = client.GetRSAPrivateKey()!;
            File.WriteAllText(keyFile, key.ExportRSAPrivateKeyPem());
        }

        private static X509Certificate2 SelfSignedCa(string subject, ECDsa key, DateTimeOffset now)
        {
            var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(365));
        }
    }
}
