using System;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Threading.Tasks;
using QlikActivity.Core.Tests.Destinations;
using QlikActivity.Core.Tests.Destinations.InfluxDb;
using QlikActivity.PowerShell.Tests.Fixtures;
using Xunit;

namespace QlikActivity.PowerShell.Tests
{
    /// <summary>
    /// New-QlikInfluxDbDestination in a live runspace: the 1.x parameter set against a real influxd on a
    /// free loopback port; the 2.x set against a recording HTTP server (influxd 1.6 has no /api/v2/write).
    /// </summary>
    public sealed class NewQlikInfluxDbDestinationTests : IAsyncLifetime
    {
        private InfluxDbServer _influx = null!;

        public async Task InitializeAsync()
        {
            _influx = await InfluxDbServer.StartAsync();
            await _influx.CreateDatabaseAsync("senseops");
        }

        public Task DisposeAsync()
        {
            _influx.Dispose();
            return Task.CompletedTask;
        }

        [Fact]
        public void V1_piped_into_the_listener_writes_user_events_points_with_the_tags()
        {
            using var session = ModuleSession.Start();
            var result = Listening.Run(session, $"New-QlikInfluxDbDestination -Uri {_influx.Url} -Database senseops -Tag @{{ qs_env = 'PROD' }} |",
                "-Count 2 -NoEvents -Timeout 60", SampleDatagrams.AnnaStart, SampleDatagrams.BobOpen);
            Assert.Null(result.Terminated);
            Assert.Empty(result.Errors);
            var rows = _influx.RowsAsync("senseops", "SELECT * FROM user_events").GetAwaiter().GetResult();
            Assert.Equal(2, rows.Count);
            Assert.Contains(rows, r => r["userId"].GetString() == "anna.lindqvist-berg" && r["qs_env"].GetString() == "PROD" && r["event_action"].GetString() == "Start session");
        }

