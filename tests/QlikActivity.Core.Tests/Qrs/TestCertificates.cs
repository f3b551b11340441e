using System;
using System.IO;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace QlikActivity.Core.Tests.Qrs
{
    /// <summary>Certificates made on the spot, like a Qlik site's own CA, server and client certificates.</summary>
    internal static class TestCertificates
    {
        public static X509Certificate2 CreateRoot(string name = "QlikActivity Test Root CA", DateTimeOffset? notAfter = null)
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddYears(-5), notAfter ?? DateTimeOffset.UtcNow.AddYears(5));
        }

        /// <summary>A leaf signed by <paramref name="issuer"/>, with its private key.</summary>
        public static X509Certificate2 CreateSigned(X509Certificate2 issuer, string name, bool server, string[]? dnsNames = null,
            DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, int keySize = 2048, bool extendedKeyUsage = true)
        {
            using var key = RSA.Create(keySize);
            var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
            if (extendedKeyUsage)
            {
                request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
                    new OidCollection { new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2") }, false));
            }

            if (dnsNames != null)
            {
                var san = new SubjectAlternativeNameBuilder();
                foreach (var dns in dnsNames)
                {
                    if (IPAddress.TryParse(dns, out var ip))
                    {
                        san.AddIpAddress(ip);
                    }
                    else
                    {
                        san.AddDnsName(dns);
                    }
                }

                request.CertificateExtensions.Add(san.Build());
            }

            var serial = new byte[12];
            RandomNumberGenerator.Fill(serial);
            serial[0] &= 0x7F;
            var from = notBefore ?? DateTimeOffset.UtcNow.AddDays(-1);
            var to = notAfter ?? DateTimeOffset.UtcNow.AddYears(2);
            using var publicOnly = request.Create(issuer, from, to, serial);
            return publicOnly.CopyWithPrivateKey(key);
        }

        /// <summary>A folder as the QMC exports it: client.pem, client_key.pem (PKCS#1 unless told), root.pem.</summary>
        public static string WritePemFolder(string folder, X509Certificate2 client, X509Certificate2 root, bool pkcs8 = false)
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "client.pem"), client.ExportCertificatePem());
            using var key = client.GetRSAPrivateKey()!;
            File.WriteAllText(Path.Combine(folder, "client_key.pem"), pkcs8 ? key.ExportPkcs8PrivateKeyPem() : key.ExportRSAPrivateKeyPem());
            File.WriteAllText(Path.Combine(folder, "root.pem"), root.ExportCertificatePem());
            return folder;
        }

        public static string NewTempFolder()
        {
            string path = Path.Combine(Path.GetTempPath(), "qlikactivity-tests", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(path);
            return path;
        }
    }
}
