using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Qrs;
using QlikActivity.Core.Tests.Simulator;
using Xunit;

namespace QlikActivity.Core.Tests.Qrs
{
    /// <summary>Every authentication mode and every connection failure, against the real simulator over HTTPS.</summary>
    [Trait("Category", "Integration")]
    public sealed class SimulatorConnectionTests : IClassFixture<SimulatorFixture>, IDisposable
    {
        private readonly SimulatorFixture _f;
        private readonly string _temp = TestCertificates.NewTempFolder();

        public SimulatorConnectionTests(SimulatorFixture fixture)
        {
            _f = fixture;
            _f.Sim.Faults.Clear();
        }

        public void Dispose()
        {
            _f.Sim.Faults.Clear();
            Directory.Delete(_temp, recursive: true);
        }

        [Fact]
        public async Task A_pem_folder_as_the_qmc_exports_it_connects_with_x_qlik_user()
        {
            using var connection = await QlikSenseConnection.ConnectAsync(_f.CertificateOptions(o => o.UserId = "sa_scheduler"));

            Assert.Equal("38.22.0.0", connection.ServerVersion);
            Assert.Equal("INTERNAL\\sa_scheduler", connection.User);
            Assert.Equal(AuthenticationMode.Certificate, connection.AuthenticationMode);
            Assert.Equal("CN=QlikClient", connection.CertificateSubject);
            Assert.Equal(_f.Sim.ClientCertificate.Thumbprint, connection.CertificateThumbprint);
            Assert.Equal(_f.Sim.Port, connection.Port);
            Assert.True(connection.IsOpen);
            var users = await connection.Client.GetJsonAsync("user/count");
            Assert.Equal(_f.Sim.Store.Users().Count, (int)users!["value"]!);
        }

        [Fact]
        public async Task A_pkcs8_key_connects_too()
        {
            CopySimFolder(_temp);
            File.Copy(Path.Combine(_f.Sim.CertificateDirectory, "client_key_pkcs8.pem"), Path.Combine(_temp, "client_key.pem"), overwrite: true);

            using var connection = await QlikSenseConnection.ConnectAsync(_f.CertificateOptions(o => o.CertificateFolder = _temp));

            Assert.Equal("38.22.0.0", connection.ServerVersion);
        }

        [Fact]
        public async Task A_pfx_with_a_password_connects_and_its_root_is_found_beside_it()
        {
            string pfx = Path.Combine(_temp, "client.pfx");
            File.WriteAllBytes(pfx, _f.Sim.ClientCertificate.Export(X509ContentType.Pkcs12, "Pfx-Pw-1"));
            File.WriteAllBytes(Path.Combine(_temp, "root.cer"), _f.Sim.RootCertificate.RawData);

            using var connection = await QlikSenseConnection.ConnectAsync(_f.CertificateOptions(o =>
            {
                o.CertificateFolder = null;
                o.PfxPath = pfx;
                o.PfxPassword = new QrsSecret("Pfx-Pw-1");
            }));

            Assert.Equal("CN=QlikClient", connection.CertificateSubject);
        }

        [Fact]
        public async Task The_qmc_pfx_without_a_password_connects()
        {
            using var connection = await QlikSenseConnection.ConnectAsync(_f.CertificateOptions(o =>
            {
                o.CertificateFolder = null;
                o.PfxPath = Path.Combine(_f.Sim.CertificateDirectory, "client.pfx");
            }));

            Assert.Equal("38.22.0.0", connection.ServerVersion);
        }

        [Fact]
        public async Task A_wrong_pfx_password_is_named_as_such()
        {
            string pfx = Path.Combine(_temp, "client.pfx");
            File.WriteAllBytes(pfx, _f.Sim.ClientCertificate.Export(X509ContentType.Pkcs12, "Pfx-Pw-1"));
            _f.Sim.Requests.Clear();

            var ex = await Assert.ThrowsAsync<QlikActivityException>(() => QlikSenseConnection.ConnectAsync(_f.CertificateOptions(o =>
            {
                o.CertificateFolder = null;
                o.PfxPath = pfx;
                o.PfxPassword = new QrsSecret("Not-The-Pw-2");
            })));

            Assert.Equal(QrsErrorIds.CertificatePasswordInvalid, ex.ErrorId);
            Assert.Contains(pfx, ex.Message);
            SecretAssert.NotIn(ex.ToString(), "Not-The-Pw-2", "Pfx-Pw-1");
            Assert.Equal(0, _f.Sim.Requests.Total); // found out before anything is sent
        }

