using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Activity;
using QlikActivity.Core.Tests.Simulator;
using QlikActivity.QrsSimulator.Entities;
using Xunit;

namespace QlikActivity.Core.Tests.Activity.Buckets
{
    /// <summary>Runs against a seeded site while the simulator injects faults and others edit the same users.</summary>
    [Trait("Category", "Integration")]
    public class BucketsFaultTests
    {
        [Fact]
        public async Task With_503s_drops_and_concurrent_modifications_every_user_ends_right_and_nothing_else_changes()
        {
            await using var site = await BucketSite.StartAsync(seededUsers: 400, seed: 7);
            var expected = site.ExpectedValues();
            var before = site.Store.Users();
            Assert.Contains(expected.Values, v => v != null);
            Assert.Contains(expected.Values, v => v == null);

            site.Sim.Faults.UnavailableRate = 0.10;
            site.Sim.Faults.DropRate = 0.02;
            site.Sim.Faults.ConcurrentModificationRate = 0.20;
            FaultSeed.Run(site.Sim.Faults, 1407, () =>
            {
                var host = new RecordingHost();
                var request = site.Request();
                request.ThrottleLimit = 6;
                var (_, summary) = BucketSite.Run(host, request);
                site.Sim.Faults.Clear();

                Assert.Empty(host.Errors);
                Assert.Equal(0, summary.Failed);
                // Six writers and a reading task ran in the background; verbose and progress came from this (the pipeline) thread only.
                Assert.Contains(host.Progress, p => p.ActivityId == ActivityBucketWriter.ProgressActivityId);
                Assert.False(host.WroteFromOtherThread, "the bucket run wrote to the host from a background thread");
                Assert.True(site.Sim.Requests.Count("PUT", "/qrs/user/", 409) > 0, "the run met concurrent modifications");
                Assert.True(site.Sim.Requests.Count("PUT", "/qrs/user/", 503) + site.Sim.Requests.Count("GET", "/qrs/", 503) > 0);
                Assert.True(summary.Requests.Retries > 0);

                var after = site.Store.Users();
                Assert.Equal(before.Count, after.Count);
                var afterById = after.ToDictionary(u => Guid.Parse((string)u["id"]!));
                foreach (var user in before)
                {
                    var id = Guid.Parse((string)user["id"]!);
                    var now = afterById[id];
                    var want = expected[id];
                    Assert.Equal(want == null ? Array.Empty<string>() : new[] { want }, BucketSite.ValuesIn(now, "Activity"));
                    Assert.Equal(WithoutActivity(user), WithoutActivity(now));
                }
            });
        }

        [Fact]
        public async Task Another_admin_editing_other_values_of_the_same_users_during_the_run_loses_nothing()
        {
            await using var site = await BucketSite.StartAsync(seededUsers: 150, seed: 11);
            var expected = site.ExpectedValues();
            var before = site.Store.Users().ToDictionary(u => Guid.Parse((string)u["id"]!));
            var regionHolders = before.Values
                .Where(u => BucketSite.ValuesIn(u, "Region").Count > 0 && expected[Guid.Parse((string)u["id"]!)] != null)
                .Select(u => Guid.Parse((string)u["id"]!))
                .ToList();
            Assert.True(regionHolders.Count >= 10);

            // Slow writes, so the other admin's edits land between our reads and our PUTs.
            site.Sim.Faults.Latency = TimeSpan.FromMilliseconds(15);
            site.Sim.Faults.OnlyWrites = true;
            var edited = new Dictionary<Guid, string>();
            using var stop = new CancellationTokenSource();
            var otherAdmin = Task.Run(() =>
            {
                var rnd = new Random(3);
                string[] regions = { "Americas", "APAC", "EMEA" };
                while (!stop.IsCancellationRequested)
                {
                    var id = regionHolders[rnd.Next(regionHolders.Count)];
                    string region = regions[rnd.Next(regions.Length)];
                    // Read, change one Region value, PUT back with the read modifiedDate; on 409 read again.
                    for (int attempt = 0; attempt < 20; attempt++)
                    {
                        var body = site.Store.User(id)!;
                        var item = body["customProperties"]!.AsArray().OfType<JsonObject>().First(i => (string?)i["definition"]?["name"] == "Region");
                        item["value"] = region;
                        var outcome = site.Store.Update(QrsEntityTypes.User, id, body, "LAB\\other.admin");
                        if (outcome.Status == 200)
                        {
                            lock (edited)
                            {
                                edited[id] = region;
                            }

                            break;
                        }

                        Assert.Equal(409, outcome.Status);
                    }

                    Thread.Sleep(2);
                }
            });

            var host = new RecordingHost();
            var (_, summary) = BucketSite.Run(host, site.Request());
            stop.Cancel();
            await otherAdmin;
            site.Sim.Faults.Clear();

            Assert.Empty(host.Errors);
            Assert.NotEmpty(edited);
            foreach (var user in site.Store.Users())
            {
                var id = Guid.Parse((string)user["id"]!);
                var want = expected[id];
                Assert.Equal(want == null ? Array.Empty<string>() : new[] { want }, BucketSite.ValuesIn(user, "Activity"));
                if (edited.TryGetValue(id, out var region))
                {
                    Assert.Equal(region, BucketSite.ValuesIn(user, "Region")[0]);
                    Assert.Equal(BucketSite.ValuesIn(before[id], "Department"), BucketSite.ValuesIn(user, "Department"));
                }
                else
                {
                    Assert.Equal(WithoutActivity(before[id]), WithoutActivity(user));
                }
            }
        }

        /// <summary>The user as JSON without this property's items and without the fields any write changes.</summary>
        internal static string WithoutActivity(JsonObject user)
        {
            var copy = (JsonObject)user.DeepClone();
            copy.Remove("modifiedDate");
            copy.Remove("modifiedByUserName");
            if (copy["customProperties"] is JsonArray items)
            {
                var others = items.OfType<JsonObject>()
                    .Where(i => !string.Equals((string?)i["definition"]?["name"], "Activity", StringComparison.OrdinalIgnoreCase))
                    .Select(i => i.DeepClone())
                    .ToArray();
                copy["customProperties"] = new JsonArray(others);
            }

            return copy.ToJsonString();
        }
    }
}
