using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using QlikActivity.QrsSimulator.Entities;

namespace QlikActivity.QrsSimulator
{
    /// <summary>
    /// Fills a store with a realistic, deterministic site: users in several directories (INTERNAL service
    /// accounts, LAB, CORP, EXTERNAL), license records of all five types with dates from minutes to years
    /// ago and "never", users with several types (different dates), users with none, records of deleted
    /// users, quarantined records, custom properties with values, tags and apps. Same seed and Now, same data.
    /// </summary>
    public static class SeedData
    {
        private static readonly string[] FirstNames =
        {
            "Anna", "Ben", "Carla", "David", "Elif", "Femi", "Greta", "Hiro", "Ines", "Jonas", "Kari", "Liam", "Maja", "Noah",
            "Olga", "Pedro", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wei", "Xenia", "Yusuf", "Zoë", "Åsa", "Øystein",
        };

        private static readonly string[] LastNames =
        {
            "Berg", "Costa", "Dubois", "Eriksson", "Fischer", "García", "Hansen", "Ito", "Jensen", "Kowalski", "Larsen", "Müller",
            "Nakamura", "O'Brien", "Petrov", "Quist", "Rossi", "Schmidt", "Tanaka", "Unger", "Vargas", "Weber", "Yilmaz", "Zhang",
        };

        private static readonly string[] Departments = { "Sales", "Finance", "IT", "HR", "Operations", "Marketing", "Support" };
        private static readonly string[] Regions = { "Americas", "APAC", "EMEA" };
        private static readonly string[] AppWords = { "Sales", "Finance", "Inventory", "HR", "Customer", "Logistics", "Budget", "Churn", "Pipeline", "Quality" };
        private static readonly string[] AppKinds = { "Dashboard", "Analysis", "Report", "Overview", "Monitor" };

        /// <summary>How long a deallocated (or deleted user's) access stays in quarantine, counted from its last use.</summary>
        public static readonly TimeSpan QuarantinePeriod = TimeSpan.FromDays(7);

        /// <summary>Names of the seeded custom property definitions.</summary>
        public static IReadOnlyList<string> CustomPropertyNames { get; } = new[] { "Department", "Region", "CostCenter", "Environment" };

