using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.Data.Sqlite;
using QlikActivity.Core.Events;
using QlikActivity.Core.Journal;
using Xunit;
using Xunit.Abstractions;

namespace QlikActivity.Core.Tests.Journal
{
    public class EventJournalTests : JournalTestBase
    {
        private readonly ITestOutputHelper _output;

        public EventJournalTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public void Every_field_reads_back_as_appended()
        {
            var app = Guid.Parse("e7af59a0-c243-480d-9571-08727551a66f");
            var parser = new UserEventParser();
            var datagrams = new[]
            {
                $"/qseow-proxy-session/;sense1.lab.local;Start session;LAB;anna;AppAccess;/app/{app}?reloaduri=https%3a%2f%2fsense1%2fsense%2fapp%2fe7af59a0;Start session for user 'LAB\\anna' UserAgent: '{Chrome}'",
                $"/qseow-proxy-connection/;sense1.lab.local;Open connection;LAB;anna;AppAccess;/app/{app};Websocket connection Opened for session; with semicolons; UserAgent: '{Safari}'",
                "/qseow-proxy-session/;sense1.lab.local;Stop session;LAB;anna;;;Stop session for user 'LAB\\anna'",
                "/proxy-session/;sense2;Start session;LAB;legacy;AppAccess;/hub/;Start session for user",
                // Marker characters of the journal's templates inside the text: kept verbatim.
                $"/qseow-proxy-connection/;sense1.lab.local;Close connection;LAB;eve\u0001;AppAccess;/app/{app}/x\u0003;odd \u0001\u0002 text UserAgent: '{Chrome}'",
            };
            var appended = new List<UserEvent>();
            using (var journal = OpenJournal())
            {
                int i = 0;
                foreach (var datagram in datagrams)
                {
                    var result = parser.Parse(datagram, T0.AddMilliseconds(1234.5 * i++), "10.1.2." + i);
                    Assert.True(result.IsEvent, result.ToString());
                    var e = result.Event!;
                    e.Tags = new Dictionary<string, string> { ["qs_env"] = "prod", ["site"] = "north;\"quoted\"" };
                    if (e.AppId != null)
                    {
                        e.AppName = "Sales overview";
                    }

                    appended.Add(e);
                    Assert.Equal(i, journal.Append(e));
                }

                Flush(journal);
                Assert.Equal(datagrams.Length, journal.Statistics.Journaled);
                Assert.Equal(0, journal.Statistics.NotJournaled);
            }

            using var reader = JournalReader.Open(JournalPath);
            var read = reader.ReadEvents(new UserEventQuery()).ToList();
            Assert.Equal(appended.Count, read.Count);
            for (int i = 0; i < read.Count; i++)
            {
                var a = appended[i];
                var b = read[i].Event;
                Assert.Equal(i + 1, read[i].Id);
                Assert.Equal(new DateTime(a.ReceivedAt.Ticks - a.ReceivedAt.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc), b.ReceivedAt);
                Assert.Equal(DateTimeKind.Utc, b.ReceivedAt.Kind);
                Assert.Equal(a.Source, b.Source);
                Assert.Equal(a.MessageType, b.MessageType);
                Assert.Equal(a.Host, b.Host);
                Assert.Equal(a.EventType, b.EventType);
                Assert.Equal(a.Command, b.Command);
                Assert.Equal(a.UserDirectory, b.UserDirectory);
                Assert.Equal(a.UserId, b.UserId);
                Assert.Equal(a.Origin, b.Origin);
                Assert.Equal(a.Context, b.Context);
                Assert.Equal(a.AppId, b.AppId);
                Assert.Equal(a.AppName, b.AppName);
                Assert.Equal(a.Message, b.Message);
                Assert.Equal(a.UserAgent, b.UserAgent);
                Assert.Equal(a.BrowserName, b.BrowserName);
                Assert.Equal(a.BrowserMajorVersion, b.BrowserMajorVersion);
                Assert.Equal(a.OsName, b.OsName);
                Assert.Equal(a.OsVersion, b.OsVersion);
                Assert.Equal(a.Tags.OrderBy(p => p.Key), b.Tags.OrderBy(p => p.Key));
            }
        }

