using System;
using System.Linq;
using System.Threading.Tasks;
using QlikActivity.Core.Activity;
using QlikActivity.QrsSimulator.Entities;
using Xunit;

namespace QlikActivity.Core.Tests.Activity.Buckets
{
    /// <summary>
    /// One test per defect of ctrl-q's <c>user-activity-bucket-cp-create</c> (DESIGN.md, "What
    /// ctrl-q gets wrong"), each against the QRS simulator over HTTPS.
    /// </summary>
    [Trait("Category", "Integration")]
    public class BucketsCtrlQDefectTests
    {
        [Fact]
        public async Task The_latest_license_record_wins_not_the_first()
        {
            await using var site = await BucketSite.StartAsync();
            // The first record (in storage order) is old; a later one, of another type, is recent.
            var anna = site.AddUser("LAB", "anna", ("professional", 200), ("analyzer", 3), ("login", 40));
            var (_, summary) = BucketSite.Run(new RecordingHost(), site.Request());

            Assert.Equal(new[] { "7" }, site.Values(anna));
            Assert.Equal(0, summary.Failed);
        }

        [Fact]
        public async Task User_access_is_read_from_useraccesstype_which_carries_the_user()
        {
            await using var site = await BucketSite.StartAsync();
            var tokenUser = site.AddUser("LAB", "token.user", ("user", 10));
            BucketSite.Run(new RecordingHost(), site.Request());

            Assert.Equal(new[] { "14" }, site.Values(tokenUser));
            Assert.True(site.Sim.Requests.Count("GET", "/qrs/license/useraccesstype") > 0);
            Assert.Equal(0, site.Sim.Requests.Count("GET", "/qrs/license/useraccessusage"));
        }

        [Fact]
        public async Task The_created_definition_holds_the_overflow_and_users_beyond_the_last_bucket_get_it()
        {
            await using var site = await BucketSite.StartAsync();
            var old = site.AddUser("LAB", "old", ("professional", 500));
            var (_, summary) = BucketSite.Run(new RecordingHost(), site.Request());

            Assert.Equal(CustomPropertyDefinitionAction.Created, summary.DefinitionAction);
            Assert.Equal(new[] { "1", "7", "14", "30", "90", "180", "365", "365+" }, site.ChoiceValues());
            Assert.Equal(new[] { "User" }, site.Definition()!["objectTypes"]!.AsArray().Select(v => (string)v!));
            Assert.Equal(new[] { "365+" }, site.Values(old));
        }

        [Fact]
        public async Task Force_twice_never_doubles_the_overflow_suffix()
        {
            await using var site = await BucketSite.StartAsync();
            // What ctrl-q leaves behind: no 365+, but a 365++ after --force.
            site.Store.AddCustomPropertyDefinition("Activity", new[] { "1", "7", "14", "30", "90", "180", "365", "365++" }, new[] { "User" });
            var old = site.AddUser("LAB", "old", ("professional", 400));
            site.Store.SetUserCustomProperty(old, "Activity", "365++");

            var request = site.Request();
            request.Force = true;
            var (_, first) = BucketSite.Run(new RecordingHost(), request);
            var (_, second) = BucketSite.Run(new RecordingHost(), request);

            Assert.Equal(CustomPropertyDefinitionAction.Replaced, first.DefinitionAction);
            Assert.Equal(CustomPropertyDefinitionAction.Unchanged, second.DefinitionAction);
            Assert.Equal(new[] { "1", "7", "14", "30", "90", "180", "365", "365+" }, site.ChoiceValues());
            Assert.Equal(new[] { "365+" }, site.Values(old));
            Assert.Equal(1, first.Updated);
            Assert.Equal(1, second.Unchanged);
        }

        [Fact]
        public async Task Without_force_a_wrong_definition_stops_the_run_before_any_write_and_says_what_differs()
        {
            await using var site = await BucketSite.StartAsync();
            site.Store.AddCustomPropertyDefinition("Activity", new[] { "1", "7", "365++" }, new[] { "App" });
            site.AddUser("LAB", "anna", ("professional", 3));

            var ex = Assert.Throws<QlikActivityException>(() => BucketSite.Run(new RecordingHost(), site.Request()));
            Assert.Equal(ActivityErrorIds.DefinitionMismatch, ex.ErrorId);
            Assert.Contains("does not apply to User objects", ex.Message);
            Assert.Contains("choice values missing: 14, 30, 90, 180, 365, 365+", ex.Message);
            Assert.Contains("extra choice values: 365++", ex.Message);
            Assert.Contains("-Force", ex.Message);
            Assert.Equal(0, site.Sim.Requests.Count("PUT") + site.Sim.Requests.Count("POST") + site.Sim.Requests.Count("DELETE"));
        }

