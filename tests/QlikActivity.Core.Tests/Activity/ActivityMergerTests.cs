using System;
using System.Linq;
using System.Threading.Tasks;
using QlikActivity.Core.Activity;
using Xunit;

namespace QlikActivity.Core.Tests.Activity
{
    /// <summary>The merge rules without any server: latest wins, never, deleted users, day counting.</summary>
    public class ActivityMergerTests
    {
        private static readonly DateTime AsOf = new DateTime(2024, 11, 15, 12, 0, 0, DateTimeKind.Utc);
        private static readonly DateTimeOffset Never = new DateTimeOffset(1753, 1, 1, 0, 0, 0, TimeSpan.Zero);

        private static UserRecord User(string id = "anna", string dir = "LAB") =>
            new UserRecord { Id = Guid.NewGuid(), UserDirectory = dir, UserId = id, Name = id.ToUpperInvariant() };

        private static LicenseRecord Used(UserRecord? user, DateTimeOffset? when, bool quarantined = false) =>
            new LicenseRecord { Id = Guid.NewGuid(), User = user, LastUsed = when, LatestActivity = when, Quarantined = quarantined };

        [Fact]
        public void The_latest_activity_over_all_records_of_all_types_wins()
        {
            var anna = User();
            var merger = new ActivityMerger();
            merger.AddRecord(LicenseType.Professional, Used(anna, AsOf.AddDays(-40)));
            merger.AddRecord(LicenseType.Login, Used(anna, AsOf.AddDays(-3)));
            merger.AddRecord(LicenseType.Login, Used(anna, AsOf.AddDays(-20)));
            merger.AddRecord(LicenseType.Analyzer, Used(anna, Never));

            var result = Assert.Single(merger.Results(BucketSet.Default, AsOf, true));

            Assert.Equal(AsOf.AddDays(-3), result.LastActivity);
            Assert.Equal(DateTimeKind.Utc, result.LastActivity!.Value.Kind);
            Assert.Equal(3, result.DaysInactive);
            Assert.Equal("7", result.Bucket);
            Assert.Equal(new[] { LicenseType.Professional, LicenseType.Analyzer, LicenseType.Login }, result.LicenseTypes);
            Assert.True(result.HasLicenseRecord);
            Assert.False(result.NoActivity);
            Assert.Equal("LAB", result.UserDirectory);
            Assert.Equal("anna", result.UserId);
        }

        [Fact]
        public void The_order_records_arrive_in_does_not_matter()
        {
            var anna = User();
            var dates = new[] { -100, -2, -50, -7 }.Select(d => AsOf.AddDays(d)).ToArray();
            foreach (var order in new[] { dates, dates.Reverse().ToArray() })
            {
                var merger = new ActivityMerger();
                foreach (var d in order)
                {
                    merger.AddRecord(LicenseType.Professional, Used(anna, d));
                }

                Assert.Equal(AsOf.AddDays(-2), merger.Results(BucketSet.Default, AsOf, true)[0].LastActivity);
            }
        }

        [Fact]
        public void Records_that_were_never_used_leave_the_user_never_active()
        {
            var merger = new ActivityMerger();
            merger.AddRecord(LicenseType.Professional, Used(User(), Never));
            merger.AddRecord(LicenseType.User, Used(User("ben"), null));

            var results = merger.Results(BucketSet.Default, AsOf, true);

            Assert.All(results, r =>
            {
                Assert.Null(r.LastActivity);
                Assert.Null(r.DaysInactive);
                Assert.Equal(BucketSet.NeverLabel, r.Bucket);
                Assert.True(r.HasLicenseRecord);
                Assert.True(r.NoActivity);
            });
        }

        [Fact]
        public void Users_with_records_whom_the_user_list_lacks_are_named_as_unlisted()
        {
            var merger = new ActivityMerger();
            var listed = User("listed");
            var deleted = User("deleted"); // its records were read, then it was deleted before the list was
            var unused = User("unused");
            merger.AddRecord(LicenseType.Professional, Used(listed, AsOf.AddDays(-2)));
            merger.AddRecord(LicenseType.Analyzer, Used(deleted, AsOf.AddDays(-5)));
            merger.AddUser(listed);
            merger.AddUser(unused);

            Assert.Equal(new[] { deleted.Id }, merger.Unlisted());
            Assert.Equal(3, merger.Results(BucketSet.Default, AsOf, true).Count);
        }