        [Fact]
        public void Repeated_parts_are_stored_once_and_an_event_takes_few_bytes()
        {
            const int Count = 60_000;
            var random = new Random(12);
            var apps = Enumerable.Range(0, 200).Select(_ => Guid.NewGuid()).ToArray();
            var agents = new[] { Chrome, Safari, "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0" };
            using (var journal = OpenJournal())
            {
                for (int i = 0; i < Count; i++)
                {
                    var type = (UserEventType)random.Next(4);
                    var e = Event(type, T0.AddMilliseconds(i * 250L + random.Next(200)), user: "user" + random.Next(2000), host: "sense" + random.Next(3),
                        app: type == UserEventType.SessionStop ? null : apps[random.Next(apps.Length)], agent: agents[random.Next(agents.Length)]);
                    e.Tags = new Dictionary<string, string> { ["qs_env"] = "prod" };
                    journal.Append(e);
                }

                Flush(journal);
            }

            using (var connection = new SqliteConnection($"Data Source={JournalPath};Pooling=False"))
            {
                connection.Open();
                long Scalar(string sql)
                {
                    using var command = connection.CreateCommand();
                    command.CommandText = sql;
                    return (long)command.ExecuteScalar()!;
                }

                Assert.Equal(3, Scalar("SELECT count(*) FROM hosts"));
                Assert.Equal(3, Scalar("SELECT count(*) FROM agents"));
                Assert.Equal(200, Scalar("SELECT count(*) FROM apps"));
                Assert.True(Scalar("SELECT count(*) FROM texts") < 50, "contexts and messages are stored as a few templates");
                Assert.Equal(Count, Scalar("SELECT count(*) FROM events"));
            }

            // Closed cleanly: the WAL is checkpointed into the file, so its size is the journal's size.
            long bytes = new FileInfo(JournalPath).Length + (File.Exists(JournalPath + "-wal") ? new FileInfo(JournalPath + "-wal").Length : 0);
            double perEvent = (double)bytes / Count;
            _output.WriteLine($"{Count} events in {bytes} bytes: {perEvent:F1} bytes per event");
            Assert.True(perEvent <= 120, $"{perEvent:F1} bytes per event; the target is at most 120.");
        }

        [Fact]
        public void A_full_queue_refuses_and_counts_instead_of_blocking()
        {
            using var journal = OpenJournal(o =>
            {
                o.QueueCapacity = 10;
                o.MaxBatchSize = 1;
                o.BusyTimeout = TimeSpan.FromSeconds(30);
            });
            // Another connection holds the write lock: the writer thread waits on its first batch.
            using var blocker = new SqliteConnection($"Data Source={JournalPath};Pooling=False");
            blocker.Open();
            using (var begin = blocker.CreateCommand())
            {
                begin.CommandText = "BEGIN IMMEDIATE";
                begin.ExecuteNonQuery();
            }

            var ids = new List<long>();
            for (int i = 0; i < 1000; i++)
            {
                ids.Add(journal.Append(Event(UserEventType.ConnectionOpen, T0.AddSeconds(i))));
            }

            var stats = journal.Statistics;
            int refused = ids.Count(id => id == 0);
            Assert.True(refused >= 1000 - 11 - 1, $"{refused} refused of 1000 with a queue of 10");
            Assert.Equal(refused, stats.QueueFull);
            Assert.Equal(refused, stats.NotJournaled);
            Assert.Equal(1000, stats.Accepted + stats.QueueFull);
            Assert.Contains(Faults.ToArray(), f => f.Kind == JournalFaultKind.QueueFull && f.Message.Contains(JournalPath));

            using (var rollback = blocker.CreateCommand())
            {
                rollback.CommandText = "ROLLBACK";
                rollback.ExecuteNonQuery();
            }

            Flush(journal);
            Assert.Equal(journal.Statistics.Accepted, journal.Statistics.Journaled);
            using var reader = journal.OpenReader();
            Assert.Equal(ids.Where(id => id != 0), reader.ReadAfter(0).Select(e => e.Id));
        }

