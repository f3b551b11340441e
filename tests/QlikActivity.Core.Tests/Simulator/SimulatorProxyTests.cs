using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using QlikActivity.QrsSimulator.Security;
using Xunit;

namespace QlikActivity.Core.Tests.Simulator
{
    /// <summary>The JWT virtual proxy side: /{prefix}/qrs/... with a bearer token.</summary>
    [Trait("Category", "Integration")]
    public class SimulatorProxyTests : IAsyncLifetime
    {
        private QrsSimulator.SimulatedQrs _sim = null!;
        private HttpClient _http = null!;

        public async Task InitializeAsync()
        {
            _sim = await SimulatorHttp.StartAsync(users: 30);
            _http = SimulatorHttp.Client(_sim, null);
        }

        public async Task DisposeAsync()
        {
            _http.Dispose();
            await _sim.DisposeAsync();
        }

        [Fact]
        public async Task A_valid_token_reads_the_repository()
        {
            Assert.Equal($"https://127.0.0.1:{_sim.ProxyPort}/jwt/", _sim.ProxyBaseUri.ToString());
            using var response = await _http.SendAsync(SimulatorHttp.ProxyRequest(_sim, "qrs/user/count", _sim.CreateJwt("INTERNAL", "sa_api")));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(30, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["value"]!.GetValue<int>());
            Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("X-Qlik-Session-jwt=", StringComparison.Ordinal));
        }