        [Fact]
        public async Task A_certificate_from_the_store_is_found_by_thumbprint()
        {
            using var store = new X509Store(StoreName.My, StoreLocation.CurrentUser);
            store.Open(OpenFlags.ReadWrite);
            using var withKey = X509CertificateLoader.LoadPkcs12(_f.Sim.ClientCertificate.Export(X509ContentType.Pkcs12, ""), "",
                X509KeyStorageFlags.Exportable | X509KeyStorageFlags.PersistKeySet);
            store.Add(withKey);
            try
            {
                string spaced = string.Join(" ", Enumerable.Range(0, 20).Select(i => withKey.Thumbprint.Substring(i * 2, 2).ToLowerInvariant()));
                using var connection = await QlikSenseConnection.ConnectAsync(_f.CertificateOptions(o =>
                {
                    o.CertificateFolder = null;
                    o.Thumbprint = spaced;
                    o.RootCertificatePath = _f.RootPem;
                }));

                Assert.Equal(withKey.Thumbprint, connection.CertificateThumbprint);
                Assert.Equal("38.22.0.0", connection.ServerVersion);
            }
            finally
            {
                store.Remove(withKey);
            }
        }

        [Fact]
        public async Task A_certificate_object_connects_and_is_not_disposed_by_the_connection()
        {
            var certificate = _f.Sim.ClientCertificate;
            var connection = await QlikSenseConnection.ConnectAsync(_f.CertificateOptions(o =>
            {
                o.CertificateFolder = null;
                o.ClientCertificate = certificate;
                o.RootCertificatePath = _f.RootPem;
            }));
            connection.Dispose();

            Assert.False(connection.IsOpen);
            Assert.True(certificate.HasPrivateKey);
            Assert.NotNull(certificate.GetRSAPrivateKey());
        }

        [Fact]
        public async Task A_jwt_goes_through_the_virtual_proxy_as_bearer()
        {
            string jwt = _f.Sim.CreateJwt("LAB", "anna");
            _f.Sim.Requests.Clear();

            using var connection = await QlikSenseConnection.ConnectAsync(_f.JwtOptions(jwt));
            long count = await connection.Client.GetCountAsync("user");

            Assert.Equal(AuthenticationMode.Jwt, connection.AuthenticationMode);
            Assert.Equal("LAB\\anna", connection.User);
            Assert.Equal("jwt", connection.VirtualProxy);
            Assert.Null(connection.CertificateSubject);
            Assert.Equal(_f.Sim.Store.Users().Count, count);
            Assert.Equal(1, _f.Sim.Requests.Count("GET", "/jwt/qrs/about", 200));
            Assert.Equal(1, _f.Sim.Requests.Count("GET", "/jwt/qrs/user/count", 200));
        }

        [Fact]
        public async Task An_expired_jwt_is_a_401_that_says_so_and_never_prints_the_token()
        {
            string jwt = _f.Sim.CreateJwt("LAB", "anna", TimeSpan.FromSeconds(-60));

            var ex = await Assert.ThrowsAsync<QrsException>(() => QlikSenseConnection.ConnectAsync(_f.JwtOptions(jwt)));

            Assert.Equal(QrsErrorIds.Unauthorized, ex.ErrorId);
            Assert.Equal(HttpStatusCode.Unauthorized, ex.StatusCode);
            Assert.Contains("rejected the JWT", ex.Message);
            Assert.Contains("expired", ex.Message);
            SecretAssert.NotIn(ex.ToString(), jwt, jwt.Split('.')[2]);
        }

        [Fact]
        public async Task A_jwt_signed_by_another_key_is_a_401()
        {
            string foreign = ForeignJwt("LAB", "anna");

            var ex = await Assert.ThrowsAsync<QrsException>(() => QlikSenseConnection.ConnectAsync(_f.JwtOptions(foreign)));

            Assert.Equal(QrsErrorIds.Unauthorized, ex.ErrorId);
            Assert.DoesNotContain("expired", ex.Message);
            SecretAssert.NotIn(ex.ToString(), foreign);
        }

