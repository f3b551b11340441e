using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Destinations.InfluxDb;
using Xunit;
using static QlikActivity.Core.Tests.Destinations.TestSecrets;

namespace QlikActivity.Core.Tests.Destinations.InfluxDb
{
    /// <summary>One influxd shared by the tests of a class; each test writes to its own database.</summary>
    public sealed class InfluxDbFixture : IAsyncLifetime
    {
        public InfluxDbServer Server { get; private set; } = null!;

        public async Task InitializeAsync() => Server = await InfluxDbServer.StartAsync();

        public Task DisposeAsync()
        {
            Server?.Dispose();
            return Task.CompletedTask;
        }
    }

    /// <summary>InfluxDbDestination against a real influxd 1.6: points are queried back.</summary>
    [Trait("Category", "Integration")]
    public class InfluxDbIntegrationTests : IClassFixture<InfluxDbFixture>
    {
        private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);
        private readonly InfluxDbServer _server;

        public InfluxDbIntegrationTests(InfluxDbFixture fixture)
        {
            _server = fixture.Server;
        }

        private async Task<string> NewDatabaseAsync()
        {
            string name = "qlik_" + Guid.NewGuid().ToString("N").Substring(0, 8);
            await _server.CreateDatabaseAsync(name);
            return name;
        }

        private InfluxDbDestination Destination(string database, Action<InfluxDbDestinationOptions>? configure = null)
        {
            var options = new InfluxDbDestinationOptions
            {
                Url = _server.Url,
                Database = database,
                BatchInterval = TimeSpan.FromMilliseconds(50),
                MaxRetryDelay = TimeSpan.FromMilliseconds(500),
            };
            configure?.Invoke(options);
            return new InfluxDbDestination(options);
        }

        private static async Task DeliverAsync(InfluxDbDestination d, IEnumerable<UserEvent> events)
        {
            await d.StartAsync(CancellationToken.None);
            foreach (var e in events)
            {
                Assert.True(d.TryEnqueue(e));
            }

            await d.StopAsync(Wait);
        }

        [Fact]
        public async Task Points_read_back_with_butler_sos_tags_and_fields()
        {
            string db = await NewDatabaseAsync();
            var d = Destination(db, o => o.Tags = new Dictionary<string, string> { ["qs_env"] = "dev lab" });
            await DeliverAsync(d, new[]
            {
                SampleEvents.SessionStart().WithTags(("site", "oslo")),
                SampleEvents.SessionStop(offsetMs: 10),
            });
            Assert.Equal(2, d.GetStatistics().Sent);

            var rows = await _server.RowsAsync(db, "SELECT * FROM user_events");
            Assert.Equal(2, rows.Count);
            var start = rows[0];
            Assert.Equal(LineProtocolWriter.ToTimestamp(SampleEvents.Time, InfluxDbPrecision.Nanoseconds), start["time"].GetInt64());
            // Tag and field share the name userFull: InfluxQL shows the field as userFull and the tag as userFull_1.
            Assert.Equal("sense1.lab.local", start["host"].GetString());
            Assert.Equal("Start session", start["event_action"].GetString());
            Assert.Equal("LAB\\anna", start["userFull"].GetString());
            Assert.Equal("LAB\\anna", start["userFull_1"].GetString());
            Assert.Equal("LAB", start["userDirectory"].GetString());
            Assert.Equal("anna", start["userId"].GetString());
            Assert.Equal("AppAccess", start["origin"].GetString());
            Assert.Equal(SampleEvents.AppId.ToString(), start["appId"].GetString());
            Assert.Equal("Sales, \"2024\"", start["appName"].GetString());
            Assert.Equal("Chrome", start["uaBrowserName"].GetString());
            Assert.Equal("120", start["uaBrowserMajorVersion"].GetString());
            Assert.Equal("Windows", start["uaOsName"].GetString());
            Assert.Equal("NT 10.0", start["uaOsVersion"].GetString());
            Assert.Equal("dev lab", start["qs_env"].GetString());
            Assert.Equal("oslo", start["site"].GetString());

            var stop = rows[1];
            Assert.Equal("Stop session", stop["event_action"].GetString());
            Assert.Equal(JsonValueKind.Null, stop["origin"].ValueKind);
            Assert.Equal(JsonValueKind.Null, stop["appId"].ValueKind);

            var tagKeys = await _server.RowsAsync(db, "SHOW TAG KEYS FROM user_events");
            Assert.Equal(
                new[] { "appId", "appName", "event_action", "host", "origin", "qs_env", "site", "uaBrowserMajorVersion", "uaBrowserName", "uaOsName", "uaOsVersion", "userDirectory", "userFull", "userId" },
                tagKeys.Select(r => r["tagKey"].GetString()).ToArray());
            var fieldKeys = await _server.RowsAsync(db, "SHOW FIELD KEYS FROM user_events");
            Assert.Equal(new[] { "appId", "appName", "userFull", "userId" }, fieldKeys.Select(r => r["fieldKey"].GetString()).ToArray());
            Assert.All(fieldKeys, r => Assert.Equal("string", r["fieldType"].GetString()));
        }

