using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using QlikActivity.Core.Tests.Destinations;
using QlikActivity.Core.Tests.Destinations.InfluxDb;
using QlikActivity.Core.Tests.Destinations.Mqtt.Support;
using QlikActivity.PowerShell.Tests.Fixtures;
using Xunit;

namespace QlikActivity.PowerShell.Tests
{
    /// <summary>
    /// Every help example runs as written (issue 9, section 2, item 8). The code comes from the built
    /// MAML (Get-Help), as an admin copies it; each example gets a prelude keyed by cmdlet and number
    /// that sets up what it needs (a connection, a listener, a broker, answers to Read-Host).
    /// Examples written for a real Sense network name hosts, paths and ports that do not exist here:
    /// those are substituted by <see cref="ExampleRun.Substitute"/> (literal text, listed per example),
    /// or given through $PSDefaultParameterValues; nothing else in the code is changed.
    /// The event journal's examples read a journal written by the module's own writer (see RunJournalExample).
    /// An example without a prelude fails. The one exception is the scheduled-job example
    /// (Start-QlikEventListener 4): Register-ScheduledJob and New-JobTrigger exist only in Windows
    /// PowerShell, so it is parsed and its QlikActivity parameters checked instead.
    /// </summary>
    public sealed class HelpExampleTests : IClassFixture<SimulatorFixture>
    {
        private readonly SimulatorFixture _sim;

        public HelpExampleTests(SimulatorFixture sim) => _sim = sim;

        /// <summary>Every "### Example N" of every cmdlet page in docs/en-US.</summary>
        public static IEnumerable<object[]> Examples()
        {
            string docs = Path.Combine(ModuleSession.RepositoryRoot, "docs", "en-US");
            foreach (var file in Directory.GetFiles(docs, "*-Qlik*.md").OrderBy(f => f, StringComparer.Ordinal))
            {
                string command = Path.GetFileNameWithoutExtension(file);
                foreach (Match m in Regex.Matches(File.ReadAllText(file), @"^### Example (\d+)", RegexOptions.Multiline))
                {
                    yield return new object[] { command, int.Parse(m.Groups[1].Value) };
                }
            }
        }

        [Fact]
        public void Every_cmdlet_page_has_examples_and_the_built_help_has_the_same_count()
        {
            var examples = Examples().GroupBy(e => (string)e[0]).ToDictionary(g => g.Key, g => g.Count());
            Assert.True(examples.Count >= 11, $"only {examples.Count} cmdlet pages");
            using var session = ModuleSession.Start();
            foreach (var (command, count) in examples)
            {
                var built = session.Run($"@((Get-Help {command}).examples.example).Count");
                Assert.Equal(count, Convert.ToInt32(built.Output.Single().BaseObject));
            }
        }