        [Fact]
        public async Task A_missing_certificate_folder_names_the_path()
        {
            string missing = Path.Combine(_temp, "no-such-folder");
            var ex = await Assert.ThrowsAsync<QlikActivityException>(() => QlikSenseConnection.ConnectAsync(_f.CertificateOptions(o => o.CertificateFolder = missing)));
            Assert.Equal(QrsErrorIds.CertificateFolderNotFound, ex.ErrorId);
            Assert.Contains(missing, ex.Message);
        }

        [Fact]
        public async Task An_unreachable_host_names_host_and_port_and_is_not_retried()
        {
            int closedPort = ClosedPort();

            var ex = await Assert.ThrowsAsync<QrsException>(() => QlikSenseConnection.ConnectAsync(_f.CertificateOptions(o =>
            {
                o.Port = closedPort;
                o.MaximumRetryCount = 4;
                o.RetryBaseDelay = TimeSpan.FromSeconds(30); // a retry would make this test hang
            })));

            Assert.Equal(QrsErrorIds.HostUnreachable, ex.ErrorId);
            Assert.Equal(OperationErrorCategory.ConnectionError, ex.Category);
            Assert.Contains($"127.0.0.1:{closedPort}", ex.Message);
        }

        [Fact]
        public async Task A_server_certificate_not_from_root_pem_is_refused_and_the_way_out_is_named()
        {
            string otherRoot = Path.Combine(_temp, "root.pem");
            File.WriteAllText(otherRoot, TestCertificates.CreateRoot("Some Other CA").ExportCertificatePem());

            var ex = await Assert.ThrowsAsync<QrsException>(() => QlikSenseConnection.ConnectAsync(_f.CertificateOptions(o => o.RootCertificatePath = otherRoot)));

            Assert.Equal(QrsErrorIds.ServerCertificateNotTrusted, ex.ErrorId);
            Assert.Equal(OperationErrorCategory.SecurityError, ex.Category);
            Assert.Contains("not signed by the root CA 'CN=Some Other CA'", ex.Message);
            Assert.Contains(otherRoot, ex.Message);
            Assert.Contains("-SkipCertificateCheck", ex.Message);
        }

        [Fact]
        public void Skipping_the_certificate_check_connects_and_warns()
        {
            string otherRoot = Path.Combine(_temp, "root.pem");
            File.WriteAllText(otherRoot, TestCertificates.CreateRoot("Some Other CA").ExportCertificatePem());
            var host = new RecordingHost();

            using var connection = QlikSenseConnection.Connect(host, _f.CertificateOptions(o =>
            {
                o.RootCertificatePath = otherRoot;
                o.SkipCertificateCheck = true;
            }));

            Assert.True(connection.SkipCertificateCheck);
            var warning = Assert.Single(host.Warnings);
            Assert.Contains("-SkipCertificateCheck", warning);
            Assert.Contains(host.Verbose, v => v.StartsWith("Connected to", StringComparison.Ordinal));
        }

        [Fact]
        public async Task A_server_certificate_for_another_name_is_refused()
        {
            var root = TestCertificates.CreateRoot("Name Test CA");
            using var serverCert = TestCertificates.CreateSigned(root, "sense.other.example", true, new[] { "sense.other.example" });
            using var server = new TlsTestServer(serverCert);
            string rootPath = Path.Combine(_temp, "name-root.pem");
            File.WriteAllText(rootPath, root.ExportCertificatePem());

            var ex = await Assert.ThrowsAsync<QrsException>(() => QlikSenseConnection.ConnectAsync(_f.CertificateOptions(o =>
            {
                o.Port = server.Port;
                o.RootCertificatePath = rootPath;
            })));

            Assert.Equal(QrsErrorIds.ServerCertificateNotTrusted, ex.ErrorId);
            Assert.Contains("not issued for the name", ex.Message);
            Assert.Contains("sense.other.example", ex.Message);
        }