        /// <summary>Seeds <paramref name="users"/> users (service accounts included) and their records.</summary>
        public static void Fill(QrsStore store, int users, int seed, DateTime now)
        {
            var rnd = new Random(seed);
            now = QrsDate.Truncate(now);
            store.SeedTime = now;
            Guid NextId()
            {
                var bytes = new byte[16];
                rnd.NextBytes(bytes);
                bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4
                bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
                return new Guid(bytes);
            }

            JsonObject Ref(Guid id) => new JsonObject { ["id"] = id.ToString("D") };
            string D(DateTime d) => QrsDate.Format(d);

            // Custom property definitions and tags.
            var department = NextId();
            var region = NextId();
            var costCenter = NextId();
            var environment = NextId();
            var created = now.AddDays(-900);
            store.Seed(QrsEntityTypes.CustomPropertyDefinition, department, Definition("Department", Departments, new[] { "User" }, "Organisational unit", created, D));
            store.Seed(QrsEntityTypes.CustomPropertyDefinition, region, Definition("Region", Regions, new[] { "User", "App" }, "Sales region", created, D));
            store.Seed(QrsEntityTypes.CustomPropertyDefinition, costCenter, Definition("CostCenter", Array.Empty<string>(), new[] { "User" }, "Free text cost center", created, D));
            store.Seed(QrsEntityTypes.CustomPropertyDefinition, environment, Definition("Environment", new[] { "Prod", "Test", "Dev" }, new[] { "App" }, "", created, D));
            var pilotTag = NextId();
            store.Seed(QrsEntityTypes.Tag, pilotTag, new JsonObject { ["name"] = "Pilot", ["createdDate"] = D(created), ["modifiedDate"] = D(created) });

            var loginGroup = NextId();
            store.Seed(QrsEntityTypes.LoginAccessType, loginGroup, new JsonObject { ["name"] = "Login access group", ["assignedTokens"] = 100, ["createdDate"] = D(created), ["modifiedDate"] = D(created) });
            var capacity = NextId();
            store.Seed(QrsEntityTypes.AnalyzerTimeAccessType, capacity, new JsonObject { ["name"] = "Analyzer capacity allocation", ["assignedUnits"] = 1, ["createdDate"] = D(created), ["modifiedDate"] = D(created) });

            // Users.
            int services = users >= 20 ? QrsStore.ServiceAccountNames.Count : Math.Min(users, 1);
            var people = new List<(Guid Id, DateTime Created)>();
            for (int i = 0; i < users; i++)
            {
                var id = NextId();
                var userCreated = now.AddDays(-rnd.Next(30, 1500)).AddSeconds(-rnd.Next(86400)).AddMilliseconds(-rnd.Next(1000));
                var userModified = userCreated.AddDays(rnd.Next(0, 29));
                if (userModified > now)
                {
                    userModified = now.AddHours(-1);
                }

                var u = new JsonObject
                {
                    ["createdDate"] = D(userCreated),
                    ["modifiedDate"] = D(userModified),
                };
                if (i < services)
                {
                    u["userDirectory"] = "INTERNAL";
                    u["userId"] = QrsStore.ServiceAccountNames[i];
                    u["userDirectoryConnectorName"] = "";
                    u["name"] = QrsStore.ServiceAccountNames[i];
                    u["deleteProhibited"] = true;
                    u["roles"] = new JsonArray("RootAdmin");
                    store.SeedLater(QrsEntityTypes.User, id, u);
                    continue;
                }

                string first = FirstNames[rnd.Next(FirstNames.Length)];
                string last = LastNames[rnd.Next(LastNames.Length)];
                string plain = Ascii(first + "." + last);
                double dir = rnd.NextDouble();
                string directory = dir < 0.40 ? "LAB" : dir < 0.85 ? "CORP" : "EXTERNAL";
                u["userDirectory"] = directory;
                u["userDirectoryConnectorName"] = directory;
                u["userId"] = directory switch
                {
                    "LAB" => plain + i,
                    "CORP" => Ascii(first.Substring(0, 1) + last) + i,
                    _ => plain + i + "@partner.example",
                };
                u["name"] = first + " " + last;
                u["inactive"] = rnd.NextDouble() < 0.03;
                u["removedExternally"] = rnd.NextDouble() < 0.02;
                if (rnd.NextDouble() < 0.02)
                {
                    u["roles"] = new JsonArray("AuditAdmin");
                }

                if (rnd.NextDouble() < 0.03)
                {
                    u["tags"] = new JsonArray(Ref(pilotTag));
                }

                var values = new JsonArray();
                void Value(Guid definition, string value)
                {
                    values.Add(new JsonObject
                    {
                        ["id"] = NextId().ToString("D"),
                        ["createdDate"] = D(userModified),
                        ["modifiedDate"] = D(userModified),
                        ["value"] = value,
                        ["definition"] = Ref(definition),
                    });
                }

                if (rnd.NextDouble() < 0.60)
                {
                    int a = rnd.Next(Departments.Length);
                    Value(department, Departments[a]);
                    if (rnd.NextDouble() < 0.10)
                    {
                        Value(department, Departments[(a + 1 + rnd.Next(Departments.Length - 1)) % Departments.Length]);
                    }
                }

                if (rnd.NextDouble() < 0.35)
                {
                    int a = rnd.Next(Regions.Length);
                    Value(region, Regions[a]);
                    if (rnd.NextDouble() < 0.15)
                    {
                        Value(region, Regions[(a + 1) % Regions.Length]);
                    }
                }

                if (rnd.NextDouble() < 0.10)
                {
                    Value(costCenter, "CC-" + rnd.Next(1000, 9999));
                }

                u["customProperties"] = values;
                store.SeedLater(QrsEntityTypes.User, id, u);
                people.Add((id, userCreated));
            }

            store.FlushSeeds();

            var allocations = new List<(string Type, Guid Id, DateTime LastUsed)>();

            // License records: most people have one type, some two or three (each with its own date), some none.
            string[] types = { "professional", "analyzer", "user", "login", "analyzer-time" };
            double[] weights = { 0.35, 0.35, 0.05, 0.10, 0.15 };
            foreach (var (userId, userCreated) in people)
            {
                if (rnd.NextDouble() < 0.15)
                {
                    continue;
                }

                int count = rnd.NextDouble() < 0.08 ? 3 : rnd.NextDouble() < 0.30 ? 2 : 1;
                var chosen = new HashSet<string>();
                while (chosen.Count < count)
                {
                    chosen.Add(Pick(rnd, types, weights));
                }

                foreach (var type in chosen)
                {
                    bool usage = type is "login" or "analyzer-time";
                    int records = usage ? (rnd.NextDouble() < 0.10 ? 3 : rnd.NextDouble() < 0.25 ? 2 : 1) : 1;
                    DateTime latest = ActivityDate(rnd, now, allowNever: !usage);
                    for (int r = 0; r < records; r++)
                    {
                        var date = r == 0 ? latest : latest.AddDays(-rnd.Next(1, 200)).AddMinutes(-rnd.Next(1440));
                        var recordId = NextId();
                        SeedRecord(store, rnd, recordId, type, Ref(userId), null, date, userCreated, now, loginGroup, capacity, D);
                        allocations.Add((type, recordId, date));
                    }
                }
            }

            // Records that outlived their users: the QRS keeps an access type of a deleted user only while
            // it is in quarantine, which lasts seven days from its last use; afterwards it is released.
            int orphans = Math.Max(1, users / 50);
            for (int i = 0; i < orphans; i++)
            {
                string type = i % 5 == 4 ? "login" : new[] { "professional", "analyzer", "user" }[i % 3];
                var lastUsed = type == "login"
                    ? ActivityDate(rnd, now, allowNever: false)
                    : now.AddMinutes(-rnd.Next(10, (int)QuarantinePeriod.TotalMinutes - 10)).AddMilliseconds(-rnd.Next(1000));
                var recordId = NextId();
                SeedRecord(store, rnd, recordId, type, null, ("CORP", "former.employee" + i), lastUsed,
                    now.AddDays(-1200), now, loginGroup, capacity, D);
                allocations.Add((type, recordId, lastUsed));
            }

            store.FlushSeeds();
            SeedSessionUsage(store, new Random(unchecked(seed * 7919 + 13)), allocations, D);

            // Apps, owned by people.
            int apps = Math.Min(500, Math.Max(3, users / 20));
            for (int i = 0; i < apps; i++)
            {
                var owner = people.Count > 0 ? people[rnd.Next(people.Count)].Id : (Guid?)null;
                bool published = rnd.NextDouble() < 0.5;
                var appCreated = now.AddDays(-rnd.Next(10, 800));
                var app = new JsonObject
                {
                    ["createdDate"] = D(appCreated),
                    ["modifiedDate"] = D(appCreated.AddDays(rnd.Next(0, 9))),
                    ["name"] = $"{AppWords[rnd.Next(AppWords.Length)]} {AppKinds[rnd.Next(AppKinds.Length)]} {i + 1}",
                    ["owner"] = owner is { } o ? Ref(o) : null,
                    ["published"] = published,
                    ["publishTime"] = published ? D(appCreated.AddDays(3)) : QrsDate.NeverText,
                    ["lastReloadTime"] = D(now.AddHours(-rnd.Next(1, 200))),
                    ["fileSize"] = rnd.Next(100_000, 500_000_000),
                    ["description"] = "",
                };
                if (rnd.NextDouble() < 0.3)
                {
                    app["customProperties"] = new JsonArray(new JsonObject
                    {
                        ["id"] = NextId().ToString("D"),
                        ["value"] = new[] { "Prod", "Test", "Dev" }[rnd.Next(3)],
                        ["definition"] = Ref(environment),
                    });
                }

                var appId = NextId();
                app["appId"] = appId.ToString("D");
                store.SeedLater(QrsEntityTypes.App, appId, app);
            }

            store.FlushSeeds();
            store.SeedTime = null;
        }

