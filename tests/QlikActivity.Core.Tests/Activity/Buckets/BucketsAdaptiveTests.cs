using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using QlikActivity.Core.Activity;
using QlikActivity.QrsSimulator;
using Xunit;

namespace QlikActivity.Core.Tests.Activity.Buckets
{
    /// <summary>Adaptive write concurrency against the simulator with its cost model on (a small, slow server).</summary>
    [Trait("Category", "Integration")]
    public sealed class BucketsAdaptiveTests
    {
        private static CostModelOptions SmallServer(int capacity, int queueLimit, int overloadStatus = 503)
        {
            var model = new CostModelOptions { Enabled = true, Capacity = capacity, QueueLimit = queueLimit, OverloadStatus = overloadStatus, Seed = 7 };
            model.ServiceTimes[RequestKind.Put] = new ServiceTime(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(60));
            return model;
        }

        private static List<Guid> AddUsers(BucketSite site, int count) =>
            Enumerable.Range(0, count).Select(i => site.AddUser("LAB", "u" + i, ("professional", 2 + (i % 40)))).ToList();

        private static void AssertAllWritten(BucketSite site, List<Guid> users, ActivityBucketSummary summary)
        {
            Assert.Equal(0, summary.Failed);
            Assert.Equal(users.Count, summary.Updated);
            var expected = site.ExpectedValues();
            Assert.All(users, u => Assert.Equal(new[] { expected[u]! }, site.Values(u)));
        }

        [Theory]
        [InlineData(2)]
        [InlineData(4)]
        public async Task With_a_ThrottleLimit_every_user_is_written_and_the_server_never_sees_more_writes_at_once(int throttle)
        {
            await using var site = await BucketSite.StartAsync(costModel: SmallServer(capacity: 3, queueLimit: 20));
            var users = AddUsers(site, 60);
            var request = site.Request();
            request.ThrottleLimit = throttle;
            site.Sim.Requests.Clear();
            var host = new RecordingHost();
            var (_, summary) = BucketSite.Run(host, request);

            AssertAllWritten(site, users, summary);
            int peak = site.Sim.Requests.PeakConcurrent("PUT");
            // It grew past one at a time (the first window's latency is the baseline), and never past the limit.
            Assert.InRange(peak, 2, throttle);
            Assert.Equal(users.Count, site.Sim.Requests.Count("PUT", "/qrs/user/", 200));
        }

        [Fact]
        public async Task Without_a_ThrottleLimit_it_backs_off_a_refusing_server_that_a_fixed_eight_overloads()
        {
            // 2 in service, none waiting: the third request at once gets 429.
            await using var adaptive = await BucketSite.StartAsync(costModel: SmallServer(capacity: 2, queueLimit: 0, overloadStatus: 429));
            await using var fixedEight = await BucketSite.StartAsync(costModel: SmallServer(capacity: 2, queueLimit: 0, overloadStatus: 429));
            var adaptiveUsers = AddUsers(adaptive, 80);
            AddUsers(fixedEight, 80);

            var auto = adaptive.Request();
            var (_, autoSummary) = BucketSite.Run(new RecordingHost(), auto);
            var pinned = fixedEight.Request();
            pinned.ThrottleLimit = 8;
            pinned.FixedThrottle = true;
            BucketSite.Run(new RecordingHost(), pinned);

            AssertAllWritten(adaptive, adaptiveUsers, autoSummary);
            // (The fixed run is the yardstick: some of its writes may run out of retries.)
            Assert.True(fixedEight.Sim.CostModel.Rejected > 0, "the fixed run overloads the server");
            Assert.True(adaptive.Sim.CostModel.Rejected < fixedEight.Sim.CostModel.Rejected,
                $"adaptive refused {adaptive.Sim.CostModel.Rejected}, fixed 8 refused {fixedEight.Sim.CostModel.Rejected}");
            Assert.InRange(adaptive.Sim.Requests.PeakConcurrent("PUT"), 1, WriteConcurrency.DefaultCeiling);
        }

        [Fact]
        public async Task The_progress_bar_shows_the_rate_and_the_writes_at_once()
        {
            await using var site = await BucketSite.StartAsync(costModel: SmallServer(capacity: 3, queueLimit: 20));
            var users = AddUsers(site, 60);
            var host = new RecordingHost();
            var (_, summary) = BucketSite.Run(host, site.Request());

            AssertAllWritten(site, users, summary);
            var statuses = host.Progress.Where(p => p.ActivityId == ActivityBucketWriter.ProgressActivityId).Select(p => p.StatusDescription).ToList();
            Assert.Contains(statuses, s => System.Text.RegularExpressions.Regex.IsMatch(s, @"users written \(0 failed\), \d+\.\d writes/s, \d+ at once$"));
        }
    }
}