        [Theory]
        [MemberData(nameof(Examples))]
        public void Runs_as_written(string command, int number)
        {
            using var run = new ExampleRun(command, number);
            run.AssertTypeLiteralsResolve();
            if (command is "Get-QlikUserEvent" or "Get-QlikUserSession" or "Get-QlikAppActivity" || $"{command} {number}" == "Get-QlikUserActivity 5")
            {
                RunJournalExample(run, command, number);
                return;
            }

            switch ($"{command} {number}")
            {
                case "Connect-QlikSense 1":
                    run.Substitute("qlik.lab.local", "localhost").Substitute(@"C:\certs\qlik", _sim.CertificateDirectory).DefaultPort("Connect-QlikSense", _sim.Port);
                    AssertConnected(run.Run());
                    break;

                case "Connect-QlikSense 2":
                {
                    // The QMC's Windows export: client.pfx with root.cer beside it.
                    string folder = run.Folder("pfx");
                    File.Copy(_sim.CertificateFile("client.pfx"), Path.Combine(folder, "client.pfx"));
                    File.Copy(_sim.CertificateFile("root.pem"), Path.Combine(folder, "root.cer"));
                    run.Answer("PFX password", "").Substitute("qlik.lab.local", "localhost").Substitute(@"C:\certs\qlik\client.pfx", Path.Combine(folder, "client.pfx")).DefaultPort("Connect-QlikSense", _sim.Port);
                    AssertConnected(run.Run());
                    break;
                }

                case "Connect-QlikSense 3":
                {
                    string jwt = Path.Combine(run.Folder("secrets"), "qlik.jwt");
                    File.WriteAllText(jwt, _sim.Sim.CreateJwt("INTERNAL", "sa_api"));
                    run.Substitute("qlik.lab.local", "localhost").Substitute(@"C:\secrets\qlik.jwt", jwt).Substitute(@"C:\certs\qlik\root.pem", _sim.CertificateFile("root.pem"))
                        .DefaultPort("Connect-QlikSense", _sim.Sim.ProxyPort);
                    var result = run.Run();
                    AssertClean(result);
                    Assert.Contains(result.Output, o => o.Properties["Bucket"] != null);
                    break;
                }

                case "Connect-QlikSense 4":
                {
                    // The Windows store as .NET keeps it here (X509Store CurrentUser\My); the example's thumbprint is a placeholder.
                    using var certificate = X509CertificateLoader.LoadPkcs12FromFile(_sim.CertificateFile("client.pfx"), "", X509KeyStorageFlags.Exportable | X509KeyStorageFlags.PersistKeySet);
                    using var store = new X509Store(StoreName.My, StoreLocation.CurrentUser);
                    store.Open(OpenFlags.ReadWrite);
                    store.Add(certificate);
                    try
                    {
                        run.Substitute("qlik.lab.local", "localhost").Substitute("A909502DD82AE41433E6F83886B00D4277A32A7B", certificate.Thumbprint)
                            .DefaultPort("Connect-QlikSense", _sim.Port).Prelude($"$PSDefaultParameterValues['Connect-QlikSense:RootCertificatePath'] = '{_sim.CertificateFile("root.pem")}'");
                        AssertConnected(run.Run());
                    }
                    finally
                    {
                        store.Remove(certificate);
                    }

                    break;
                }

                case "Disconnect-QlikSense 1":
                    run.Substitute("qlik.lab.local", "localhost").Substitute(@"C:\certs\qlik", _sim.CertificateDirectory).DefaultPort("Connect-QlikSense", _sim.Port);
                    AssertClean(run.Run());
                    Assert.Equal(SimulatorFixture.Users + 1, File.ReadAllLines(Path.Combine(run.WorkingDirectory, "activity.csv")).Length);
                    break;

                case "Disconnect-QlikSense 2":
                {
                    run.Substitute("qlik-test.lab.local", "localhost").Substitute(@"C:\certs\test", _sim.CertificateDirectory).DefaultPort("Connect-QlikSense", _sim.Port);
                    var result = run.Run();
                    AssertClean(result);
                    Assert.Contains(run.Session.Host.Text("Verbose"), l => l.Contains("localhost", StringComparison.Ordinal));
                    break;
                }

                case "Get-QlikUserActivity 1":
                    run.Substitute("qlik.lab.local", "localhost").Substitute(@"C:\certs\qlik", _sim.CertificateDirectory).DefaultPort("Connect-QlikSense", _sim.Port);
                    Assert.Contains(run.Run().Output, o => o.ToString()!.Contains("Microsoft.PowerShell.Commands.Internal.Format", StringComparison.Ordinal));
                    break;

                case "Get-QlikUserActivity 2":
                case "Get-QlikUserActivity 3":
                    run.Prelude(Connect());
                    AssertClean(run.Run());
                    break;

                case "Get-QlikUserActivity 4":
                    run.Prelude(Connect());
                    AssertClean(run.Run());
                    Assert.Equal(SimulatorFixture.Users + 1, File.ReadAllLines(Path.Combine(run.WorkingDirectory, "year-end.csv")).Length);
                    break;

                case "Set-QlikActivityBucket 1":
                    run.Substitute("qlik.lab.local", "localhost").Substitute(@"C:\certs\qlik", _sim.CertificateDirectory).DefaultPort("Connect-QlikSense", _sim.Port).Confirm();
                    AssertSummary(run.Run());
                    break;

                case "Set-QlikActivityBucket 2":
                case "Set-QlikActivityBucket 4":
                    run.Prelude(Connect()).Confirm();
                    AssertSummary(run.Run());
                    break;

                case "Set-QlikActivityBucket 3":
                    run.Prelude(Connect()).Confirm();
                    AssertClean(run.Run());
                    break;

                case "Set-QlikActivityBucket 5":
                {
                    string log = Path.Combine(run.Folder("logs"), "activity-buckets.csv");
                    run.Prelude(Connect()).Substitute(@"C:\logs\activity-buckets.csv", log).Confirm();
                    AssertClean(run.Run());
                    Assert.Contains("\"UsersInScope\"", File.ReadAllText(log), StringComparison.Ordinal);
                    break;
                }

                case "Set-QlikActivityBucket 6":
                {
                    // A .ps1 file's text: its exit code is what the example is about, so run it as pwsh -File would.
                    run.Substitute("sense.example.com", "localhost").Substitute(@"C:\certs\sense", _sim.CertificateDirectory).DefaultPort("Connect-QlikSense", _sim.Port);
                    var result = run.Run();
                    Assert.Null(result.Terminated);
                    Assert.Contains(run.Session.Host.Text("Host"), l => l.Contains("Succeeded", StringComparison.Ordinal));
                    Assert.DoesNotContain(run.Session.Host.Text("Host"), l => l.Contains("failed:", StringComparison.Ordinal));
                    break;
                }

                case "New-QlikLogAppenderConfig 1":
                    Assert.Contains("monitor.lab.local", Assert.Single(run.Run().Output).ToString(), StringComparison.Ordinal);
                    break;

                case "New-QlikLogAppenderConfig 2":
                {
                    // Restart-Service exists on Windows only: the prelude records the call instead.
                    string proxy = run.Folder("Proxy");
                    run.Substitute(@"C:\ProgramData\Qlik\Sense\Proxy", proxy).Confirm()
                        .Prelude("function Restart-Service { param([string] $Name) Write-Host \"restarted $Name\" }");
                    AssertClean(run.Run());
                    Assert.Contains("10.1.0.50", File.ReadAllText(Path.Combine(proxy, "LocalLogConfig.xml")), StringComparison.Ordinal);
                    Assert.Contains("restarted QlikSenseProxyService", run.Session.Host.Text("Host"));
                    break;
                }

                case "New-QlikLogAppenderConfig 3":
                    AssertClean(run.Run());
                    Assert.Contains(run.Session.Host.Text("Host"), l => l.StartsWith("What if:", StringComparison.Ordinal));
                    Assert.False(File.Exists(Path.Combine(run.WorkingDirectory, "LocalLogConfig.xml")));
                    break;

                case "Send-QlikUserEvent 1":
                {
                    using var receiver = new UdpReceiver();
                    run.Substitute("monitor.lab.local", "127.0.0.1").DefaultPort("Send-QlikUserEvent", receiver.Port).Confirm();
                    AssertClean(run.Run());
                    Assert.Contains(";Start session;QLIKACTIVITY;testuser;", Assert.Single(receiver.Receive(TimeSpan.FromSeconds(10), 1)), StringComparison.Ordinal);
                    break;
                }

                case "Send-QlikUserEvent 2":
                {
                    using var receiver = new UdpReceiver();
                    run.Substitute("10.1.0.50", "127.0.0.1").Substitute("9997", receiver.Port.ToString()).Confirm();
                    var result = run.Run();
                    AssertClean(result);
                    Assert.Equal(result.Property<string>(0, "Datagram"), Assert.Single(receiver.Receive(TimeSpan.FromSeconds(10), 1)));
                    break;
                }

                case "Send-QlikUserEvent 3":
                {
                    int port = Udp.FreePort();
                    run.ThreadJobs().Substitute("9997", port.ToString()).Confirm();
                    var result = run.Run();
                    AssertClean(result);
                    Assert.Equal(3, result.Output.Count(o => o.Properties["EventType"] != null && o.Properties["ReceivedAt"] != null));
                    Assert.Equal(3L, result.Output.Single(o => o.Properties["Emitted"] != null).Properties["Emitted"].Value);
                    break;
                }

                case "Start-QlikEventListener 1":
                {
                    int port = Udp.FreePort();
                    run.DefaultPort("Start-QlikEventListener", port);
                    var result = run.RunAndStop(_ => SentOnceBound(port, SampleDatagrams.AnnaStart));
                    // Until Ctrl+C, and Ctrl+C says what was done (here perhaps still while starting).
                    Assert.Contains(run.Session.Host.Text("Warning"), l => l.StartsWith("Stopped", StringComparison.Ordinal));
                    Assert.IsType<PipelineStoppedException>(result.Terminated);
                    break;
                }

                case "Start-QlikEventListener 2":
                {
                    int port = Udp.FreePort();
                    run.DefaultPort("Start-QlikEventListener", port);
                    var sender = System.Threading.Tasks.Task.Run(() =>
                    {
                        Udp.WaitUntilBound(port, TimeSpan.FromSeconds(60));
                        Udp.Send(port, SampleDatagrams.SvcStart);
                        Udp.Send(port, Enumerable.Range(1, 10).Select(i => SampleDatagrams.BobStop.Replace(";bob;", $";user{i};")).ToArray());
                    });
                    var result = run.Run();
                    sender.Wait();
                    AssertClean(result);
                    Assert.Equal(10, result.Output.Count(o => o.Properties["ReceivedAt"] != null));
                    Assert.Equal("PROD", ((IReadOnlyDictionary<string, string>)result.Output[0].Properties["Tags"].Value)["env"]);
                    break;
                }

                case "Start-QlikEventListener 3":
                {
                    // The job's listener runs on the example's default port, 9997, so it must be free here.
                    var free = DateTime.UtcNow.AddSeconds(30);
                    while (Udp.IsBound(9997) && DateTime.UtcNow < free)
                    {
                        System.Threading.Thread.Sleep(100);
                    }

                    Assert.False(Udp.IsBound(9997), "UDP port 9997 is in use on this machine; the example listens on it.");
                    run.ThreadJobs().Substitute("sense1.lab.local", "127.0.0.1").Substitute("sense2.lab.local", "localhost");
                    AssertClean(run.Run());
                    // Stop-Job returns once the job has stopped; the socket is closed as the listener unwinds.
                    var released = DateTime.UtcNow.AddSeconds(10);
                    while (Udp.IsBound(9997) && DateTime.UtcNow < released)
                    {
                        System.Threading.Thread.Sleep(50);
                    }

                    Assert.False(Udp.IsBound(9997), "Stop-Job left the listener holding the port");
                    break;
                }

                case "Start-QlikEventListener 4":
                    // Register-ScheduledJob and New-JobTrigger are Windows PowerShell only.
                    run.AssertParsesWithKnownParameters();
                    break;

                case "Start-QlikEventListener 5":
                {
                    int port = Udp.FreePort();
                    run.DefaultPort("Start-QlikEventListener", port);
                    var result = run.Run();
                    AssertClean(result);
                    Assert.Contains(result.Output, o => o.ToString()!.Contains("Format", StringComparison.Ordinal));
                    Assert.Contains(run.Session.Host.Text("Verbose"), l => l.StartsWith("Listening", StringComparison.Ordinal));
                    break;
                }

                case "Start-QlikEventListener 6":
                {
                    // The lab's broker and subnet become the local broker and loopback; the D: journal a temp folder.
                    using var broker = MosquittoBroker.Start();
                    using var probe = MqttProbe.Subscribe(broker.Port, "qliksense/#");
                    int port = Udp.FreePort();
                    string journal = Path.Combine(run.Folder("QlikActivity"), "events.journal");
                    run.Substitute("broker.lab.local", "127.0.0.1").Substitute("10.1.0.0/24", "127.0.0.0/8").Substitute(@"D:\QlikActivity\events.journal", journal)
                        .DefaultPort("New-QlikMqttDestination", broker.Port).DefaultPort("Start-QlikEventListener", port);
                    var result = run.RunAndStop(_ => SentOnceBound(port, SampleDatagrams.AnnaStart) && probe.CountWithin(TimeSpan.Zero) >= 1);
                    Assert.IsType<PipelineStoppedException>(result.Terminated);
                    Assert.Contains(probe.Take(1, TimeSpan.FromSeconds(5)), m => m.Topic.StartsWith("qliksense/", StringComparison.Ordinal) && m.Payload.Contains("anna.lindqvist-berg", StringComparison.Ordinal));
                    Assert.True(File.Exists(journal), "the listener kept no journal at " + journal);
                    Assert.Contains(run.Session.Host.Text("Verbose"), l => l.Contains(journal, StringComparison.Ordinal));
                    break;
                }

                case "Start-QlikEventListener 7":
                {
                    // The job's listener runs on the default port, 9997, as in example 3; ~/qlik becomes a temp folder.
                    var free = DateTime.UtcNow.AddSeconds(30);
                    while (Udp.IsBound(9997) && DateTime.UtcNow < free)
                    {
                        System.Threading.Thread.Sleep(100);
                    }

                    Assert.False(Udp.IsBound(9997), "UDP port 9997 is in use on this machine; the example listens on it.");
                    string folder = run.Folder("qlik");
                    run.ThreadJobs().Substitute("~/qlik", folder);
                    var result = run.Run();
                    Assert.Null(result.Terminated);
                    // The second listener's refusal is the example's point: its only error.
                    var refused = Assert.Single(result.Errors);
                    Assert.StartsWith("JournalInUse,", refused.FullyQualifiedErrorId, StringComparison.Ordinal);
                    Assert.True(File.Exists(Path.Combine(folder, "events.journal")));
                    var released = DateTime.UtcNow.AddSeconds(10);
                    while (Udp.IsBound(9997) && DateTime.UtcNow < released)
                    {
                        System.Threading.Thread.Sleep(50);
                    }

                    Assert.False(Udp.IsBound(9997), "Stop-Job left the listener holding the port");
                    break;
                }

                case "New-QlikMqttDestination 1":
                {
                    using var broker = MosquittoBroker.Start();
                    using var probe = MqttProbe.Subscribe(broker.Port, "qliksense/#");
                    int port = Udp.FreePort();
                    run.Substitute("mqtt.lab.local", "127.0.0.1").DefaultPort("New-QlikMqttDestination", broker.Port).DefaultPort("Start-QlikEventListener", port);
                    var result = run.RunAndStop(_ => SentOnceBound(port, SampleDatagrams.AnnaStart) && probe.CountWithin(TimeSpan.Zero) >= 2);
                    Assert.IsType<PipelineStoppedException>(result.Terminated);
                    Assert.Contains(probe.Take(2, TimeSpan.FromSeconds(5)), m => m.Topic == "qliksense/userevent/session/start");
                    break;
                }

                case "New-QlikMqttDestination 2":
                {
                    // A TLS broker with a login, its certificate from a private CA (the Core tests' TLS broker set-up).
                    using var tls = MqttTlsBroker.Start("sense-events", "brokerpass");
                    run.Answer("MQTT broker", "brokerpass").Substitute("mqtt.lab.local", "127.0.0.1").Substitute(@"C:\certs\lab-ca.pem", tls.CaFile)
                        .DefaultPort("New-QlikMqttDestination", tls.Broker.Port);
                    AssertClean(run.Run());
                    Assert.NotNull(run.Session.GetVariable("mqtt"));
                    break;
                }

                case "New-QlikMqttDestination 3":
                {
                    // A TLS broker that requires a client certificate of its CA; the example's -Test logs in with ours.
                    using var tls = MqttTlsBroker.StartRequiringClientCertificate();
                    run.Substitute("mqtt.lab.local", "127.0.0.1").Substitute(@"C:\certs\lab-ca.pem", tls.CaFile)
                        .Substitute(@"C:\certs\mqtt-client", tls.ClientCertificateDirectory)
                        .DefaultPort("New-QlikMqttDestination", tls.Broker.Port);
                    AssertClean(run.Run());
                    Assert.Equal("CN=QlikActivity MQTT test client", PSObject.AsPSObject(run.Session.GetVariable("mqtt")!).Properties["CertificateSubject"].Value);
                    break;
                }

                case "New-QlikMqttDestination 4":
                    AssertClean(run.Run());
                    Assert.NotNull(run.Session.GetVariable("mqtt"));
                    break;

                case "New-QlikMqttDestination 5":
                {
                    run.Prelude("$cred = [pscredential]::new('sense-events', (ConvertTo-SecureString 'brokerpass' -AsPlainText -Force))");
                    var result = run.Run();
                    AssertClean(result);
                    string shown = run.Session.Render(run.Code, 120);
                    Assert.Contains("sense-events", shown, StringComparison.Ordinal);
                    Assert.DoesNotContain("brokerpass", shown, StringComparison.Ordinal);
                    break;
                }

                case "New-QlikInfluxDbDestination 1":
                {
                    using var influx = InfluxDbServer.StartAsync().GetAwaiter().GetResult();
                    influx.CreateDatabaseAsync("senseops").GetAwaiter().GetResult();
                    int port = Udp.FreePort();
                    run.Substitute("http://influx.lab.local:8086", influx.Url.ToString().TrimEnd('/')).DefaultPort("Start-QlikEventListener", port);
                    var result = run.RunAndStop(_ => SentOnceBound(port, SampleDatagrams.AnnaStart) && influx.CountAsync("senseops").GetAwaiter().GetResult() >= 1);
                    Assert.IsType<PipelineStoppedException>(result.Terminated);
                    Assert.Equal("PROD", influx.RowsAsync("senseops", "SELECT * FROM user_events").GetAwaiter().GetResult().Single()["qs_env"].GetString());
                    break;
                }

                case "New-QlikInfluxDbDestination 2":
                {
                    // influxd here speaks http:// only; the example's https:// URL becomes the local server's.
                    using var influx = InfluxDbServer.StartAsync().GetAwaiter().GetResult();
                    influx.CreateDatabaseAsync("senseops").GetAwaiter().GetResult();
                    influx.PostQueryAsync("CREATE RETENTION POLICY one_year ON senseops DURATION 52w REPLICATION 1").GetAwaiter().GetResult();
                    int port = Udp.FreePort();
                    run.Answer("InfluxDB writer", "writerpass").Substitute("https://influx.lab.local:8086", influx.Url.ToString().TrimEnd('/')).DefaultPort("Start-QlikEventListener", port);
                    var result = run.RunAndStop(_ => SentOnceBound(port, SampleDatagrams.AnnaStart) && influx.RowsAsync("senseops", "SELECT count(\"userId\") FROM \"one_year\".\"user_events\"").GetAwaiter().GetResult().Count >= 1);
                    Assert.IsType<PipelineStoppedException>(result.Terminated);
                    break;
                }

                case "New-QlikInfluxDbDestination 3":
                    run.Answer("InfluxDB token", "tokentext");
                    AssertClean(run.Run());
                    Assert.NotNull(run.Session.GetVariable("influx"));
                    break;

                case "New-QlikNewRelicDestination 1":
                case "New-QlikNewRelicDestination 2":
                {
                    // No internet in tests: the account's collector is a local recording server, given as the default -Uri.
                    using var collector = new LocalHttp();
                    int port = Udp.FreePort();
                    run.Answer("New Relic insert key", "NRII-key").Secret("NewRelicInsertKey", "NRII-key").Secret("NewRelicUserSalt", "salt")
                        .Prelude($"$PSDefaultParameterValues['New-QlikNewRelicDestination:Uri'] = '{collector.Server.Url("/v1/accounts/events")}'")
                        .DefaultPort("Start-QlikEventListener", port);
                    var result = run.RunAndStop(_ => SentOnceBound(port, SampleDatagrams.AnnaStart) && collector.Server.Requests.Any(r => r.Method == "POST"));
                    Assert.IsType<PipelineStoppedException>(result.Terminated);
                    Assert.Equal("NRII-key", collector.Server.Requests.First(r => r.Method == "POST").Header("X-Insert-Key"));
                    break;
                }

                case "New-QlikWebhookDestination 1":
                case "New-QlikWebhookDestination 2":
                {
                    using var hooks = new LocalHttp();
                    int port = Udp.FreePort();
                    run.Answer("Slack webhook URL", hooks.Server.Url("/slack").ToString())
                        .Secret("TeamsOpsWebhook", hooks.Server.Url("/teams").ToString()).Secret("AuditWebhook", hooks.Server.Url("/audit").ToString()).Secret("AuditKey", "audit-key")
                        .DefaultPort("Start-QlikEventListener", port);
                    var result = run.RunAndStop(_ => SentOnceBound(port, SampleDatagrams.AnnaStart) && hooks.Server.Requests.Count(r => r.Method == "POST") >= (number == 1 ? 1 : 2));
                    Assert.IsType<PipelineStoppedException>(result.Terminated);
                    if (number == 2)
                    {
                        Assert.Equal("audit-key", hooks.Server.Requests.Single(r => r.Path == "/audit" && r.Method == "POST").Header("X-Api-Key"));
                    }

                    break;
                }

                default:
                    Assert.Fail($"{command} example {number} has no prelude in HelpExampleTests: add one, so it is run.");
                    break;
            }
        }

