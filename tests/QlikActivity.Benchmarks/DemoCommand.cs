using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core;
using QlikActivity.Core.Activity;
using QlikActivity.Core.Events;
using QlikActivity.Core.Qrs;
using QlikActivity.QrsSimulator;

namespace QlikActivity.Benchmarks
{
    /// <summary>
    /// The main job without PowerShell: the same Core operations the cmdlets call, against the
    /// built-in QRS simulator — connect, read activity, plan buckets with WhatIf, write them, listen
    /// for user events and print the statistics. (With pwsh, <c>./build.ps1 -Task Demo</c> runs the cmdlets.)
    /// </summary>
    public sealed class DemoCommand : IBenchmarkCommand
    {
        public string Name => "demo";

        public string Description => "run every part against the built-in QRS simulator (--users N)";

        public int Run(BenchmarkArguments args) => RunAsync(args.GetInt("users", 25)).GetAwaiter().GetResult();

        private static async Task<int> RunAsync(int users)
        {
            Heading($"Starting the QRS simulator with {users} users (a stand-in for a Qlik Sense central node)");
            await using var simulator = await QrsSimulator.SimulatedQrs.StartAsync(new QrsSimulatorOptions { Users = users, Port = 0, ProxyPort = 0 });
            Console.WriteLine($"  {simulator.BaseUri}  certificates in {simulator.CertificateDirectory}");

            var host = new ConsoleHost();
            Heading($"Connect-QlikSense -Server 127.0.0.1 -Port {simulator.Port} -CertificatePath <simulator's exported certificates>");
            using var connection = QlikSenseConnection.Connect(host, new QrsConnectionOptions
            {
                Server = "127.0.0.1",
                Port = simulator.Port,
                CertificateFolder = simulator.CertificateDirectory,
            });
            Console.WriteLine($"  {connection}");

            Heading("Get-QlikUserActivity");
            var activity = UserActivityReader.Read(host, new UserActivityRequest(connection)).ToList();
            Console.WriteLine($"  {"UserDirectory",-14}{"UserId",-22}{"LastActivity",-22}{"Days",6}  Bucket");
            foreach (var a in activity)
            {
                Console.WriteLine($"  {a.UserDirectory,-14}{a.UserId,-22}{a.LastActivity?.ToString("yyyy-MM-dd HH:mm"),-22}{a.DaysInactive,6}  {a.Bucket}");
            }

            Heading("Set-QlikActivityBucket -Name Activity -WhatIf");
            host.WhatIf = true;
            Console.WriteLine("  " + ActivityBucketWriter.Run(host, new ActivityBucketRequest(connection, "Activity")));
            Console.WriteLine($"  writes sent to the QRS: {simulator.Requests.Count("PUT") + simulator.Requests.Count("POST") + simulator.Requests.Count("DELETE")}");

            Heading("Set-QlikActivityBucket -Name Activity");
            host.WhatIf = false;
            Console.WriteLine("  " + ActivityBucketWriter.Run(host, new ActivityBucketRequest(connection, "Activity")));

            Heading("Set-QlikActivityBucket -Name Activity   (again: nothing left to write)");
            Console.WriteLine("  " + ActivityBucketWriter.Run(host, new ActivityBucketRequest(connection, "Activity")));

            Heading("Start-QlikEventListener -Address 127.0.0.1 -Count 4   while   Send-QlikUserEvent sends four events");
            var listener = new EventListener(new EventListenerOptions
            {
                Address = "127.0.0.1",
                Port = 0,
                AllowedSources = new[] { "127.0.0.1" },
                Count = 4,
                Timeout = TimeSpan.FromSeconds(30),
            });
            var sender = Task.Run(async () =>
            {
                var endpoint = await listener.Listening.ConfigureAwait(false);
                using var udp = new UdpClient();
                var types = new[] { UserEventType.SessionStart, UserEventType.ConnectionOpen, UserEventType.ConnectionClose, UserEventType.SessionStop };
                foreach (var type in types)
                {
                    var datagram = Encoding.UTF8.GetBytes(UserEventSender.BuildDatagram(new UserEventSendRequest
                    {
                        Server = "127.0.0.1",
                        Port = endpoint.Port,
                        EventType = type,
                        UserDirectory = "LAB",
                        UserId = "anna",
                        Host = "sense1.lab.local",
                        AppId = Guid.Parse("e7af59a0-c243-480d-9571-08727551a66f"),
                    }));
                    await udp.SendAsync(datagram, datagram.Length, endpoint).ConfigureAwait(false);
                }
            });
            foreach (var e in listener.Listen(host))
            {
                Console.WriteLine($"  {e.ReceivedAt:HH:mm:ss.fff}  {e.Host,-18}{e.EventType,-16}{e.UserFull,-10}{e.AppId}  {e.BrowserName} {e.BrowserMajorVersion} on {e.OsName}");
            }

            await sender.ConfigureAwait(false);
            var s = listener.Statistics!;
            Heading("Listener statistics");
            Console.WriteLine($"  {s}");
            return 0;
        }

        private static void Heading(string text) => Console.WriteLine(Environment.NewLine + "== " + text);

        /// <summary>Prints what a PowerShell host would show; answers ShouldProcess like -WhatIf when asked to.</summary>
        private sealed class ConsoleHost : IOperationHost
        {
            private int _whatIfShown;

            public bool WhatIf { get; set; }

            public CancellationToken CancellationToken => CancellationToken.None;

            public bool ShouldProcess(string target, string action)
            {
                if (WhatIf && _whatIfShown++ < 8)
                {
                    Console.WriteLine($"  What if: Performing the operation \"{action}\" on target \"{target}\".");
                }

                return !WhatIf;
            }

            public bool ShouldContinue(string query, string caption) => true;

            public void WriteVerbose(string message) { }

            public void WriteWarning(string message) => Console.WriteLine("  WARNING: " + message);

            public void WriteDebug(string message) { }

            public void WriteProgress(OperationProgress progress) { }

            public void WriteError(OperationError error) => Console.WriteLine("  ERROR: " + error.Exception.Message);
        }
    }
}