        [Fact]
        public async Task Awkward_user_ids_survive_the_round_trip_in_tags_and_fields()
        {
            string[] ids =
            {
                "anna smith", "a,b", "a=b", "q\"uote", "o'brien", "Jürgen Ødegård 日本 😀", "back\\slash", "x\\\\y", "all ,= \"\\x of it",
            };
            string db = await NewDatabaseAsync();
            var d = Destination(db);
            await DeliverAsync(d, ids.Select((id, i) => SampleEvents.SessionStop(id, i)));
            Assert.Equal(ids.Length, d.GetStatistics().Sent);

            var rows = await _server.RowsAsync(db, "SELECT * FROM user_events");
            Assert.Equal(ids.Length, rows.Count);
            for (int i = 0; i < ids.Length; i++)
            {
                Assert.Equal(ids[i], rows[i]["userId"].GetString());   // field
                Assert.Equal(ids[i], rows[i]["userId_1"].GetString()); // tag
                Assert.Equal("LAB\\" + ids[i], rows[i]["userFull"].GetString());
                Assert.Equal("LAB\\" + ids[i], rows[i]["userFull_1"].GetString());
            }
        }

        [Fact]
        public async Task What_influxd_cannot_store_is_adjusted_as_documented()
        {
            string db = await NewDatabaseAsync();
            var d = Destination(db);
            await DeliverAsync(d, new[] { SampleEvents.SessionStop("ends with\\", 0), SampleEvents.SessionStop("two\nlines", 1), SampleEvents.SessionStop(" lead", 2) });
            Assert.Equal(3, d.GetStatistics().Sent);

            var rows = await _server.RowsAsync(db,
                "SELECT \"userId\"::field AS f, \"userId\"::tag AS t, \"userFull\"::field AS ff, \"userFull\"::tag AS ft FROM user_events");
            Assert.Equal("ends with\\", rows[0]["f"].GetString()); // a string field keeps everything
            Assert.Equal("ends with", rows[0]["t"].GetString());     // a tag cannot end with a backslash
            Assert.Equal("two lines", rows[1]["f"].GetString());     // no newline inside a value
            Assert.Equal("two lines", rows[1]["t"].GetString());
            Assert.Equal("LAB\\ lead", rows[2]["ff"].GetString());
            Assert.Equal("LAB lead", rows[2]["ft"].GetString());      // a tag cannot hold a backslash before a space
            Assert.Equal(" lead", rows[2]["t"].GetString());
        }

        [Fact]
        public async Task Many_events_at_the_same_instant_are_all_kept()
        {
            // Same user, same time: without distinct timestamps InfluxDB would keep one point of the 20,000.
            string db = await NewDatabaseAsync();
            var d = Destination(db, o => o.BatchSize = 5000);
            await DeliverAsync(d, Enumerable.Range(0, 20_000).Select(_ => SampleEvents.SessionStart()));
            var s = d.GetStatistics();
            Assert.Equal(20_000, s.Sent);
            Assert.Equal(20_000, await _server.CountAsync(db));
        }

        [Fact]
        public async Task A_missing_database_gives_up_with_a_hint()
        {
            var d = Destination("no_such_db");
            await DeliverAsync(d, new[] { SampleEvents.SessionStart() });
            var s = d.GetStatistics();
            Assert.Equal(1, s.Dropped);
            Assert.Equal(0, s.Retried);
            Assert.Contains("database not found", s.LastError);
            Assert.Contains("CREATE DATABASE", s.LastError);
        }