        [Fact]
        public async Task Only_changed_users_are_written_and_a_second_run_writes_nothing()
        {
            await using var site = await BucketSite.StartAsync();
            site.Store.AddCustomPropertyDefinition("Activity", new[] { "1", "7", "14", "30", "90", "180", "365", "365+" }, new[] { "User" });
            var right = Enumerable.Range(0, 12).Select(i => site.AddUser("LAB", "right" + i, ("professional", 20))).ToList();
            var wrong = Enumerable.Range(0, 5).Select(i => site.AddUser("LAB", "wrong" + i, ("professional", 20))).ToList();
            var fresh = Enumerable.Range(0, 3).Select(i => site.AddUser("LAB", "fresh" + i, ("analyzer", 0))).ToList();
            right.ForEach(u => site.Store.SetUserCustomProperty(u, "Activity", "30"));
            wrong.ForEach(u => site.Store.SetUserCustomProperty(u, "Activity", "7"));
            site.Sim.Requests.Clear();

            var request = site.Request();
            Assert.Equal(TimeSpan.Zero, request.BatchSleep); // no sleeps unless asked for
            Assert.Equal(TimeSpan.Zero, request.UserSleep);
            var (_, summary) = BucketSite.Run(new RecordingHost(), request);

            Assert.Equal(8, site.Sim.Requests.Count("PUT", "/qrs/user/"));
            Assert.Equal(8, summary.Updated);
            Assert.Equal(12, summary.Unchanged);
            Assert.All(wrong, u => Assert.Equal(new[] { "30" }, site.Values(u)));
            Assert.All(fresh, u => Assert.Equal(new[] { "1" }, site.Values(u)));
            // Reads of users: the list with current values, then one per batch of changed users, not one per user.
            Assert.Equal(1 + 1, site.Sim.Requests.Count("GET", "/qrs/user/full"));

            site.Sim.Requests.Clear();
            var (_, again) = BucketSite.Run(new RecordingHost(), request);
            Assert.Equal(0, site.Sim.Requests.Count("PUT"));
            Assert.Equal(0, again.Updated);
            Assert.Equal(again.UsersInScope, again.Unchanged);
        }

        [Fact]
        public async Task A_deleted_user_a_record_without_user_and_endless_conflicts_do_not_abort_and_errors_name_the_user()
        {
            await using var site = await BucketSite.StartAsync();
            var anna = site.AddUser("LAB", "anna", ("professional", 3));
            var gone = site.AddUser("LAB", "gone", ("professional", 3));
            var bob = site.AddUser("LAB", "bob", ("analyzer", 50));
            site.Store.AddLicenseRecord("professional", null, BucketSite.Now.AddDays(-2)); // null user: a deleted user's record

            var host = new ScriptedHost();
            host.OnShouldProcess = (target, _) =>
            {
                // Deleted after the plan, before its write: the batch read no longer finds it.
                if (target == "LAB\\gone")
                {
                    site.Store.Delete(QrsEntityTypes.User, gone);
                }

                return true;
            };
            var (_, summary) = BucketSite.Run(host, site.Request());

            Assert.Equal(new[] { "7" }, site.Values(anna));
            Assert.Equal(new[] { "90" }, site.Values(bob));
            Assert.Equal(1, summary.Failed);
            var error = Assert.Single(host.Inner.Errors);
            Assert.Equal("LAB\\gone", error.TargetObject);
            Assert.Contains("LAB\\gone", error.Exception.Message);
            Assert.Contains("no longer exists", error.Exception.Message);
            Assert.Equal(ActivityErrorIds.WriteFailed, error.ErrorId);
            Assert.False(host.Inner.WroteFromOtherThread, "a write failure was reported from a background writer, not the pipeline thread");

            // A user that keeps meeting 409 fails with its name and the reason; the others are still written.
            site.Sim.Faults.ConcurrentModificationRate = 1.0;
            var carl = site.AddUser("LAB", "carl", ("professional", 100));
            var request = site.Request();
            request.MaximumConflictAttempts = 3;
            var conflicted = new RecordingHost();
            var (_, second) = BucketSite.Run(conflicted, request);
            Assert.Equal(1, second.Failed);
            var conflict = Assert.Single(conflicted.Errors);
            Assert.Contains("LAB\\carl", conflict.Exception.Message);
            Assert.Contains("409", conflict.Exception.Message);
            Assert.False(conflicted.WroteFromOtherThread, "a write failure was reported from a background writer, not the pipeline thread");
            Assert.Equal(3, site.Sim.Requests.Count("PUT", "/qrs/user/" + carl.ToString("D"), 409));
            Assert.Empty(site.Values(carl));
        }

