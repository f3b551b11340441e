using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using QlikActivity.QrsSimulator;
using Xunit;

namespace QlikActivity.Core.Tests.Simulator
{
    [Trait("Category", "Integration")]
    public class SeedDataTests
    {
        private static readonly DateTime Now = new DateTime(2024, 11, 15, 12, 0, 0, DateTimeKind.Utc);
        private static readonly string[] LicenseTypes = { "professional", "analyzer", "user", "login", "analyzer-time" };

        [Fact]
        public async Task The_same_seed_and_now_give_the_same_site_and_another_seed_another()
        {
            await using var a = await SimulatorHttp.StartAsync(users: 200, seed: 5);
            await using var b = await SimulatorHttp.StartAsync(users: 200, seed: 5);
            await using var c = await SimulatorHttp.StartAsync(users: 200, seed: 6);
            foreach (var type in new[] { "user", "custompropertydefinition", "app", "license/professionalaccesstype", "license/loginaccessusage" })
            {
                Assert.Equal(Text(a.Store.Entities(type)), Text(b.Store.Entities(type)));
            }

            Assert.NotEqual(Text(a.Store.Users()), Text(c.Store.Users()));
        }

        [Fact]
        public async Task A_seeded_site_has_every_case_an_activity_reader_must_handle()
        {
            await using var sim = await SimulatorHttp.StartAsync(users: 500, seed: 1);
            var users = sim.Store.Users();
            Assert.Equal(500, users.Count);
            var directories = users.Select(u => u["userDirectory"]!.GetValue<string>()).ToHashSet();
            Assert.Superset(new HashSet<string> { "INTERNAL", "LAB", "CORP", "EXTERNAL" }, directories);
            Assert.Contains(users, u => u["userId"]!.GetValue<string>() == "sa_repository");

            var byUser = new Dictionary<string, List<(string Type, DateTime Date)>>();
            int orphans = 0, quarantined = 0, never = 0;
            foreach (var type in LicenseTypes)
            {
                string path = QrsSimulator.Entities.QrsEntityTypes.LicensePaths[type];
                string dateField = type is "login" or "analyzer-time" ? "latestActivity" : "lastUsed";
                var records = sim.Store.Entities(path);
                Assert.NotEmpty(records);
                foreach (var r in records)
                {
                    var date = DateTime.Parse(r[dateField]!.GetValue<string>(), null, System.Globalization.DateTimeStyles.AdjustToUniversal);
                    never += date == QrsDate.Never ? 1 : 0;
                    quarantined += r["quarantined"]?.GetValue<bool>() == true ? 1 : 0;
                    if (r["user"] == null)
                    {
                        orphans++;
                        continue;
                    }

                    string id = r["user"]!["id"]!.GetValue<string>();
                    (byUser.TryGetValue(id, out var list) ? list : byUser[id] = new List<(string, DateTime)>()).Add((type, date));
                }
            }

            Assert.True(orphans > 0, "records of deleted users");
            Assert.True(quarantined > 0, "quarantined records");
            Assert.True(never > 0, "records never used");
            Assert.Contains(users, u => !byUser.ContainsKey(u["id"]!.GetValue<string>()) && u["userDirectory"]!.GetValue<string>() != "INTERNAL");
            Assert.Contains(byUser.Values, l => l.Select(x => x.Type).Distinct().Count() >= 2 && l.Select(x => x.Date).Distinct().Count() >= 2);
            Assert.Contains(byUser.Values, l => l.Count(x => x.Type == "login") >= 2);

            var all = byUser.Values.SelectMany(l => l).Select(x => x.Date).Where(d => d != QrsDate.Never).ToList();
            Assert.All(all, d => Assert.True(d <= Now));
            Assert.Contains(all, d => Now - d < TimeSpan.FromDays(1));
            Assert.Contains(all, d => Now - d > TimeSpan.FromDays(7) && Now - d < TimeSpan.FromDays(14));
            Assert.Contains(all, d => Now - d > TimeSpan.FromDays(90) && Now - d < TimeSpan.FromDays(180));
            Assert.Contains(all, d => Now - d > TimeSpan.FromDays(365));

            var values = users.SelectMany(u => u["customProperties"]!.AsArray()).ToList();
            Assert.Contains(values, v => v!["definition"]!["name"]!.GetValue<string>() == "Department");
            Assert.Contains(values, v => v!["definition"]!["name"]!.GetValue<string>() == "Region");
            Assert.Contains(users, u => u["customProperties"]!.AsArray().Count >= 2);
        }

