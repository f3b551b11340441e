using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using QlikActivity.Core.Tests.Destinations.Mqtt.Support;
using QlikActivity.PowerShell.Tests.Fixtures;
using Xunit;

namespace QlikActivity.PowerShell.Tests
{
    /// <summary>New-QlikMqttDestination in a live runspace against a real mosquitto on a free loopback port.</summary>
    public sealed class NewQlikMqttDestinationTests : IDisposable
    {
        private static readonly string[] Columns = { "Broker", "Port", "UseTls", "ClientId", "QoS", "Topic", "SessionStartTopic", "SessionStopTopic", "ConnectionOpenTopic", "ConnectionCloseTopic" };
        private readonly MosquittoBroker _broker = MosquittoBroker.Start();

        public void Dispose() => _broker.Dispose();

        [Fact]
        public void Piped_into_the_listener_it_publishes_each_event_to_the_main_and_type_topics()
        {
            using var probe = MqttProbe.Subscribe(_broker.Port, "qliksense/#");
            using var session = ModuleSession.Start();
            var result = Listening.Run(session, $"New-QlikMqttDestination -Broker 127.0.0.1 -Port {_broker.Port} -Test |",
                "-Count 2 -NoEvents -Timeout 60", SampleDatagrams.AnnaStart, SampleDatagrams.BobOpen);
            Assert.Null(result.Terminated);
            Assert.Empty(result.Errors);
            var messages = probe.Take(4, TimeSpan.FromSeconds(30));
            Assert.Equal(2, messages.Count(m => m.Topic == "qliksense/userevent"));
            Assert.Contains(messages, m => m.Topic == "qliksense/userevent/session/start" && m.Payload.Contains("\"userId\":\"anna.lindqvist-berg\"", StringComparison.Ordinal));
            Assert.Contains(messages, m => m.Topic == "qliksense/userevent/connection/open" && m.Payload.Contains("\"userId\":\"bob\"", StringComparison.Ordinal));
        }

        [Fact]
        public void Topics_of_its_own_are_used_and_an_empty_topic_is_off()
        {
            using var probe = MqttProbe.Subscribe(_broker.Port, "#");
            using var session = ModuleSession.Start();
            var result = Listening.Run(session,
                $"New-QlikMqttDestination -Broker 127.0.0.1 -Port {_broker.Port} -Topic '' -SessionStartTopic 'sense/prod/login' -ConnectionOpenTopic '' |",
                "-Count 2 -NoEvents -Timeout 60", SampleDatagrams.AnnaStart, SampleDatagrams.BobOpen);
            Assert.Null(result.Terminated);
            var message = Assert.Single(probe.Take(1, TimeSpan.FromSeconds(30)));
            Assert.Equal("sense/prod/login", message.Topic);
            Assert.Equal(0, probe.CountWithin(TimeSpan.FromSeconds(1)));
        }

        [Fact]
        public void Import_Csv_of_its_own_Export_Csv_and_ConvertFrom_Json_make_the_same_destination()
        {
            using var session = ModuleSession.Start();
            string csv = Path.Combine(_broker.Directory, "brokers.csv");
            string select = "Select-Object " + string.Join(", ", Columns) + " | ConvertTo-Json -Compress";
            var result = session.Run(
                $"$d = New-QlikMqttDestination -Broker 127.0.0.1 -Port {_broker.Port} -ClientId sense-events-1 -QoS 0 -SessionStopTopic 'sense/logout'; " +
                "$d | Export-Csv -LiteralPath $args[0] -NoTypeInformation; " +
                $"$d | {select}; " +
                $"Import-Csv -LiteralPath $args[0] | New-QlikMqttDestination | {select}; " +
                $"$d | ConvertTo-Json | ConvertFrom-Json | New-QlikMqttDestination | {select}",
                csv);
            Assert.Null(result.Terminated);
            Assert.Empty(result.Errors);
            Assert.Equal(3, result.Output.Count);
            Assert.Equal(result.Output[0].ToString(), result.Output[1].ToString());
            Assert.Equal(result.Output[0].ToString(), result.Output[2].ToString());
            Assert.Contains("\"UseTls\":false", result.Output[1].ToString(), StringComparison.Ordinal);

            // A CSV of brokers written by hand binds by property name too; "True" turns TLS on.
            File.WriteAllText(csv, "Broker,Port,UseTls\nmqtt1.lab.local,8883,True\nmqtt2.lab.local,1883,False\n");
            var rows = session.Run("Import-Csv -LiteralPath $args[0] | New-QlikMqttDestination | ForEach-Object { '{0}:{1}:{2}' -f $_.Broker, $_.Port, $_.UseTls }", csv);
            Assert.Empty(rows.Errors);
            Assert.Equal(new[] { "mqtt1.lab.local:8883:True", "mqtt2.lab.local:1883:False" }, rows.Output.Select(o => o.ToString()));
        }

