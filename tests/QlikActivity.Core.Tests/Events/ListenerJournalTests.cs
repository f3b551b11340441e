using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;
using QlikActivity.Core.Destinations;
using QlikActivity.Core.Events;
using QlikActivity.Core.Journal;
using QlikActivity.Core.Tests.Journal;
using Xunit;

namespace QlikActivity.Core.Tests.Events
{
    /// <summary>A real listener on a real UDP socket writing its journal.</summary>
    public class ListenerJournalTests : JournalTestBase
    {
        private EventListenerOptions JournalingOptions(Action<EventJournalOptions>? change = null)
        {
            var options = ListenerHarness.Options();
            options.Journal = Options(change);
            return options;
        }

        [Fact]
        public void Every_accepted_event_is_journaled_with_its_fields_before_it_is_handed_on()
        {
            var options = JournalingOptions();
            options.Count = 40;
            options.ExcludeUsers = new[] { "svc_*" };
            options.Tags = new Dictionary<string, string> { ["env"] = "PROD" };
            var destination = new RecordingDestination("recording");
            options.Destinations = new IEventDestination[] { destination };
            var app = Guid.Parse("5b0b1f36-0a6e-4a3f-9d0a-6a1f3f0e2c11");

            var (events, stats, host) = ListenerHarness.Run(options, async (listener, to, h) =>
            {
                using var socket = ListenerHarness.Sender(to);
                ListenerHarness.Send(socket, "not a user event");
                ListenerHarness.Send(socket, ListenerHarness.Datagram("svc_backup"));
                for (int i = 0; i < 40; i++)
                {
                    string datagram = i == 7
                        ? $"/qseow-proxy-connection/;qs2;Open connection;CORP;user7;AppAccess;/app/{app:D}/sheet/abc;Open connection for user 'CORP\\user7' UserAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36'"
                        : ListenerHarness.Datagram("user" + i, i % 2 == 0 ? UserEventType.SessionStart : UserEventType.SessionStop);
                    ListenerHarness.Send(socket, datagram);
                    if (i % 10 == 9)
                    {
                        await Task.Delay(1);
                    }
                }
            });

            Assert.Equal(40, events.Count);
            Assert.Equal(1, stats.Rejected);
            Assert.Equal(1, stats.Excluded);
            Assert.Equal(40, stats.Journaled);
            Assert.Equal(0, stats.NotJournaled);
            Assert.Equal(System.IO.Path.GetFullPath(JournalPath), stats.JournalPath);
            Assert.Contains("journaled 40, not journaled 0", stats.ToSummaryLine());
            Assert.Contains(host.Verbose, v => v.Contains("Journaling every event to " + System.IO.Path.GetFullPath(JournalPath)));

            // Every emitted event has its journal id, in the order the destinations got them.
            var ids = destination.Events.Select(e => e.JournalId).ToArray();
            Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), ids);

            using var reader = JournalReader.Open(JournalPath);
            var journaled = reader.ReadAfter(0).ToList();
            Assert.Equal(40, journaled.Count);
            for (int i = 0; i < 40; i++)
            {
                var sent = events[i];
                var kept = journaled[i].Event;
                Assert.Equal(sent.UserId, kept.UserId);
                Assert.Equal(sent.UserDirectory, kept.UserDirectory);
                Assert.Equal(sent.Host, kept.Host);
                Assert.Equal(sent.EventType, kept.EventType);
                Assert.Equal("127.0.0.1", kept.Source);
                Assert.Equal("PROD", kept.Tags["env"]);
                Assert.Equal("env=PROD", kept.Tags.ToString());
                Assert.Equal(sent.Message, kept.Message);
                Assert.Equal(sent.Context, kept.Context);
                Assert.Equal(sent.UserAgent, kept.UserAgent);
                Assert.Equal(sent.BrowserName, kept.BrowserName);
                // Receive times are kept to the millisecond.
                Assert.True(Math.Abs((sent.ReceivedAt - kept.ReceivedAt).TotalMilliseconds) < 1, $"{sent.ReceivedAt:o} vs {kept.ReceivedAt:o}");
            }