        [Fact]
        public async Task Access_types_of_deleted_users_name_them_and_are_in_quarantine_until_seven_days_after_last_use()
        {
            await using var sim = await SimulatorHttp.StartAsync(users: 600, seed: 2);
            int deleted = 0, deallocated = 0;
            foreach (var path in new[] { "license/professionalaccesstype", "license/analyzeraccesstype", "license/useraccesstype" })
            {
                foreach (var r in sim.Store.Entities(path))
                {
                    var lastUsed = Date(r["lastUsed"]);
                    bool quarantined = r["quarantined"]!.GetValue<bool>();
                    if (r["user"] == null)
                    {
                        deleted++;
                        Assert.False(string.IsNullOrEmpty(r["deletedUserDirectory"]?.GetValue<string>()));
                        Assert.False(string.IsNullOrEmpty(r["deletedUserId"]?.GetValue<string>()));
                        Assert.True(quarantined, "a deleted user's access exists only in quarantine");
                    }
                    else
                    {
                        Assert.Null(r["deletedUserDirectory"]);
                        Assert.Null(r["deletedUserId"]);
                        deallocated += quarantined ? 1 : 0;
                    }

                    if (quarantined)
                    {
                        Assert.Equal(lastUsed.AddDays(7), Date(r["quarantineEnd"]));
                        Assert.True(Date(r["quarantineEnd"]) > Now, "quarantine still running");
                    }
                    else
                    {
                        Assert.Equal(QrsDate.NeverText, r["quarantineEnd"]!.GetValue<string>());
                    }
                }
            }

            Assert.True(deleted > 0, "records of deleted users");
            Assert.True(deallocated > 0, "deallocated access in quarantine, user still named");
            Assert.All(sim.Store.Entities("license/loginaccessusage").Where(r => r["user"] == null), r => Assert.NotNull(r["loginAccessType"]));
        }

        private static DateTime Date(JsonNode? node) =>
            DateTime.Parse(node!.GetValue<string>(), null, System.Globalization.DateTimeStyles.AdjustToUniversal);

        [Fact]
        public async Task Store_helpers_add_users_records_definitions_and_values()
        {
            await using var sim = await QrsSimulator.SimulatedQrs.StartAsync(new QrsSimulatorOptions { SeedData = false, Now = Now });
            Assert.Empty(sim.Store.Users());
            var anna = sim.Store.AddUser("LAB", "anna", "Anna Berg");
            var bucket = sim.Store.AddCustomPropertyDefinition("ActivityBucket", new[] { "1", "7", "365+" }, new[] { "User" });
            sim.Store.AddCustomPropertyDefinition("Team", Array.Empty<string>(), new[] { "User" });
            sim.Store.SetUserCustomProperty(anna, "ActivityBucket", "7");
            sim.Store.SetUserCustomProperty(anna, "Team", "Blue");
            var record = sim.Store.AddLicenseRecord("analyzer-time", anna, Now.AddDays(-3));
            sim.Store.AddLicenseRecord("professional", null, Now.AddDays(-400), quarantined: true);

            var user = sim.Store.User(anna)!;
            Assert.Equal(new[] { "7", "Blue" }, user["customProperties"]!.AsArray().Select(v => v!["value"]!.GetValue<string>()));
            Assert.Equal(bucket.ToString(), user["customProperties"]![0]!["definition"]!["id"]!.GetValue<string>());
            var usage = sim.Store.Entity("license/analyzertimeaccessusage", record)!;
            Assert.Equal(QrsDate.Format(Now.AddDays(-3)), usage["latestActivity"]!.GetValue<string>());
            Assert.Equal("anna", usage["user"]!["userId"]!.GetValue<string>());
            var orphan = sim.Store.Entities("license/professionalaccesstype").Single();
            Assert.Null(orphan["user"]);
            Assert.True(orphan["quarantined"]!.GetValue<bool>());

            string before = user["modifiedDate"]!.GetValue<string>();
            sim.Store.TouchUser(anna);
            Assert.True(string.CompareOrdinal(sim.Store.User(anna)!["modifiedDate"]!.GetValue<string>(), before) > 0);
            Assert.Throws<ArgumentException>(() => sim.Store.SetUserCustomProperty(anna, "ActivityBucket", "8"));
        }

        private static string Text(IEnumerable<JsonObject> items) => string.Join("\n", items.Select(i => i.ToJsonString()));
    }
}
