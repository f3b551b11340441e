using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace QlikActivity.Core.Tests.Simulator
{
    /// <summary>Fault injection: counted outcomes, never timing.</summary>
    [Trait("Category", "Integration")]
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

        private async Task<int[]> Statuses()
        {
            var statuses = new int[Requests];
            for (int i = 0; i < Requests; i++)
            {
                statuses[i] = await Status(HttpMethod.Get, "/qrs/about");
            }

            return statuses;
        }

        [Fact]
        public Task Status_faults_come_at_about_the_configured_rates() => FaultSeed.RunAsync(_sim.Faults, 1403, async () =>
        {
            _sim.Faults.ServerErrorRate = 0.2;
            _sim.Faults.UnavailableRate = 0.1;
            _sim.Faults.TooManyRequestsRate = 0.1;
            var statuses = await Statuses();

            AssertRoughly(0.2, statuses.Count(s => s == 500));
            AssertRoughly(0.1, statuses.Count(s => s == 503));
            AssertRoughly(0.1, statuses.Count(s => s == 429));
            AssertRoughly(0.6, statuses.Count(s => s == 200));
            Assert.Equal(Requests, _sim.Requests.Count("GET", "/qrs/about"));
            Assert.Equal(statuses.Count(s => s == 500), _sim.Requests.Count("GET", "/qrs/about", 500));
        });

        [Fact]
        public async Task The_same_fault_seed_gives_the_same_faults_in_the_same_order()
        {
            _sim.Faults.ServerErrorRate = 0.2;
            _sim.Faults.UnavailableRate = 0.1;
            _sim.Faults.TooManyRequestsRate = 0.1;
            _sim.Faults.Seed = 20261203;
            var first = await Statuses();
            _sim.Faults.Seed = 20261203;
            var again = await Statuses();
            _sim.Faults.Seed = 20261204;
            var other = await Statuses();

            Assert.Equal(first, again);
            Assert.NotEqual(first, other);
            Assert.Equal(20261204, _sim.Faults.Seed);
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
        public Task Dropped_connections_come_at_about_the_configured_rate_and_are_logged_as_0() => FaultSeed.RunAsync(_sim.Faults, 1404, async () =>
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
        });

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
        public async Task Latency_holds_every_request_open_so_they_overlap_and_none_is_answered_early()
        {
            // A latency no test outlasts: the requests can only be seen in flight, never answered.
            const int Parallel = 6;
            _sim.Faults.Latency = TimeSpan.FromMinutes(10);
            using var cancel = new CancellationTokenSource();
            var requests = Enumerable.Range(0, Parallel)
                .Select(_ => _http.SendAsync(SimulatorHttp.Request(_sim, HttpMethod.Get, "/qrs/about"), cancel.Token))
                .ToArray();
            Assert.True(SpinWait.SpinUntil(() => _sim.Requests.PeakConcurrent("GET") == Parallel, TimeSpan.FromSeconds(60)),
                $"peak concurrency {_sim.Requests.PeakConcurrent("GET")}, expected {Parallel} requests held at once");
            Assert.All(requests, r => Assert.False(r.IsCompleted, "a request was answered through the latency"));
            Assert.Equal(0, _sim.Requests.Count("GET"));

            cancel.Cancel();
            foreach (var r in requests)
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => r);
            }

            // Without latency the same request is answered, with the same answer as ever.
            _sim.Faults.Latency = TimeSpan.Zero;
            Assert.True(SpinWait.SpinUntil(() => _sim.Requests.Count("GET") == Parallel, TimeSpan.FromSeconds(60)), "the held requests were not logged as dropped");
            Assert.Equal(Parallel, _sim.Requests.Count("GET", "/qrs/about", 0));
            Assert.Equal(200, await Status(HttpMethod.Get, "/qrs/about"));
            Assert.Throws<ArgumentOutOfRangeException>(() => _sim.Faults.DropRate = 1.5);
        }

        [Fact]
        public async Task A_definition_conflict_edits_the_stored_definition_and_answers_409_once()
        {
            _sim.Faults.DefinitionConflicts = 1;
            var def = _sim.Store.Entities("custompropertydefinition")[0];
            string path = "/qrs/custompropertydefinition/" + def["id"];
            Assert.Equal(409, await Status(HttpMethod.Put, path, def.ToJsonString()));
            var edited = _sim.Store.Entities("custompropertydefinition")[0];
            Assert.Equal((string?)def["description"] + " (edited meanwhile)", (string?)edited["description"]);
            Assert.NotEqual((string?)def["modifiedDate"], (string?)edited["modifiedDate"]);
            Assert.Equal(0, _sim.Faults.DefinitionConflicts);

            Assert.Equal(200, await Status(HttpMethod.Put, path, edited.ToJsonString()));
            Assert.Equal(1, _sim.Requests.Count("PUT", "/qrs/custompropertydefinition/", 409));
        }
    }
}
