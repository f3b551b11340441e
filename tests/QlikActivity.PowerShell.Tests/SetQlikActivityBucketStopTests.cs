using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using QlikActivity.PowerShell.Tests.Fixtures;
using Xunit;

namespace QlikActivity.PowerShell.Tests
{
    /// <summary>
    /// Set-QlikActivityBucket when a run stops early (issue 9, section 2, items 4 and 7): the admin
    /// learns what was done, and a scheduled script can exit non-zero when a write failed.
    /// </summary>
    public sealed class SetQlikActivityBucketStopTests : IClassFixture<SimulatorFixture>
    {
        private readonly SimulatorFixture _sim;

        public SetQlikActivityBucketStopTests(SimulatorFixture sim) => _sim = sim;

        [Fact]
        public void ErrorAction_Stop_on_a_failed_user_still_tells_what_was_done()
        {
            using var session = ModuleSession.Start();
            Assert.Null(session.Run($"Connect-QlikSense {_sim.ConnectArguments}").Terminated);

            // Every user PUT meets 409 Conflict: the first user written fails after its attempts.
            _sim.Sim.Faults.ConcurrentModificationRate = 1.0;
            try
            {
                var result = session.Run(
                    "try { Set-QlikActivityBucket -Name StopOnFailure -ThrottleLimit 1 -BatchSize 5 -ErrorAction Stop; 'finished' } catch { 'caught: ' + $_.FullyQualifiedErrorId }");

                Assert.Equal("caught: ActivityBucketWriteFailed,QlikActivity.Commands.SetQlikActivityBucketCommand", Assert.Single(result.Output).ToString());
                Assert.Empty(result.Errors.Skip(1));
                var warning = Assert.Single(result.Warnings, w => w.Message.StartsWith("Stopped after an error: ", StringComparison.Ordinal)).Message;
                Assert.Contains("StopOnFailure: ", warning);
                Assert.Contains($"{SimulatorFixture.Users} users", warning);
                Assert.Contains(" 0 updated", warning);
                Assert.Matches(@" [1-9][0-9]* failed", warning);
                Assert.Matches(@" [1-9][0-9]* not written", warning);
            }
            finally
            {
                _sim.Sim.Faults.Clear();
            }
        }

        [Fact]
        public void The_summary_says_whether_anything_failed()
        {
            using var session = ModuleSession.Start();
            Assert.Null(session.Run($"Connect-QlikSense {_sim.ConnectArguments}").Terminated);

            var clean = session.Run("Set-QlikActivityBucket -Name SucceededFlag");
            Assert.Empty(clean.Errors);
            Assert.True(clean.Property<bool>(0, "Succeeded"));

            _sim.Sim.Faults.ConcurrentModificationRate = 1.0;
            try
            {
                var failed = session.Run("Set-QlikActivityBucket -Name SucceededFlagFailed");
                Assert.NotEmpty(failed.Errors);
                var summary = Assert.Single(failed.Output);
                Assert.True((int)summary.Properties["Failed"].Value > 0);
                Assert.False(failed.Property<bool>(0, "Succeeded"));
            }
            finally
            {
                _sim.Sim.Faults.Clear();
            }
        }

        /// <summary>
        /// The scheduled-job pattern of about_QlikActivity and the cmdlet's help, run as the Task
        /// Scheduler or cron runs it: <c>pwsh -NoProfile -File</c>, judged by the exit code.
        /// </summary>
        [Fact]
        public void The_documented_scheduled_job_script_exits_non_zero_only_after_a_failure()
        {
            string script = Path.Combine(Path.GetTempPath(), "qa-scheduled-" + Guid.NewGuid().ToString("N") + ".ps1");
            File.WriteAllText(script, $@"param([string] $Name)
Import-Module '{ModuleSession.ModuleManifest}'
# The pattern as documented:
$ErrorActionPreference = 'Stop'
try {{
    Connect-QlikSense {_sim.ConnectArguments}
    $summary = Set-QlikActivityBucket -Name $Name -Confirm:$false -ErrorAction Continue
    $summary | Format-List | Out-String | Write-Host
    if (-not $summary.Succeeded) {{ exit 1 }}
}}
catch {{
    Write-Host ""Set-QlikActivityBucket failed: $_""
    exit 1
}}
");
            try
            {
                Assert.Equal(0, RunFile(script, "ScheduledJobClean"));

                _sim.Sim.Faults.ConcurrentModificationRate = 1.0;
                try
                {
                    Assert.Equal(1, RunFile(script, "ScheduledJobFailed"));
                }
                finally
                {
                    _sim.Sim.Faults.Clear();
                }
            }
            finally
            {
                File.Delete(script);
            }
        }

        private static int RunFile(string script, string name)
        {
            var start = new ProcessStartInfo(FindPwsh())
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { "-NoProfile", "-NonInteractive", "-File", script, "-Name", name })
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(180_000))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("pwsh -File did not finish: " + stdout.Result + stderr.Result);
            }

            process.WaitForExit();
            return process.ExitCode;
        }

        private static string FindPwsh()
        {
            QlikActivity.Testing.UnitOnlyRun.Refuse("pwsh");
            var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
                .Append(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools"));
            foreach (var dir in dirs.Where(d => d.Length > 0))
            {
                foreach (var name in new[] { "pwsh", "pwsh.exe" })
                {
                    string path = Path.Combine(dir, name);
                    if (File.Exists(path))
                    {
                        return path;
                    }
                }
            }

            throw new FileNotFoundException("pwsh is neither on PATH nor in ~/.dotnet/tools.");
        }
    }
}
