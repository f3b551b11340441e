using System;
using System.Linq;
using QlikActivity.Core.Journal;
using Xunit;

namespace QlikActivity.Core.Tests.Journal
{
    public class JournalQueryTests : JournalTestBase
    {
        private static readonly Guid Sales = Guid.Parse("11111111-1111-4111-8111-111111111111");
        private static readonly Guid Finance = Guid.Parse("22222222-2222-4222-8222-222222222222");
        private static readonly Guid Unused = Guid.Parse("33333333-3333-4333-8333-333333333333");

        /// <summary>
        /// anna on sense1: start, opens Sales, Finance, Sales again, stop.
        /// anna on sense2 at the same time: a separate session, never stopped, last event at +20 min.
        /// bob (CORP): start with Safari, opens Finance, then silent for 40 min, then opens Sales (a new, unstarted session).
        /// carl: only a close on Unused (no open session).
        /// </summary>
        private void WriteScenario()
        {
            using var journal = OpenJournal();
            void Add(UserEvent e) => Assert.NotEqual(0, journal.Append(e));
            Add(Event(UserEventType.SessionStart, T0, host: "sense1", app: Sales));
            Add(Event(UserEventType.SessionStart, T0.AddMinutes(1), host: "sense2"));
            Add(Event(UserEventType.ConnectionOpen, T0.AddMinutes(2), host: "sense1", app: Sales));
            Add(Event(UserEventType.ConnectionOpen, T0.AddMinutes(3), host: "sense1", app: Finance));
            Add(Event(UserEventType.SessionStart, T0.AddMinutes(4), user: "bob", directory: "CORP", host: "sense1", agent: Safari));
            Add(Event(UserEventType.ConnectionOpen, T0.AddMinutes(5), user: "bob", directory: "CORP", host: "sense1", app: Finance, agent: Safari));
            Add(Event(UserEventType.ConnectionClose, T0.AddMinutes(6), host: "sense1", app: Sales));
            Add(Event(UserEventType.ConnectionOpen, T0.AddMinutes(7), host: "sense1", app: Sales));
            Add(Event(UserEventType.SessionStop, T0.AddMinutes(10), host: "sense1", agent: null));
            Add(Event(UserEventType.ConnectionOpen, T0.AddMinutes(20), host: "sense2", app: Finance));
            Add(Event(UserEventType.ConnectionClose, T0.AddMinutes(21), user: "carl", app: Unused));
            Add(Event(UserEventType.ConnectionOpen, T0.AddMinutes(45), user: "bob", directory: "CORP", host: "sense1", app: Sales, agent: Safari));
            Flush(journal);
        }

        [Fact]
        public void Events_filter_by_time_user_wildcards_type_and_app_and_keep_the_newest_last()
        {
            WriteScenario();
            using var reader = JournalReader.Open(JournalPath);
            UserEvent[] Read(UserEventQuery q) => reader.ReadEvents(q).Select(e => e.Event).ToArray();

            var all = Read(new UserEventQuery());
            Assert.Equal(12, all.Length);
            Assert.Equal(all.OrderBy(e => e.ReceivedAt).ToArray(), all);

            Assert.Equal(new[] { T0.AddMinutes(3), T0.AddMinutes(4) },
                Read(new UserEventQuery { Since = T0.AddMinutes(3), Until = T0.AddMinutes(5) }).Select(e => e.ReceivedAt));
            Assert.All(Read(new UserEventQuery { UserDirectory = "co*" }), e => Assert.Equal("bob", e.UserId));
            Assert.Equal(3, Read(new UserEventQuery { UserDirectory = "co*" }).Length);
            Assert.Equal(new[] { "carl" }, Read(new UserEventQuery { UserId = "?ARL" }).Select(e => e.UserId));
            Assert.Equal(8, Read(new UserEventQuery { UserId = "a*", UserDirectory = "LAB" }).Length);
            Assert.Empty(Read(new UserEventQuery { UserId = "nobody" }));
            Assert.Equal(new[] { "sense1", "sense2", "sense1" },
                Read(new UserEventQuery { EventTypes = new[] { UserEventType.SessionStart } }).Select(e => e.Host));
            Assert.Equal(5, Read(new UserEventQuery { AppIds = new[] { Sales } }).Length);
            Assert.All(Read(new UserEventQuery { AppIds = new[] { Sales } }), e => Assert.Equal(Sales, e.AppId));
            Assert.Empty(Read(new UserEventQuery { AppIds = new[] { Guid.NewGuid() } }));

            var last = Read(new UserEventQuery { Last = 3 });
            Assert.Equal(new[] { T0.AddMinutes(20), T0.AddMinutes(21), T0.AddMinutes(45) }, last.Select(e => e.ReceivedAt));
            var lastOpens = Read(new UserEventQuery { Last = 2, EventTypes = new[] { UserEventType.ConnectionOpen }, UserDirectory = "LAB" });
            Assert.Equal(new[] { T0.AddMinutes(7), T0.AddMinutes(20) }, lastOpens.Select(e => e.ReceivedAt));
        }

