using System;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using QlikActivity.PowerShell.Tests.Fixtures;
using Xunit;

namespace QlikActivity.PowerShell.Tests
{
    /// <summary>Start-QlikEventListener in a live runspace, fed by real UDP datagrams on loopback.</summary>
    public sealed class StartQlikEventListenerTests
    {
        private const string AnnaStart = SampleDatagrams.AnnaStart;
        private const string BobOpen = SampleDatagrams.BobOpen;
        private const string SvcStart = SampleDatagrams.SvcStart;
        private const string BobStop = SampleDatagrams.BobStop;

        private static RunResult Listen(ModuleSession session, string parameters, params string[] datagrams) => Listening.Run(session, "", parameters, datagrams);

        private static PSObject Statistics(RunResult result) => result.Output.Single(o => o.Properties["Received"] != null && o.Properties["Emitted"] != null);

        private static PSObject[] Events(RunResult result) => result.Output.Where(o => o.Properties["EventType"] != null).ToArray();

        [Fact]
        public void Writes_each_event_as_it_arrives_then_the_statistics()
        {
            using var session = ModuleSession.Start();
            var result = Listen(session, "-Count 2 -Timeout 60 -AllowedSource 127.0.0.1 -Tag @{ env = 'PROD' }", AnnaStart, BobOpen);
            Assert.Null(result.Terminated);
            Assert.Empty(result.Errors);
            var events = Events(result);
            Assert.Equal(2, events.Length);
            Assert.Equal("SessionStart", events[0].Properties["EventType"].Value.ToString());
            Assert.Equal("CORPDIRECTORY", events[0].Properties["UserDirectory"].Value);
            Assert.Equal("anna.lindqvist-berg", events[0].Properties["UserId"].Value);
            Assert.Equal("Chrome", events[0].Properties["BrowserName"].Value);
            Assert.Equal(Guid.Parse("5f0c2b0e-8a7d-4c1e-9a53-1b9b2f6f0d11"), (Guid)events[1].Properties["AppId"].Value);
            Assert.Equal("PROD", ((System.Collections.Generic.IReadOnlyDictionary<string, string>)events[1].Properties["Tags"].Value)["env"]);

            // The tags as text where an admin exports them, and as an object in JSON (not the dictionary's type name).
            var csv = session.Run("$args[0] | ConvertTo-Csv | ConvertFrom-Csv | ForEach-Object Tags", events[1]);
            Assert.Equal("env=PROD", Assert.Single(csv.Output).BaseObject);
            var json = session.Run("$args[0] | ConvertTo-Json -Compress", events[1]);
            Assert.Contains("\"Tags\":{\"env\":\"PROD\"}", (string)Assert.Single(json.Output).BaseObject, StringComparison.Ordinal);

            var statistics = Statistics(result);
            Assert.Same(statistics, result.Output.Last());
            Assert.Equal(2L, statistics.Properties["Received"].Value);
            Assert.Equal(2L, statistics.Properties["Emitted"].Value);
        }

        [Fact]
        public void ExcludeUser_and_EventType_leave_events_out_and_count_them()
        {
            using var session = ModuleSession.Start();
            var result = Listen(session, "-Count 1 -Timeout 60 -ExcludeUser 'LAB\\svc_*' -EventType SessionStart, ConnectionOpen", SvcStart, BobStop, BobOpen);
            Assert.Null(result.Terminated);
            var only = Assert.Single(Events(result));
            Assert.Equal("bob", only.Properties["UserId"].Value);
            Assert.Equal("ConnectionOpen", only.Properties["EventType"].Value.ToString());
            var statistics = Statistics(result);
            Assert.Equal(3L, statistics.Properties["Received"].Value);
            Assert.Equal(2L, statistics.Properties["Excluded"].Value);
        }

