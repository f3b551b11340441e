using System;
using System.IO;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using QlikActivity.Core.Qrs;
using Xunit;

namespace QlikActivity.Core.Tests.Qrs
{
    public sealed class CertificateLoaderTests : IDisposable
    {
        private static readonly Lazy<(X509Certificate2 Root, X509Certificate2 Client)> Pair = new(() =>
        {
            var root = TestCertificates.CreateRoot();
            return (root, TestCertificates.CreateSigned(root, "QlikClient", server: false));
        });

        private readonly string _folder = TestCertificates.NewTempFolder();

        public void Dispose() => Directory.Delete(_folder, recursive: true);

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void A_qmc_pem_folder_gives_the_client_certificate_with_a_usable_key(bool pkcs8)
        {
            TestCertificates.WritePemFolder(_folder, Pair.Value.Client, Pair.Value.Root, pkcs8);

            using var loaded = ClientCertificateLoader.FromPemFolder(_folder);

            Assert.Equal(Pair.Value.Client.Thumbprint, loaded.Thumbprint);
            AssertKeySigns(loaded);
        }

        [Theory]
        [InlineData("RSA PRIVATE KEY")]
        [InlineData("PRIVATE KEY")]
        public void The_netstandard_path_attaches_a_key_read_by_our_der_reader(string label)
        {
            using var rsa = Pair.Value.Client.GetRSAPrivateKey()!;
            byte[] der = label == "PRIVATE KEY" ? rsa.ExportPkcs8PrivateKey() : rsa.ExportRSAPrivateKey();
            using var publicOnly = X509CertificateLoader.LoadCertificate(Pair.Value.Client.RawData);

            using var loaded = ClientCertificateLoader.AttachWithDerReader(publicOnly, new PemBlock(label, der, false), "client_key.pem");

            Assert.True(loaded.HasPrivateKey);
            AssertKeySigns(loaded);
        }

        [Fact]
        public void A_missing_folder_names_the_folder()
        {
            string missing = Path.Combine(_folder, "nope");
            var ex = Assert.Throws<QlikActivityException>(() => ClientCertificateLoader.FromPemFolder(missing));
            Assert.Equal(QrsErrorIds.CertificateFolderNotFound, ex.ErrorId);
            Assert.Contains(missing, ex.Message);
            Assert.Equal(OperationErrorCategory.ObjectNotFound, ex.Category);
        }

        [Theory]
        [InlineData("client.pem")]
        [InlineData("client_key.pem")]
        public void A_missing_file_names_the_file(string name)
        {
            TestCertificates.WritePemFolder(_folder, Pair.Value.Client, Pair.Value.Root);
            File.Delete(Path.Combine(_folder, name));

            var ex = Assert.Throws<QlikActivityException>(() => ClientCertificateLoader.FromPemFolder(_folder));

            Assert.Equal(QrsErrorIds.CertificateFileNotFound, ex.ErrorId);
            Assert.Contains(Path.Combine(_folder, name), ex.Message);
        }

        [Fact]
        public void A_key_from_another_export_is_a_mismatch()
        {
            TestCertificates.WritePemFolder(_folder, Pair.Value.Client, Pair.Value.Root);
            using var other = RSA.Create(2048);
            File.WriteAllText(Path.Combine(_folder, "client_key.pem"), other.ExportRSAPrivateKeyPem());

            var ex = Assert.Throws<QlikActivityException>(() => ClientCertificateLoader.FromPemFolder(_folder));

            Assert.Equal(QrsErrorIds.PrivateKeyMismatch, ex.ErrorId);
            Assert.Contains("does not belong", ex.Message);
        }

        [Fact]
        public void An_encrypted_key_is_explained_and_not_printed()
        {
            TestCertificates.WritePemFolder(_folder, Pair.Value.Client, Pair.Value.Root);
            using var rsa = Pair.Value.Client.GetRSAPrivateKey()!;
            string pem = rsa.ExportEncryptedPkcs8PrivateKeyPem("pw-Secret-123".AsSpan(),
                new PbeParameters(PbeEncryptionAlgorithm.Aes128Cbc, HashAlgorithmName.SHA256, 1000));
            File.WriteAllText(Path.Combine(_folder, "client_key.pem"), pem);

            var ex = Assert.Throws<QlikActivityException>(() => ClientCertificateLoader.FromPemFolder(_folder));

            Assert.Equal(QrsErrorIds.PrivateKeyUnreadable, ex.ErrorId);
            Assert.Contains("encrypted", ex.Message);
            SecretAssert.NotIn(ex.ToString(), pem, "pw-Secret-123");
        }

        [Fact]
        public void A_damaged_key_is_unreadable_and_its_content_is_not_printed()
        {
            TestCertificates.WritePemFolder(_folder, Pair.Value.Client, Pair.Value.Root);
            using var rsa = Pair.Value.Client.GetRSAPrivateKey()!;
            byte[] der = rsa.ExportRSAPrivateKey();
            Array.Resize(ref der, der.Length - 40);
            string pem = PemAndDerTests.Pem("RSA PRIVATE KEY", der);
            File.WriteAllText(Path.Combine(_folder, "client_key.pem"), pem);

            var ex = Assert.Throws<QlikActivityException>(() => ClientCertificateLoader.FromPemFolder(_folder));

            Assert.Equal(QrsErrorIds.PrivateKeyUnreadable, ex.ErrorId);
            Assert.Contains("client_key.pem", ex.Message);
            SecretAssert.NotIn(ex.ToString(), pem);
        }

