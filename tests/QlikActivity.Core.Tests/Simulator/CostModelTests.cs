using System;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.QrsSimulator;
using Xunit;

namespace QlikActivity.Core.Tests.Simulator
{
    /// <summary>The cost model's capacity and queue, proved by counts (never by elapsed time).</summary>
    [Trait("Category", "Integration")]
    public class CostModelTests
    {
        private static Task<QrsSimulator.SimulatedQrs> Start(CostModelOptions cost) =>
            QrsSimulator.SimulatedQrs.StartAsync(new QrsSimulatorOptions
            {
                Users = 20,
                Now = new DateTime(2024, 11, 15, 12, 0, 0, DateTimeKind.Utc),
                CostModel = cost,
            });

        private static async Task<int> Status(HttpClient http, QrsSimulator.SimulatedQrs sim, string path, CancellationToken ct = default)
        {
            using var response = await http.SendAsync(SimulatorHttp.Request(sim, HttpMethod.Get, path), ct);
            return (int)response.StatusCode;
        }

        [Fact]
        public async Task Off_by_default_nothing_goes_through_the_model()
        {
            await using var sim = await SimulatorHttp.StartAsync(users: 20);
            using var http = SimulatorHttp.Client(sim, sim.ClientCertificate);
            var statuses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Status(http, sim, "/qrs/user/count")));
            Assert.All(statuses, s => Assert.Equal(200, s));
            Assert.False(sim.CostModel.Enabled);
            Assert.Equal(0, sim.CostModel.Served);
            Assert.Equal(0, sim.CostModel.PeakInService);
        }

        [Theory]
        [InlineData(1, 6)]
        [InlineData(3, 9)]
        public async Task Concurrent_requests_are_served_at_most_capacity_at_a_time_and_the_rest_wait(int capacity, int requests)
        {
            var cost = new CostModelOptions { Enabled = true, Capacity = capacity, QueueLimit = 50 }.WithFixedTime(TimeSpan.FromMilliseconds(150));
            await using var sim = await Start(cost);
            using var http = SimulatorHttp.Client(sim, sim.ClientCertificate);

            var statuses = await Task.WhenAll(Enumerable.Range(0, requests).Select(i =>
                Status(http, sim, i % 3 == 0 ? "/qrs/user/full" : i % 3 == 1 ? "/qrs/license/professionalaccesstype/count" : "/qrs/about")));

            Assert.All(statuses, s => Assert.Equal(200, s));
            // A place is given back just after its answer is sent.
            await WaitUntil(() => sim.CostModel.Served == requests);
            Assert.InRange(sim.CostModel.PeakInService, 1, capacity);
            Assert.Equal(0, sim.CostModel.Rejected);
            Assert.Equal(0, sim.CostModel.InService);
            Assert.Equal(0, sim.CostModel.Queued);
        }

        [Theory]
        [InlineData(503)]
        [InlineData(429)]
        public async Task Past_capacity_and_queue_a_request_is_refused_at_once_with_the_overload_status(int overload)
        {
            // One in service and one waiting hold their places for a minute; the two after them find no room.
            var cost = new CostModelOptions { Enabled = true, Capacity = 1, QueueLimit = 1, OverloadStatus = overload }.WithFixedTime(TimeSpan.FromMinutes(1));
            await using var sim = await Start(cost);
            using var http = SimulatorHttp.Client(sim, sim.ClientCertificate);
            using var cancel = new CancellationTokenSource();

            var first = Status(http, sim, "/qrs/about", cancel.Token);
            await WaitUntil(() => sim.CostModel.InService == 1);
            var second = Status(http, sim, "/qrs/about", cancel.Token);
            await WaitUntil(() => sim.CostModel.Queued == 1);

            var refused = new[] { SendRaw(http, sim), SendRaw(http, sim) };
            var answers = await Task.WhenAll(refused);
            foreach (var response in answers)
            {
                using (response)
                {
                    Assert.Equal(overload, (int)response.StatusCode);
                    Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter!.Delta);
                }
            }

            Assert.Equal(2, sim.CostModel.Rejected);
            Assert.Equal(1, sim.CostModel.InService);
            Assert.Equal(1, sim.CostModel.Queued);
            Assert.False(first.IsCompleted || second.IsCompleted, "the admitted requests are still held");
            await WaitUntil(() => sim.Requests.Count("GET", "/qrs/about", overload) == 2);

            // Clients that give up free their places.
            cancel.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);
            await WaitUntil(() => sim.CostModel.InService == 0 && sim.CostModel.Queued == 0);
            Assert.Equal(1, sim.CostModel.PeakInService);
            Assert.Equal(1, sim.CostModel.PeakQueued);
        }

        private static Task<HttpResponseMessage> SendRaw(HttpClient http, QrsSimulator.SimulatedQrs sim) =>
            http.SendAsync(SimulatorHttp.Request(sim, HttpMethod.Get, "/qrs/about"));

        // A condition the test waits for (bounded so a broken model fails instead of hanging); not a timing assertion.
        private static async Task WaitUntil(Func<bool> condition)
        {
            var limit = DateTime.UtcNow.AddSeconds(30);
            while (!condition())
            {
                Assert.True(DateTime.UtcNow < limit, "condition not reached within 30 s");
                await Task.Delay(10);
            }
        }

        [Fact]
        public void Service_times_are_lognormal_with_the_given_median_and_95th_percentile()
        {
            var time = new ServiceTime(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(60));
            var random = new Random(11);
            var draws = Enumerable.Range(0, 40000).Select(_ => time.Sample(random, 0).TotalMilliseconds).OrderBy(x => x).ToArray();
            Assert.InRange(draws[draws.Length / 2], 19.0, 21.0);
            Assert.InRange(draws[(int)(draws.Length * 0.95)], 56.0, 64.0);
            Assert.All(draws, d => Assert.True(d > 0));
        }

        [Fact]
        public void A_fixed_time_is_exact_and_rows_add_their_cost()
        {
            var time = new ServiceTime(TimeSpan.FromMilliseconds(30), TimeSpan.FromMilliseconds(30), TimeSpan.FromMilliseconds(0.15));
            Assert.Equal(TimeSpan.FromMilliseconds(30 + 150), time.Sample(new Random(1), 1000));
            Assert.Equal(TimeSpan.FromMilliseconds(30), time.Sample(new Random(2), 0));
            var parsed = ServiceTime.Parse("35:110:0.5");
            Assert.Equal(TimeSpan.FromMilliseconds(35), parsed.Median);
            Assert.Equal(TimeSpan.FromMilliseconds(110), parsed.P95);
            Assert.Equal(TimeSpan.FromMilliseconds(0.5), parsed.PerRow);
            Assert.Throws<ArgumentOutOfRangeException>(() => new ServiceTime(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(20)));
            Assert.Throws<ArgumentOutOfRangeException>(() => new CostModelOptions { OverloadStatus = 500 });
            Assert.Throws<ArgumentOutOfRangeException>(() => new CostModelOptions { Capacity = 0 });
        }
    }
}