        [Fact]
        public void AllowedSource_drops_other_senders_and_NoEvents_writes_only_the_statistics()
        {
            using var session = ModuleSession.Start();
            var result = Listen(session, "-Timeout 2 -NoEvents -AllowedSource 10.0.0.0/8", AnnaStart, BobOpen);
            Assert.Null(result.Terminated);
            Assert.Empty(Events(result));
            var statistics = Assert.Single(result.Output);
            Assert.Equal(2L, statistics.Properties["DroppedSource"].Value);
            Assert.Equal(0L, statistics.Properties["Emitted"].Value);

            var noEvents = Listen(session, "-Count 2 -Timeout 60 -NoEvents", AnnaStart, BobOpen);
            var counted = Assert.Single(noEvents.Output);
            Assert.Equal(2L, counted.Properties["Parsed"].Value);
        }

        [Fact]
        public void The_statistics_through_Export_Csv_keep_the_rejection_counts()
        {
            using var session = ModuleSession.Start();
            string csv = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "qa-stats-" + Guid.NewGuid().ToString("N") + ".csv");
            try
            {
                var result = Listening.Run(session, "", "-Count 1 -Timeout 60 -NoEvents", "not a user event", "/qseow-proxy-session/;too;few", AnnaStart);
                Assert.Null(result.Terminated);
                session.SetVariable("statistics", result.Output.Single().BaseObject);
                var row = session.Run("$statistics | Export-Csv -LiteralPath $args[0] -NoTypeInformation; (Import-Csv -LiteralPath $args[0]).RejectedByReason", csv);
                Assert.Empty(row.Errors);
                string text = Assert.Single(row.Output).ToString();
                Assert.Contains("UnknownPrefix=1", text, StringComparison.Ordinal);
                Assert.Contains("TooFewFields=1", text, StringComparison.Ordinal);
                Assert.DoesNotContain("Dictionary", text, StringComparison.Ordinal);
            }
            finally
            {
                System.IO.File.Delete(csv);
            }
        }

