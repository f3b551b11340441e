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
    /// <summary>New-QlikNewRelicDestination in a live runspace, posting through the listener to a local recording HTTP server in New Relic's place.</summary>
    public sealed class NewQlikNewRelicDestinationTests : IAsyncLifetime
    {
        private const string InsertKey = "NRII-INSERTKEYSECRET";
        private RecordingHttpServer _server = null!;

        public async Task InitializeAsync() => _server = await RecordingHttpServer.StartAsync();

        public async Task DisposeAsync() => await _server.DisposeAsync();

        private ModuleSession Session()
        {
            var session = ModuleSession.Start();
            session.SetVariable("key", new NetworkCredential("", InsertKey).SecurePassword);
            session.SetVariable("salt", new NetworkCredential("", "SALTSECRET").SecurePassword);
            session.SetVariable("collector", _server.Url("/v1/accounts/1234567/events"));
            return session;
        }

        [Fact]
        public void Piped_into_the_listener_it_posts_qs_userEvent_with_the_key_header_and_attributes()
        {
            using var session = Session();
            var result = Listening.Run(session, "New-QlikNewRelicDestination -AccountId 1234567 -InsertKey $key -Uri $collector -Attribute @{ qs_env = 'PROD' } |",
                "-Count 2 -NoEvents -Timeout 60", SampleDatagrams.AnnaStart, SampleDatagrams.BobOpen);
            Assert.Null(result.Terminated);
            Assert.Empty(result.Errors);
            // The destination checks the collector with a HEAD at start-up; the events come in POSTs.
            var requests = _server.WaitUntilAsync(r => r.Sum(x => CountOf(x.Text, "\"eventType\":\"qs_userEvent\"")) >= 2, TimeSpan.FromSeconds(30)).GetAwaiter().GetResult()
                .Where(r => r.Method == "POST").ToList();
            Assert.All(requests, r => Assert.Equal(InsertKey, r.Header("X-Insert-Key")));
            string body = string.Concat(requests.Select(r => r.Text));
            Assert.Contains("\"qs_userId\":\"anna.lindqvist-berg\"", body, StringComparison.Ordinal);
            Assert.Contains("\"qs_env\":\"PROD\"", body, StringComparison.Ordinal);
        }

        [Fact]
        public void ScrambleSalt_sends_pseudonyms_not_user_names()
        {
            using var session = Session();
            var result = Listening.Run(session, "New-QlikNewRelicDestination -AccountId 1234567 -InsertKey $key -Uri $collector -ScrambleSalt $salt |",
                "-Count 1 -NoEvents -Timeout 60", SampleDatagrams.AnnaStart);
            Assert.Null(result.Terminated);
            var request = Assert.Single(_server.WaitUntilAsync(r => r.Any(x => x.Method == "POST"), TimeSpan.FromSeconds(30)).GetAwaiter().GetResult(), r => r.Method == "POST");
            Assert.DoesNotContain("anna", request.Text, StringComparison.Ordinal);
            Assert.Matches("\"qs_userId\":\"[0-9a-f]{16}\"", request.Text);
        }

        [Fact]
        public void The_key_and_salt_never_show_in_output_views_or_exports()
        {
            using var session = Session();
            var shown = session.Run(
                "$d = New-QlikNewRelicDestination -AccountId 1234567 -InsertKey $key -Region EU -ScrambleSalt $salt; " +
                "$d | Out-String -Width 200; $d | Format-List * | Out-String -Width 200; $d | ConvertTo-Json -Depth 4; $d | ConvertTo-Csv; \"$d\"");
            Assert.Null(shown.Terminated);
            Assert.Empty(shown.Errors);
            string text = string.Join("\n", shown.Output.Select(o => o.ToString()));
            Assert.DoesNotContain("SECRET", text, StringComparison.Ordinal);
            Assert.Contains("eu", text, StringComparison.OrdinalIgnoreCase);
        }

        [Fact]
        public void A_reserved_attribute_is_InvalidArgument_and_ErrorAction_Stop_reaches_catch()
        {
            using var session = Session();
            var plain = session.Run("New-QlikNewRelicDestination -AccountId 1 -InsertKey $key -Attribute @{ qs_userId = 'x' }");
            var record = plain.TerminatingRecord;
            Assert.NotNull(record);
            Assert.StartsWith("NewRelicAttributeReserved,", record!.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal(ErrorCategory.InvalidArgument, record.CategoryInfo.Category);
            Assert.Equal("US", record.TargetObject?.ToString());
            Assert.Empty(plain.Output);

            var caught = session.Run("try { New-QlikNewRelicDestination -AccountId 1 -InsertKey $key -Uri 'ftp://collector.example.com/x?key=SECRET' -ErrorAction Stop; 'not reached' } catch { $_ }");
            var uriRecord = (ErrorRecord)Assert.Single(caught.Output).BaseObject;
            Assert.Equal(ErrorCategory.InvalidArgument, uriRecord.CategoryInfo.Category);
            Assert.Equal("ftp://collector.example.com", uriRecord.TargetObject);
            Assert.DoesNotContain("SECRET", uriRecord.ToString(), StringComparison.Ordinal);
        }

        [Fact]
        public void The_default_view_shows_the_name_whole_at_80_and_120()
        {
            using var session = Session();
            foreach (int width in new[] { 80, 120 })
            {
                var name = session.Run("(New-QlikNewRelicDestination -AccountId 1234567 -InsertKey $key -Region EU).Name").Output.Single().ToString();
                string text = session.Render("New-QlikNewRelicDestination -AccountId 1234567 -InsertKey $key -Region EU", width);
                Assert.All(ConnectQlikSenseTests.Lines(text), l => Assert.True(l.Length <= width, l));
                Assert.Contains(name, text, StringComparison.Ordinal);
            }
        }

        [Fact]
        public void Get_Help_shows_the_written_help()
        {
            HelpAssert.HasWrittenHelp("New-QlikNewRelicDestination", "AccountId", "InsertKey", "Region", "Uri", "ScrambleUserName", "ScrambleSalt", "Attribute", "BatchSize", "QueueCapacity", "TimeoutSec");
        }

        private static int CountOf(string text, string part)
        {
            int count = 0;
            for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
            {
                count++;
            }

            return count;
        }
    }
}