        private static JsonObject Definition(string name, string[] choices, string[] objectTypes, string description, DateTime created, Func<DateTime, string> d) =>
            new JsonObject
            {
                ["createdDate"] = d(created),
                ["modifiedDate"] = d(created),
                ["name"] = name,
                ["valueType"] = "Text",
                ["choiceValues"] = new JsonArray(choices.Select(c => (JsonNode?)c).ToArray()),
                ["objectTypes"] = new JsonArray(objectTypes.Select(c => (JsonNode?)c).ToArray()),
                ["description"] = description,
            };

        private static void SeedRecord(QrsStore store, Random rnd, Guid id, string type, JsonObject? user, (string Directory, string UserId)? deletedUser,
            DateTime date, DateTime userCreated, DateTime now, Guid loginGroup, Guid capacity, Func<DateTime, string> d)
        {
            string path = QrsEntityTypes.LicensePaths[type];
            bool never = date == QrsDate.Never;
            var recordCreated = never ? now.AddDays(-rnd.Next(1, 60)) : date.AddDays(-rnd.Next(0, 400));
            if (recordCreated < userCreated && user != null)
            {
                recordCreated = never ? userCreated : (userCreated < date ? userCreated : date);
            }

            var o = new JsonObject
            {
                ["createdDate"] = d(recordCreated),
                ["modifiedDate"] = d(never ? recordCreated : date),
                ["user"] = user,
            };

            if (type is "login" or "analyzer-time")
            {
                var start = date.AddMinutes(-rnd.Next(1, 60));
                o["useStartTime"] = d(start);
                o["latestActivity"] = d(date);
                o["useStopTime"] = d(start.AddMinutes(60));
                o["hostName"] = "qlikserver1.corp.example";
                o["serverNodeConfigurationId"] = "9e9e2a6a-7d6a-4f0e-9c42-3b1f0c3b2d11";
                o[type == "login" ? "loginAccessType" : "analyzerTimeAccessType"] =
                    new JsonObject { ["id"] = (type == "login" ? loginGroup : capacity).ToString("D") };
                // The session that made the latest activity (derived from the record, no draw: the rest of the
                // seeded site stays as it was before sessions were added).
                o["sessions"] = new JsonArray(new JsonObject
                {
                    ["id"] = SessionId(id).ToString("D"),
                    ["createdDate"] = d(start),
                    ["modifiedDate"] = d(date),
                    ["sessionID"] = id.ToString("N"),
                    ["latestActivity"] = d(date),
                    ["serverNodeConfigurationId"] = "9e9e2a6a-7d6a-4f0e-9c42-3b1f0c3b2d11",
                });
            }
            else
            {
                // Deallocating an access used in the last seven days quarantines it until seven days after that
                // use (the user stays named); a deleted user's access exists only in that quarantine.
                bool recent = date != QrsDate.Never && now - date < QuarantinePeriod;
                bool deallocated = rnd.NextDouble() < 0.10;
                bool quarantined = deletedUser != null || (recent && deallocated);
                o["lastUsed"] = d(date);
                o["quarantined"] = quarantined;
                o["quarantineEnd"] = quarantined ? d(date + QuarantinePeriod) : QrsDate.NeverText;
                if (deletedUser is { } gone)
                {
                    o["deletedUserDirectory"] = gone.Directory;
                    o["deletedUserId"] = gone.UserId;
                }
            }

            store.SeedLater(path, id, o);
        }

