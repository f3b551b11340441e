using System;
using System.Linq;
using System.Threading.Tasks;
using QlikActivity.Core.Activity;
using QlikActivity.Core.Journal;
using QlikActivity.Core.Tests.Activity;
using QlikActivity.Core.Tests.Activity.Buckets;
using Xunit;

namespace QlikActivity.Core.Tests.Journal
{
    /// <summary>
    /// The history operations the cmdlets call (JournalHistory), and the journal as the Session
    /// activity source of Get-QlikUserActivity and Set-QlikActivityBucket, against the QRS simulator.
    /// </summary>
    [Trait("Category", "Integration")]
    public sealed class JournalHistoryTests : JournalTestBase, IClassFixture<EmptySimulatorFixture>
    {
        private static readonly Guid Unknown = Guid.Parse("44444444-4444-4444-8444-444444444444");
        private readonly EmptySimulatorFixture _f;

        public JournalHistoryTests(EmptySimulatorFixture fixture) => _f = fixture;

        [Fact]
        public void Operations_stream_what_the_reader_reads_and_a_missing_journal_is_ObjectNotFound()
        {
            using (var journal = OpenJournal())
            {
                journal.Append(Event(UserEventType.SessionStart, T0));
                journal.Append(Event(UserEventType.ConnectionOpen, T0.AddMinutes(1), user: "bob", app: Unknown));
                journal.Append(Event(UserEventType.SessionStop, T0.AddMinutes(2)));
                Flush(journal);
            }

            var host = new RecordingHost();
            Assert.Equal(new[] { "anna", "bob", "anna" }, JournalHistory.ReadUserEvents(host, JournalPath, new UserEventQuery()).Select(e => e.UserId));
            Assert.Equal(new[] { "bob" }, JournalHistory.ReadUserEvents(host, JournalPath, new UserEventQuery { Last = 2, UserId = "b*" }).Select(e => e.UserId));
            Assert.Contains(host.Verbose, v => v.Contains("from 2026-11-02 08:00:00Z", StringComparison.Ordinal));
            var sessions = JournalHistory.ReadUserSessions(host, JournalPath, new UserSessionQuery { At = T0.AddMinutes(3) }).ToList();
            Assert.Equal(new[] { UserSessionState.Stopped, UserSessionState.Active }, sessions.Select(s => s.State));

            var missing = Assert.Throws<JournalException>(() => JournalHistory.ReadUserEvents(host, JournalPath + ".nope", new UserEventQuery()));
            Assert.Equal("JournalNotFound", missing.ErrorId);
            Assert.Equal(OperationErrorCategory.ObjectNotFound, missing.Category);
            var timeout = Assert.Throws<JournalException>(() => JournalHistory.ReadUserSessions(host, JournalPath, new UserSessionQuery { SessionTimeout = TimeSpan.Zero }));
            Assert.Equal(OperationErrorCategory.InvalidArgument, timeout.Category);
        }

        [Fact]
        public void Stopping_the_enumeration_early_closes_the_journal()
        {
            using (var journal = OpenJournal())
            {
                for (int i = 0; i < 50; i++)
                {
                    journal.Append(Event(UserEventType.ConnectionOpen, T0.AddSeconds(i)));
                }

                Flush(journal);
            }

            var first = JournalHistory.ReadUserEvents(new RecordingHost(), JournalPath, new UserEventQuery()).Take(3).ToList();
            Assert.Equal(3, first.Count);
            // The reader is disposed: the file can be deleted (Windows would refuse an open one) and a writer opens it again.
            using var again = OpenJournal();
            Assert.Equal(50, JournalHistory.ReadUserEvents(new RecordingHost(), JournalPath, new UserEventQuery()).Count());
        }