            Assert.Equal(app, journaled[7].Event.AppId);
            Assert.DoesNotContain(journaled, j => j.Event.UserId.StartsWith("svc_", StringComparison.Ordinal));
        }

        [Fact]
        public async Task A_second_listener_on_the_same_journal_is_refused_and_readers_read_meanwhile()
        {
            var first = new EventListener(JournalingOptions());
            var host = new RecordingHost();
            var running = Task.Run(() => first.Listen(host).Count());
            var to = await first.Listening.WaitAsync(ListenerHarness.Patience);
            using (var socket = ListenerHarness.Sender(to))
            {
                for (int i = 0; i < 25; i++)
                {
                    ListenerHarness.Send(socket, ListenerHarness.Datagram("user" + i));
                }
            }

            await ListenerHarness.WaitFor(() => first.GetStatistics().Journaled == 25, "25 events journaled");

            // A reader (what the query cmdlets use) reads while the listener holds the journal.
            using (var reader = JournalReader.Open(JournalPath))
            {
                Assert.Equal(25, reader.ReadAfter(0).Count());
            }

            var secondOptions = JournalingOptions();
            var second = new EventListener(secondOptions);
            var refused = Assert.Throws<JournalException>(() => second.Listen(new RecordingHost()).ToList());
            Assert.Equal("JournalInUse", refused.ErrorId);
            Assert.Equal(OperationErrorCategory.ResourceUnavailable, refused.Category);
            Assert.Contains("already open for writing", refused.Message);
            Assert.Contains("Only one listener can write a journal", refused.Message);
            await Assert.ThrowsAsync<JournalException>(() => second.Listening);

            host.Cancel();
            Assert.Equal(25, await running.WaitAsync(ListenerHarness.Patience));
            Assert.Equal(25, first.Statistics!.Journaled);

            // Released at the end: the next listener may open it.
            var third = new EventListener(JournalingOptions());
            var thirdHost = new RecordingHost();
            thirdHost.Cancel();
            Assert.Empty(third.Listen(thirdHost));
        }

        [Fact]
        public void A_journal_locked_at_start_is_warned_and_the_listener_forwards_without_it()
        {
            // Created first, then locked by another program for the whole run.
            EventJournal.Open(Options()).Dispose();
            using var blocker = Lock();
            var options = JournalingOptions(o => o.BusyTimeout = TimeSpan.FromMilliseconds(200));
            options.Count = 60;
            var destination = new RecordingDestination("recording");
            options.Destinations = new IEventDestination[] { destination };
            var (events, stats, host) = ListenerHarness.Run(options, async (listener, to, h) =>
            {
                using var socket = ListenerHarness.Sender(to);
                for (int i = 0; i < 60; i++)
                {
                    ListenerHarness.Send(socket, ListenerHarness.Datagram("user" + i));
                    await Task.Delay(1);
                }
            });

            Assert.Equal(60, events.Count);
            Assert.Equal(60, destination.Events.Count);
            Assert.Equal(60, stats.NotJournaled);
            Assert.Equal(0, stats.Journaled);
            var warning = Assert.Single(host.Warnings, w => w.StartsWith("Events are not being journaled", StringComparison.Ordinal));
            Assert.Contains(System.IO.Path.GetFullPath(JournalPath), warning);
            Assert.Contains("locked by another program", warning);
            Assert.Contains("runs without the journal", warning);
            Assert.Contains("not journaled 60", stats.ToSummaryLine());
        }

        [Fact]
        public void A_journal_that_fails_while_running_is_warned_counted_and_events_still_flow()
        {
            var options = JournalingOptions(o => o.BusyTimeout = TimeSpan.FromMilliseconds(200));
            options.Count = 70;
            var destination = new RecordingDestination("recording");
            options.Destinations = new IEventDestination[] { destination };
            SqliteConnection? blocker = null;
            var (events, stats, host) = ListenerHarness.Run(options, async (listener, to, h) =>
            {
                using var socket = ListenerHarness.Sender(to);
                for (int i = 0; i < 10; i++)
                {
                    ListenerHarness.Send(socket, ListenerHarness.Datagram("before" + i));
                }

                await ListenerHarness.WaitFor(() => listener.GetStatistics().Journaled == 10, "10 journaled");
                blocker = Lock();
                for (int i = 0; i < 50; i++)
                {
                    ListenerHarness.Send(socket, ListenerHarness.Datagram("locked" + i));
                    await Task.Delay(1);
                }

                await ListenerHarness.WaitFor(() => listener.GetStatistics().NotJournaled == 50, "50 not journaled");
                using (var rollback = blocker.CreateCommand())
                {
                    rollback.CommandText = "ROLLBACK";
                    rollback.ExecuteNonQuery();
                }

                for (int i = 0; i < 10; i++)
                {
                    ListenerHarness.Send(socket, ListenerHarness.Datagram("after" + i));
                }
            });
            blocker?.Dispose();

            Assert.Equal(70, events.Count);
            Assert.Equal(70, destination.Events.Count);
            Assert.Equal(50, stats.NotJournaled);
            Assert.Equal(20, stats.Journaled);
            var warning = host.Warnings.First(w => w.StartsWith("Events are not being journaled", StringComparison.Ordinal));
            Assert.Contains(System.IO.Path.GetFullPath(JournalPath), warning);
            Assert.Contains("locked by another program", warning);
            Assert.Contains("keeps receiving and forwarding", warning);
            using var reader = JournalReader.Open(JournalPath);
            var users = reader.ReadAfter(0).Select(e => e.Event.UserId).ToList();
            Assert.Equal(Enumerable.Range(0, 10).Select(i => "before" + i).Concat(Enumerable.Range(0, 10).Select(i => "after" + i)), users);
        }

        private SqliteConnection Lock()
        {
            var blocker = new SqliteConnection($"Data Source={JournalPath};Pooling=False;Default Timeout=5");
            blocker.Open();
            using var begin = blocker.CreateCommand();
            begin.CommandText = "BEGIN IMMEDIATE";
            begin.ExecuteNonQuery();
            return blocker;
        }
    }
}
