using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using QlikActivity.Core.Activity;
using QlikActivity.Core.Tests.Events;
using Xunit;

namespace QlikActivity.Core.Tests.Activity.Buckets
{
    /// <summary>The bucket run's behaviour against the simulator: stopping, throttling, batching, policies, pipeline input, output.</summary>
    [Trait("Category", "Integration")]
    public class BucketsRunTests
    {
        [Fact]
        public async Task CtrlC_finishes_the_writes_in_flight_starts_no_more_and_returns_a_true_summary()
        {
            await using var site = await BucketSite.StartAsync();
            var users = Enumerable.Range(0, 150).Select(i => site.AddUser("LAB", "u" + i, ("professional", 20))).ToList();
            site.Store.AddCustomPropertyDefinition("Activity", new[] { "1", "7", "14", "30", "90", "180", "365", "365+" }, new[] { "User" });
            site.Sim.Faults.Latency = TimeSpan.FromMilliseconds(30);
            site.Sim.Faults.OnlyWrites = true;
            site.Sim.Requests.Clear();

            var host = new ScriptedHost();
            // Ctrl+C on the pipeline thread, as soon as the progress bar shows writes done.
            host.OnProgress = p =>
            {
                if (p.ActivityId == ActivityBucketWriter.ProgressActivityId && p.PercentComplete > 0)
                {
                    host.Cancel();
                }
            };
            var request = site.Request();
            request.ThrottleLimit = 2;
            request.PassThru = true;
            var clientBefore = site.Connection.Client.RequestCounts.Snapshot();
            var (results, summary) = BucketSite.Run(host, request);
            long putsSentWhenReturned = site.Connection.Client.RequestCounts.Since(clientBefore).Put;

            Assert.True(summary.Cancelled);
            Assert.Equal(0, host.WritesAfterStop);
            Assert.Equal(0, summary.Failed);
            Assert.True(summary.Updated > 0 && summary.Updated < users.Count, $"updated {summary.Updated}");
            Assert.True(summary.NotWritten > 0);
            Assert.Equal(summary.UsersInScope, summary.Updated + summary.Unchanged + summary.Skipped + summary.Failed + summary.NotWritten);

            // Every PUT that the server did is in the summary, and every user holds its old or its new value.
            var written = users.Where(u => site.Values(u).SequenceEqual(new[] { "30" })).ToList();
            Assert.Equal(summary.Updated, written.Count);
            Assert.Equal(summary.Updated, site.Sim.Requests.Count("PUT", "/qrs/user/", 200));
            Assert.All(users.Except(written), u => Assert.Empty(site.Values(u)));
            Assert.True(results.Count < users.Count, "no -PassThru objects after Ctrl+C");

            // Nothing was still writing when the run returned: once the server has logged every PUT the client
            // had sent by then (it logs after answering), it holds none in flight and the client has sent no more.
            await ListenerHarness.WaitFor(() => site.Sim.Requests.Count("PUT") == putsSentWhenReturned, "the server to log the PUTs sent");
            Assert.Equal(0, site.Sim.Requests.InFlight("PUT"));
            Assert.Equal(putsSentWhenReturned, site.Connection.Client.RequestCounts.Since(clientBefore).Put);
            Assert.Equal(summary.Requests.Put, putsSentWhenReturned);
        }

        [Fact]
        public async Task CtrlC_while_asking_writes_nothing_and_still_returns_the_summary()
        {
            await using var site = await BucketSite.StartAsync();
            for (int i = 0; i < 10; i++)
            {
                site.AddUser("LAB", "u" + i, ("professional", 20));
            }

            site.Store.AddCustomPropertyDefinition("Activity", new[] { "1", "7", "14", "30", "90", "180", "365", "365+" }, new[] { "User" });
            site.Sim.Requests.Clear();
            var host = new ScriptedHost();
            int asked = 0;
            host.OnShouldProcess = (_, _) =>
            {
                if (++asked == 3)
                {
                    host.Cancel(); // Ctrl+C at the third -Confirm question
                }

                return true;
            };
            var (_, summary) = BucketSite.Run(host, site.Request());

            Assert.True(summary.Cancelled);
            Assert.Equal(0, host.WritesAfterStop);
            Assert.Equal(0, site.Sim.Requests.Count("PUT"));
            Assert.Equal(10, summary.NotWritten);
            Assert.Equal(3, host.Inner.ShouldProcessCalls.Count);
        }