        [Fact]
        public void A_second_writer_is_refused_with_a_clear_error()
        {
            using (var first = OpenJournal())
            {
                var error = Assert.Throws<JournalException>(() => EventJournal.Open(Options()));
                Assert.Equal("JournalInUse", error.ErrorId);
                Assert.Equal(OperationErrorCategory.ResourceUnavailable, error.Category);
                Assert.Contains("already open for writing", error.Message);
                Assert.Contains(JournalPath, error.Message);
                Assert.Contains($"process {System.Diagnostics.Process.GetCurrentProcess().Id}", error.Message);
                first.Append(Event(UserEventType.SessionStart, T0));
                Flush(first);
            }

            // Once the first one is closed, a new writer opens and carries on from the same file.
            using var second = EventJournal.Open(Options());
            Assert.Equal(2, second.Append(Event(UserEventType.SessionStop, T0.AddMinutes(1))));
        }

        [Fact]
        public void Readers_read_while_the_writer_writes()
        {
            using var journal = OpenJournal();
            for (int i = 0; i < 2000; i++)
            {
                journal.Append(Event(UserEventType.ConnectionOpen, T0.AddSeconds(i), user: "u" + (i % 10)));
            }

            Flush(journal);
            using var reader = JournalReader.Open(JournalPath);
            int seen = 0;
            foreach (var e in reader.ReadEvents(new UserEventQuery()))
            {
                // The writer keeps committing while this read is open; the read sees its snapshot.
                if (seen == 0)
                {
                    for (int i = 0; i < 2000; i++)
                    {
                        journal.Append(Event(UserEventType.ConnectionClose, T0.AddSeconds(2000 + i)));
                    }

                    Flush(journal);
                }

                seen++;
            }

            Assert.Equal(2000, seen);
            Assert.Equal(4000, reader.ReadEvents(new UserEventQuery()).Count());
            Assert.Equal(4000, journal.Statistics.Journaled);
        }

        [Fact]
        public void Retention_prunes_events_and_sessions_older_than_the_days_kept()
        {
            DateTime now = T0.AddDays(100);
            using (var journal = OpenJournal(o =>
            {
                o.RetentionDays = 90;
                o.UtcNow = () => now;
            }))
            {
                journal.Append(Event(UserEventType.SessionStart, T0, user: "old"));
                journal.Append(Event(UserEventType.SessionStop, T0.AddMinutes(5), user: "old"));
                journal.Append(Event(UserEventType.SessionStart, now.AddDays(-1), user: "recent"));
                journal.Append(Event(UserEventType.SessionStop, now.AddDays(-1).AddMinutes(5), user: "recent"));
                Flush(journal);
                Assert.True(journal.Prune(TimeSpan.FromSeconds(30)));
                Assert.Equal(2, journal.Statistics.Pruned);
            }

            using var reader = JournalReader.Open(JournalPath);
            Assert.Equal(new[] { "recent", "recent" }, reader.ReadEvents(new UserEventQuery()).Select(e => e.Event.UserId));
            Assert.Equal(new[] { "recent" }, reader.ReadSessions(new UserSessionQuery()).Select(s => s.UserId));
            Assert.Equal(now.AddDays(-1), reader.FirstEventAt);
        }

        [Fact]
        public void The_size_cap_prunes_the_oldest_events_and_ids_never_go_back()
        {
            const long Cap = 256 * 1024;
            long lastId;
            var apps = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid()).ToArray();
            using (var journal = OpenJournal(o => o.MaxSizeBytes = Cap))
            {
                for (int i = 0; i < 15_000; i++)
                {
                    lastId = journal.Append(Event(UserEventType.ConnectionOpen, T0.AddSeconds(i * 10), user: "user" + (i % 500), app: apps[i % apps.Length]));
                }

                Flush(journal);
                Assert.True(journal.Prune(TimeSpan.FromSeconds(60)));
                Assert.True(journal.Statistics.Pruned > 0);
                lastId = journal.LastJournaledId;
                Assert.Equal(15_000, lastId);
            }