        [Fact]
        public void The_about_topic_example_runs_until_Ctrl_C_at_the_listener()
        {
            string about = File.ReadAllText(Path.Combine(ModuleSession.RepositoryRoot, "docs", "en-US", "about_QlikActivity.md"));
            string code = Regex.Match(about, @"## EXAMPLES\s+```powershell\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
            Assert.Contains("Start-QlikEventListener", code, StringComparison.Ordinal);
            int port = Udp.FreePort();
            using var run = new ExampleRun("about_QlikActivity", 1, code);
            run.Substitute("sense.example.com", "localhost").Substitute(@"C:\certs\sense", _sim.CertificateDirectory).Substitute("-Port 9997", $"-Port {port}")
                .DefaultPort("Connect-QlikSense", _sim.Port);
            var result = run.RunAndStop(_ => SentOnceBound(port, SampleDatagrams.AnnaStart));
            Assert.IsType<PipelineStoppedException>(result.Terminated);
            Assert.Contains(result.Output, o => o.Properties["ActivityBucketSummary"] != null || o.TypeNames.Any(t => t.EndsWith("ActivityBucketSummary", StringComparison.Ordinal)));
            // Ctrl+C says what was done, also when it lands while the listener is still starting.
            Assert.Contains(run.Session.Host.Text("Warning"), l => l.StartsWith("Stopped", StringComparison.Ordinal));
        }

        /// <summary>
        /// The journal queries' examples: each reads a journal written in its session by the module's own
        /// writer (<see cref="JournalScenario"/>, held open as a running listener holds it). The example's
        /// journal path (an absolute Windows path, ~/events.journal, or relative to the location) is that file.
        /// </summary>
        private void RunJournalExample(ExampleRun run, string command, int number)
        {
            using var journal = new JournalScenario(run.Session);
            foreach (string path in new[] { @"C:\QlikActivity\events.journal", "~/events.journal" }.Where(p => run.Code.Contains(p, StringComparison.Ordinal)))
            {
                run.Substitute(path, journal.JournalPath);
            }

            run.Prelude($"Set-Location -LiteralPath '{journal.Folder}'");
            switch ($"{command} {number}")
            {
                case "Get-QlikUserEvent 1":
                {
                    var result = run.Run();
                    AssertClean(result);
                    Assert.Equal(JournalScenario.EventCount, result.Output.Count);
                    Assert.All(result.Output, o => Assert.Equal("UserEvent", o.BaseObject.GetType().Name));
                    break;
                }

                case "Get-QlikUserEvent 2":
                {
                    // The scenario's anna is LAB; a CORP anna.* starts a session now on her own proxy.
                    AddEvent(run, "SessionStart", "CORP", "anna.berg", "sense9", null);
                    string table = run.Session.Render(run.Script(), 120);
                    Assert.Contains("sense9", table, StringComparison.Ordinal);
                    Assert.DoesNotContain("sense2", table, StringComparison.Ordinal);
                    Assert.Contains("BrowserName", table, StringComparison.Ordinal);
                    break;
                }

                case "Get-QlikUserEvent 3":
                {
                    // Today's open of the example's app (the scenario's Sales), also when the test runs just after midnight.
                    AddEvent(run, "ConnectionOpen", "LAB", "dora", "sense1", JournalScenario.Sales);
                    var result = run.Run();
                    AssertClean(result);
                    var dora = Assert.Single(result.Output, o => (string)o.Properties["Name"].Value == "LAB\\dora");
                    Assert.Equal(1, dora.Properties["Count"].Value);
                    Assert.DoesNotContain(result.Output, o => (string)o.Properties["Name"].Value == "LAB\\carl"); // carl opened Finance
                    break;
                }

                case "Get-QlikUserEvent 4":
                {
                    var result = run.Run();
                    AssertClean(result);
                    Assert.NotEmpty(result.Output);
                    Assert.All(result.Output, o => Assert.Equal("UserEvent", o.BaseObject.GetType().Name));
                    var users = result.Output.Select(o => (string)o.Properties["UserFull"].Value).Distinct().OrderBy(u => u, StringComparer.Ordinal).ToArray();
                    Assert.Equal(new[] { "LAB\\anna", "LAB\\carl" }, users);
                    Assert.Equal(3, result.Output.Count(o => (string)o.Properties["UserFull"].Value == "LAB\\anna"));
                    break;
                }

                case "Get-QlikUserSession 1":
                {
                    var result = run.Run();
                    AssertClean(result);
                    Assert.All(result.Output, o => Assert.Equal("UserSession", o.BaseObject.GetType().Name));
                    Assert.Equal(new[] { "LAB\\anna", "LAB\\carl" }, result.Output.Select(o => (string)o.Properties["UserFull"].Value).OrderBy(u => u, StringComparer.Ordinal).ToArray());
                    break;
                }

                case "Get-QlikUserSession 2":
                {
                    var result = run.Run();
                    AssertClean(result);
                    Assert.NotEmpty(result.Output);
                    Assert.All(result.Output, o => Assert.NotNull(o.Properties["Apps"]));
                    Assert.Contains(result.Output, o => (string)o.Properties["UserFull"].Value == "CORP\\bob");
                    break;
                }

                case "Get-QlikUserSession 3":
                {
                    var result = run.Run();
                    AssertClean(result);
                    Assert.Contains(result.Output, o => (string)o.Properties["Name"].Value == "Chrome, Windows");
                    break;
                }

                case "Get-QlikUserSession 4":
                {
                    // bob (CORP) was last seen 80 minutes ago: a CORP user active now is needed for a row.
                    AddEvent(run, "SessionStart", "CORP", "erik", "sense2", null);
                    var result = run.Run();
                    AssertClean(result);
                    Assert.Equal("CORP\\erik", Assert.Single(result.Output).Properties["UserFull"].Value);
                    break;
                }

                case "Get-QlikAppActivity 1":
                {
                    run.Substitute("https://qlik.lab.local:4242", $"https://localhost:{_sim.Port}").Substitute(@"C:\certs\qlik", _sim.CertificateDirectory);
                    var result = run.Run();
                    AssertClean(result);
                    var apps = result.Output.Where(o => o.Properties["InRepository"] != null).ToList();
                    Assert.NotEmpty(apps);
                    Assert.All(apps, a => Assert.Equal(true, a.Properties["InRepository"].Value));
                    Assert.Contains(result.Warnings, w => w.Message.Contains("90", StringComparison.Ordinal));
                    break;
                }

                case "Get-QlikAppActivity 2":
                {
                    var result = run.Run();
                    AssertClean(result);
                    Assert.Contains(result.Output, o => (string)o.Properties["AppName"].Value == "Sales dashboard" && Convert.ToInt32(o.Properties["DistinctUsers"].Value) == 2);
                    break;
                }

                case "Get-QlikAppActivity 3":
                {
                    run.Prelude($"$connection = Connect-QlikSense {_sim.ConnectArguments}");
                    var result = run.Run();
                    AssertClean(result);
                    Assert.Equal(2, result.Output.Count);
                    Assert.All(result.Output, o => Assert.Equal(false, o.Properties["InRepository"].Value));
                    Assert.Contains(result.Output, o => o.Properties["AppId"].Value.ToString() == JournalScenario.Sales.ToString());
                    break;
                }

                case "Get-QlikUserActivity 5":
                {
                    run.Prelude(Connect());
                    var result = run.Run();
                    AssertClean(result);
                    Assert.NotEmpty(result.Output);
                    Assert.All(result.Output, o => Assert.NotNull(o.Properties["Group"]));
                    Assert.True(result.Output.Sum(o => Convert.ToInt32(o.Properties["Count"].Value)) >= SimulatorFixture.Users);
                    break;
                }

                default:
                    Assert.Fail($"{command} example {number} has no prelude in HelpExampleTests: add one, so it is run.");
                    break;
            }
        }

        /// <summary>One more event in the scenario's journal, now, through the open writer.</summary>
        private static void AddEvent(ExampleRun run, string type, string directory, string user, string proxy, Guid? app)
        {
            string command = type switch { "SessionStart" => "Start session", "ConnectionOpen" => "Open connection", _ => throw new ArgumentException(type) };
            var result = run.Session.Run(@"
$e = [QlikActivity.Core.UserEvent]@{ ReceivedAt = [datetime]::UtcNow; Host = $args[3]; EventType = $args[0]; Command = $args[5]
    UserDirectory = $args[1]; UserId = $args[2]; Origin = 'AppAccess'; Context = '/hub/'; Source = '10.0.0.7'
    BrowserName = 'Firefox'; BrowserMajorVersion = '128'; OsName = 'Linux' }
if ($args[4]) { $e.AppId = [guid]$args[4]; $e.Context = ""/app/$($args[4])"" }
if ($journal.Append($e) -eq 0) { throw 'not journaled' }
if (-not $journal.Flush([timespan]::FromSeconds(60))) { throw 'not flushed' }", type, directory, user, proxy, app?.ToString() ?? "", command);
            Assert.Null(result.Terminated);
            Assert.Empty(result.Errors);
        }

        private string Connect() => $"Connect-QlikSense {_sim.ConnectArguments} | Out-Null";

        private static bool SentOnceBound(int port, string datagram)
        {
            lock (Sent)
            {
                if (!Sent.Contains(port) && Udp.IsBound(port))
                {
                    Udp.Send(port, datagram);
                    Sent.Add(port);
                }

                return Sent.Contains(port);
            }
        }

        private static readonly HashSet<int> Sent = new HashSet<int>();

        private static void AssertClean(RunResult result)
        {
            Assert.True(result.Terminated == null, "the example ended with: " + result.Terminated);
            Assert.True(result.Errors.Count == 0, "the example wrote errors:\n" + string.Join("\n", result.Errors.Select(e => e.ToString())));
        }

        private static void AssertConnected(RunResult result)
        {
            AssertClean(result);
            Assert.Contains(result.Output, o => o.TypeNames.Any(t => t.EndsWith("QlikSenseConnection", StringComparison.Ordinal)));
        }

        private static void AssertSummary(RunResult result)
        {
            AssertClean(result);
            Assert.Contains(result.Output, o => o.Properties["UsersInScope"] != null);
        }

        /// <summary>A recording HTTP server for one example (New Relic's collector, webhooks).</summary>
        private sealed class LocalHttp : IDisposable
        {
            public LocalHttp() => Server = RecordingHttpServer.StartAsync().GetAwaiter().GetResult();

            public RecordingHttpServer Server { get; }

            public void Dispose() => Server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