        [Fact]
        public async Task A_field_type_conflict_is_a_400_with_influxd_message_and_not_retried()
        {
            string db = await NewDatabaseAsync();
            // Someone else already wrote userId as an integer into user_events (field types are per shard, so at the same time).
            using (var http = new System.Net.Http.HttpClient())
            {
                long sameShard = LineProtocolWriter.ToTimestamp(SampleEvents.Time, InfluxDbPrecision.Nanoseconds) - 1000;
                using var response = await http.PostAsync(new Uri(_server.Url, $"/write?db={db}"), new System.Net.Http.StringContent($"user_events userId=1i {sameShard}"));
                Assert.Equal(204, (int)response.StatusCode);
            }

            var d = Destination(db);
            await DeliverAsync(d, new[] { SampleEvents.SessionStart() });
            var s = d.GetStatistics();
            Assert.Equal(1, s.Dropped);
            Assert.Equal(0, s.Retried);
            Assert.Contains("(400)", s.LastError);
            Assert.Contains("field type conflict", s.LastError);
        }
    }

    /// <summary>influxd with authentication: the destination's credentials work, and wrong ones fail clearly.</summary>
    [Trait("Category", "Integration")]
    public class InfluxDbAuthenticationTests
    {
        [Fact]
        public async Task Credentials_are_sent_and_wrong_ones_fail_clearly_without_showing_the_password()
        {
            using var server = await InfluxDbServer.StartAsync(authEnabled: true);
            // With no user yet, influxd accepts the first admin without credentials.
            await server.PostQueryAsync("CREATE USER admin WITH PASSWORD 'admin-pw' WITH ALL PRIVILEGES");
            server.Admin = ("admin", "admin-pw");
            await server.CreateDatabaseAsync("qlik");
            await server.PostQueryAsync("CREATE USER writer WITH PASSWORD 'wr1ter-SECRET'");
            await server.PostQueryAsync("GRANT WRITE ON \"qlik\" TO writer");

            var good = new InfluxDbDestination(new InfluxDbDestinationOptions
            {
                Url = server.Url,
                Database = "qlik",
                UserName = "writer",
                Password = Secure("wr1ter-SECRET"),
                BatchInterval = TimeSpan.FromMilliseconds(50),
            });
            await good.StartAsync(CancellationToken.None);
            good.TryEnqueue(SampleEvents.SessionStart());
            good.TryEnqueue(SampleEvents.SessionStop());
            await good.StopAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(2, good.GetStatistics().Sent);
            Assert.Equal(2, await server.CountAsync("qlik"));

            var bad = new InfluxDbDestination(new InfluxDbDestinationOptions
            {
                Url = server.Url,
                Database = "qlik",
                UserName = "writer",
                Password = Secure("not-the-SECRET"),
                BatchInterval = TimeSpan.FromMilliseconds(50),
            });
            await bad.StartAsync(CancellationToken.None);
            bad.TryEnqueue(SampleEvents.SessionStart());
            await bad.StopAsync(TimeSpan.FromSeconds(60));
            var s = bad.GetStatistics();
            Assert.Equal(1, s.Dropped);
            Assert.Contains("refused the credentials (401)", s.LastError);
            Assert.Contains("authorization failed", s.LastError);
            InfluxDbDestinationTests.AssertNoSecret(bad, "not-the-SECRET");
            InfluxDbDestinationTests.AssertNoSecret(good, "wr1ter-SECRET");
            Assert.Equal(2, await server.CountAsync("qlik"));
        }
    }

    /// <summary>InfluxDB goes away for 30 s and comes back: everything buffered arrives.</summary>
    [Trait("Category", "Integration")]
    public class InfluxDbOutageTests
    {
        [Fact]
        public async Task A_30_second_outage_loses_nothing_within_the_queue_bound()
        {
            using var server = await InfluxDbServer.StartAsync();
            await server.CreateDatabaseAsync("qlik");
            var d = new InfluxDbDestination(new InfluxDbDestinationOptions
            {
                Url = server.Url,
                Database = "qlik",
                BatchSize = 500,
                BatchInterval = TimeSpan.FromMilliseconds(100),
                QueueCapacity = 100_000,
                Timeout = TimeSpan.FromSeconds(5),
                MaxRetryDelay = TimeSpan.FromSeconds(5),
            });
            await d.StartAsync(CancellationToken.None);

            int sent = 0;
            for (; sent < 500; sent++)
            {
                Assert.True(d.TryEnqueue(SampleEvents.SessionStart("before" + sent)));
            }

            await WaitUntilAsync(() => d.GetStatistics().Sent == 500, "the first 500 events to be written");

            server.Kill();
            var outage = System.Diagnostics.Stopwatch.StartNew();
            while (outage.Elapsed < TimeSpan.FromSeconds(30))
            {
                // About 100 events a second while InfluxDB is down (pacing only; nothing waits on it).
                for (int i = 0; i < 10; i++, sent++)
                {
                    Assert.True(d.TryEnqueue(SampleEvents.ConnectionOpen("during" + sent)));
                }

                await Task.Delay(100);
            }

            var during = d.GetStatistics();
            Assert.True(during.Failed > 0, "writes must have failed while influxd was down");
            Assert.Equal(500, during.Sent);

            await server.RestartAsync();
            for (int i = 0; i < 500; i++, sent++)
            {
                Assert.True(d.TryEnqueue(SampleEvents.SessionStop("after" + sent)));
            }

            await d.StopAsync(TimeSpan.FromSeconds(120));
            var s = d.GetStatistics();
            Assert.Equal(sent, s.Enqueued);
            Assert.Equal(sent, s.Sent);
            Assert.Equal(0, s.Dropped);
            Assert.Equal(0, s.QueueDepth + s.InFlight);
            Assert.True(s.Retried > 0);
            Assert.Equal(s.Enqueued, s.Sent + s.Dropped + s.QueueDepth + s.InFlight);
            Assert.Equal(sent, await server.CountAsync("qlik"));
        }

        private static async Task WaitUntilAsync(Func<bool> condition, string what)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!condition())
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException("Timed out waiting for " + what);
                }

                await Task.Delay(20);
            }
        }
    }
}
