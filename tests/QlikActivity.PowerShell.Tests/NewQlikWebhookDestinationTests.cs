using System;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Threading.Tasks;
using QlikActivity.Core.Tests.Destinations;
using QlikActivity.PowerShell.Tests.Fixtures;
using Xunit;

namespace QlikActivity.PowerShell.Tests
{
    /// <summary>New-QlikWebhookDestination in a live runspace, posting through the listener to a local recording HTTP server.</summary>
    public sealed class NewQlikWebhookDestinationTests : IAsyncLifetime
    {
        private const string Secret = "T0SECRET/B0SECRET/xyzSECRETtoken";
        private RecordingHttpServer _server = null!;

        public async Task InitializeAsync() => _server = await RecordingHttpServer.StartAsync();

        public async Task DisposeAsync() => await _server.DisposeAsync();

        private ModuleSession Session()
        {
            var session = ModuleSession.Start();
            session.SetVariable("hook", new NetworkCredential("", _server.Url("/services/" + Secret).ToString()).SecurePassword);
            return session;
        }

        [Fact]
        public void Piped_into_the_listener_it_posts_the_events_as_JSON_and_only_the_types_asked_for()
        {
            using var session = Session();
            var result = Listening.Run(session, "New-QlikWebhookDestination -Uri $hook -Format Json -EventType SessionStart -Header @{ 'X-Api-Key' = 'k1' } |",
                "-Count 2 -NoEvents -Timeout 60", SampleDatagrams.AnnaStart, SampleDatagrams.BobOpen);
            Assert.Null(result.Terminated);
            Assert.Empty(result.Errors);
            // The destination checks the webhook with a HEAD at start-up; the events come in POSTs.
            var request = Assert.Single(_server.WaitUntilAsync(r => r.Any(x => x.Method == "POST"), TimeSpan.FromSeconds(30)).GetAwaiter().GetResult(), r => r.Method == "POST");
            Assert.Equal("/services/" + Secret, request.Path);
            Assert.Equal("k1", request.Header("X-Api-Key"));
            Assert.Contains("\"userId\":\"anna.lindqvist-berg\"", request.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("bob", request.Text, StringComparison.Ordinal);

            var destination = Assert.Single(((System.Collections.IEnumerable)Assert.Single(result.Output).Properties["Destinations"].Value).Cast<object>());
            Assert.Equal(1L, PSObject.AsPSObject(destination).Properties["Sent"].Value);
        }

        [Fact]
        public void The_URL_and_header_values_never_show_in_output_views_or_exports()
        {
            using var session = Session();
            var shown = session.Run(
                "$d = New-QlikWebhookDestination -Uri $hook -Format Slack -Header @{ 'X-Api-Key' = 'HEADERSECRET' }; " +
                "$d | Out-String -Width 200; $d | Format-List * | Out-String -Width 200; $d | ConvertTo-Json -Depth 4; $d | ConvertTo-Csv; \"$d\"; $d.Name");
            Assert.Null(shown.Terminated);
            Assert.Empty(shown.Errors);
            string text = string.Join("\n", shown.Output.Select(o => o.ToString()));
            Assert.DoesNotContain("SECRET", text, StringComparison.Ordinal);
            Assert.Equal("Slack webhook " + _server.BaseUri.GetLeftPart(UriPartial.Authority) + "/…", shown.Output.Last().ToString());
        }

        [Fact]
        public void A_URL_that_is_not_http_is_InvalidArgument_and_ErrorAction_Stop_reaches_catch()
        {
            using var session = ModuleSession.Start();
            session.SetVariable("bad", new NetworkCredential("", "ftp://files.example.com/SECRETPATH").SecurePassword);
            var result = session.Run("try { New-QlikWebhookDestination -Uri $bad -Format Teams -ErrorAction Stop; 'not reached' } catch { $_ }");
            var record = (ErrorRecord)Assert.Single(result.Output).BaseObject;
            Assert.StartsWith("WebhookUrlInvalid,", record.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal(ErrorCategory.InvalidArgument, record.CategoryInfo.Category);
            Assert.Equal("Teams", record.TargetObject?.ToString());
            Assert.DoesNotContain("SECRETPATH", record.ToString(), StringComparison.Ordinal);
        }

        [Fact]
        public void A_plain_text_URL_is_refused_by_the_binder_so_it_never_sits_in_history_as_text()
        {
            using var session = ModuleSession.Start();
            var result = session.Run("New-QlikWebhookDestination -Uri 'https://hooks.example.com/services/T0/B0/x'");
            var record = result.TerminatingRecord;
            Assert.NotNull(record);
            Assert.StartsWith("CannotConvertArgumentNoMessage,", record!.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal(ErrorCategory.InvalidArgument, record.CategoryInfo.Category);
            Assert.Empty(result.Output);
        }

        [Fact]
        public void Ctrl_C_while_the_webhook_hangs_returns_with_the_statistics()
        {
            // The start-up check (HEAD) is answered; the POST with the event hangs.
            _server.Respond = r => r.Method == "HEAD" ? Reply.With(200) : Reply.Hanging();
            using var session = Session();
            int port = Udp.FreePort();
            bool sent = false;
            var result = session.RunAndStop(
                $"New-QlikWebhookDestination -Uri $hook -TimeoutSec 600 | Start-QlikEventListener -Address 127.0.0.1 -Port {port} -WarningAction SilentlyContinue | ForEach-Object {{ Write-Host 'event' }}",
                host =>
                {
                    if (!sent && Udp.IsBound(port))
                    {
                        Udp.Send(port, SampleDatagrams.AnnaStart);
                        sent = true;
                    }

                    return host.Text("Host").Contains("event") && _server.Requests.Any(r => r.Method == "POST");
                },
                TimeSpan.FromMinutes(1));
            Assert.IsType<PipelineStoppedException>(result.Terminated);
            Assert.Contains(session.Host.Text("Warning"), l => l.StartsWith("Stopped: ", StringComparison.Ordinal) && l.Contains("received 1", StringComparison.Ordinal));
        }

        [Fact]
        public void The_default_view_shows_the_name_whole_at_80_and_120()
        {
            using var session = Session();
            string name = "Teams webhook " + _server.BaseUri.GetLeftPart(UriPartial.Authority) + "/…";
            foreach (int width in new[] { 80, 120 })
            {
                string text = session.Render("New-QlikWebhookDestination -Uri $hook -Format Teams", width);
                Assert.All(ConnectQlikSenseTests.Lines(text), l => Assert.True(l.Length <= width, l));
                Assert.Contains(name, text, StringComparison.Ordinal);
                Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
            }
        }

        [Fact]
        public void Get_Help_shows_the_written_help()
        {
            HelpAssert.HasWrittenHelp("New-QlikWebhookDestination", "Uri", "Format", "EventType", "Header", "BatchSize", "QueueCapacity", "MaxAttempts", "TimeoutSec", "CaCertificatePath", "SkipCertificateCheck");
        }
    }
}