        [Fact]
        public void With_a_connection_every_repository_app_is_listed_named_and_the_deleted_ones_marked()
        {
            Guid sales = _f.Sim.Store.AddApp("Sales " + Guid.NewGuid().ToString("N").Substring(0, 6), null);
            Guid never = _f.Sim.Store.AddApp("Never opened " + Guid.NewGuid().ToString("N").Substring(0, 6), null);
            using (var journal = OpenJournal())
            {
                var open = Event(UserEventType.ConnectionOpen, T0.AddMinutes(5), app: sales);
                open.AppName = "Old name from the event";
                journal.Append(open);
                journal.Append(Event(UserEventType.ConnectionOpen, T0.AddMinutes(9), user: "bob", app: Unknown));
                Flush(journal);
            }

            var host = new RecordingHost();
            var apps = JournalHistory.ReadAppActivity(host, JournalPath, new AppActivityQuery { Connection = _f.Connection }).ToList();
            var repository = _f.Sim.Store.Entities("app").Select(a => Guid.Parse((string)a["id"]!)).ToHashSet();
            Assert.Equal(repository.Count + 1, apps.Count);
            Assert.True(repository.IsSubsetOf(apps.Select(a => a.AppId)));

            var neverOpened = apps.Single(a => a.AppId == never);
            Assert.Null(neverOpened.LastOpened);
            Assert.Equal(0, neverOpened.DistinctUsers);
            Assert.True(neverOpened.InRepository);
            Assert.Equal(T0.AddMinutes(5), neverOpened.JournalStartsAt);
            Assert.StartsWith("Never opened", neverOpened.AppName, StringComparison.Ordinal);

            var opened = apps.Single(a => a.AppId == sales);
            Assert.StartsWith("Sales ", opened.AppName, StringComparison.Ordinal); // the repository's name wins
            Assert.Equal(T0.AddMinutes(5), opened.LastOpened);
            Assert.True(opened.InRepository);
            var deleted = apps.Single(a => a.AppId == Unknown);
            Assert.False(deleted.InRepository);
            // Never opened first, then by last opened.
            Assert.Equal(new[] { sales, Unknown }, apps.Skip(apps.Count - 2).Select(a => a.AppId));
            Assert.All(apps.Take(apps.Count - 2), a => Assert.Null(a.LastOpened));

            // Not opened in 1 day as of T0 + 1 day + 7 min: the never opened ones and Sales (opened at +5), not the unknown app (+9).
            var idle = JournalHistory.ReadAppActivity(host, JournalPath, new AppActivityQuery
            {
                Connection = _f.Connection,
                NotOpenedInDays = 1,
                AsOf = T0.AddDays(1).AddMinutes(7),
            }).ToList();
            Assert.Contains(idle, a => a.AppId == sales);
            Assert.DoesNotContain(idle, a => a.AppId == Unknown);
            Assert.Equal(repository.Count, idle.Count);
            Assert.Empty(host.Warnings); // the journal reaches back the whole day
            // Two days reach back before the journal's first event: said so. Only the never opened apps are left.
            Assert.Equal(repository.Count - 1, JournalHistory.ReadAppActivity(host, JournalPath, new AppActivityQuery
            {
                Connection = _f.Connection,
                NotOpenedInDays = 2,
                AsOf = T0.AddDays(1).AddMinutes(7),
            }).Count());
            Assert.Contains(host.Warnings, w => w.Contains("journal starts at 2026-11-02 08:05:00Z, 1 days ago", StringComparison.Ordinal));

            // Without a connection only the journal's apps, without a repository verdict.
            var journalOnly = JournalHistory.ReadAppActivity(host, JournalPath, new AppActivityQuery()).ToList();
            Assert.Equal(new[] { sales, Unknown }, journalOnly.Select(a => a.AppId));
            Assert.All(journalOnly, a => Assert.Null(a.InRepository));
            Assert.Equal("Old name from the event", journalOnly[0].AppName);
        }

