using System;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using QlikActivity.PowerShell.Tests.Fixtures;
using Xunit;

namespace QlikActivity.PowerShell.Tests
{
    /// <summary>Start-QlikEventListener stopped with Ctrl+C (issue 9, section 2, item 4).</summary>
    public sealed class StartQlikEventListenerStopTests
    {
        [Fact]
        public void Ctrl_C_mid_listen_still_shows_the_statistics()
        {
            int port = Udp.FreePort();
            using var session = ModuleSession.Start();
            // Stop mid-listen: a second after the port is held, so the start-up has finished.
            DateTime? boundAt = null;
            var result = session.RunAndStop(
                $"Start-QlikEventListener -Address 127.0.0.1 -Port {port}",
                _ => Udp.IsBound(port) && (boundAt ??= DateTime.UtcNow) < DateTime.UtcNow.AddSeconds(-1),
                TimeSpan.FromMinutes(1));

            // PowerShell takes no output objects after Stop(): the summary line goes to the host.
            string warnings = string.Join("\n", session.Host.Text("Warning"));
            Assert.Contains("Stopped: Listener stopped after ", warnings);
            Assert.Contains("received 0", warnings);
            Assert.Contains("dropped 0 (not allowed source)", warnings);
        }
    }
}