        [Fact]
        public void Users_without_records_are_marked_and_can_be_left_out()
        {
            var merger = new ActivityMerger();
            var carla = User("carla");
            merger.AddUser(carla);
            merger.AddUser(User("dora"));
            merger.AddRecord(LicenseType.Analyzer, Used(carla, AsOf.AddDays(-1)));

            var all = merger.Results(BucketSet.Default, AsOf, includeUsersWithoutLicenseRecord: true);
            var dora = all.Single(r => r.UserId == "dora");
            Assert.False(dora.HasLicenseRecord);
            Assert.Equal(BucketSet.NoLicenseRecordLabel, dora.Bucket);
            Assert.Empty(dora.LicenseTypes);
            Assert.Null(dora.DaysInactive);

            var licensed = merger.Results(BucketSet.Default, AsOf, includeUsersWithoutLicenseRecord: false);
            Assert.Equal("carla", Assert.Single(licensed).UserId);
        }

        [Fact]
        public void Records_of_deleted_users_are_left_out_and_counted()
        {
            var merger = new ActivityMerger();
            merger.AddRecord(LicenseType.Professional, new LicenseRecord { User = null, LastUsed = AsOf, DeletedUserDirectory = "CORP", DeletedUserId = "gone" });
            merger.AddRecord(LicenseType.Professional, Used(User(), AsOf, quarantined: true));

            Assert.Single(merger.Results(BucketSet.Default, AsOf, true));
            Assert.Equal(2, merger.Records(LicenseType.Professional));
            Assert.Equal(1, merger.RecordsWithoutUser(LicenseType.Professional));
            Assert.Equal(1, merger.Quarantined(LicenseType.Professional));
            Assert.Equal(0, merger.Records(LicenseType.Login));
        }

        [Fact]
        public void The_user_list_names_win_over_the_copies_in_records()
        {
            var merger = new ActivityMerger();
            var id = Guid.NewGuid();
            merger.AddRecord(LicenseType.Professional, Used(new UserRecord { Id = id, UserDirectory = "LAB", UserId = "anna", Name = "old" }, AsOf));
            merger.AddUser(new UserRecord { Id = id, UserDirectory = "LAB", UserId = "anna", Name = "Anna Berg" });

            Assert.Equal("Anna Berg", merger.Results(BucketSet.Default, AsOf, true)[0].Name);
        }

        [Fact]
        public void Access_types_use_last_used_and_usages_latest_activity()
        {
            var anna = User();
            var merger = new ActivityMerger();
            merger.AddRecord(LicenseType.Professional, new LicenseRecord { User = anna, LastUsed = AsOf.AddDays(-9), LatestActivity = AsOf });
            Assert.Equal(9, merger.Results(BucketSet.Default, AsOf, true)[0].DaysInactive);

            var merger2 = new ActivityMerger();
            merger2.AddRecord(LicenseType.AnalyzerTime, new LicenseRecord { User = anna, LastUsed = AsOf, LatestActivity = AsOf.AddDays(-9) });
            Assert.Equal(9, merger2.Results(BucketSet.Default, AsOf, true)[0].DaysInactive);
        }

        [Theory]
        [InlineData("2024-11-15T00:00:01Z", 0)]
        [InlineData("2024-11-14T23:59:59Z", 1)]
        [InlineData("2024-11-08T12:00:00Z", 7)]
        [InlineData("2024-11-07T23:59:59Z", 8)]
        [InlineData("2024-11-16T08:00:00Z", 0)]
        public void Days_are_utc_calendar_days_to_the_as_of_date(string activity, int days)
        {
            var last = DateTimeOffset.Parse(activity).UtcDateTime;
            Assert.Equal(days, ActivityMerger.DaysBetween(last, AsOf));
        }

