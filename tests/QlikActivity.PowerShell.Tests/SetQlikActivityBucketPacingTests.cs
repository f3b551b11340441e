using System;
using System.Linq;
using System.Management.Automation;
using System.Text.Json.Nodes;
using QlikActivity.PowerShell.Tests.Fixtures;
using Xunit;

namespace QlikActivity.PowerShell.Tests
{
    /// <summary>
    /// Set-QlikActivityBucket's pacing and no-activity parameters, each run in a runspace and checked by what the
    /// repository received: -UserSleep, -ThrottleLimit, -BatchSize and -NoActivityAction (issue 14 §4).
    /// </summary>
    public sealed class SetQlikActivityBucketPacingTests : IClassFixture<SimulatorFixture>
    {
        private readonly SimulatorFixture _sim;

        public SetQlikActivityBucketPacingTests(SimulatorFixture sim) => _sim = sim;

        [Fact]
        public void UserSleep_pauses_the_one_writer_after_its_first_user()
        {
            using var session = ModuleSession.Start();
            Assert.Null(session.Run($"Connect-QlikSense {_sim.ConnectArguments}").Terminated);
            long putsBefore = _sim.Sim.Requests.Count("PUT", "/qrs/user/");

            // One writer that sleeps a minute after each user: stopped once its first PUT is in, nothing else was written.
            var result = session.RunAndStop(
                "Set-QlikActivityBucket -Name UserSlept -NoActivityValue Never -ThrottleLimit 1 -UserSleep 60000",
                _ => _sim.Sim.Requests.Count("PUT", "/qrs/user/") - putsBefore >= 1,
                TimeSpan.FromMinutes(2));

            Assert.IsType<PipelineStoppedException>(result.Terminated);
            Assert.Equal(1, _sim.Sim.Requests.Count("PUT", "/qrs/user/") - putsBefore);
            var warning = Assert.Single(result.Warnings, w => w.Message.StartsWith("Stopped: ", StringComparison.Ordinal)).Message;
            Assert.Contains(" 1 updated", warning);
        }

        [Fact]
        public void ThrottleLimit_and_BatchSize_bound_the_writes_in_flight_and_the_reads_per_batch()
        {
            using var session = ModuleSession.Start();
            Assert.Null(session.Run($"Connect-QlikSense {_sim.ConnectArguments}").Terminated);
            _sim.Sim.Faults.Latency = TimeSpan.FromMilliseconds(30);
            _sim.Sim.Faults.OnlyWrites = true;
            _sim.Sim.Requests.Clear();
            try
            {
                var result = session.Run("Set-QlikActivityBucket -Name Throttled -NoActivityValue Never -ThrottleLimit 2 -BatchSize 7 -Confirm:$false");
                Assert.Null(result.Terminated);
                var summary = Assert.Single(result.Output, o => o.TypeNames.Contains("QlikActivity.Core.Activity.ActivityBucketSummary"));
                int updated = (int)summary.Properties["Updated"].Value;
                Assert.True(updated > 7, $"updated {updated}: more than one batch");

                Assert.InRange(_sim.Sim.Requests.PeakConcurrent("PUT"), 1, 2);
                // Each batch of at most 7 users is read with one GET /qrs/user/full (besides the first listing).
                long batchReads = _sim.Sim.Requests.Snapshot().Count(e => e.Method == "GET" && e.Path.StartsWith("/qrs/user/full", StringComparison.OrdinalIgnoreCase)) - 1;
                Assert.Equal((updated + 6) / 7, batchReads);
            }
            finally
            {
                _sim.Sim.Faults.Clear();
            }
        }

        [Fact]
        public void ThrottleLimit_1_keeps_one_write_in_flight_where_the_adaptive_default_runs_more()
        {
            using var session = ModuleSession.Start();
            Assert.Null(session.Run($"Connect-QlikSense {_sim.ConnectArguments}").Terminated);
            // Each write takes 30 ms, so writes that may overlap do: the peak the repository saw is the limit obeyed.
            _sim.Sim.Faults.Latency = TimeSpan.FromMilliseconds(30);
            _sim.Sim.Faults.OnlyWrites = true;
            try
            {
                _sim.Sim.Requests.Clear();
                var capped = session.Run("Set-QlikActivityBucket -Name CappedAtOne -NoActivityValue Never -ThrottleLimit 1 -Confirm:$false");
                Assert.Null(capped.Terminated);
                var summary = Assert.Single(capped.Output, o => o.TypeNames.Contains("QlikActivity.Core.Activity.ActivityBucketSummary"));
                Assert.Equal(SimulatorFixture.Users, (int)summary.Properties["Updated"].Value);
                Assert.Equal(1, _sim.Sim.Requests.PeakConcurrent("PUT"));

                // The same run without the cap: the first window of 8 writes sets the baseline and doubles the
                // limit, so later writes overlap. Without this, the assertion above could hold for another reason.
                _sim.Sim.Requests.Clear();
                var adaptive = session.Run("Set-QlikActivityBucket -Name NotCapped -NoActivityValue Never -Confirm:$false");
                Assert.Null(adaptive.Terminated);
                Assert.True(_sim.Sim.Requests.PeakConcurrent("PUT") > 1, $"peak {_sim.Sim.Requests.PeakConcurrent("PUT")} PUTs in flight without -ThrottleLimit");
            }
            finally
            {
                _sim.Sim.Faults.Clear();
            }
        }

        [Fact]
        public void NoActivityAction_Leave_keeps_the_value_of_a_user_without_activity_and_Remove_takes_it_away()
        {
            using var session = ModuleSession.Start();
            Assert.Null(session.Run($"Connect-QlikSense {_sim.ConnectArguments}").Terminated);
            var idle = session.Run("Get-QlikUserActivity | Where-Object { $null -eq $_.LastActivity } | Select-Object -First 1 -ExpandProperty Id");
            var id = Assert.IsType<Guid>(Assert.Single(idle.Output).BaseObject);

            // The first run creates the definition; then someone gives the idle user a value by hand.
            Assert.Null(session.Run("Set-QlikActivityBucket -Name NoActivityCase -NoActivityAction Leave -Confirm:$false").Terminated);
            _sim.Sim.Store.SetUserCustomProperty(id, "NoActivityCase", "365+");

            Assert.Null(session.Run("Set-QlikActivityBucket -Name NoActivityCase -NoActivityAction Leave -Confirm:$false").Terminated);
            Assert.Equal(new[] { "365+" }, Values(id, "NoActivityCase"));

            Assert.Null(session.Run("Set-QlikActivityBucket -Name NoActivityCase -NoActivityAction Remove -Confirm:$false").Terminated);
            Assert.Empty(Values(id, "NoActivityCase"));
        }

        private string[] Values(Guid userId, string property) =>
            (_sim.Sim.Store.User(userId)!["customProperties"] as JsonArray ?? new JsonArray())
                .OfType<JsonObject>()
                .Where(v => (string?)v["definition"]?["name"] == property)
                .Select(v => (string)v["value"]!)
                .ToArray();
    }
}