        /// <summary>
        /// Usage records of the professional, analyzer and user access types: one per session of an
        /// allocation that was ever used, the latest ending at the allocation's lastUsed. Drawn from their own
        /// random sequence so that adding them left every other seeded value as it was.
        /// </summary>
        private static void SeedSessionUsage(QrsStore store, Random rnd, List<(string Type, Guid Id, DateTime LastUsed)> allocations, Func<DateTime, string> d)
        {
            Guid NextId()
            {
                var bytes = new byte[16];
                rnd.NextBytes(bytes);
                bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
                bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
                return new Guid(bytes);
            }

            string[] hosts = { "qlikserver1.corp.example", "qlikserver2.corp.example" };
            foreach (var (type, id, lastUsed) in allocations)
            {
                if (type is "login" or "analyzer-time" || lastUsed == QrsDate.Never)
                {
                    continue;
                }

                string accessPath = QrsEntityTypes.LicensePaths[type];
                string usagePath = QrsEntityTypes.SessionUsagePaths[accessPath];
                string link = type switch { "professional" => "professionalAccessType", "analyzer" => "analyzerAccessType", _ => "userAccessType" };
                int sessions = rnd.NextDouble() < 0.3 ? 2 : 1;
                var latest = lastUsed;
                for (int i = 0; i < sessions; i++)
                {
                    var start = latest.AddMinutes(-rnd.Next(2, 240));
                    store.SeedLater(usagePath, NextId(), new JsonObject
                    {
                        ["createdDate"] = d(start),
                        ["modifiedDate"] = d(latest),
                        ["useStartTime"] = d(start),
                        ["latestActivity"] = d(latest),
                        ["hostName"] = hosts[rnd.Next(hosts.Length)],
                        ["serverNodeConfigurationId"] = "9e9e2a6a-7d6a-4f0e-9c42-3b1f0c3b2d11",
                        ["sessionID"] = NextId().ToString("N"),
                        [link] = new JsonObject { ["id"] = id.ToString("D") },
                    });
                    latest = start.AddDays(-rnd.Next(1, 30)).AddMinutes(-rnd.Next(1440));
                }
            }

            store.FlushSeeds();
        }