            using (var connection = new SqliteConnection($"Data Source={JournalPath};Pooling=False"))
            {
                connection.Open();
                long used = EventJournalAccess.UsedBytes(connection);
                _output.WriteLine($"{used} bytes in use after pruning to a cap of {Cap}");
                Assert.True(used <= Cap, $"{used} bytes in use, cap {Cap}");
            }

            using (var reader = JournalReader.Open(JournalPath))
            {
                var ids = reader.ReadEvents(new UserEventQuery()).Select(e => e.Id).ToList();
                Assert.NotEmpty(ids);
                Assert.Equal(15_000, ids[ids.Count - 1]);
                Assert.True(ids[0] > 1, "the oldest events were pruned");
                Assert.Equal(Enumerable.Range((int)ids[0], ids.Count).Select(i => (long)i), ids);
            }

            using var reopened = OpenJournal();
            Assert.Equal(15_001, reopened.Append(Event(UserEventType.ConnectionOpen, T0.AddDays(1))));
        }

        [Fact]
        public void A_damaged_or_foreign_file_is_refused_with_a_clear_error()
        {
            File.WriteAllBytes(JournalPath, Enumerable.Range(0, 8192).Select(i => (byte)(i * 7)).ToArray());
            var damaged = Assert.Throws<JournalException>(() => EventJournal.Open(Options()));
            Assert.Equal(OperationErrorCategory.InvalidData, damaged.Category);
            Assert.Contains("damaged or is not a QlikActivity journal", damaged.Message);
            Assert.Contains(JournalPath, damaged.Message);

            string foreign = Path.Combine(Folder, "other.db");
            using (var connection = new SqliteConnection($"Data Source={foreign};Pooling=False"))
            {
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = "CREATE TABLE things (id INTEGER PRIMARY KEY)";
                command.ExecuteNonQuery();
            }

            var notJournal = Assert.Throws<JournalException>(() => EventJournal.Open(new EventJournalOptions(foreign)));
            Assert.Equal("NotAJournal", notJournal.ErrorId);
            Assert.Throws<JournalException>(() => JournalReader.Open(foreign));
        }

        [Fact]
        public void A_locked_file_is_reported_counted_and_the_caller_keeps_going()
        {
            using var journal = OpenJournal(o => o.BusyTimeout = TimeSpan.FromSeconds(1));
            using var blocker = new SqliteConnection($"Data Source={JournalPath};Pooling=False;Default Timeout=1");
            blocker.Open();
            using (var begin = blocker.CreateCommand())
            {
                begin.CommandText = "BEGIN IMMEDIATE";
                begin.ExecuteNonQuery();
            }

            for (int i = 0; i < 50; i++)
            {
                Assert.NotEqual(0, journal.Append(Event(UserEventType.ConnectionOpen, T0.AddSeconds(i))));
            }

            Flush(journal);
            var stats = journal.Statistics;
            Assert.Equal(50, stats.NotJournaled);
            Assert.True(stats.WriteFaults >= 1);
            JournalFault[] locked;
            lock (Faults)
            {
                locked = Faults.Where(f => f.Kind == JournalFaultKind.Locked && f.EventsNotJournaled > 0).ToArray();
            }

            Assert.Equal(50, locked.Sum(f => f.EventsNotJournaled));
            var fault = locked[locked.Length - 1];
            Assert.Contains("locked by another program", fault.Message);
            Assert.Contains(JournalPath, fault.Message);
            Assert.Same(fault, stats.LastFault);

            using (var rollback = blocker.CreateCommand())
            {
                rollback.CommandText = "ROLLBACK";
                rollback.ExecuteNonQuery();
            }

            // The journal carries on once the lock is gone.
            long next = journal.Append(Event(UserEventType.ConnectionClose, T0.AddMinutes(5)));
            Flush(journal);
            Assert.Equal(1, journal.Statistics.Journaled);
            using var reader = journal.OpenReader();
            Assert.Equal(new[] { next }, reader.ReadAfter(0).Select(e => e.Id));
        }

