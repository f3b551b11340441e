using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using QlikActivity.Core.Certificates;
using QlikActivity.Core.Destinations.Mqtt;
using QlikActivity.Core.Qrs;
using Xunit;

namespace QlikActivity.Core.Tests.Qrs
{
    /// <summary>
    /// Issue 11 item 15: private-key bytes are cleared once loaded; the netstandard2.0 build (what
    /// .NET Framework runs) offers TLS 1.2+ by name; a ping nobody awaits still has its failure seen.
    /// </summary>
    [Collection(KeyHygieneCollection.Name)]
    public class KeyHygieneTests
    {
        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void A_PEM_key_is_cleared_after_it_is_attached(bool pkcs8)
        {
            var root = TestCertificates.CreateRoot();
            using var client = TestCertificates.CreateSigned(root, "hygiene", server: false);
            string folder = TestCertificates.WritePemFolder(TestCertificates.NewTempFolder(), client, root, pkcs8);
            using var rsa = client.GetRSAPrivateKey()!;
            int derLength = (pkcs8 ? rsa.ExportPkcs8PrivateKey() : rsa.ExportRSAPrivateKey()).Length;

            var cleared = Watch(() =>
            {
                using var loaded = ClientCertificateLoader.FromPemFolder(folder);
                Assert.True(loaded.HasPrivateKey);
            });

            Assert.Contains(cleared, b => b.Length == derLength);
            Assert.All(cleared, b => Assert.All(b, x => Assert.Equal(0, x)));
        }

        [Fact]
        public void The_netstandard_key_reader_clears_the_RSA_parameters()
        {
            var root = TestCertificates.CreateRoot();
            using var client = TestCertificates.CreateSigned(root, "hygiene-der", server: false);
            using var rsa = client.GetRSAPrivateKey()!;
            var block = new PemBlock("RSA PRIVATE KEY", rsa.ExportRSAPrivateKey(), false);
            using var publicOnly = X509CertificateLoader.LoadCertificate(client.RawData);
            int dLength = rsa.ExportParameters(true).D!.Length;

            var cleared = Watch(() =>
            {
                using var loaded = ClientCertificateLoader.AttachWithDerReader(publicOnly, block, "client_key.pem");
                Assert.True(loaded.HasPrivateKey);
            });

            Assert.True(cleared.Count(b => b.Length == dLength) >= 1, "D was not cleared");
            Assert.True(cleared.Count >= 6, "every private part (D, P, Q, DP, DQ, InverseQ) is cleared");
            Assert.All(cleared, b => Assert.All(b, x => Assert.Equal(0, x)));
        }

        [Fact]
        public void A_PFX_file_read_is_cleared_after_it_is_opened()
        {
            var root = TestCertificates.CreateRoot();
            using var client = TestCertificates.CreateSigned(root, "hygiene-pfx", server: false);
            string path = Path.Combine(TestCertificates.NewTempFolder(), "client.pfx");
            File.WriteAllBytes(path, client.Export(X509ContentType.Pfx, "pw"));
            long length = new FileInfo(path).Length;

            var cleared = Watch(() =>
            {
                using var loaded = ClientCertificateLoader.FromPfxFile(path, new QrsSecret("pw"));
                Assert.True(loaded.HasPrivateKey);
            });

            Assert.Contains(cleared, b => b.Length == length);
            Assert.All(cleared, b => Assert.All(b, x => Assert.Equal(0, x)));
        }

        [Fact]
        public void Clients_offer_TLS_1_2_or_later()
        {
#if CORE_NETSTANDARD
            // The netstandard2.0 build names its versions: .NET Framework's own default can be TLS 1.0.
            Assert.True((TlsProtocols.Client & SslProtocols.Tls12) == SslProtocols.Tls12, TlsProtocols.Client.ToString());
            Assert.Equal(SslProtocols.Tls12, TlsProtocols.Choose(windows: true, new Version(10, 0, 17763)));
            Assert.Equal(SslProtocols.Tls12 | TlsProtocols.Tls13, TlsProtocols.Choose(windows: true, new Version(10, 0, 20348)));
            // Naming SSL 3 (obsolete) is the point: the assertion is that it is left out.
#pragma warning disable CS0618, CA5397
            Assert.Equal(0, (int)(TlsProtocols.Client & (SslProtocols.Ssl3 | (SslProtocols)0x00C0 | (SslProtocols)0x0300)));
#pragma warning restore CS0618, CA5397
#else
            // .NET 8 leaves it to the system, whose defaults are TLS 1.2 and 1.3.
            Assert.Equal(SslProtocols.None, TlsProtocols.Client);
#endif
        }

#if CORE_NETSTANDARD
        [Fact]
        public void The_QRS_handler_of_the_netstandard_build_offers_TLS_1_2()
        {
            var setup = QrsHandlerSetup.Create(new QrsConnectionOptions
            {
                Server = "127.0.0.1",
                AuthenticationMode = AuthenticationMode.Jwt,
                Jwt = new QrsSecret("a.b.c"),
                SkipCertificateCheck = true,
            });
            using var handler = Assert.IsType<HttpClientHandler>(setup.Handler);
            Assert.Equal(SslProtocols.Tls12, handler.SslProtocols & SslProtocols.Tls12);
        }
#endif

        [Fact]
        public async Task A_ping_nobody_awaits_still_closes_the_connection_with_its_failure()
        {
            var failed = new TaskCompletionSource<Exception>();
            var write = new TaskCompletionSource<bool>();
            var observed = MqttConnection.ObserveFailure(write.Task, ex => failed.TrySetResult(ex));

            var broken = new IOException("broken pipe");
            write.SetException(broken);
            await observed; // completes, never faults

            Assert.Same(broken, await failed.Task);
            Assert.True(observed.IsCompletedSuccessfully);
            Assert.True(write.Task.IsFaulted);
        }

        private static ConcurrentBag<byte[]> Watch(Action action)
        {
            var cleared = new ConcurrentBag<byte[]>();
            KeyMaterial.ClearedForTests = b => cleared.Add(b);
            try
            {
                action();
            }
            finally
            {
                KeyMaterial.ClearedForTests = null;
            }

            return cleared;
        }
    }

    /// <summary>The key-clearing hook is static: its tests run one at a time.</summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class KeyHygieneCollection
    {
        public const string Name = "Key hygiene";
    }
}
