using System;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using QlikActivity.PowerShell.Tests.Fixtures;
using QlikActivity.QrsSimulator;
using Xunit;

namespace QlikActivity.PowerShell.Tests
{
    /// <summary>
    /// Set-QlikActivityBucket when the repository dies mid-run, and Ctrl+C during -BatchSleep
    /// (issue 11, items 1 and 3), in a real runspace.
    /// </summary>
    public sealed class SetQlikActivityBucketServerStopTests : IClassFixture<SimulatorFixture>
    {
        private readonly SimulatorFixture _sim;

        public SetQlikActivityBucketServerStopTests(SimulatorFixture sim) => _sim = sim;

        [Fact]
        public async Task A_server_killed_mid_run_gives_the_summary_then_one_terminating_error()
        {
            // Its own simulator: this one is killed.
            var sim = await SimulatedQrs.StartAsync(new QrsSimulatorOptions { Users = 400, Seed = 9, Now = SimulatorFixture.Now });
            bool killed = false;
            try
            {
                using var session = ModuleSession.Start();
                Assert.Null(session.Run($"Connect-QlikSense -Server localhost -Port {sim.Port} -CertificatePath '{sim.CertificateDirectory}' -MaximumRetryCount 2").Terminated);

                var result = session.RunAndAct(
                    "Set-QlikActivityBucket -Name KilledMidRun -NoActivityValue Never -ThrottleLimit 4 -BatchSize 10",
                    _ => sim.Requests.Count("PUT", "/qrs/user/") >= 40,
                    () =>
                    {
                        sim.DisposeAsync().AsTask().GetAwaiter().GetResult();
                        killed = true;
                    },
                    TimeSpan.FromMinutes(2));

                // First what was done, as output...
                var summary = Assert.Single(result.Output, o => o.TypeNames.Contains("QlikActivity.Core.Activity.ActivityBucketSummary"));
                int Count(string name) => (int)summary.Properties[name].Value;
                Assert.True((bool)summary.Properties["ServerStoppedAnswering"].Value);
                Assert.False((bool)summary.Properties["Succeeded"].Value);
                Assert.Equal(Count("UsersInScope"), Count("Updated") + Count("Unchanged") + Count("Skipped") + Count("Failed") + Count("Unknown") + Count("NotWritten"));
                Assert.True(Count("Updated") >= 40);
                Assert.True(Count("NotWritten") > 0);

                // ...then one terminating error that says the server stopped answering.
                // (Inside a script a terminating error ends its statement and lands in the error stream.)
                // Single: no error per user whose request got no answer; this one says it once.
                var record = Assert.Single(result.Errors);
                Assert.Equal("ActivityBucketServerStoppedAnswering,QlikActivity.Commands.SetQlikActivityBucketCommand", record.FullyQualifiedErrorId);
                Assert.Equal(ErrorCategory.ConnectionError, record.CategoryInfo.Category);
                Assert.Contains("stopped answering", record.Exception.Message);
                Assert.Contains($"{Count("Updated"):N0} updated", record.Exception.Message);
            }
            finally
            {
                if (!killed)
                {
                    await sim.DisposeAsync();
                }
            }
        }

        [Fact]
        public void Ctrl_C_during_BatchSleep_stops_the_run_and_tells_what_was_done()
        {
            using var session = ModuleSession.Start();
            Assert.Null(session.Run($"Connect-QlikSense {_sim.ConnectArguments}").Terminated);
            long putsBefore = _sim.Sim.Requests.Count("PUT", "/qrs/user/");

            // Batches of 5 and an hour's sleep after each: stopped while the producer sleeps.
            var result = session.RunAndStop(
                "Set-QlikActivityBucket -Name SleepStopped -NoActivityValue Never -BatchSize 5 -BatchSleep 3600 -ThrottleLimit 1",
                _ => _sim.Sim.Requests.Count("PUT", "/qrs/user/") - putsBefore >= 5,
                TimeSpan.FromMinutes(2));

            Assert.IsType<PipelineStoppedException>(result.Terminated);
            var warning = Assert.Single(result.Warnings, w => w.Message.StartsWith("Stopped: ", StringComparison.Ordinal)).Message;
            Assert.Contains(" 5 updated", warning);
            var counts = System.Text.RegularExpressions.Regex.Match(warning, @": (\d+) users, .* (\d+) not written");
            Assert.True(counts.Success, warning);
            Assert.Equal(int.Parse(counts.Groups[1].Value) - 5, int.Parse(counts.Groups[2].Value)); // every user but the first batch
            Assert.Contains("stopped by Ctrl+C", warning);
            Assert.Equal(5, _sim.Sim.Requests.Count("PUT", "/qrs/user/") - putsBefore);
        }
    }
}