        [Fact]
        public void The_journal_is_the_Session_source_the_latest_of_license_and_session_wins()
        {
            // As of T0 + 20 days: anna's license use is 10 days old, her latest event 2 days; ben's license
            // is 1 day old, his event 5 days; carla has no license record, only an event 40 days ago; dora neither.
            DateTime asOf = T0.AddDays(20);
            string dir = _f.NewDirectory();
            var anna = _f.Sim.Store.AddUser(dir, "anna");
            var ben = _f.Sim.Store.AddUser(dir, "ben");
            var carla = _f.Sim.Store.AddUser(dir, "carla");
            var dora = _f.Sim.Store.AddUser(dir, "dora");
            _f.Sim.Store.AddLicenseRecord("professional", anna, asOf.AddDays(-10));
            _f.Sim.Store.AddLicenseRecord("analyzer", ben, asOf.AddDays(-1));
            using (var journal = OpenJournal())
            {
                // The journal's case differs from the repository's: users match case-insensitively.
                journal.Append(Event(UserEventType.SessionStart, asOf.AddDays(-2), user: "ANNA", directory: dir.ToLowerInvariant()));
                journal.Append(Event(UserEventType.SessionStart, asOf.AddDays(-5), user: "ben", directory: dir));
                journal.Append(Event(UserEventType.ConnectionOpen, asOf.AddDays(-40), user: "carla", directory: dir));
                journal.Append(Event(UserEventType.SessionStart, asOf.AddDays(-3), user: "ghost", directory: dir));
                Flush(journal);
            }

            var host = new RecordingHost();
            var request = new UserActivityRequest(_f.Connection) { UserDirectories = new[] { dir }, AsOf = asOf, JournalPath = JournalPath };
            var users = UserActivityReader.Read(host, request).ToDictionary(u => u.Id);
            Assert.Equal(4, users.Count);

            Assert.Equal(ActivitySource.Session, users[anna].ActivitySource);
            Assert.Equal(asOf.AddDays(-2), users[anna].LastActivity);
            Assert.Equal(asOf.AddDays(-10), users[anna].LastLicenseActivity);
            Assert.Equal(asOf.AddDays(-2), users[anna].LastSessionEvent);
            Assert.Equal("7", users[anna].Bucket);

            Assert.Equal(ActivitySource.License, users[ben].ActivitySource);
            Assert.Equal(asOf.AddDays(-1), users[ben].LastActivity);
            Assert.Equal(asOf.AddDays(-5), users[ben].LastSessionEvent);
            Assert.Equal("1", users[ben].Bucket);

            Assert.False(users[carla].HasLicenseRecord);
            Assert.Equal(ActivitySource.Session, users[carla].ActivitySource);
            Assert.Equal(40, users[carla].DaysInactive);
            Assert.Equal("90", users[carla].Bucket);

            Assert.Equal(ActivitySource.None, users[dora].ActivitySource);
            Assert.Equal(BucketSet.NoLicenseRecordLabel, users[dora].Bucket);
            Assert.Contains(host.Verbose, v => v.Contains("1 journal users are not among the users read", StringComparison.Ordinal));

            // Without the journal: license records only, as before.
            var plain = UserActivityReader.Read(new RecordingHost(), new UserActivityRequest(_f.Connection) { UserDirectories = new[] { dir }, AsOf = asOf }).ToDictionary(u => u.Id);
            Assert.Equal("14", plain[anna].Bucket);
            Assert.Equal(ActivitySource.License, plain[anna].ActivitySource);
            Assert.Null(plain[anna].LastSessionEvent);
            Assert.Equal(BucketSet.NoLicenseRecordLabel, plain[carla].Bucket);

            // A wrong path fails before the repository is asked.
            long before = _f.Sim.Requests.Count("GET");
            var missing = Assert.Throws<JournalException>(() => UserActivityReader.Read(new RecordingHost(), new UserActivityRequest(_f.Connection) { JournalPath = JournalPath + ".nope" }).ToList());
            Assert.Equal("JournalNotFound", missing.ErrorId);
            Assert.Equal(before, _f.Sim.Requests.Count("GET"));
        }

        [Fact]
        public async Task Buckets_written_from_the_journal_give_a_user_without_license_record_a_bucket()
        {
            await using var site = await BucketSite.StartAsync();
            var anna = site.AddUser("LAB", "anna", ("professional", 100));
            var carla = site.AddUser("LAB", "carla");
            var dora = site.AddUser("LAB", "dora");
            using (var journal = OpenJournal())
            {
                journal.Append(Event(UserEventType.SessionStart, BucketSite.Now.AddDays(-3), user: "anna", directory: "LAB"));
                journal.Append(Event(UserEventType.SessionStart, BucketSite.Now.AddDays(-20), user: "carla", directory: "LAB"));
                Flush(journal);
            }

            var request = site.Request();
            request.JournalPath = JournalPath;
            var (_, summary) = BucketSite.Run(new RecordingHost(), request);
            Assert.True(summary.Succeeded);
            Assert.Equal(new[] { "7" }, site.Values(anna));     // the session, not the 100-day-old license use
            Assert.Equal(new[] { "30" }, site.Values(carla));   // known activity, though no license record
            Assert.Empty(site.Values(dora));                    // nothing known: the no-activity policy (Remove)

            // Piped users carry the session event (Get-QlikUserActivity -JournalPath | Set-QlikActivityBucket, or its CSV).
            var piped = site.Request();
            piped.Users = new[]
            {
                new UserActivity { Id = carla, UserDirectory = "LAB", UserId = "carla", LastActivity = BucketSite.Now.AddDays(-2), LastSessionEvent = BucketSite.Now.AddDays(-2) },
            };
            BucketSite.Run(new RecordingHost(), piped);
            Assert.Equal(new[] { "7" }, site.Values(carla));
        }
    }
}
