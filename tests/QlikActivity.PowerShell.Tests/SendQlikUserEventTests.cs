using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using QlikActivity.PowerShell.Tests.Fixtures;
using Xunit;

namespace QlikActivity.PowerShell.Tests
{
    /// <summary>Send-QlikUserEvent in a live runspace, sending to a real UDP socket on loopback.</summary>
    public sealed class SendQlikUserEventTests
    {
        private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

        [Fact]
        public void Sends_the_datagram_the_Proxy_would_with_every_parameter()
        {
            using var receiver = new UdpReceiver();
            using var session = ModuleSession.Start();
            var result = session.Run(
                "Send-QlikUserEvent 127.0.0.1 $args[0] -EventType ConnectionOpen -UserDirectory LAB -UserId anna -HostName sense1 " +
                "-AppId 0b8b3c5e-2f4a-4d7e-9c1b-6a5d4e3f2a10 -UserAgent 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' -PassThru",
                receiver.Port);
            Assert.Null(result.Terminated);
            Assert.Empty(result.Errors);
            string datagram = Assert.Single(receiver.Receive(Wait, 1));
            Assert.StartsWith("/qseow-proxy-connection/;sense1;Open connection;LAB;anna;AppAccess;/app/0b8b3c5e-2f4a-4d7e-9c1b-6a5d4e3f2a10", datagram, StringComparison.Ordinal);
            Assert.Contains("Firefox/128.0", datagram, StringComparison.Ordinal);

            var sent = Assert.Single(result.Output);
            Assert.Equal(datagram, sent.Properties["Datagram"].Value);
            Assert.Equal(receiver.Port, Convert.ToInt32(sent.Properties["Port"].Value));
            Assert.Equal("anna", sent.Properties["UserId"].Value);
        }

        [Fact]
        public void Count_numbers_the_events_and_Legacy_uses_the_old_prefix_without_PassThru_nothing_is_output()
        {
            using var receiver = new UdpReceiver();
            using var session = ModuleSession.Start();
            var result = session.Run("Send-QlikUserEvent -Server 127.0.0.1 -Port $args[0] -Count 3 -Format Legacy -EventType SessionStop", receiver.Port);
            Assert.Null(result.Terminated);
            Assert.Empty(result.Output);
            var datagrams = receiver.Receive(Wait, 3);
            Assert.Equal(3, datagrams.Count);
            Assert.All(datagrams, d => Assert.StartsWith("/proxy-session/;", d, StringComparison.Ordinal));
            Assert.Contains("test 2 of 3", datagrams[1], StringComparison.Ordinal);
        }

        [Fact]
        public void Binds_objects_Import_Csv_of_its_own_Export_Csv_and_ConvertFrom_Json_by_property_name()
        {
            using var receiver = new UdpReceiver();
            using var session = ModuleSession.Start();
            string csv = Path.Combine(Path.GetTempPath(), "qa-sent-" + Guid.NewGuid().ToString("N") + ".csv");
            try
            {
                // Objects: a list of servers and users, as an admin keeps them.
                var objects = session.Run(
                    "@([pscustomobject]@{ Server = '127.0.0.1'; Port = $args[0]; EventType = 'SessionStop'; UserDirectory = 'LAB'; UserId = 'bob' }," +
                    "  [pscustomobject]@{ Server = '127.0.0.1'; Port = $args[0]; UserId = 'carl' }) | Send-QlikUserEvent -PassThru | Export-Csv -LiteralPath $args[1] -NoTypeInformation",
                    receiver.Port, csv);
                Assert.Null(objects.Terminated);
                Assert.Empty(objects.Errors);
                var first = receiver.Receive(Wait, 2);
                Assert.Equal(2, first.Count);
                Assert.Contains(";Stop session;LAB;bob;", first[0], StringComparison.Ordinal);
                Assert.Contains(";Start session;QLIKACTIVITY;carl;", first[1], StringComparison.Ordinal);

                // Its own Export-Csv sends the same events again (EventType as its name, Port as text).
                var again = session.Run("Import-Csv -LiteralPath $args[0] | Send-QlikUserEvent", csv);
                Assert.Null(again.Terminated);
                Assert.Empty(again.Errors);
                var fromCsv = receiver.Receive(Wait, 2);
                Assert.Equal(first.Select(Fields), fromCsv.Select(Fields));

                // ConvertTo-Json writes EventType as a number; it still binds.
                var json = session.Run("Import-Csv -LiteralPath $args[0] | Send-QlikUserEvent -PassThru -WhatIf:$false | ConvertTo-Json | ConvertFrom-Json | Send-QlikUserEvent", csv);
                Assert.Null(json.Terminated);
                Assert.Empty(json.Errors);
                var fromJson = receiver.Receive(Wait, 4);
                Assert.Equal(first.Concat(first).Select(Fields), fromJson.Select(Fields));
            }
            finally
            {
                File.Delete(csv);
            }
        }

        [Fact]
        public void WhatIf_says_what_would_be_sent_and_sends_nothing()
        {
            using var receiver = new UdpReceiver();
            using var session = ModuleSession.Start();
            var result = session.Run("Send-QlikUserEvent -Server 127.0.0.1 -Port $args[0] -UserId anna -Count 2 -PassThru -WhatIf", receiver.Port);
            Assert.Null(result.Terminated);
            Assert.Empty(result.Output);
            Assert.Contains(session.Host.Text("Host"), l => l == $"What if: Performing the operation \"Send 2 test user event(s): Start session for QLIKACTIVITY\\anna\" on target \"127.0.0.1:{receiver.Port}\".");
            Assert.Empty(receiver.Receive(TimeSpan.FromSeconds(1)));
        }

