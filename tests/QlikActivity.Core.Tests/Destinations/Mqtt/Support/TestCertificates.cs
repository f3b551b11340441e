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
    /// PEM files mosquitto reads, plus an unrelated CA to prove a wrong CA is refused.
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

        /// <summary>A CA that signed nothing here.</summary>
        public string OtherCaFile => Path.Combine(Directory, "other-ca.pem");

        public static TestCertificates Create()
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
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
            var serial = new byte[12];
            RandomNumberGenerator.Fill(serial);
            serial[0] &= 0x7F;
            using var server = request.Create(ca, now.AddDays(-1), now.AddDays(30), serial);
            File.WriteAllText(certificates.ServerCertFile, server.ExportCertificatePem());
            File.WriteAllText(certificates.ServerKeyFile, serverKey.ExportPkcs8PrivateKeyPem());

            using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using var other = SelfSignedCa("CN=QlikActivity Unrelated CA", otherKey, now);
            File.WriteAllText(certificates.OtherCaFile, other.ExportCertificatePem());
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