        [Fact]
        public void A_pfx_with_the_right_password_loads_with_its_key()
        {
            byte[] pfx = Pair.Value.Client.Export(X509ContentType.Pkcs12, "right-pw");
            using var loaded = ClientCertificateLoader.FromPfx(pfx, new QrsSecret("right-pw"), "client.pfx");
            Assert.Equal(Pair.Value.Client.Thumbprint, loaded.Thumbprint);
            AssertKeySigns(loaded);
        }

        [Fact]
        public void A_wrong_pfx_password_is_its_own_error_without_the_password()
        {
            byte[] pfx = Pair.Value.Client.Export(X509ContentType.Pkcs12, "right-pw");

            var ex = Assert.Throws<QlikActivityException>(() => ClientCertificateLoader.FromPfx(pfx, new QrsSecret("Wrong-Pw-987"), "client.pfx"));

            Assert.Equal(QrsErrorIds.CertificatePasswordInvalid, ex.ErrorId);
            Assert.Contains("password is wrong", ex.Message);
            SecretAssert.NotIn(ex.ToString(), "Wrong-Pw-987", "right-pw");
        }

        [Fact]
        public void A_pem_file_given_as_pfx_says_so()
        {
            byte[] pem = Encoding.ASCII.GetBytes(Pair.Value.Client.ExportCertificatePem());
            var ex = Assert.Throws<QlikActivityException>(() => ClientCertificateLoader.FromPfx(pem, null, "client.pem"));
            Assert.Equal(QrsErrorIds.CertificateUnreadable, ex.ErrorId);
            Assert.Contains("-CertificatePath", ex.Message);
        }

        [Fact]
        public void A_pfx_without_a_private_key_is_refused()
        {
            using var publicOnly = X509CertificateLoader.LoadCertificate(Pair.Value.Client.RawData);
            byte[] pfx = publicOnly.Export(X509ContentType.Pkcs12, "pw");
            var ex = Assert.Throws<QlikActivityException>(() => ClientCertificateLoader.FromPfx(pfx, new QrsSecret("pw"), "client.pfx"));
            Assert.Equal(QrsErrorIds.CertificateWithoutPrivateKey, ex.ErrorId);
        }

        [Fact]
        public void A_missing_pfx_names_the_path()
        {
            string path = Path.Combine(_folder, "client.pfx");
            var ex = Assert.Throws<QlikActivityException>(() => ClientCertificateLoader.FromPfxFile(path, null));
            Assert.Equal(QrsErrorIds.CertificateFileNotFound, ex.ErrorId);
            Assert.Contains(path, ex.Message);
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void A_root_loads_from_pem_or_der(bool pem)
        {
            string path = Path.Combine(_folder, pem ? "root.pem" : "root.cer");
            if (pem)
            {
                File.WriteAllText(path, "\uFEFF\n" + Pair.Value.Root.ExportCertificatePem());
            }
            else
            {
                File.WriteAllBytes(path, Pair.Value.Root.RawData);
            }

            using var root = ClientCertificateLoader.LoadRoot(path);
            Assert.Equal(Pair.Value.Root.Thumbprint, root.Thumbprint);
        }

        [Fact]
        public void Thumbprints_copied_from_mmc_are_cleaned_up()
        {
            string copied = "\u200ea9 09 50 2d d8 2a e4 14 33 e6 f8 38 86 b0 0d 42 77 a3 2a 7b";
            Assert.Equal("A909502DD82AE41433E6F83886B00D4277A32A7B", ClientCertificateLoader.NormalizeThumbprint(copied));
        }

        [Theory]
        [InlineData("xyz")]
        [InlineData("A909502DD82AE41433E6F83886B00D4277A32A")]
        public void A_malformed_thumbprint_is_an_argument_error(string thumbprint)
        {
            var ex = Assert.Throws<QlikActivityException>(() => ClientCertificateLoader.FromStore(thumbprint));
            Assert.Equal(QrsErrorIds.InvalidConnectionOptions, ex.ErrorId);
        }

        [Fact]
        public void A_thumbprint_in_no_store_names_where_it_looked()
        {
            var ex = Assert.Throws<QlikActivityException>(() => ClientCertificateLoader.FromStore("0000000000000000000000000000000000000000"));
            Assert.Equal(QrsErrorIds.CertificateNotInStore, ex.ErrorId);
            Assert.Contains("Cert:\\CurrentUser\\My", ex.Message);
        }

        private static void AssertKeySigns(X509Certificate2 certificate)
        {
            using var key = certificate.GetRSAPrivateKey()!;
            using var pub = certificate.GetRSAPublicKey()!;
            byte[] data = { 1, 2, 3 };
            Assert.True(pub.VerifyData(data, key.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        }
    }

    internal static class SecretAssert
    {
        /// <summary>None of <paramref name="secrets"/> (nor a long slice of one) appears in <paramref name="text"/>.</summary>
        public static void NotIn(string text, params string[] secrets)
        {
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, text);
                // A PEM or token may be printed in part: check a slice from its middle too.
                if (secret.Length > 60)
                {
                    Assert.DoesNotContain(secret.Substring(secret.Length / 2, 24), text);
                }
            }
        }
    }
}