        [Fact]
        public void Dates_with_an_offset_are_read_in_utc()
        {
            var anna = User();
            var merger = new ActivityMerger();
            // 2024-11-15 01:00 in UTC+02:00 is 2024-11-14 23:00 UTC: yesterday, not today.
            merger.AddRecord(LicenseType.Professional, Used(anna, new DateTimeOffset(2024, 11, 15, 1, 0, 0, TimeSpan.FromHours(2))));
            Assert.Equal(1, merger.Results(BucketSet.Default, AsOf, true)[0].DaysInactive);
        }

        [Fact]
        public void As_of_local_times_are_converted_and_unspecified_ones_taken_as_utc()
        {
            var unspecified = new DateTime(2024, 11, 15, 12, 0, 0, DateTimeKind.Unspecified);
            Assert.Equal(DateTimeKind.Utc, ActivityMerger.ToUtc(unspecified).Kind);
            Assert.Equal(unspecified.Ticks, ActivityMerger.ToUtc(unspecified).Ticks);
            var local = new DateTime(2024, 11, 15, 12, 0, 0, DateTimeKind.Local);
            Assert.Equal(local.ToUniversalTime(), ActivityMerger.ToUtc(local));
        }

        [Fact]
        public void Results_are_ordered_by_directory_then_user_id()
        {
            var merger = new ActivityMerger();
            foreach (var (dir, id) in new[] { ("LAB", "zed"), ("CORP", "bob"), ("lab", "Amy"), ("CORP", "al") })
            {
                merger.AddUser(User(id, dir));
            }

            var order = merger.Results(BucketSet.Default, AsOf, true).Select(r => r.UserFull).ToArray();
            Assert.Equal(new[] { "CORP\\al", "CORP\\bob", "lab\\Amy", "LAB\\zed" }, order);
        }

        [Fact]
        public void A_later_session_event_wins_over_the_license_records_and_a_tie_goes_to_the_records()
        {
            var anna = User("anna");
            var ben = User("ben");
            var carl = User("carl");
            var dora = User("dora");
            var merger = new ActivityMerger();
            merger.AddRecord(LicenseType.Professional, Used(anna, AsOf.AddDays(-40)));
            merger.AddRecord(LicenseType.Professional, Used(ben, AsOf.AddDays(-2)));
            merger.AddRecord(LicenseType.Professional, Used(carl, AsOf.AddDays(-5)));
            merger.AddUser(dora);
            merger.AddSessionEvents(new[]
            {
                ("lab", "ANNA", AsOf.AddDays(-10)), // matched ignoring case
                ("LAB", "anna", AsOf.AddDays(-30)), // an older event of the same user does not replace the newer one
                ("LAB", "ben", AsOf.AddDays(-9)),
                ("LAB", "carl", AsOf.AddDays(-5)),
                ("LAB", "dora", AsOf.AddDays(-1)),
                ("LAB", "gone", AsOf),
                ("CORP", "anna", AsOf),
            });

            var results = merger.Results(BucketSet.Default, AsOf, true).ToDictionary(r => r.UserId);

            var a = results["anna"];
            Assert.Equal(ActivitySource.Session, a.ActivitySource);
            Assert.Equal(AsOf.AddDays(-10), a.LastActivity);
            Assert.Equal(AsOf.AddDays(-10), a.LastSessionEvent);
            Assert.Equal(AsOf.AddDays(-40), a.LastLicenseActivity);
            Assert.Equal(10, a.DaysInactive);
            Assert.Equal("14", a.Bucket);
            Assert.Equal(AsOf, a.AsOf);
            Assert.Equal(anna.Id, a.Id);

            var b = results["ben"];
            Assert.Equal(ActivitySource.License, b.ActivitySource);
            Assert.Equal(AsOf.AddDays(-2), b.LastActivity);
            Assert.Equal(AsOf.AddDays(-9), b.LastSessionEvent);

            var c = results["carl"];
            Assert.Equal(ActivitySource.License, c.ActivitySource); // a tie
            Assert.Equal(AsOf.AddDays(-5), c.LastActivity);

            // A session event is known activity even without a license record.
            var d = results["dora"];
            Assert.Equal(ActivitySource.Session, d.ActivitySource);
            Assert.False(d.HasLicenseRecord);
            Assert.Equal(1, d.DaysInactive);
            Assert.Equal("1", d.Bucket);
            Assert.Null(d.LastLicenseActivity);

            Assert.Equal(2, merger.UnmatchedSessionUsers);
        }