        [Theory]
        [InlineData(1, 10)]
        [InlineData(3, 30)]
        public async Task ThrottleLimit_bounds_the_writes_in_flight_and_is_used(int throttle, int userCount)
        {
            await using var site = await BucketSite.StartAsync();
            for (int i = 0; i < userCount; i++)
            {
                site.AddUser("LAB", "u" + i, ("professional", 2));
            }

            // Each PUT lasts 100 ms; each writer pauses 50 ms after it, so one PUT's end is seen before that writer's next begins.
            site.Sim.Faults.Latency = TimeSpan.FromMilliseconds(100);
            site.Sim.Faults.OnlyWrites = true;
            var request = site.Request();
            request.ThrottleLimit = throttle;
            // Fixed: all writers start together. Adaptive runs start at one and add writers out of phase,
            // so with the user sleep they need not all be in a PUT at once (BucketsAdaptiveTests covers the ceiling there).
            request.FixedThrottle = true;
            request.UserSleep = TimeSpan.FromMilliseconds(50);
            site.Sim.Requests.Clear();
            var (_, summary) = BucketSite.Run(new RecordingHost(), request);

            Assert.Equal(userCount, summary.Updated);
            Assert.Equal(throttle, site.Sim.Requests.PeakConcurrent("PUT"));
        }

        [Fact]
        public async Task The_user_and_batch_sleeps_ask_for_one_pause_per_user_and_one_between_batches()
        {
            await using var site = await BucketSite.StartAsync();
            for (int i = 0; i < 12; i++)
            {
                site.AddUser("LAB", "u" + i, ("professional", 2));
            }

            var clock = new TestClock();
            var request = site.Request();
            request.BatchSize = 5;
            request.ThrottleLimit = 2;
            request.FixedThrottle = true;
            request.UserSleep = TimeSpan.FromMilliseconds(250);
            request.BatchSleep = TimeSpan.FromSeconds(3);
            request.Clock = clock;
            var (_, summary) = BucketSite.Run(new RecordingHost(), request);
            Assert.Equal(12, summary.Updated);

            // Batches of 5, 5 and 2: a pause after each of the 12 writes, and one after each batch but the last.
            var expected = Enumerable.Repeat(TimeSpan.FromMilliseconds(250), 12).Concat(Enumerable.Repeat(TimeSpan.FromSeconds(3), 2));
            Assert.Equal(expected.OrderBy(d => d), clock.Delays.OrderBy(d => d));
        }

        [Fact]
        public async Task Batches_are_read_with_one_request_each_and_the_batch_sleep_waits_for_the_batch()
        {
            await using var site = await BucketSite.StartAsync();
            for (int i = 0; i < 12; i++)
            {
                site.AddUser("LAB", "u" + i, ("professional", 2));
            }

            site.Store.AddCustomPropertyDefinition("Activity", new[] { "1", "7", "14", "30", "90", "180", "365", "365+" }, new[] { "User" });
            var request = site.Request();
            request.BatchSize = 5;
            request.ThrottleLimit = 4;
            request.BatchSleep = TimeSpan.FromMilliseconds(20);
            site.Sim.Requests.Clear();
            var (_, summary) = BucketSite.Run(new RecordingHost(), request);
            Assert.Equal(12, summary.Updated);

            // After the list read: batch read, its PUTs, batch read, its PUTs, ...
            var log = site.Sim.Requests.Snapshot()
                .Where(e => e.Path.StartsWith("/qrs/user", StringComparison.OrdinalIgnoreCase))
                .Select(e => e.Method)
                .ToList();
            Assert.Equal(new[] { "GET", "GET", "PUT", "PUT", "PUT", "PUT", "PUT", "GET", "PUT", "PUT", "PUT", "PUT", "PUT", "GET", "PUT", "PUT" }, log);
            Assert.Equal(summary.Requests.Get, site.Sim.Requests.Count("GET"));
            Assert.Equal(summary.Requests.Put, site.Sim.Requests.Count("PUT"));
            Assert.Equal(0, summary.Requests.Post);
        }