        [Fact]
        public void A_port_in_use_is_ResourceUnavailable_about_the_endpoint_and_ErrorAction_Stop_reaches_catch()
        {
            using var holder = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            int port = ((IPEndPoint)holder.Client.LocalEndPoint!).Port;
            using var session = ModuleSession.Start();
            var plain = session.Run($"Start-QlikEventListener -Address 127.0.0.1 -Port {port} -Timeout 5");
            var record = plain.TerminatingRecord;
            Assert.NotNull(record);
            Assert.StartsWith("PortInUse,", record!.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal(ErrorCategory.ResourceUnavailable, record.CategoryInfo.Category);
            Assert.Equal($"127.0.0.1:{port}", record.TargetObject);
            Assert.Contains("already in use", record.Exception.Message, StringComparison.Ordinal);

            var caught = session.Run($"try {{ Start-QlikEventListener -Address 127.0.0.1 -Port {port} -Timeout 5 -ErrorAction Stop; 'not reached' }} catch {{ $_.FullyQualifiedErrorId }}");
            Assert.StartsWith("PortInUse,", Assert.Single(caught.Output).ToString(), StringComparison.Ordinal);
        }

        [Fact]
        public void A_bad_AllowedSource_is_InvalidArgument_before_anything_listens()
        {
            int port = Udp.FreePort();
            using var session = ModuleSession.Start();
            var result = session.Run($"Start-QlikEventListener -Address 127.0.0.1 -Port {port} -AllowedSource '10.0.0.0/33' -Timeout 5");
            var record = result.TerminatingRecord;
            Assert.NotNull(record);
            Assert.StartsWith("InvalidAllowedSource,", record!.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal(ErrorCategory.InvalidArgument, record.CategoryInfo.Category);
            Assert.Empty(result.Output);
            Assert.False(Udp.IsBound(port));
        }

        [Fact]
        public void Ctrl_C_mid_run_still_shows_what_was_received()
        {
            int port = Udp.FreePort();
            using var session = ModuleSession.Start();
            bool sent = false;
            var result = session.RunAndStop(
                $"Start-QlikEventListener -Address 127.0.0.1 -Port {port} -WarningAction SilentlyContinue | ForEach-Object {{ Write-Host \"got $($_.UserId)\" }}",
                host =>
                {
                    if (!sent && Udp.IsBound(port))
                    {
                        Udp.Send(port, AnnaStart, BobOpen, SvcStart);
                        sent = true;
                    }

                    return host.Text("Host").Count(l => l.StartsWith("got ", StringComparison.Ordinal)) == 3;
                },
                TimeSpan.FromMinutes(1));
            Assert.IsType<PipelineStoppedException>(result.Terminated);
            var line = Assert.Single(session.Host.Text("Warning"), l => l.StartsWith("Stopped: ", StringComparison.Ordinal));
            Assert.Contains("received 3", line, StringComparison.Ordinal);
        }

        [Fact]
        public void Ctrl_C_while_destinations_are_still_piped_in_says_nothing_was_received()
        {
            int port = Udp.FreePort();
            using var session = ModuleSession.Start();
            session.SetVariable("hook", new NetworkCredential("", "http://127.0.0.1:9/hook").SecurePassword);
            var result = session.RunAndStop(
                $"& {{ New-QlikWebhookDestination -Uri $hook; Write-Host 'piped'; Start-Sleep -Seconds 600 }} | Start-QlikEventListener -Address 127.0.0.1 -Port {port}",
                host => host.Text("Host").Contains("piped"),
                TimeSpan.FromMinutes(1));
            Assert.IsType<PipelineStoppedException>(result.Terminated);
            var line = Assert.Single(session.Host.Text("Warning"), l => l.StartsWith("Stopped", StringComparison.Ordinal));
            Assert.Contains("while the listener was starting", line, StringComparison.Ordinal);
            Assert.Contains("no events were received", line, StringComparison.Ordinal);
            Assert.Contains($"port {port}", line, StringComparison.Ordinal);
            Assert.False(Udp.IsBound(port));
        }

        [Fact]
        public void The_default_views_keep_who_and_what_at_80_and_the_host_at_120()
        {
            using var session = ModuleSession.Start();
            var run = Listen(session, "-Count 2 -Timeout 60", AnnaStart, BobOpen);
            Assert.Null(run.Terminated);
            session.SetVariable("received", run.Output.ToArray());
            foreach (int width in new[] { 80, 120 })
            {
                string events = session.Render("$received | Where-Object { $_.PSObject.Properties['EventType'] }", width);
                var lines = ConnectQlikSenseTests.Lines(events);
                Assert.All(lines, l => Assert.True(l.Length <= width, $"wider than {width}: {l}"));
                Assert.Contains(lines, l => l.Contains(" SessionStart ", StringComparison.Ordinal) && l.Contains("CORPDIRECTORY\\anna.lindqvist-berg", StringComparison.Ordinal));
                Assert.Contains(lines, l => l.Contains(" ConnectionOpen ", StringComparison.Ordinal) && l.Contains("LAB\\bob", StringComparison.Ordinal));
                if (width == 120)
                {
                    Assert.Contains(lines, l => l.Contains("sense-node-02.corp.example.com", StringComparison.Ordinal));
                }

                string statistics = session.Render("$received | Where-Object { $_.PSObject.Properties['Emitted'] }", width);
                var statisticLines = ConnectQlikSenseTests.Lines(statistics).Where(l => l.Trim().Length > 0).ToArray();
                Assert.All(statisticLines, l => Assert.True(l.Length <= width, $"wider than {width}: {l}"));
                // One header line (no label wrapped onto a second), the dashes, one row.
                Assert.Equal(3, statisticLines.Length);
                foreach (var column in new[] { "Duration", "Received", "Rejected", "Dropped", "Excluded", "Emitted", "Events/s", "DestDropped" })
                {
                    Assert.Contains(column, statisticLines[0], StringComparison.Ordinal);
                }

                Assert.Matches(@"^\d\d:\d\d:\d\d\s+2\s+0\s+0\s+0\s+2\s+[\d.]+\s+0\s*$", statisticLines[2]);
            }
        }

        [Fact]
        public void Get_Help_shows_the_written_help()
        {
            HelpAssert.HasWrittenHelp("Start-QlikEventListener", "Address", "Port", "AllowedSource", "ExcludeUser", "EventType", "Tag", "Count", "Timeout", "Destination", "NoEvents", "Connection");
        }
    }
}