        [Fact]
        public void Sessions_pair_start_and_stop_per_host_and_user_with_the_apps_opened_in_between()
        {
            WriteScenario();
            using var reader = JournalReader.Open(JournalPath);
            var sessions = reader.ReadSessions(new UserSessionQuery { At = T0.AddMinutes(51) }).ToList();
            Assert.Equal(4, sessions.Count);

            var anna1 = sessions[0];
            Assert.Equal(("sense1", "LAB", "anna"), (anna1.ProxyHost, anna1.UserDirectory, anna1.UserId));
            Assert.Equal(T0, anna1.Start);
            Assert.Equal(T0.AddMinutes(10), anna1.Stop);
            Assert.Equal(TimeSpan.FromMinutes(10), anna1.Duration);
            Assert.Equal(UserSessionState.Stopped, anna1.State);
            Assert.True(anna1.StartSeen);
            Assert.Equal(6, anna1.EventCount);
            Assert.Equal(new[] { Sales, Finance }, anna1.Apps.Select(a => a.AppId));
            Assert.Equal("Chrome", anna1.BrowserName);
            Assert.Equal("Windows", anna1.OsName);

            var anna2 = sessions[1];
            Assert.Equal("sense2", anna2.ProxyHost);
            Assert.Null(anna2.Stop);
            Assert.Equal(T0.AddMinutes(20), anna2.LastEvent);
            Assert.Equal(UserSessionState.TimedOut, anna2.State);
            Assert.Equal(TimeSpan.FromMinutes(19), anna2.Duration);
            Assert.Equal(new[] { Finance }, anna2.Apps.Select(a => a.AppId));

            var bob1 = sessions[2];
            Assert.Equal("CORP\\bob", bob1.UserFull);
            Assert.Equal(T0.AddMinutes(5), bob1.LastEvent);
            Assert.Equal(UserSessionState.TimedOut, bob1.State);
            Assert.Equal("Safari", bob1.BrowserName);
            Assert.Equal("macOS", bob1.OsName);
            Assert.Equal(new[] { Finance }, bob1.Apps.Select(a => a.AppId));

            // 40 minutes without events: the next one starts another session, marked as not started.
            var bob2 = sessions[3];
            Assert.False(bob2.StartSeen);
            Assert.Equal(T0.AddMinutes(45), bob2.Start);
            Assert.Equal(UserSessionState.Active, bob2.State);
            Assert.Equal(TimeSpan.FromMinutes(6), bob2.Duration);
            Assert.Equal(new[] { Sales }, bob2.Apps.Select(a => a.AppId));

            Assert.Equal(new[] { T0.AddMinutes(4), T0.AddMinutes(45) },
                reader.ReadSessions(new UserSessionQuery { UserId = "B*" }).Select(s => s.Start));
            Assert.Equal(new[] { T0.AddMinutes(1), T0.AddMinutes(4) },
                reader.ReadSessions(new UserSessionQuery { Since = T0.AddMinutes(1), Until = T0.AddMinutes(45) }).Select(s => s.Start));
        }

        [Fact]
        public void Active_sessions_are_those_without_stop_and_with_an_event_within_the_timeout()
        {
            WriteScenario();
            using var reader = JournalReader.Open(JournalPath);
            UserSession[] Active(DateTime at, int minutes = 30) =>
                reader.ReadSessions(new UserSessionQuery { Active = true, At = at, SessionTimeout = TimeSpan.FromMinutes(minutes) }).ToArray();

            // At +21: anna on sense2 (last event +20) and bob (last +5) are online; anna on sense1 stopped.
            Assert.Equal(new[] { ("sense2", "anna"), ("sense1", "bob") }, Active(T0.AddMinutes(21)).Select(s => (s.ProxyHost, s.UserId)));
            Assert.All(Active(T0.AddMinutes(21)), s => Assert.Equal(UserSessionState.Active, s.State));
            // A shorter timeout: bob's 16 minutes of silence end his session.
            Assert.Equal(new[] { "anna" }, Active(T0.AddMinutes(21), minutes: 10).Select(s => s.UserId));
            // At +51 only bob's new session is online (anna's last event on sense2 is 31 minutes old).
            var late = Assert.Single(Active(T0.AddMinutes(51)));
            Assert.Equal(T0.AddMinutes(45), late.Start);
        }