        [Fact]
        public async Task Leave_policy_keeps_values_of_users_without_activity_and_SetValue_writes_its_word()
        {
            await using var site = await BucketSite.StartAsync();
            site.Store.AddCustomPropertyDefinition("Activity", new[] { "1", "7", "14", "30", "90", "180", "365", "365+" }, new[] { "User" });
            var unlicensed = site.AddUser("LAB", "unlicensed");
            site.Store.SetUserCustomProperty(unlicensed, "Activity", "7");
            var unused = site.Store.AddUser("LAB", "unused");
            site.Store.AddLicenseRecord("professional", unused, new DateTime(1753, 1, 1, 0, 0, 0, DateTimeKind.Utc)); // allocated, never used
            site.Store.SetUserCustomProperty(unused, "Activity", "1");
            var active = site.AddUser("LAB", "active", ("analyzer", 1));

            var leave = site.Request();
            leave.NoActivityAction = NoActivityAction.Leave;
            leave.PassThru = true;
            var (results, summary) = BucketSite.Run(new RecordingHost(), leave);
            Assert.Equal(new[] { "7" }, site.Values(unlicensed));
            Assert.Equal(new[] { "1" }, site.Values(unused));
            Assert.Equal(new[] { "1" }, site.Values(active));
            Assert.Equal(2, summary.Skipped);
            Assert.Contains(results, r => r.User == "LAB\\unlicensed" && r.Status == ActivityBucketStatus.Skipped && r.Reason!.Contains("no license record"));
            Assert.Contains(results, r => r.User == "LAB\\unused" && r.Status == ActivityBucketStatus.Skipped && r.Reason!.Contains("show no use"));

            // SetValue needs the word among the choice values: -Force adds it.
            var never = site.Request();
            never.NoActivityAction = NoActivityAction.SetValue;
            never.NoActivityValue = "Never";
            Assert.Throws<QlikActivityException>(() => BucketSite.Run(new RecordingHost(), never));
            never.Force = true;
            BucketSite.Run(new RecordingHost(), never);
            Assert.Equal(new[] { "1", "7", "14", "30", "90", "180", "365", "365+", "Never" }, site.ChoiceValues());
            Assert.Equal(new[] { "Never" }, site.Values(unlicensed));
            Assert.Equal(new[] { "Never" }, site.Values(unused));

            // The default removes the value: no user without activity is ever marked long inactive.
            // ('Never' is now an extra choice value, so the definition is replaced too.)
            var remove = site.Request();
            remove.Force = true;
            var (_, removed) = BucketSite.Run(new RecordingHost(), remove);
            Assert.Empty(site.Values(unlicensed));
            Assert.Empty(site.Values(unused));
            Assert.Equal(2, removed.Updated);
        }

        [Fact]
        public async Task Invalid_requests_are_refused_before_anything_is_sent()
        {
            await using var site = await BucketSite.StartAsync();
            site.Sim.Requests.Clear();
            var cases = new List<(Action<ActivityBucketRequest> Change, string Says)>
            {
                (r => r.BatchSize = 0, "batch size 0"),
                (r => r.BatchSize = 26, "batch size 26"),
                (r => r.ThrottleLimit = 0, "throttle limit 0"),
                (r => r.ThrottleLimit = 33, "throttle limit 33"),
                (r => r.UserSleep = TimeSpan.FromMilliseconds(-1), "negative"),
                (r => r.NoActivityAction = NoActivityAction.SetValue, "needs the value"),
                (r => r.NoActivityValue = "Never", "only used with -NoActivityAction SetValue"),
                (r => { r.NoActivityAction = NoActivityAction.SetValue; r.NoActivityValue = "365+"; }, "is a bucket"),
            };
            foreach (var (change, says) in cases)
            {
                var request = site.Request();
                change(request);
                var ex = Assert.Throws<QlikActivityException>(() => ActivityBucketWriter.Run(new RecordingHost(), request));
                Assert.Contains(says, ex.Message);
                Assert.Equal(ActivityErrorIds.InvalidRequest, ex.ErrorId);
            }

            var tooLong = new ActivityBucketRequest(site.Connection, new string('x', 101));
            Assert.Throws<QlikActivityException>(() => ActivityBucketWriter.Run(new RecordingHost(), tooLong));
            Assert.Equal(0, site.Sim.Requests.Total);
        }

