using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Xunit;

namespace QlikActivity.Core.Tests.Simulator
{
    /// <summary>Fault injection: counted outcomes, never timing.</summary>
    public class SimulatorFaultTests : IAsyncLifetime
    {
        private const int Requests = 300;
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

        private async Task<int> Status(HttpMethod method, string path, string? body = null)
        {
            try
            {
                using var response = await _http.SendAsync(SimulatorHttp.Request(_sim, method, path, body));
                return (int)response.StatusCode;
            }
            catch (HttpRequestException)
            {
                return 0; // dropped
            }
        }

        // 300 draws at p: the count stays within ±5 standard deviations, so this cannot flake.
        private static void AssertRoughly(double rate, int count)
        {
            double sd = Math.Sqrt(Requests * rate * (1 - rate));
            Assert.InRange(count, Requests * rate - 5 * sd, Requests * rate + 5 * sd);
        }

        [Fact]
        public async Task Status_faults_come_at_about_the_configured_rates()
        {
            _sim.Faults.ServerErrorRate = 0.2;
            _sim.Faults.UnavailableRate = 0.1;
            _sim.Faults.TooManyRequestsRate = 0.1;
            var statuses = new int[Requests];
            for (int i = 0; i < Requests; i++)
            {
                statuses[i] = await Status(HttpMethod.Get, "/qrs/about");
            }

            AssertRoughly(0.2, statuses.Count(s => s == 500));
            AssertRoughly(0.1, statuses.Count(s => s == 503));
            AssertRoughly(0.1, statuses.Count(s => s == 429));
            AssertRoughly(0.6, statuses.Count(s => s == 200));
            Assert.Equal(Requests, _sim.Requests.Count("GET", "/qrs/about"));
            Assert.Equal(statuses.Count(s => s == 500), _sim.Requests.Count("GET", "/qrs/about", 500));
        }

        [Fact]
        public async Task Too_many_requests_carries_Retry_After()
        {
            _sim.Faults.TooManyRequestsRate = 1;
            using var response = await _http.SendAsync(SimulatorHttp.Request(_sim, HttpMethod.Get, "/qrs/about"));
            Assert.Equal(429, (int)response.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter!.Delta);
        }

        [Fact]
        public async Task Dropped_connections_come_at_about_the_configured_rate_and_are_logged_as_0()
        {
            _sim.Faults.DropRate = 0.1;
            int dropped = 0;
            for (int i = 0; i < Requests; i++)
            {
                if (await Status(HttpMethod.Get, "/qrs/about") == 0)
                {
                    dropped++;
                }
            }

            AssertRoughly(0.1, dropped);
            Assert.Equal(dropped, _sim.Requests.Snapshot().Count(e => e.Status == 0));
        }

        [Fact]
        public async Task Only_writes_spares_reads()
        {
            _sim.Faults.ServerErrorRate = 1;
            _sim.Faults.OnlyWrites = true;
            Assert.Equal(200, await Status(HttpMethod.Get, "/qrs/user/count"));
            var def = _sim.Store.Entities("custompropertydefinition")[0];
            Assert.Equal(500, await Status(HttpMethod.Put, "/qrs/custompropertydefinition/" + def["id"], def.ToJsonString()));
            Assert.Equal(def.ToJsonString(), _sim.Store.Entities("custompropertydefinition")[0].ToJsonString());
            _sim.Faults.Clear();
            Assert.Equal(200, await Status(HttpMethod.Put, "/qrs/custompropertydefinition/" + def["id"], def.ToJsonString()));
        }

        [Fact]
        public async Task Concurrent_modification_turns_a_current_user_put_into_409()
        {
            _sim.Faults.ConcurrentModificationRate = 1;
            var user = _sim.Store.Users()[8];
            var id = Guid.Parse(user["id"]!.GetValue<string>());
            Assert.Equal(409, await Status(HttpMethod.Put, "/qrs/user/" + id, user.ToJsonString()));
            var touched = _sim.Store.User(id)!;
            Assert.NotEqual(user["modifiedDate"]!.GetValue<string>(), touched["modifiedDate"]!.GetValue<string>());

            _sim.Faults.ConcurrentModificationRate = 0;
            Assert.Equal(200, await Status(HttpMethod.Put, "/qrs/user/" + id, touched.ToJsonString()));
        }

        [Fact]
        public async Task Latency_is_added_without_changing_answers()
        {
            _sim.Faults.Latency = TimeSpan.FromMilliseconds(20);
            Assert.Equal(200, await Status(HttpMethod.Get, "/qrs/about"));
            Assert.Equal(TimeSpan.FromMilliseconds(20), _sim.Faults.Latency);
            Assert.Throws<ArgumentOutOfRangeException>(() => _sim.Faults.DropRate = 1.5);
        }
    }
}