        private static Guid SessionId(Guid record)
        {
            var bytes = record.ToByteArray();
            bytes[0] ^= 0x5A;
            return new Guid(bytes);
        }

        /// <summary>A last-activity date spread like a real site's: hours, days, weeks, months, years ago, or never.</summary>
        private static DateTime ActivityDate(Random rnd, DateTime now, bool allowNever)
        {
            double r = rnd.NextDouble();
            if (r >= 0.92)
            {
                return allowNever ? QrsDate.Never : now.AddMinutes(-rnd.Next(5, 600));
            }

            (int From, int To) days =
                r < 0.12 ? (0, 0) :
                r < 0.25 ? (1, 6) :
                r < 0.35 ? (7, 13) :
                r < 0.45 ? (14, 29) :
                r < 0.60 ? (30, 89) :
                r < 0.70 ? (90, 179) :
                r < 0.80 ? (180, 364) :
                (365, 1100);
            var when = now.AddDays(-rnd.Next(days.From, days.To + 1)).AddMinutes(-rnd.Next(1, 1440)).AddMilliseconds(-rnd.Next(1000));
            return when;
        }

        private static string Pick(Random rnd, string[] items, double[] weights)
        {
            double r = rnd.NextDouble() * weights.Sum();
            for (int i = 0; i < items.Length; i++)
            {
                r -= weights[i];
                if (r < 0)
                {
                    return items[i];
                }
            }

            return items[items.Length - 1];
        }

        private static string Ascii(string s)
        {
            var normalized = s.Replace("Ø", "O").Replace("ø", "o").Normalize(System.Text.NormalizationForm.FormD);
            var chars = normalized.Where(c => c < 128 && c != '\'').ToArray();
            return new string(chars).ToLowerInvariant();
        }
    }
}
