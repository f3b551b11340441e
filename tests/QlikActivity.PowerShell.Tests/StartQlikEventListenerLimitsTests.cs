using System;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using QlikActivity.PowerShell.Tests.Fixtures;
using Xunit;

namespace QlikActivity.PowerShell.Tests
{
    /// <summary>
    /// Start-QlikEventListener's capacity and reporting parameters, each run and checked for its effect:
    /// -QueueCapacity, -ReceiveBufferSize and -StatisticsInterval (issue 14 §4). A full queue itself is made
    /// to happen, deterministically, in Core (ListenerAccountingTests): the cmdlet cannot hold its parse worker.
    /// </summary>
    public sealed class StartQlikEventListenerLimitsTests
    {
        [Fact]
        public void QueueCapacity_and_ReceiveBufferSize_size_the_listener_they_start()
        {
            int port = Udp.FreePort();
            using var session = ModuleSession.Start();
            var result = session.Run($"Start-QlikEventListener -Address 127.0.0.1 -Port {port} -AllowedSource 127.0.0.1 -Timeout 1 -QueueCapacity 2048 -ReceiveBufferSize 131072 -Verbose");

            Assert.Null(result.Terminated);
            var statistics = result.Output.Single(o => o.TypeNames.Contains("QlikActivity.Core.Events.ListenerStatistics"));
            Assert.Equal(131072, (int)statistics.Properties["ReceiveBufferRequested"].Value);
            Assert.Equal(131072, (int)statistics.Properties["ReceiveBufferBytes"].Value);
            Assert.Contains(result.Verbose, v => v.Message.Contains("receive buffer 128 KiB, queue 2048 datagrams", StringComparison.Ordinal));
        }

        [Fact]
        public void A_ReceiveBufferSize_beyond_what_the_system_grants_is_warned_about_with_the_setting_to_change()
        {
            int port = Udp.FreePort();
            using var session = ModuleSession.Start();
            var result = session.Run($"Start-QlikEventListener -Address 127.0.0.1 -Port {port} -AllowedSource 127.0.0.1 -Timeout 1 -ReceiveBufferSize 1073741824");

            var statistics = result.Output.Single(o => o.TypeNames.Contains("QlikActivity.Core.Events.ListenerStatistics"));
            Assert.Equal(1073741824, (int)statistics.Properties["ReceiveBufferRequested"].Value);
            Assert.True((int)statistics.Properties["ReceiveBufferBytes"].Value < 1073741824);
            Assert.Contains(result.Warnings, w => w.Message.Contains("net.core.rmem_max", StringComparison.Ordinal));
        }

        [Fact]
        public void StatisticsInterval_sets_how_often_the_counters_go_to_the_verbose_stream()
        {
            // Both runs last until -Timeout 3 on the listener's clock: every second gives lines at 1 s and 2 s,
            // the default (5 s) none before the end; the final summary line comes either way.
            int port = Udp.FreePort();
            using var session = ModuleSession.Start();
            var everySecond = session.Run($"Start-QlikEventListener -Address 127.0.0.1 -Port {port} -AllowedSource 127.0.0.1 -Timeout 3 -StatisticsInterval 1 -Verbose");
            var byDefault = session.Run($"Start-QlikEventListener -Address 127.0.0.1 -Port {port} -AllowedSource 127.0.0.1 -Timeout 3 -Verbose");

            static int Lines(RunResult r) => r.Verbose.Count(v => v.Message.StartsWith("Listener after", StringComparison.Ordinal));
            Assert.InRange(Lines(everySecond), 1, 2);
            Assert.Equal(0, Lines(byDefault));
            Assert.Contains(everySecond.Verbose, v => v.Message.StartsWith("Listener stopped", StringComparison.Ordinal));
            Assert.Contains(byDefault.Verbose, v => v.Message.StartsWith("Listener stopped", StringComparison.Ordinal));
        }
    }
}
