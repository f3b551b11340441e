using System;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Destinations.NewRelic;
using QlikActivity.Core.Tests.Destinations.InfluxDb;
using Xunit;
using static QlikActivity.Core.Tests.Destinations.TestSecrets;

namespace QlikActivity.Core.Tests.Destinations.NewRelic
{
    /// <summary>NewRelicDestination against a local HTTP server standing in for the Event API.</summary>
    public class NewRelicDestinationTests
    {
        private const string Key = "NRII-insert-SECRET-key";
        private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

        private static NewRelicDestinationOptions Options(Uri url) => new()
        {
            AccountId = 1234567,
            InsertKey = Secure(Key),
            Url = url,
            BatchInterval = TimeSpan.FromMilliseconds(20),
            MaxRetryDelay = TimeSpan.FromMilliseconds(100),
        };

        private static JsonElement[] EventsOf(RecordedRequest r)
        {
            using var doc = JsonDocument.Parse(r.Body);
            return doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
        }

        [Fact]
        public async Task Posts_gzipped_json_arrays_to_the_account_with_the_insert_key()
        {
            await using var server = await RecordingHttpServer.StartAsync();
            server.Respond = _ => Reply.With(200, "{\"success\":true}");
            var d = new NewRelicDestination(Options(server.BaseUri));
            d.TryEnqueue(SampleEvents.SessionStart());
            d.TryEnqueue(SampleEvents.ConnectionOpen());
            d.TryEnqueue(SampleEvents.SessionStop());
            await d.StartAsync(CancellationToken.None);
            var r = (await server.WaitForRequestsAsync(1, Wait))[0];
            await d.StopAsync(Wait);

            Assert.Equal("POST", r.Method);
            Assert.Equal("/v1/accounts/1234567/events", r.Path);
            Assert.Equal(Key, r.Header("X-Insert-Key"));
            Assert.Equal("gzip", r.Header("Content-Encoding"));
            Assert.Equal("application/json", r.Header("Content-Type"));
            Assert.Equal(0x1f, r.RawBody[0]); // the gzip magic number: the body really is compressed
            var events = EventsOf(r);
            Assert.Equal(new[] { "Start session", "Open connection", "Stop session" }, events.Select(e => e.GetProperty("qs_event_action").GetString()).ToArray());
            Assert.All(events, e => Assert.Equal("qs_userEvent", e.GetProperty("eventType").GetString()));

            var s = d.GetStatistics();
            Assert.Equal(3, s.Sent);
            InfluxDbDestinationTests.AssertNoSecret(d, Key);
        }

        [Fact]
        public void The_region_picks_the_us_or_eu_collector()
        {
            var us = new NewRelicDestination(new NewRelicDestinationOptions { AccountId = 1, InsertKey = Secure(Key) });
            var eu = new NewRelicDestination(new NewRelicDestinationOptions { AccountId = 1, InsertKey = Secure(Key), Region = NewRelicRegion.EU });
            Assert.Equal("https://insights-collector.newrelic.com", us.Url);
            Assert.Equal("https://insights-collector.eu01.nr-data.net", eu.Url);
            Assert.Equal("New Relic account 1 EU", eu.Name);
            InfluxDbDestinationTests.AssertNoSecret(us, Key);
        }

        [Fact]
        public async Task A_batch_over_1_MB_compressed_is_split_and_nothing_is_lost_or_doubled_when_a_part_is_retried()
        {
            await using var server = await RecordingHttpServer.StartAsync();
            server.Respond = r => r.Number == 2 ? Reply.With(503) : Reply.With(200);
            var options = Options(server.BaseUri);
            options.BatchSize = 2000;
            var d = new NewRelicDestination(options);
            for (int i = 0; i < 2000; i++)
            {
                var e = SampleEvents.SessionStart("user" + i);
                e.AppName = Convert.ToBase64String(RandomNumberGenerator.GetBytes(3000)); // hardly compresses
                d.TryEnqueue(e);
            }

            await d.StartAsync(CancellationToken.None);
            await d.StopAsync(Wait);

            var requests = server.Requests;
            Assert.True(requests.Count > 2, $"{requests.Count} requests");
            Assert.All(requests, r => Assert.True(r.RawBody.Length <= NewRelicDestination.MaxPayloadBytes, $"{r.RawBody.Length} bytes"));
            var delivered = requests.Where(r => r.Number != 2).SelectMany(EventsOf).Select(e => e.GetProperty("qs_userId").GetString()).ToList();
            Assert.Equal(2000, delivered.Count);
            Assert.Equal(2000, delivered.Distinct().Count());
            var s = d.GetStatistics();
            Assert.Equal(2000, s.Sent);
            Assert.Equal(1, s.Retried);
        }