        [Fact]
        public void V2_writes_to_the_bucket_of_the_organization_with_the_token()
        {
            var server = RecordingHttpServer.StartAsync().GetAwaiter().GetResult();
            try
            {
                server.Respond = _ => Reply.With(204);
                using var session = ModuleSession.Start();
                session.SetVariable("token", new NetworkCredential("", "TOKENSECRET").SecurePassword);
                var result = Listening.Run(session, $"New-QlikInfluxDbDestination -Uri {server.BaseUri} -Organization lab -Bucket qlik -Token $token -Compress -WarningAction SilentlyContinue |",
                    "-Count 1 -NoEvents -Timeout 60", SampleDatagrams.AnnaStart);
                Assert.Null(result.Terminated);
                var request = Assert.Single(server.WaitUntilAsync(r => r.Any(x => x.Method == "POST"), TimeSpan.FromSeconds(30)).GetAwaiter().GetResult(), r => r.Method == "POST");
                Assert.Equal("/api/v2/write", request.Path);
                Assert.Contains("org=lab", request.Query, StringComparison.Ordinal);
                Assert.Contains("bucket=qlik", request.Query, StringComparison.Ordinal);
                Assert.Equal("Token TOKENSECRET", request.Header("Authorization"));
                Assert.StartsWith("user_events,", request.Text, StringComparison.Ordinal);
            }
            finally
            {
                server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }

        [Fact]
        public void Each_parameter_set_needs_its_own_parameters()
        {
            using var session = ModuleSession.Start();
            var sets = session.Run("(Get-Command New-QlikInfluxDbDestination).ParameterSets | ForEach-Object { '{0}:{1}' -f $_.Name, $_.IsDefault }");
            Assert.Equal(new[] { "V1:True", "V2:False" }, sets.Output.Select(o => o.ToString()).OrderBy(s => s));

            session.SetVariable("token", new NetworkCredential("", "t").SecurePassword);
            var mixed = session.Run("New-QlikInfluxDbDestination -Uri http://127.0.0.1:8086 -Database senseops -Organization lab -Bucket qlik -Token $token");
            Assert.StartsWith("AmbiguousParameterSet,", mixed.TerminatingRecord?.FullyQualifiedErrorId, StringComparison.Ordinal);
        }

        [Fact]
        public void Secrets_never_show_and_the_default_view_shows_the_name_at_80_and_120()
        {
            using var session = ModuleSession.Start();
            session.SetVariable("cred", new PSCredential("writer", new NetworkCredential("", "PASSWORDSECRET").SecurePassword));
            session.SetVariable("token", new NetworkCredential("", "TOKENSECRET").SecurePassword);
            var shown = session.Run(
                "$a = New-QlikInfluxDbDestination -Uri https://influx.lab.local:8086 -Database senseops -Credential $cred; " +
                "$b = New-QlikInfluxDbDestination -Uri https://influx.lab.local:8086 -Organization lab -Bucket qlik -Token $token; " +
                "$a, $b | Format-List * | Out-String -Width 200; $a, $b | ConvertTo-Json; $a, $b | ConvertTo-Csv");
            Assert.Empty(shown.Errors);
            string text = string.Join("\n", shown.Output.Select(o => o.ToString()));
            Assert.DoesNotContain("SECRET", text, StringComparison.Ordinal);
            foreach (int width in new[] { 80, 120 })
            {
                string name = session.Run("(New-QlikInfluxDbDestination -Uri https://influx.lab.local:8086 -Database senseops).Name").Output.Single().ToString();
                string table = session.Render("New-QlikInfluxDbDestination -Uri https://influx.lab.local:8086 -Database senseops", width);
                Assert.All(ConnectQlikSenseTests.Lines(table), l => Assert.True(l.Length <= width, l));
                Assert.Contains(name, table, StringComparison.Ordinal);
            }
        }

        [Fact]
        public void A_reserved_tag_or_a_URL_with_a_password_is_InvalidArgument_without_the_secret_in_the_record()
        {
            using var session = ModuleSession.Start();
            var tag = session.Run("New-QlikInfluxDbDestination -Uri http://127.0.0.1:8086 -Database senseops -Tag @{ userId = 'x' }");
            Assert.StartsWith("InfluxDbTagReserved,", tag.TerminatingRecord?.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal(ErrorCategory.InvalidArgument, tag.TerminatingRecord!.CategoryInfo.Category);
            Assert.Equal("http://127.0.0.1:8086", tag.TerminatingRecord.TargetObject);

            var caught = session.Run("try { New-QlikInfluxDbDestination -Uri 'ftp://writer:PASSWORDSECRET@influx.lab.local/' -Database senseops -ErrorAction Stop; 'not reached' } catch { $_ }");
            var record = (ErrorRecord)Assert.Single(caught.Output).BaseObject;
            Assert.StartsWith("InfluxDbUrlInvalid,", record.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal("ftp://influx.lab.local", record.TargetObject);
            Assert.DoesNotContain("PASSWORDSECRET", record.ToString() + record.TargetObject, StringComparison.Ordinal);
        }

        [Fact]
        public void Ctrl_C_while_influxd_is_down_returns_with_the_statistics()
        {
            using var session = ModuleSession.Start();
            var down = new Uri($"http://127.0.0.1:{Udp.FreePort()}");
            int port = Udp.FreePort();
            bool sent = false;
            var result = session.RunAndStop(
                $"New-QlikInfluxDbDestination -Uri {down} -Database senseops | Start-QlikEventListener -Address 127.0.0.1 -Port {port} -WarningAction SilentlyContinue | ForEach-Object {{ Write-Host 'event' }}",
                host =>
                {
                    if (!sent && Udp.IsBound(port))
                    {
                        Udp.Send(port, SampleDatagrams.AnnaStart);
                        sent = true;
                    }

                    return host.Text("Host").Contains("event");
                },
                TimeSpan.FromMinutes(1));
            Assert.IsType<PipelineStoppedException>(result.Terminated);
            Assert.Contains(session.Host.Text("Warning"), l => l.StartsWith("Stopped: ", StringComparison.Ordinal) && l.Contains("received 1", StringComparison.Ordinal));
        }

        [Fact]
        public void Get_Help_shows_the_written_help()
        {
            HelpAssert.HasWrittenHelp("New-QlikInfluxDbDestination", "Uri", "Database", "RetentionPolicy", "Credential", "Organization", "Bucket", "Token", "Measurement", "Tag", "BatchSize", "Compress");
        }
    }
}