        [Fact]
        public async Task The_user_directory_is_honoured()
        {
            await using var site = await BucketSite.StartAsync();
            var lab = site.AddUser("LAB", "anna", ("professional", 3));
            var corp = site.AddUser("CORP", "bob", ("professional", 3));
            var request = site.Request();
            request.UserDirectories = new[] { "lab" }; // case-insensitive, as in the QMC
            var (_, summary) = BucketSite.Run(new RecordingHost(), request);

            Assert.Equal(1, summary.UsersInScope);
            Assert.Equal(new[] { "7" }, site.Values(lab));
            Assert.Empty(site.Values(corp));
            Assert.Equal(0, site.Sim.Requests.Count("PUT", "/qrs/user/" + corp.ToString("D")));
        }

        [Fact]
        public async Task WhatIf_shows_the_definition_and_each_change_and_sends_no_write_at_all()
        {
            await using var site = await BucketSite.StartAsync();
            site.Store.AddCustomPropertyDefinition("Activity", new[] { "1", "7", "365++" }, new[] { "User" });
            var anna = site.AddUser("LAB", "anna", ("professional", 20));
            site.Store.SetUserCustomProperty(anna, "Activity", "7");
            var bob = site.AddUser("LAB", "bob");
            site.Store.SetUserCustomProperty(bob, "Activity", "365++");
            site.Sim.Requests.Clear();

            var host = new RecordingHost { AnswerShouldProcess = false };
            var request = site.Request();
            request.Force = true;
            request.PassThru = true;
            var (results, summary) = BucketSite.Run(host, request);

            Assert.Equal(0, site.Sim.Requests.Count("PUT") + site.Sim.Requests.Count("POST") + site.Sim.Requests.Count("DELETE"));
            Assert.Contains(host.ShouldProcessCalls, c => c.Target == "Custom property 'Activity'" && c.Action.Contains("choice values missing") && c.Action.Contains("365+"));
            Assert.Contains(("LAB\\anna", "Set custom property 'Activity' from '7' to '30'"), host.ShouldProcessCalls);
            Assert.Contains(("LAB\\bob", "Remove custom property 'Activity' value '365++'"), host.ShouldProcessCalls);
            Assert.Equal(CustomPropertyDefinitionAction.WhatIf, summary.DefinitionAction);
            Assert.Equal(2, summary.NotWritten);
            Assert.All(results, r => Assert.Equal(ActivityBucketStatus.WhatIf, r.Status));
            Assert.Equal(new[] { "7" }, site.Values(anna));
        }

        [Fact]
        public async Task WhatIf_plans_against_the_definition_that_would_be_created()
        {
            await using var site = await BucketSite.StartAsync();
            site.AddUser("LAB", "anna", ("professional", 20));
            site.AddUser("LAB", "fresh", ("analyzer", 0));
            site.Sim.Requests.Clear();

            var host = new RecordingHost { AnswerShouldProcess = false };
            var (_, summary) = BucketSite.Run(host, site.Request());

            Assert.Equal(0, site.Sim.Requests.Count("PUT") + site.Sim.Requests.Count("POST") + site.Sim.Requests.Count("DELETE"));
            Assert.Null(site.Definition());
            Assert.Contains(host.ShouldProcessCalls, c => c.Target == "Custom property 'Activity'" && c.Action.StartsWith("Create", StringComparison.Ordinal));
            Assert.Contains(("LAB\\anna", "Set custom property 'Activity' from '(none)' to '30'"), host.ShouldProcessCalls);
            Assert.Equal(2, summary.NotWritten);
        }

        [Fact]
        public async Task Jwt_through_a_virtual_proxy_works()
        {
            await using var site = await BucketSite.StartAsync(jwt: true);
            var anna = site.AddUser("LAB", "anna", ("login", 5));
            var (_, summary) = BucketSite.Run(new RecordingHost(), site.Request());

            Assert.Equal(new[] { "7" }, site.Values(anna));
            Assert.Equal(CustomPropertyDefinitionAction.Created, summary.DefinitionAction);
            Assert.True(site.Sim.Requests.Count("PUT", "/jwt/qrs/user/") > 0);
        }

        [Fact]
        public async Task Comma_separated_buckets_are_split()
        {
            await using var site = await BucketSite.StartAsync();
            var recent = site.AddUser("LAB", "recent", ("professional", 5));
            var month = site.AddUser("LAB", "month", ("professional", 20));
            var old = site.AddUser("LAB", "old", ("professional", 100));
            var request = site.Request();
            request.Buckets = BucketSet.Parse(new[] { "1,7", "30" });
            BucketSite.Run(new RecordingHost(), request);

            Assert.Equal(new[] { "1", "7", "30", "30+" }, site.ChoiceValues());
            Assert.Equal(new[] { "7" }, site.Values(recent));
            Assert.Equal(new[] { "30" }, site.Values(month));
            Assert.Equal(new[] { "30+" }, site.Values(old));
        }
    }
}