        [Fact]
        public void Without_any_source_the_user_has_no_activity()
        {
            var merger = new ActivityMerger();
            merger.AddRecord(LicenseType.Professional, Used(User("anna"), Never));
            merger.AddSessionEvents(new[] { ("LAB", "other", AsOf) });
            var result = Assert.Single(merger.Results(BucketSet.Default, AsOf, true));
            Assert.Equal(ActivitySource.None, result.ActivitySource);
            Assert.Null(result.LastSessionEvent);
            Assert.Equal(1, merger.UnmatchedSessionUsers);
        }

        [Fact]
        public void Session_event_times_are_taken_in_utc()
        {
            var merger = new ActivityMerger();
            merger.AddUser(User("anna"));
            var unspecified = new DateTime(2024, 11, 14, 23, 0, 0, DateTimeKind.Unspecified);
            merger.AddSessionEvents(new[] { ("LAB", "anna", unspecified) });
            var result = merger.Results(BucketSet.Default, AsOf, true)[0];
            Assert.Equal(DateTimeKind.Utc, result.LastSessionEvent!.Value.Kind);
            Assert.Equal(unspecified.Ticks, result.LastSessionEvent.Value.Ticks);
            Assert.Equal(1, result.DaysInactive);
        }

        [Fact]
        public void Listed_users_are_counted_and_a_user_without_an_id_is_ignored()
        {
            var merger = new ActivityMerger();
            merger.AddUser(new UserRecord { Id = Guid.Empty, UserDirectory = "LAB", UserId = "noid" });
            merger.AddUser(User("anna"));
            merger.AddUser(User("ben"));
            Assert.Equal(2, merger.ListedUsers);
            Assert.Equal(2, merger.Results(BucketSet.Default, AsOf, true).Count);

            // A record whose user has no id is counted as one without a user.
            merger.AddRecord(LicenseType.Login, Used(new UserRecord { Id = Guid.Empty, UserId = "x" }, AsOf));
            Assert.Equal(1, merger.RecordsWithoutUser(LicenseType.Login));
            Assert.Equal(2, merger.Results(BucketSet.Default, AsOf, true).Count);
            Assert.Empty(merger.Unlisted());
        }

        [Fact]
        public void A_listed_user_without_names_keeps_the_names_from_its_records()
        {
            var merger = new ActivityMerger();
            var id = Guid.NewGuid();
            merger.AddRecord(LicenseType.Professional, Used(new UserRecord { Id = id, UserDirectory = "LAB", UserId = "anna", Name = "Anna" }, AsOf));
            merger.AddUser(new UserRecord { Id = id });
            var result = merger.Results(BucketSet.Default, AsOf, true)[0];
            Assert.Equal(("LAB", "anna", "Anna"), (result.UserDirectory, result.UserId, result.Name));

            var nameless = new ActivityMerger();
            nameless.AddRecord(LicenseType.Professional, Used(new UserRecord { Id = id }, AsOf));
            var empty = nameless.Results(BucketSet.Default, AsOf, true)[0];
            Assert.Equal(("", ""), (empty.UserDirectory, empty.UserId));
        }

        [Fact]
        public void Never_is_anything_before_1753_01_02()
        {
            Assert.Null(ActivityMerger.ToActivity(null));
            Assert.Null(ActivityMerger.ToActivity(new DateTimeOffset(1753, 1, 1, 23, 59, 59, TimeSpan.Zero)));
            var edge = new DateTimeOffset(1753, 1, 2, 0, 0, 0, TimeSpan.Zero);
            Assert.Equal(edge.UtcDateTime, ActivityMerger.ToActivity(edge));
            Assert.Equal(DateTimeKind.Utc, ActivityMerger.ToActivity(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.FromHours(5)))!.Value.Kind);
        }