        [Fact]
        public async Task A_rejected_insert_key_gives_up_with_a_clear_message_that_holds_no_key()
        {
            await using var server = await RecordingHttpServer.StartAsync();
            server.Respond = _ => Reply.With(403, "{\"error\":\"invalid key " + Key + "\"}");
            var d = new NewRelicDestination(Options(server.BaseUri));
            d.TryEnqueue(SampleEvents.SessionStart());
            await d.StartAsync(CancellationToken.None);
            await d.StopAsync(Wait);

            var s = d.GetStatistics();
            Assert.Single(server.Requests);
            Assert.Equal(1, s.Dropped);
            Assert.Contains("refused the insert key (403)", s.LastError);
            InfluxDbDestinationTests.AssertNoSecret(d, Key);
        }

        [Fact]
        public async Task Server_errors_are_retried_a_bounded_number_of_times_then_counted_as_dropped()
        {
            await using var server = await RecordingHttpServer.StartAsync();
            server.Respond = _ => Reply.With(500, "oops, key was " + Key);
            var options = Options(server.BaseUri);
            options.MaxAttempts = 3;
            var d = new NewRelicDestination(options);
            d.TryEnqueue(SampleEvents.SessionStart());
            d.TryEnqueue(SampleEvents.SessionStop());
            await d.StartAsync(CancellationToken.None);
            await d.StopAsync(Wait);

            var s = d.GetStatistics();
            Assert.Equal(3, server.Requests.Count);
            Assert.Equal(3, s.Failed);
            Assert.Equal(2, s.Retried);
            Assert.Equal(2, s.Dropped);
            Assert.Equal(s.Enqueued, s.Sent + s.Dropped);
            Assert.Contains("answered 500: oops, key was …", s.LastError);
            InfluxDbDestinationTests.AssertNoSecret(d, Key);
        }

        [Fact]
        public void Bad_settings_are_refused()
        {
            Assert.Equal("NewRelicInsertKeyMissing", Assert.Throws<QlikActivityException>(() => new NewRelicDestination(new NewRelicDestinationOptions { AccountId = 1 })).ErrorId);
            Assert.Equal("NewRelicAccountInvalid", Assert.Throws<QlikActivityException>(() => new NewRelicDestination(new NewRelicDestinationOptions { InsertKey = Secure("k") })).ErrorId);
            Assert.Equal("DestinationBatchSizeInvalid", Assert.Throws<QlikActivityException>(() =>
                new NewRelicDestination(new NewRelicDestinationOptions { AccountId = 1, InsertKey = Secure("k"), BatchSize = 2001 })).ErrorId);
            Assert.Equal("NewRelicAttributeReserved", Assert.Throws<QlikActivityException>(() =>
                new NewRelicDestination(new NewRelicDestinationOptions
                {
                    AccountId = 1,
                    InsertKey = Secure("k"),
                    Attributes = new System.Collections.Generic.Dictionary<string, string> { ["qs_userId"] = "x" },
                })).ErrorId);
        }

        [Fact]
        public async Task Scrambling_with_a_salt_sends_pseudonyms()
        {
            await using var server = await RecordingHttpServer.StartAsync();
            var options = Options(server.BaseUri);
            options.ScrambleUserName = true;
            options.ScrambleSalt = Secure("salt");
            var d = new NewRelicDestination(options);
            Assert.True(d.ScrambleUserName);
            d.TryEnqueue(SampleEvents.SessionStart("anna"));
            await d.StartAsync(CancellationToken.None);
            var r = (await server.WaitForRequestsAsync(1, Wait))[0];
            await d.StopAsync(Wait);
            Assert.DoesNotContain("anna", r.Text);
            Assert.Matches("^[0-9a-f]{16}$", EventsOf(r)[0].GetProperty("qs_userId").GetString());
        }
    }
}