        [Fact]
        public async Task The_same_server_with_the_right_name_and_root_is_trusted()
        {
            // The control for the test above: only the name differs.
            var root = TestCertificates.CreateRoot("Name Test CA");
            using var serverCert = TestCertificates.CreateSigned(root, "127.0.0.1", true, new[] { "127.0.0.1" });
            using var server = new TlsTestServer(serverCert);
            string rootPath = Path.Combine(_temp, "name-root.pem");
            File.WriteAllText(rootPath, root.ExportCertificatePem());

            using var connection = await QlikSenseConnection.ConnectAsync(_f.CertificateOptions(o =>
            {
                o.Port = server.Port;
                o.RootCertificatePath = rootPath;
            }));

            Assert.Equal("test", connection.ServerVersion);
        }

        [Theory]
        [InlineData(true, "lacks serverAuth")] // a client certificate of the site's CA, with the server's name
        [InlineData(false, "names no Extended Key Usage")]
        public async Task A_server_certificate_of_the_site_root_not_marked_for_servers_is_refused(bool clientUsage, string why)
        {
            // Issue 11 item 11: with a custom root our own chain decides, so it must check the usage too.
            var root = TestCertificates.CreateRoot("Usage Test CA");
            using var serverCert = TestCertificates.CreateSigned(root, "127.0.0.1", server: false, new[] { "127.0.0.1" }, extendedKeyUsage: clientUsage);
            using var server = new TlsTestServer(serverCert);
            string rootPath = Path.Combine(_temp, "usage-root.pem");
            File.WriteAllText(rootPath, root.ExportCertificatePem());

            var ex = await Assert.ThrowsAsync<QrsException>(() => QlikSenseConnection.ConnectAsync(_f.CertificateOptions(o =>
            {
                o.Port = server.Port;
                o.RootCertificatePath = rootPath;
            })));

            Assert.Equal(QrsErrorIds.ServerCertificateNotTrusted, ex.ErrorId);
            Assert.Contains(why, ex.Message);
            Assert.Contains("1.3.6.1.5.5.7.3.1", ex.Message);
        }

        [Fact]
        public async Task A_client_certificate_from_another_ca_is_refused_by_name()
        {
            using var untrusted = _f.Sim.CreateUntrustedClientCertificate();

            var ex = await Assert.ThrowsAsync<QrsException>(() => QlikSenseConnection.ConnectAsync(_f.CertificateOptions(o =>
            {
                o.CertificateFolder = null;
                o.ClientCertificate = untrusted;
                o.RootCertificatePath = _f.RootPem;
                o.MaximumRetryCount = 1;
            })));

            Assert.Equal(QrsErrorIds.ClientCertificateRejected, ex.ErrorId);
            Assert.Equal(OperationErrorCategory.AuthenticationError, ex.Category);
            Assert.Contains("refused the client certificate 'CN=QlikClient'", ex.Message);
        }

        [Fact]
        public async Task A_request_without_the_xrfkey_header_gets_the_servers_403_explained()
        {
            var options = _f.CertificateOptions();
            options.WrapHandler = inner => new StripHeader(inner, "X-Qlik-Xrfkey");

            var ex = await Assert.ThrowsAsync<QrsException>(() => QlikSenseConnection.ConnectAsync(options));

            Assert.Equal(QrsErrorIds.Forbidden, ex.ErrorId);
            Assert.Equal(OperationErrorCategory.PermissionDenied, ex.Category);
            Assert.Contains("XSRF prevention check failed", ex.Message);
        }

        [Fact]
        public async Task A_missing_entity_is_a_404()
        {
            using var connection = await QlikSenseConnection.ConnectAsync(_f.CertificateOptions());
            var ex = await Assert.ThrowsAsync<QrsException>(() => connection.Client.GetJsonAsync("user/" + Guid.NewGuid()));
            Assert.Equal(QrsErrorIds.NotFound, ex.ErrorId);
            Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
        }