        [Fact]
        public void A_file_damaged_while_open_is_reported_and_counted()
        {
            using var journal = OpenJournal(o => o.BusyTimeout = TimeSpan.FromSeconds(1));
            for (int i = 0; i < 100; i++)
            {
                journal.Append(Event(UserEventType.ConnectionOpen, T0.AddSeconds(i), user: "u" + i, app: Guid.NewGuid()));
            }

            Flush(journal);
            Assert.Equal(100, journal.Statistics.Journaled);

            // Everything into the main file, then every page after the first overwritten with garbage
            // (a failing disk, a stray copy), then the WAL reset so the writer must read the file again.
            using (var other = new SqliteConnection($"Data Source={JournalPath};Pooling=False"))
            {
                other.Open();
                Checkpoint(other);
                using (var stream = new FileStream(JournalPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
                {
                    var garbage = Enumerable.Range(0, (int)Math.Max(0, stream.Length - 4096)).Select(i => (byte)(i * 31 + 7)).ToArray();
                    stream.Position = 4096;
                    stream.Write(garbage, 0, garbage.Length);
                }

                Checkpoint(other);
            }

            long before = journal.Statistics.NotJournaled;
            for (int i = 0; i < 20; i++)
            {
                journal.Append(Event(UserEventType.ConnectionOpen, T0.AddMinutes(10).AddSeconds(i), user: "new" + i, app: Guid.NewGuid()));
            }

            Flush(journal);
            var stats = journal.Statistics;
            _output.WriteLine($"journaled {stats.Journaled}, not journaled {stats.NotJournaled}, faults {stats.WriteFaults}: {stats.LastFault}");
            Assert.Equal(20, stats.NotJournaled - before);
            Assert.True(stats.WriteFaults >= 1);
            Assert.NotNull(stats.LastFault);
            Assert.Contains(JournalPath, stats.LastFault!.Message);
        }

        private static void Checkpoint(SqliteConnection connection)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            command.ExecuteNonQuery();
        }

        [Fact]
        public void Positions_survive_a_restart_and_replay_is_in_order_after_them()
        {
            var ids = new List<long>();
            using (var journal = OpenJournal())
            {
                for (int i = 0; i < 100; i++)
                {
                    ids.Add(journal.Append(Event(UserEventType.ConnectionOpen, T0.AddSeconds(i), user: "u" + i)));
                }

                journal.AdvancePosition("mqtt", ids[49]);
                journal.AdvancePosition("influxdb", ids[9]);
                journal.AdvancePosition("influxdb", ids[4]); // never moves back
                Assert.Equal(ids[9], journal.GetPosition("influxdb"));
                Assert.Equal(0, journal.GetPosition("newrelic"));
                Flush(journal);
            }

            using (var journal = OpenJournal())
            {
                Assert.Equal(ids[49], journal.GetPosition("mqtt"));
                Assert.Equal(ids[9], journal.GetPosition("influxdb"));
                using (var reader = journal.OpenReader())
                {
                    Assert.Equal(ids[49], reader.GetPosition("mqtt"));
                    var replay = reader.ReadAfter(journal.GetPosition("mqtt")).ToList();
                    Assert.Equal(ids.Skip(50), replay.Select(e => e.Id));
                    Assert.Equal(Enumerable.Range(50, 50).Select(i => "u" + i), replay.Select(e => e.Event.UserId));
                    Assert.Equal(ids.Skip(10).Take(5), reader.ReadAfter(ids[9], max: 5).Select(e => e.Id));
                }

                long next = journal.Append(Event(UserEventType.ConnectionClose, T0.AddMinutes(10)));
                Assert.Equal(ids[ids.Count - 1] + 1, next);
                journal.AdvancePosition("mqtt", next);
                Flush(journal);
                using var after = journal.OpenReader();
                Assert.Equal(next, after.GetPosition("mqtt"));
                Assert.Empty(after.ReadAfter(next));
            }
        }
    }

    internal static class EventJournalAccess
    {
        public static long UsedBytes(SqliteConnection connection) => EventJournal.UsedBytes(connection, null);
    }
}
