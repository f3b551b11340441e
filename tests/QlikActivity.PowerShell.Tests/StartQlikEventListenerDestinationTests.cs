using System;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.PowerShell.Tests.Fixtures;
using Xunit;

namespace QlikActivity.PowerShell.Tests
{
    /// <summary>A destination that is down, as an admin meets it (issue 11, item 4).</summary>
    public sealed class StartQlikEventListenerDestinationTests
    {
        [Fact]
        public void A_broker_that_is_down_warns_at_start_and_on_its_drops_and_the_default_view_shows_them()
        {
            int udpPort = Udp.FreePort();
            int closedTcpPort = ClosedTcpPort();
            using var session = ModuleSession.Start(120);
            string script =
                $"$d = New-QlikMqttDestination -Broker 127.0.0.1 -Port {closedTcpPort}; "
                + $"$stats = Start-QlikEventListener -Address 127.0.0.1 -Port {udpPort} -AllowedSource 127.0.0.1 -Destination $d -Count 3 -NoEvents -Timeout 120; $stats";

            var run = Task.Run(() => session.Run(script));
            SpinWait.SpinUntil(() => Udp.IsBound(udpPort) || run.IsCompleted, TimeSpan.FromMinutes(1));
            Assert.False(run.IsCompleted, "the listener ended before it listened: " + (run.IsCompleted ? run.Result.Terminated?.Message + " " + string.Join(" | ", run.Result.Errors.Select(e => e.ToString())) : ""));
            using (var sender = new UdpClient())
            {
                for (int i = 0; i < 3; i++)
                {
                    byte[] datagram = Encoding.UTF8.GetBytes($"/qseow-proxy-session/;qs1;Start session;CORP;user{i};AppAccess;/hub/;Start session for user 'CORP\\user{i}'");
                    sender.Send(datagram, datagram.Length, new IPEndPoint(IPAddress.Loopback, udpPort));
                }
            }

            Assert.True(run.Wait(TimeSpan.FromMinutes(2)), "the listener did not stop after 3 events");
            var result = run.Result;
            Assert.Null(result.Terminated);
            var warnings = result.Warnings.Select(w => w.Message).ToList();
            string all = string.Join("\n", warnings);
            Assert.Contains(warnings, w => w.StartsWith($"Cannot reach mqtt://127.0.0.1:{closedTcpPort}: ", StringComparison.Ordinal));
            Assert.Contains(warnings, w => w.StartsWith($"mqtt://127.0.0.1:{closedTcpPort} is failing: ", StringComparison.Ordinal)
                || w.StartsWith($"mqtt://127.0.0.1:{closedTcpPort} failed: ", StringComparison.Ordinal));
            Assert.True(warnings.Any(w => w.StartsWith($"mqtt://127.0.0.1:{closedTcpPort} dropped 3 event(s)", StringComparison.Ordinal)), all);

            var stats = Assert.Single(result.Output);
            Assert.Equal(3L, stats.Properties["DestinationDropped"].Value);

            // The default view: a DestDropped column, 3 under it.
            string text = session.Render("$stats", 120);
            var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToList();
            int header = lines.FindIndex(l => l.Contains("DestDropped", StringComparison.Ordinal));
            Assert.True(header >= 0, "no DestDropped column in:\n" + text);
            Assert.Matches(@"\s3$", lines[header + 2]);
            Assert.All(lines, l => Assert.True(l.Length <= 120, "wider than 120: " + l));
        }

        private static int ClosedTcpPort()
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            int port = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            return port;
        }
    }
}