        [Fact]
        public async Task A_put_with_a_stale_modified_date_is_a_conflict_and_a_fresh_one_is_stored()
        {
            using var connection = await QlikSenseConnection.ConnectAsync(_f.CertificateOptions());
            var id = _f.Sim.Store.AddUser("LAB", "conflict." + Guid.NewGuid().ToString("N").Substring(0, 6));
            var user = (JsonObject)(await connection.Client.GetJsonAsync("user/" + id))!;
            var stale = (JsonObject)user.DeepClone();
            stale["modifiedDate"] = "2001-01-01T00:00:00.000Z";

            var ex = await Assert.ThrowsAsync<QrsConflictException>(() => connection.Client.PutJsonAsync("user/" + id, stale));
            Assert.Equal(QrsErrorIds.Conflict, ex.ErrorId);

            user["name"] = "Renamed";
            var stored = await connection.Client.PutJsonAsync("user/" + id, user);
            Assert.Equal("Renamed", (string?)stored["name"]);
            Assert.NotEqual((string?)user["modifiedDate"], (string?)stored["modifiedDate"]);
            Assert.Equal("Renamed", (string?)_f.Sim.Store.User(id)!["name"]);
        }

        [Fact]
        public async Task Server_errors_are_retried_then_reported_with_the_count()
        {
            using var connection = await QlikSenseConnection.ConnectAsync(_f.CertificateOptions(o => o.MaximumRetryCount = 2));
            _f.Sim.Requests.Clear();
            _f.Sim.Faults.ServerErrorRate = 1;

            var ex = await Assert.ThrowsAsync<QrsException>(() => connection.Client.GetJsonAsync("user/full"));

            Assert.Equal(QrsErrorIds.ServerError, ex.ErrorId);
            Assert.Contains("500", ex.Message);
            Assert.Contains("after 2 retries", ex.Message);
            Assert.Equal(3, _f.Sim.Requests.Count("GET", "/qrs/user/full", 500));
        }

        [Theory]
        [InlineData("503")]
        [InlineData("429")]
        [InlineData("drop")]
        public Task Transient_failures_are_retried_until_the_list_arrives_whole(string fault) => FaultSeed.RunAsync(_f.Sim.Faults, 1405, async () =>
        {
            using var connection = await QlikSenseConnection.ConnectAsync(_f.CertificateOptions(o => o.MaximumRetryCount = 25));
            var client = connection.Client;
            var before = client.RequestCounts.Snapshot();
            _f.Sim.Requests.Clear();
            switch (fault)
            {
                case "503": _f.Sim.Faults.UnavailableRate = 0.5; break;
                case "429": _f.Sim.Faults.TooManyRequestsRate = 0.5; break;
                default: _f.Sim.Faults.DropRate = 0.5; break;
            }

            int expected = _f.Sim.Store.Users().Count;
            for (int i = 0; i < 12; i++)
            {
                var users = await client.GetArrayAsync<JsonObject>("user/full").ToListAsync();
                Assert.Equal(expected, users.Count);
            }

            var sent = client.RequestCounts.Since(before);
            Assert.True(sent.Retries > 0, "with half the requests failing, some must have been retried");
            Assert.Equal(12 + sent.Retries, sent.Get);

            // The simulator logs a request after its response is sent: the client can read the last
            // response before that line runs, so give the bookkeeping a moment before comparing exactly.
            SpinWait.SpinUntil(() => _f.Sim.Requests.Count("GET", "/qrs/user/full") >= sent.Get, TimeSpan.FromSeconds(10));
            Assert.Equal(sent.Get, _f.Sim.Requests.Count("GET", "/qrs/user/full"));
        });

        [Fact]
        public async Task A_server_slower_than_the_timeout_is_a_timeout_error()
        {
            using var connection = await QlikSenseConnection.ConnectAsync(_f.CertificateOptions(o => o.Timeout = TimeSpan.FromMilliseconds(300)));
            _f.Sim.Faults.Latency = TimeSpan.FromSeconds(20);

            var ex = await Assert.ThrowsAsync<QrsException>(() => connection.Client.GetJsonAsync("user"));

            Assert.Equal(QrsErrorIds.Timeout, ex.ErrorId);
            Assert.Equal(OperationErrorCategory.OperationTimeout, ex.Category);
        }

        [Fact]
        public async Task A_closed_connection_refuses_further_requests()
        {
            var connection = await QlikSenseConnection.ConnectAsync(_f.CertificateOptions());
            connection.Dispose();
            var ex = await Assert.ThrowsAsync<QrsException>(() => connection.Client.GetJsonAsync("about"));
            Assert.Equal(QrsErrorIds.Disposed, ex.ErrorId);
        }