        [Fact]
        public void Confirm_answers_decide_per_server()
        {
            using var receiver = new UdpReceiver();
            using var session = ModuleSession.Start();
            session.Host.Answer("No", "Yes");
            var result = session.Run("$port = $args[0]; 'bob', 'carl' | ForEach-Object { [pscustomobject]@{ Server = '127.0.0.1'; Port = $port; UserId = $_ } } | Send-QlikUserEvent -Confirm", receiver.Port);
            Assert.Null(result.Terminated);
            Assert.Equal(2, session.Host.Text("Prompt").Count);
            Assert.Equal(0, session.Host.PendingAnswers);
            var datagram = Assert.Single(receiver.Receive(TimeSpan.FromSeconds(2)));
            Assert.Contains(";carl;", datagram, StringComparison.Ordinal);
        }

        [Fact]
        public void A_server_that_does_not_resolve_is_that_records_error_and_the_others_are_still_sent()
        {
            using var receiver = new UdpReceiver();
            using var session = ModuleSession.Start();
            var result = session.Run("$port = $args[0]; 'no-such-host.invalid', '127.0.0.1' | ForEach-Object { [pscustomobject]@{ Server = $_; Port = $port } } | Send-QlikUserEvent", receiver.Port);
            Assert.Null(result.Terminated);
            var error = Assert.Single(result.Errors);
            Assert.StartsWith("ServerNotResolved,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
            Assert.Equal("no-such-host.invalid", error.TargetObject);
            Assert.Single(receiver.Receive(Wait, 1));
        }

        [Fact]
        public void A_field_with_a_separator_is_InvalidArgument_and_ErrorAction_Stop_reaches_catch()
        {
            using var receiver = new UdpReceiver();
            using var session = ModuleSession.Start();
            var result = session.Run("try { Send-QlikUserEvent -Server 127.0.0.1 -Port $args[0] -UserId 'a;b' -ErrorAction Stop; 'not reached' } catch { $_ }", receiver.Port);
            var record = (ErrorRecord)Assert.Single(result.Output).BaseObject;
            Assert.StartsWith("InvalidUserEventField,", record.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal(ErrorCategory.InvalidArgument, record.CategoryInfo.Category);
            Assert.Equal("127.0.0.1", record.TargetObject);
            Assert.Contains("';'", record.Exception.Message, StringComparison.Ordinal);
            Assert.Empty(receiver.Receive(TimeSpan.FromSeconds(1)));
        }

        [Fact]
        public void Ctrl_C_mid_run_stops_sending_and_says_how_many_were_sent()
        {
            using var receiver = new UdpReceiver();
            using var session = ModuleSession.Start();
            int arrived = 0;
            var result = session.RunAndStop(
                $"Send-QlikUserEvent -Server 127.0.0.1 -Port {receiver.Port} -Count 1000000",
                _ => (arrived += receiver.Receive(TimeSpan.FromMilliseconds(50), 100).Count) >= 100,
                TimeSpan.FromMinutes(1));
            Assert.IsType<PipelineStoppedException>(result.Terminated);
            var line = Assert.Single(session.Host.Text("Warning"), l => l.StartsWith("Stopped: sent ", StringComparison.Ordinal));
            Assert.Contains("of 1,000,000 test user event(s)", line, StringComparison.Ordinal);
            Assert.DoesNotContain("sent 1,000,000 of", line, StringComparison.Ordinal);
        }

        [Fact]
        public void The_default_view_keeps_address_type_and_user_whole_at_80_and_120()
        {
            using var session = ModuleSession.Start();
            const string Script = "Send-QlikUserEvent -Server 127.0.0.1 -Port 9 -EventType ConnectionClose -UserDirectory CORPDIRECTORY -UserId anna.lindqvist -PassThru";
            foreach (int width in new[] { 80, 120 })
            {
                string text = session.Render(Script, width);
                var lines = ConnectQlikSenseTests.Lines(text);
                Assert.All(lines, l => Assert.True(l.Length <= width, $"wider than {width}: {l}"));
                string header = ConnectQlikSenseTests.HeaderLine(text);
                foreach (var column in new[] { "SentAt", "Address", "Port", "EventType", "User" })
                {
                    Assert.Contains(column, header, StringComparison.Ordinal);
                }

                string row = lines.Last(l => l.Trim().Length > 0);
                Assert.Contains(" 127.0.0.1 ", row, StringComparison.Ordinal);
                Assert.Contains(" ConnectionClose ", row, StringComparison.Ordinal);
                Assert.EndsWith("CORPDIRECTORY\\anna.lindqvist", row.TrimEnd(), StringComparison.Ordinal);
            }
        }

        [Fact]
        public void Get_Help_shows_the_written_help()
        {
            HelpAssert.HasWrittenHelp("Send-QlikUserEvent", "Server", "Port", "EventType", "UserDirectory", "UserId", "Count", "Format", "PassThru");
        }

        // The datagram without the test number and host: the same event sent again.
        private static string Fields(string datagram) => string.Join(";", datagram.Split(';').Skip(2).Take(5));
    }
}
