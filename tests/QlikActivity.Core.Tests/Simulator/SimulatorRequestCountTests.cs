using System;
using System.Net;
using System.Net.Http;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Xunit;

namespace QlikActivity.Core.Tests.Simulator
{
    /// <summary><c>/simulator/requests</c>: what the simulator received, by method and path family, readable and resettable from outside.</summary>
    [Trait("Category", "Integration")]
    public class SimulatorRequestCountTests : IAsyncLifetime
    {
        private QrsSimulator.SimulatedQrs _sim = null!;
        private HttpClient _http = null!;

        public async Task InitializeAsync()
        {
            _sim = await SimulatorHttp.StartAsync(users: 30);
            _http = SimulatorHttp.Client(_sim, _sim.ClientCertificate);
        }

        public async Task DisposeAsync()
        {
            _http.Dispose();
            await _sim.DisposeAsync();
        }

        private async Task<HttpStatusCode> Qrs(HttpMethod method, string path, string? body = null)
        {
            using var response = await _http.SendAsync(SimulatorHttp.Request(_sim, method, path, body));
            return response.StatusCode;
        }

        // Like curl: the client certificate, no Xrfkey, no X-Qlik-User.
        private async Task<(HttpStatusCode Status, string Body)> Control(HttpMethod method, Uri baseUri, HttpClient? client = null)
        {
            using var response = await (client ?? _http).SendAsync(new HttpRequestMessage(method, new Uri(baseUri, "simulator/requests")));
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        private async Task WaitForTotal(long total)
        {
            var limit = DateTime.UtcNow.AddSeconds(30);
            while (_sim.Requests.Total != total)
            {
                Assert.True(DateTime.UtcNow < limit, $"log has {_sim.Requests.Total} requests, expected {total}");
                await Task.Delay(10);
            }
        }

        [Fact]
        public async Task Counts_by_method_family_and_status_are_served_as_JSON_and_reset_by_DELETE()
        {
            var id = _sim.Store.Users()[3]["id"]!.GetValue<string>();
            Assert.Equal(HttpStatusCode.OK, await Qrs(HttpMethod.Get, "/qrs/user/full"));
            Assert.Equal(HttpStatusCode.OK, await Qrs(HttpMethod.Get, "/qrs/user/full?filter=" + SimulatorHttp.Encode("userDirectory eq 'LAB'")));
            Assert.Equal(HttpStatusCode.OK, await Qrs(HttpMethod.Get, "/qrs/user/" + id));
            Assert.Equal(HttpStatusCode.OK, await Qrs(HttpMethod.Get, "/qrs/license/useraccessusage/count"));
            Assert.Equal(HttpStatusCode.Conflict, await Qrs(HttpMethod.Put, "/qrs/user/" + id, "{}"));
            Assert.Equal(HttpStatusCode.NotFound, await Qrs(HttpMethod.Get, "/qrs/nothing"));
            await WaitForTotal(6);

            var (status, body) = await Control(HttpMethod.Get, _sim.BaseUri);
            Assert.Equal(HttpStatusCode.OK, status);
            var counts = JsonNode.Parse(body)!;
            Assert.Equal(6, counts["total"]!.GetValue<long>());
            Assert.Equal(5, counts["byMethod"]!["GET"]!.GetValue<long>());
            Assert.Equal(1, counts["byMethod"]!["PUT"]!.GetValue<long>());
            Assert.Equal(2, counts["byFamily"]!["GET /qrs/user/full"]!.GetValue<long>());
            Assert.Equal(1, counts["byFamily"]!["GET /qrs/user/{id}"]!.GetValue<long>());
            Assert.Equal(1, counts["byFamily"]!["GET /qrs/license/useraccessusage/count"]!.GetValue<long>());
            Assert.Equal(1, counts["byFamily"]!["PUT /qrs/user/{id}"]!.GetValue<long>());
            Assert.Equal(1, counts["byFamily"]!["GET other"]!.GetValue<long>());
            Assert.Equal(4, counts["byStatus"]!["200"]!.GetValue<long>());
            Assert.Equal(1, counts["byStatus"]!["409"]!.GetValue<long>());
            Assert.True(counts["peakConcurrent"]!["GET"]!.GetValue<int>() >= 1);
            // The same numbers in-process, for benchmarks that host the simulator.
            Assert.Equal(body, _sim.Requests.Counts().ToJson());

            Assert.Equal(HttpStatusCode.NoContent, (await Control(HttpMethod.Delete, _sim.BaseUri)).Status);
            var (_, after) = await Control(HttpMethod.Get, _sim.BaseUri);
            Assert.Equal(0, JsonNode.Parse(after)!["total"]!.GetValue<long>());
            Assert.Equal(0, _sim.Requests.Total);
        }

        [Fact]
        public async Task The_counts_need_the_client_certificate_and_are_not_on_the_proxy_port()
        {
            using var noCert = SimulatorHttp.Client(_sim, null);
            await Assert.ThrowsAsync<HttpRequestException>(() => Control(HttpMethod.Get, _sim.BaseUri, noCert));
            using var untrusted = _sim.CreateUntrustedClientCertificate();
            using var wrongCa = SimulatorHttp.Client(_sim, untrusted);
            await Assert.ThrowsAsync<HttpRequestException>(() => Control(HttpMethod.Get, _sim.BaseUri, wrongCa));

            var (status, _) = await Control(HttpMethod.Get, new Uri($"https://127.0.0.1:{_sim.ProxyPort}/"), noCert);
            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, (await Control(HttpMethod.Post, _sim.BaseUri)).Status);
            Assert.Equal(0, _sim.Requests.Total);
        }

        [Fact]
        public void Families_name_the_variable_part_and_drop_the_proxy_prefix()
        {
            Assert.Equal("/qrs/user/{id}", QrsSimulator.RequestLog.Family("/qrs/user/0b6d3e8a-1f4c-4a0e-9d5e-2c6f7a8b9c0d"));
            Assert.Equal("/qrs/license/professionalaccesstype/full", QrsSimulator.RequestLog.Family("/jwt/qrs/license/ProfessionalAccessType/full"));
            Assert.Equal("/qrs/license/useraccessusage/table", QrsSimulator.RequestLog.Family("/qrs/license/useraccessusage/table"));
            Assert.Equal("/qrs/license/accesstypeoverview", QrsSimulator.RequestLog.Family("/qrs/license/accesstypeoverview"));
            Assert.Equal("other", QrsSimulator.RequestLog.Family("/qrs/user/not-a-guid"));
            Assert.Equal("other", QrsSimulator.RequestLog.Family("/favicon.ico"));
        }
    }
}