        [Fact]
        public async Task No_secret_appears_in_any_message_host_stream_or_connection_text()
        {
            var texts = new List<string>();
            string jwt = _f.Sim.CreateJwt("LAB", "anna");
            string expiredJwt = _f.Sim.CreateJwt("LAB", "anna", TimeSpan.FromSeconds(-60));
            string keyPem = File.ReadAllText(Path.Combine(_f.Sim.CertificateDirectory, "client_key.pem"));
            const string Password = "Secret-Pfx-Pw-42";

            // A working JWT connection, through the host seam, with the certificate check skipped (it warns).
            var host = new RecordingHost();
            using (var connection = QlikSenseConnection.Connect(host, _f.JwtOptions(jwt, o => o.SkipCertificateCheck = true)))
            {
                texts.Add(connection.ToString());
                texts.AddRange(typeof(QlikSenseConnection).GetProperties().Select(p => p.GetValue(connection)?.ToString() ?? ""));
            }

            texts.AddRange(host.AllText());

            // A rejected JWT.
            texts.Add((await Assert.ThrowsAsync<QrsException>(() => QlikSenseConnection.ConnectAsync(_f.JwtOptions(expiredJwt)))).ToString());

            // A wrong PFX password.
            string pfx = Path.Combine(_temp, "client.pfx");
            File.WriteAllBytes(pfx, _f.Sim.ClientCertificate.Export(X509ContentType.Pkcs12, "Right-" + Password));
            texts.Add((await Assert.ThrowsAnyAsync<QlikActivityException>(() => QlikSenseConnection.ConnectAsync(_f.CertificateOptions(o =>
            {
                o.CertificateFolder = null;
                o.PfxPath = pfx;
                o.PfxPassword = new QrsSecret(Password);
            })))).ToString());

            // A damaged key and a key of another certificate.
            CopySimFolder(_temp);
            File.WriteAllText(Path.Combine(_temp, "client_key.pem"), keyPem.Substring(0, keyPem.Length - 200) + "\n-----END RSA PRIVATE KEY-----\n");
            texts.Add((await Assert.ThrowsAnyAsync<QlikActivityException>(() => QlikSenseConnection.ConnectAsync(_f.CertificateOptions(o => o.CertificateFolder = _temp)))).ToString());

            // The options themselves.
            texts.Add(_f.JwtOptions(jwt).Jwt!.ToString());

            string all = string.Join("\n", texts);
            Assert.Contains("rejected the JWT", all); // the failures really happened
            Assert.Contains("password is wrong", all);
            SecretAssert.NotIn(all, jwt, jwt.Split('.')[2], expiredJwt, expiredJwt.Split('.')[2], Password, keyPem);
            foreach (var line in keyPem.Split('\n').Where(l => l.Length >= 60))
            {
                Assert.DoesNotContain(line, all);
            }
        }

        /// <summary>A well-formed RS256 token with the right attributes, signed by a key the proxy does not know.</summary>
        private static string ForeignJwt(string userDirectory, string userId)
        {
            using var key = System.Security.Cryptography.RSA.Create(2048);
            static string B64(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            string header = B64(System.Text.Encoding.UTF8.GetBytes("{\"alg\":\"RS256\",\"typ\":\"JWT\"}"));
            string payload = B64(System.Text.Encoding.UTF8.GetBytes($"{{\"userDirectory\":\"{userDirectory}\",\"userId\":\"{userId}\",\"iat\":{now},\"exp\":{now + 3600}}}"));
            byte[] signature = key.SignData(System.Text.Encoding.ASCII.GetBytes(header + "." + payload),
                System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            return header + "." + payload + "." + B64(signature);
        }

        private void CopySimFolder(string target)
        {
            foreach (var name in new[] { "client.pem", "client_key.pem", "root.pem" })
            {
                File.Copy(Path.Combine(_f.Sim.CertificateDirectory, name), Path.Combine(target, name), overwrite: true);
            }
        }

        private static int ClosedPort()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }

        private sealed class StripHeader : DelegatingHandler
        {
            private readonly string _header;

            public StripHeader(HttpMessageHandler inner, string header)
                : base(inner)
            {
                _header = header;
            }

            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                request.Headers.Remove(_header);
                return base.SendAsync(request, cancellationToken);
            }
        }
    }
}