        [Fact]
        public async Task Users_from_the_pipeline_are_written_without_reading_activity_again()
        {
            await using var site = await BucketSite.StartAsync();
            var anna = site.AddUser("LAB", "anna", ("professional", 3));
            var bob = site.AddUser("CORP", "bob", ("analyzer", 100));
            site.AddUser("LAB", "carl", ("professional", 3)); // not piped: untouched
            var activity = UserActivityReader.Read(new RecordingHost(), new UserActivityRequest(site.Connection) { AsOf = BucketSite.Now })
                .Where(a => a.UserId != "carl")
                .ToList();
            // Bucketed with other buckets by the reader: this run's buckets win, with a warning.
            activity.Single(a => a.UserId == "bob").Bucket = "100+";
            activity.Add(new UserActivity { UserDirectory = "LAB", UserId = "no.id", HasLicenseRecord = true, DaysInactive = 1 });
            // What binds by property name (e.g. a deserialized object): the last activity, no day count.
            var dora = site.AddUser("LAB", "dora");
            activity.Add(new UserActivity { Id = dora, UserDirectory = "LAB", UserId = "dora", HasLicenseRecord = true, LastActivity = BucketSite.Now.AddDays(-40) });
            site.Sim.Requests.Clear();

            var host = new RecordingHost();
            var request = site.Request();
            request.Users = activity;
            request.PassThru = true;
            var (results, summary) = BucketSite.Run(host, request);

            Assert.Equal(new[] { "7" }, site.Values(anna));
            Assert.Equal(new[] { "180" }, site.Values(bob));
            Assert.Empty(site.Values(site.Store.FindUser("LAB", "carl")!.Value));
            Assert.Equal(0, site.Sim.Requests.Count("GET", "/qrs/license"));
            Assert.Equal(new[] { "90" }, site.Values(dora));
            Assert.Equal(3, summary.UsersInScope);
            Assert.Equal(3, results.Count);
            // One user (bob) was rebucketed: the count and the verb agree.
            Assert.Contains(host.Warnings, w => w.StartsWith("1 input user was bucketed with other buckets", StringComparison.Ordinal));
            var error = Assert.Single(host.Errors);
            Assert.Contains("LAB\\no.id", error.Exception.Message);
        }

        [Fact]
        public async Task Many_piped_users_are_found_with_their_directory_list_not_one_request_per_batch()
        {
            await using var site = await BucketSite.StartAsync();
            for (int i = 0; i < ActivityBucketScope.LookupByIdLimit + 20; i++)
            {
                site.AddUser("LAB", "u" + i, ("professional", 2));
            }

            site.AddUser("CORP", "other", ("professional", 2));
            var activity = UserActivityReader.Read(new RecordingHost(), new UserActivityRequest(site.Connection) { AsOf = BucketSite.Now, UserDirectories = new[] { "LAB" } }).ToList();
            site.Store.AddCustomPropertyDefinition("Activity", new[] { "1", "7", "14", "30", "90", "180", "365", "365+" }, new[] { "User" });
            site.Sim.Requests.Clear();

            var request = site.Request();
            request.Users = activity;
            var (_, summary) = BucketSite.Run(new RecordingHost(), request);

            Assert.Equal(activity.Count, summary.Updated);
            int batches = (activity.Count + 24) / 25;
            Assert.Equal(1 + batches, site.Sim.Requests.Count("GET", "/qrs/user/full"));
        }

        [Fact]
        public async Task PassThru_emits_one_result_per_user_and_the_summary_adds_up()
        {
            await using var site = await BucketSite.StartAsync();
            site.Store.AddCustomPropertyDefinition("Activity", new[] { "1", "7", "14", "30", "90", "180", "365", "365+" }, new[] { "User" });
            var set = site.AddUser("LAB", "set", ("professional", 8));
            site.Store.SetUserCustomProperty(set, "Activity", "7");
            var same = site.AddUser("LAB", "same", ("professional", 8));
            site.Store.SetUserCustomProperty(same, "Activity", "14");
            var removed = site.AddUser("LAB", "removed");
            site.Store.SetUserCustomProperty(removed, "Activity", "365+");

            var request = site.Request();
            request.PassThru = true;
            var (results, summary) = BucketSite.Run(new RecordingHost(), request);

            Assert.Equal(summary.UsersInScope, results.Count);
            var byUser = results.ToDictionary(r => r.User);
            Assert.Equal(("7", "14", ActivityBucketStatus.Updated), (byUser["LAB\\set"].OldValue, byUser["LAB\\set"].NewValue, byUser["LAB\\set"].Status));
            Assert.Equal(("14", "14", ActivityBucketStatus.Unchanged), (byUser["LAB\\same"].OldValue, byUser["LAB\\same"].NewValue, byUser["LAB\\same"].Status));
            Assert.Equal(("365+", (string?)null, ActivityBucketStatus.Updated), (byUser["LAB\\removed"].OldValue, byUser["LAB\\removed"].NewValue, byUser["LAB\\removed"].Status));
            Assert.Equal((set, "LAB", "set"), (byUser["LAB\\set"].Id, byUser["LAB\\set"].UserDirectory, byUser["LAB\\set"].UserId));
            Assert.Equal("Activity", summary.PropertyName);
            Assert.Equal(summary.UsersInScope, summary.Updated + summary.Unchanged + summary.Skipped + summary.Failed + summary.NotWritten);
            Assert.NotEqual(TimeSpan.Zero, summary.Duration); // recorded; how long is not for a unit test to say
            Assert.False(summary.Cancelled);
        }
    }
}