        [Fact]
        public void Test_against_a_closed_port_is_a_ConnectionError_about_the_broker()
        {
            int closed;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                closed = ((IPEndPoint)probe.LocalEndpoint).Port;
            }

            using var session = ModuleSession.Start();
            var result = session.Run($"New-QlikMqttDestination -Broker 127.0.0.1 -Port {closed} -Test");
            var record = result.TerminatingRecord;
            Assert.NotNull(record);
            Assert.StartsWith("MqttBrokerUnreachable,", record!.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal(ErrorCategory.ConnectionError, record.CategoryInfo.Category);
            Assert.Equal("127.0.0.1", record.TargetObject);
            Assert.Empty(result.Output);

            var caught = session.Run($"try {{ New-QlikMqttDestination -Broker 127.0.0.1 -Port {closed} -Test -ErrorAction Stop; 'not reached' }} catch {{ $_.CategoryInfo.Category }}");
            Assert.Equal("ConnectionError", Assert.Single(caught.Output).ToString());
        }

        [Fact]
        public void A_bad_QoS_is_refused_by_the_binder()
        {
            using var session = ModuleSession.Start();
            var result = session.Run("New-QlikMqttDestination -Broker 127.0.0.1 -QoS 2");
            Assert.StartsWith("ParameterArgumentValidationError,", result.TerminatingRecord?.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal(ErrorCategory.InvalidData, result.TerminatingRecord!.CategoryInfo.Category);
        }

        [Fact]
        public void Ctrl_C_during_Test_against_a_broker_that_never_answers_returns_promptly()
        {
            using var silent = new TcpListener(IPAddress.Loopback, 0);
            silent.Start();
            int port = ((IPEndPoint)silent.LocalEndpoint).Port;
            using var session = ModuleSession.Start();
            var result = session.RunAndStop(
                $"Write-Host 'testing'; New-QlikMqttDestination -Broker 127.0.0.1 -Port {port} -Test -KeepAliveSeconds 600",
                _ => silent.Pending(),
                TimeSpan.FromMinutes(1));
            Assert.IsType<PipelineStoppedException>(result.Terminated);
            Assert.Empty(result.Output);
        }

        [Fact]
        public void The_password_never_shows_and_the_default_view_shows_the_name_at_80_and_120()
        {
            using var session = ModuleSession.Start();
            session.SetVariable("cred", new PSCredential("sense-events", new NetworkCredential("", "PASSWORDSECRET").SecurePassword));
            var shown = session.Run("$d = New-QlikMqttDestination -Broker mqtt.lab.local -Credential $cred -WarningAction SilentlyContinue; $d | Format-List * | Out-String -Width 200; $d | ConvertTo-Json; $d | ConvertTo-Csv");
            Assert.Empty(shown.Errors);
            string text = string.Join("\n", shown.Output.Select(o => o.ToString()));
            Assert.DoesNotContain("PASSWORDSECRET", text, StringComparison.Ordinal);
            Assert.Contains("sense-events", text, StringComparison.Ordinal);
            foreach (int width in new[] { 80, 120 })
            {
                string table = session.Render("New-QlikMqttDestination -Broker mqtt.lab.local -Port 1884", width);
                Assert.All(ConnectQlikSenseTests.Lines(table), l => Assert.True(l.Length <= width, l));
                Assert.Contains("mqtt://mqtt.lab.local:1884", table, StringComparison.Ordinal);
            }
        }

        [Fact]
        public void Get_Help_shows_the_written_help()
        {
            HelpAssert.HasWrittenHelp("New-QlikMqttDestination", "Broker", "Port", "UseTls", "CaCertificatePath", "SkipCertificateCheck", "Credential", "ClientId", "QoS", "Topic", "SessionStartTopic", "QueueCapacity", "KeepAliveSeconds", "Test");
        }
    }
}