        [Fact]
        public async Task Writes_through_the_proxy_are_made_by_the_token_user()
        {
            var def = _sim.Store.Entities("custompropertydefinition")[0];
            def["description"] = "changed through the proxy";
            var request = SimulatorHttp.ProxyRequest(_sim, "qrs/custompropertydefinition/" + def["id"], _sim.CreateJwt("CORP", "admin1"));
            request.Method = HttpMethod.Put;
            request.Content = new StringContent(def.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
            using var response = await _http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("CORP\\admin1", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["modifiedByUserName"]!.GetValue<string>());
        }

        [Fact]
        public async Task An_expired_token_is_401()
        {
            using var response = await _http.SendAsync(SimulatorHttp.ProxyRequest(_sim, "qrs/about", _sim.CreateJwt("INTERNAL", "sa_api", TimeSpan.FromSeconds(-5))));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        [Fact]
        public async Task A_token_signed_by_another_key_or_tampered_is_401()
        {
            using var other = JwtAuthority.Generate();
            string foreign = other.Create("INTERNAL", "sa_api", DateTime.UtcNow, TimeSpan.FromHours(1));
            using (var response = await _http.SendAsync(SimulatorHttp.ProxyRequest(_sim, "qrs/about", foreign)))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            }

            string good = _sim.CreateJwt("INTERNAL", "sa_api");
            var parts = good.Split('.');
            string tampered = parts[0] + "." + parts[1].Substring(0, parts[1].Length - 2) + "AA." + parts[2];
            using (var response = await _http.SendAsync(SimulatorHttp.ProxyRequest(_sim, "qrs/about", tampered)))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            }

            using (var response = await _http.SendAsync(SimulatorHttp.ProxyRequest(_sim, "qrs/about", "not-a-token")))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            }
        }

        [Fact]
        public async Task Without_a_token_the_proxy_redirects_to_a_login_form()
        {
            using (var response = await _http.SendAsync(SimulatorHttp.ProxyRequest(_sim, "qrs/user/full", null)))
            {
                Assert.Equal(HttpStatusCode.Found, response.StatusCode);
                Assert.Contains("/jwt/internal_forms_authentication/", response.Headers.Location!.ToString());
            }

            // A client that follows redirects sees 200 with HTML: what trips naive JSON parsing.
            using var following = SimulatorHttp.Client(_sim, null, followRedirects: true);
            using var followed = await following.SendAsync(SimulatorHttp.ProxyRequest(_sim, "qrs/user/full", null));
            Assert.Equal(HttpStatusCode.OK, followed.StatusCode);
            Assert.Equal("text/html", followed.Content.Headers.ContentType!.MediaType);
            Assert.StartsWith("<!DOCTYPE html>", await followed.Content.ReadAsStringAsync());
        }

        [Fact]
        public async Task The_proxy_checks_the_xrfkey_too()
        {
            var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_sim.ProxyBaseUri, "qrs/about?xrfkey=" + SimulatorHttp.Xrfkey));
            request.Headers.Add("Authorization", "Bearer " + _sim.CreateJwt("INTERNAL", "sa_api"));
            using var response = await _http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("XSRF prevention check failed. Possible XSRF discovered.", await response.Content.ReadAsStringAsync());
        }

        [Fact]
        public void The_jwt_keys_are_written_and_a_key_file_signs_and_verifies()
        {
            string privateKey = System.IO.Path.Combine(_sim.CertificateDirectory, "jwt_private_key.pem");
            string publicKey = System.IO.Path.Combine(_sim.CertificateDirectory, "jwt_public_key.pem");
            using var signer = JwtAuthority.FromPemFile(privateKey);
            using var verifier = JwtAuthority.FromPemFile(publicKey);
            Assert.False(verifier.CanSign);
            var now = DateTime.UtcNow;
            var token = signer.Create("LAB", "anna", now, TimeSpan.FromMinutes(5));
            var check = verifier.Check(token, now);
            Assert.True(check.Valid, check.Reason);
            Assert.Equal(("LAB", "anna"), (check.UserDirectory, check.UserId));
            Assert.Equal("expired", verifier.Check(token, now.AddMinutes(6)).Reason);
            Assert.True(_sim.CertificateDirectory.Length > 0 && new[] { "root.pem", "client.pem", "client_key.pem", "client.pfx" }
                .All(f => System.IO.File.Exists(System.IO.Path.Combine(_sim.CertificateDirectory, f))));
        }

        [Fact]
        public async Task A_jwt_key_file_in_PKCS1_or_as_public_key_only_is_used()
        {
            string dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "qrs-jwt-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            System.IO.Directory.CreateDirectory(dir);
            try
            {
                using var rsa = System.Security.Cryptography.RSA.Create(2048);
                string pkcs1 = System.IO.Path.Combine(dir, "jwt_pkcs1.pem");
                string publicOnly = System.IO.Path.Combine(dir, "jwt_public.pem");
                System.IO.File.WriteAllText(pkcs1, rsa.ExportRSAPrivateKeyPem());
                System.IO.File.WriteAllText(publicOnly, rsa.ExportSubjectPublicKeyInfoPem());
                using var external = JwtAuthority.FromPemFile(pkcs1);
                Assert.True(external.CanSign);
                string token = external.Create("LAB", "anna", DateTime.UtcNow, TimeSpan.FromMinutes(10));

                await using var verifyOnly = await QrsSimulator.SimulatedQrs.StartAsync(new QrsSimulator.QrsSimulatorOptions { Users = 5, JwtKeyFile = publicOnly });
                Assert.Throws<InvalidOperationException>(() => verifyOnly.CreateJwt("LAB", "anna"));
                using var http = SimulatorHttp.Client(verifyOnly, null);
                using (var response = await http.SendAsync(SimulatorHttp.ProxyRequest(verifyOnly, "qrs/about", token)))
                {
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                }

                // The simulator's own key does not sign what this one accepts.
                using (var response = await http.SendAsync(SimulatorHttp.ProxyRequest(verifyOnly, "qrs/about", _sim.CreateJwt("LAB", "anna"))))
                {
                    Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
                }

                await using var signing = await QrsSimulator.SimulatedQrs.StartAsync(new QrsSimulator.QrsSimulatorOptions { Users = 5, JwtKeyFile = pkcs1, VirtualProxyPrefix = "hdr" });
                Assert.EndsWith("/hdr/", signing.ProxyBaseUri.ToString());
                using var http2 = SimulatorHttp.Client(signing, null);
                using (var response = await http2.SendAsync(SimulatorHttp.ProxyRequest(signing, "qrs/user/count", signing.CreateJwt("LAB", "anna"))))
                {
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                }

                using (var response = await http2.SendAsync(SimulatorHttp.ProxyRequest(signing, "qrs/user/count", token)))
                {
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                }
            }
            finally
            {
                System.IO.Directory.Delete(dir, recursive: true);
            }
        }

        [Fact]
        public async Task The_session_cookie_of_an_authenticated_answer_carries_later_requests()
        {
            string cookie;
            using (var first = await _http.SendAsync(SimulatorHttp.ProxyRequest(_sim, "qrs/about", _sim.CreateJwt("LAB", "anna"))))
            {
                Assert.Equal(HttpStatusCode.OK, first.StatusCode);
                cookie = first.Headers.GetValues("Set-Cookie").First().Split(';')[0];
            }

            var second = SimulatorHttp.ProxyRequest(_sim, "qrs/user/count", null);
            second.Headers.Add("Cookie", cookie);
            using var response = await _http.SendAsync(second);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.False(response.Headers.Contains("Set-Cookie"));

            var forged = SimulatorHttp.ProxyRequest(_sim, "qrs/user/count", null);
            forged.Headers.Add("Cookie", "X-Qlik-Session-jwt=" + Guid.NewGuid());
            using var refused = await _http.SendAsync(forged);
            Assert.Equal(HttpStatusCode.Found, refused.StatusCode);
        }
    }
}
