using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.PowerShell.Tests.Fixtures;
using Xunit;

namespace QlikActivity.PowerShell.Tests
{
    /// <summary>Start-QlikEventListener -JournalPath in live runspaces (issue 12, section 1).</summary>
    public sealed class StartQlikEventListenerJournalTests : IDisposable
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "qa-listener-journal-" + Guid.NewGuid().ToString("N").Substring(0, 10));

        public StartQlikEventListenerJournalTests() => Directory.CreateDirectory(_folder);

        public void Dispose()
        {
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
                // A file still held by a failed test; the temp folder is cleaned by the system.
            }
        }

        [Fact]
        public void A_relative_journal_path_is_resolved_from_the_location_and_every_event_is_journaled()
        {
            int port = Udp.FreePort();
            using var session = ModuleSession.Start();
            session.SetVariable("folder", _folder);
            var sender = SendWhenBound(port, 5);
            var result = session.Run(
                $"Set-Location -LiteralPath $folder; Start-QlikEventListener -Address 127.0.0.1 -Port {port} -AllowedSource 127.0.0.1 -Count 5 -Timeout 60 -JournalPath events.journal -JournalRetentionDays 30 -JournalMaxSizeMB 64 -Verbose");
            sender.Wait(TimeSpan.FromSeconds(60));

            Assert.Null(result.Terminated);
            Assert.Empty(result.Errors);
            Assert.Equal(6, result.Output.Count);
            var statistics = result.Output[5];
            Assert.Equal("QlikActivity.Core.Events.ListenerStatistics", statistics.TypeNames[0]);
            string journal = Path.Combine(_folder, "events.journal");
            Assert.Equal(journal, statistics.Properties["JournalPath"].Value);
            Assert.Equal(5L, statistics.Properties["Journaled"].Value);
            Assert.Equal(0L, statistics.Properties["NotJournaled"].Value);
            Assert.True(File.Exists(journal));
            Assert.Contains(result.Verbose, v => v.Message.Contains("Journaling every event to " + journal) && v.Message.Contains("retention 30 days, size cap 64 MB"));
        }

        [Fact]
        public void A_second_listener_on_the_same_journal_is_refused_with_JournalInUse()
        {
            int port = Udp.FreePort();
            string journal = Path.Combine(_folder, "shared.journal");
            using var first = ModuleSession.Start();
            using var second = ModuleSession.Start();
            first.SetVariable("journal", journal);
            second.SetVariable("journal", journal);
            var running = Task.Run(() => first.Run($"Start-QlikEventListener -Address 127.0.0.1 -Port {port} -AllowedSource 127.0.0.1 -Count 1 -Timeout 120 -JournalPath $journal -NoEvents"));
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!Udp.IsBound(port))
            {
                Assert.True(DateTime.UtcNow < deadline, "the first listener never started");
                Thread.Sleep(20);
            }

            var refused = second.Run($"Start-QlikEventListener -Address 127.0.0.1 -Port {Udp.FreePort()} -Count 1 -Timeout 5 -JournalPath $journal -NoEvents");
            var record = refused.TerminatingRecord;
            Assert.NotNull(record);
            Assert.StartsWith("JournalInUse,", record!.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal(ErrorCategory.ResourceUnavailable, record.CategoryInfo.Category);
            Assert.Contains("already open for writing", record.Exception.Message);
            Assert.Contains("Only one listener can write a journal", record.Exception.Message);

            Send(port, 1);
            var done = running.Result;
            Assert.Null(done.Terminated);
            Assert.Equal(1L, done.Output.Single().Properties["Journaled"].Value);
        }

        [Fact]
        public void The_destination_statistics_view_shows_Replayed_at_80_and_120_columns()
        {
            using var session = ModuleSession.Start();
            // The type through the cmdlet's declared output, whatever namespace it lives in.
            var made = session.Run(
                "$listenerType = ((Get-Command Start-QlikEventListener).OutputType | Where-Object Name -like '*ListenerStatistics').Type; " +
                "$d = $listenerType.GetProperty('Destinations').PropertyType; $itemType = if ($d.IsArray) { $d.GetElementType() } else { $d.BaseType.GetGenericArguments()[0] }; $d = $itemType::new(); " +
                "$d.Name = 'mqtt://127.0.0.1:1883'; $d.Enqueued = 1200; $d.Sent = 4200; $d.Replayed = 3000; $d");
            Assert.Null(made.Terminated);
            foreach (int width in new[] { 80, 120 })
            {
                string text = session.Render("$d", width);
                var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToArray();
                Assert.True(lines.Length >= 3, text);
                Assert.Contains("Replayed", lines[0]);
                Assert.Contains("Sent", lines[0]);
                Assert.Contains("3000", Assert.Single(lines, l => l.Contains("mqtt://")));
                Assert.All(lines, l => Assert.True(l.Length <= width, $"wider than {width}: {l}"));
            }
        }

        private static Task SendWhenBound(int port, int count) => Task.Run(() =>
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!Udp.IsBound(port) && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(20);
            }

            Thread.Sleep(200);
            Send(port, count);
        });

        private static void Send(int port, int count)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
            for (int i = 0; i < count; i++)
            {
                socket.Send(Encoding.UTF8.GetBytes($"/qseow-proxy-session/;qs1;Start session;CORP;user{i};Not available;/hub/;Start session for user 'CORP\\user{i}'"));
            }
        }
    }
}