        [Fact]
        public void Utc_times_are_kept_as_they_are()
        {
            Assert.Equal(AsOf, ActivityMerger.ToUtc(AsOf));
            Assert.Equal(DateTimeKind.Utc, ActivityMerger.ToUtc(AsOf).Kind);
        }

        [Fact]
        public async Task Parallel_writers_lose_nothing()
        {
            var users = Enumerable.Range(0, 500).Select(i => User("u" + i)).ToArray();
            var merger = new ActivityMerger();
            await Task.WhenAll(LicenseTypes.All.Select(type => Task.Run(() =>
            {
                for (int i = 0; i < users.Length; i++)
                {
                    merger.AddRecord(type, Used(users[i], AsOf.AddDays(-((i + (int)type) % 400))));
                }
            })));

            var results = merger.Results(BucketSet.Default, AsOf, true);
            Assert.Equal(500, results.Count);
            Assert.All(LicenseTypes.All, t => Assert.Equal(500, merger.Records(t)));
            for (int i = 0; i < users.Length; i++)
            {
                var r = results.Single(x => x.Id == users[i].Id);
                Assert.Equal(Enumerable.Range(0, 5).Min(t => (i + t) % 400), r.DaysInactive);
                Assert.Equal(5, r.LicenseTypes.Length);
            }
        }

        [Fact]
        public void Only_quarantined_records_are_counted_as_quarantined()
        {
            var merger = new ActivityMerger();
            merger.AddRecord(LicenseType.Analyzer, Used(User("anna"), AsOf, quarantined: false));
            merger.AddRecord(LicenseType.Analyzer, Used(User("ben"), AsOf, quarantined: true));
            merger.AddRecord(LicenseType.Analyzer, Used(User("carl"), AsOf, quarantined: false));
            Assert.Equal(3, merger.Records(LicenseType.Analyzer));
            Assert.Equal(1, merger.Quarantined(LicenseType.Analyzer));
            Assert.Equal(0, merger.Quarantined(LicenseType.Professional));
        }

        [Fact]
        public void The_user_lists_directory_and_user_id_win_over_the_copies_in_records()
        {
            var merger = new ActivityMerger();
            var id = Guid.NewGuid();
            merger.AddRecord(LicenseType.Professional, Used(new UserRecord { Id = id, UserDirectory = "OLD", UserId = "anna.old" }, AsOf));
            merger.AddUser(new UserRecord { Id = id, UserDirectory = "LAB", UserId = "anna" });
            var result = merger.Results(BucketSet.Default, AsOf, true)[0];
            Assert.Equal("LAB", result.UserDirectory);
            Assert.Equal("anna", result.UserId);
        }

        [Fact]
        public void A_later_session_event_replaces_an_earlier_one_of_the_same_user()
        {
            var merger = new ActivityMerger();
            merger.AddUser(User("anna"));
            merger.AddSessionEvents(new[] { ("LAB", "anna", AsOf.AddDays(-30)) });
            merger.AddSessionEvents(new[] { ("lab", "ANNA", AsOf.AddDays(-3)), ("LAB", "anna", AsOf.AddDays(-20)) });
            var result = merger.Results(BucketSet.Default, AsOf, true)[0];
            Assert.Equal(AsOf.AddDays(-3), result.LastSessionEvent);
            Assert.Equal(3, result.DaysInactive);
        }

        [Fact]
        public void A_user_without_names_matches_a_session_event_without_names()
        {
            var merger = new ActivityMerger();
            merger.AddRecord(LicenseType.Professional, Used(new UserRecord { Id = Guid.NewGuid() }, Never));
            merger.AddSessionEvents(new[] { ("", "", AsOf.AddDays(-2)) });
            var result = merger.Results(BucketSet.Default, AsOf, true)[0];
            Assert.Equal(AsOf.AddDays(-2), result.LastSessionEvent);
            Assert.Equal(ActivitySource.Session, result.ActivitySource);
            Assert.Equal(0, merger.UnmatchedSessionUsers);
        }
    }
}