        [Fact]
        public void A_new_start_replaces_an_open_session_and_sessions_continue_across_a_restart()
        {
            using (var journal = OpenJournal())
            {
                journal.Append(Event(UserEventType.SessionStart, T0));
                journal.Append(Event(UserEventType.SessionStart, T0.AddMinutes(2)));
                journal.Append(Event(UserEventType.ConnectionOpen, T0.AddMinutes(3), app: Sales));
                Flush(journal);
            }

            using (var journal = OpenJournal())
            {
                journal.Append(Event(UserEventType.ConnectionOpen, T0.AddMinutes(4), app: Finance));
                journal.Append(Event(UserEventType.SessionStop, T0.AddMinutes(5)));
                Flush(journal);
            }

            using var reader = JournalReader.Open(JournalPath);
            var sessions = reader.ReadSessions(new UserSessionQuery { At = T0.AddMinutes(6) }).ToList();
            Assert.Equal(2, sessions.Count);
            Assert.Null(sessions[0].Stop);
            Assert.Equal(UserSessionState.TimedOut, sessions[0].State);
            Assert.Empty(sessions[0].Apps);
            Assert.Equal(T0.AddMinutes(2), sessions[1].Start);
            Assert.Equal(T0.AddMinutes(5), sessions[1].Stop);
            Assert.Equal(new[] { Sales, Finance }, sessions[1].Apps.Select(a => a.AppId));
            Assert.Empty(reader.ReadSessions(new UserSessionQuery { Active = true, At = T0.AddMinutes(6) }));
        }

        [Fact]
        public void App_activity_gives_last_opened_distinct_users_sessions_and_the_journal_start()
        {
            WriteScenario();
            using (var journal = OpenJournal())
            {
                var named = Event(UserEventType.ConnectionOpen, T0.AddMinutes(46), user: "dora", app: Finance);
                named.AppName = "Finance cockpit";
                journal.Append(named);
                Flush(journal);
            }

            using var reader = JournalReader.Open(JournalPath);
            var apps = reader.ReadAppActivity().ToList();
            Assert.Equal(new[] { Unused, Sales, Finance }, apps.Select(a => a.AppId));
            Assert.All(apps, a => Assert.Equal(T0, a.JournalStartsAt));

            var unused = apps[0];
            Assert.Null(unused.LastOpened);
            Assert.Equal(0, unused.DistinctUsers);
            Assert.Equal(0, unused.Sessions);

            var sales = apps[1];
            Assert.Equal(T0.AddMinutes(45), sales.LastOpened);
            Assert.Equal(2, sales.DistinctUsers);       // anna, bob
            Assert.Equal(2, sales.Sessions);            // anna on sense1, bob's second
            Assert.Equal(4, sales.Opens);               // start + 2 opens by anna, 1 by bob

            var finance = apps[2];
            Assert.Equal("Finance cockpit", finance.AppName);
            Assert.Equal(T0.AddMinutes(46), finance.LastOpened);
            Assert.Equal(3, finance.DistinctUsers);     // anna, bob, dora
            Assert.Equal(4, finance.Sessions);          // anna on both hosts, bob, dora
        }

        [Fact]
        public void The_latest_event_per_user_is_there_for_activity_buckets()
        {
            WriteScenario();
            using var reader = JournalReader.Open(JournalPath);
            var latest = reader.ReadLatestEventPerUser().ToDictionary(u => u.UserDirectory + "\\" + u.UserId, u => u.LastEventAt);
            Assert.Equal(T0.AddMinutes(45), latest["CORP\\bob"]);
            Assert.Equal(T0.AddMinutes(20), latest["LAB\\anna"]);
            Assert.Equal(T0.AddMinutes(21), latest["LAB\\carl"]);
            Assert.Equal(3, latest.Count);
        }
    }
}
