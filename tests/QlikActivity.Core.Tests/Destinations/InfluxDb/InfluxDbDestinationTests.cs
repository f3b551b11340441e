using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Destinations;
using QlikActivity.Core.Destinations.InfluxDb;
using Xunit;
using static QlikActivity.Core.Tests.Destinations.TestSecrets;

namespace QlikActivity.Core.Tests.Destinations.InfluxDb
{
    /// <summary>
    /// The requests InfluxDbDestination makes, against a recording HTTP server. influxd 1.6 has no
    /// /api/v2/write, so the v2 request is checked here; the v1 API is also run against real influxd in
    /// <see cref="InfluxDbIntegrationTests"/>.
    /// </summary>
    public class InfluxDbDestinationTests
    {
        private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

        private static InfluxDbDestinationOptions V1(Uri url) => new()
        {
            Url = url,
            Database = "qlik",
            BatchInterval = TimeSpan.FromMilliseconds(20),
            MaxRetryDelay = TimeSpan.FromMilliseconds(200),
        };

        [Fact]
        public async Task The_v2_api_gets_org_bucket_precision_and_a_token_header()
        {
            await using var server = await RecordingHttpServer.StartAsync();
            server.Respond = _ => Reply.With(204);
            var d = new InfluxDbDestination(new InfluxDbDestinationOptions
            {
                Url = server.BaseUri,
                Version = 2,
                Organization = "qlik org",
                Bucket = "events/raw",
                Token = Secure("tok-SECRET-123"),
                BatchInterval = TimeSpan.FromMilliseconds(20),
            });
            d.TryEnqueue(SampleEvents.SessionStart());
            d.TryEnqueue(SampleEvents.SessionStop());
            await d.StartAsync(CancellationToken.None);
            var requests = await server.WaitForRequestsAsync(1, Wait);
            await d.StopAsync(Wait);

            var r = Assert.Single(requests);
            Assert.Equal("POST", r.Method);
            Assert.Equal("/api/v2/write", r.Path);
            Assert.Equal("?org=qlik%20org&bucket=events%2Fraw&precision=ns", r.Query);
            Assert.Equal("Token tok-SECRET-123", r.Header("Authorization"));
            Assert.Equal("text/plain; charset=utf-8", r.Header("Content-Type"));
            var lines = r.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(2, lines.Length);
            Assert.StartsWith("user_events,appId=e7af59a0-c243-480d-9571-08727551a66f,appName=Sales\\,\\ \"2024\",event_action=Start\\ session,host=sense1.lab.local,", lines[0]);
            Assert.StartsWith("user_events,event_action=Stop\\ session,host=sense1.lab.local,", lines[1]);

            var s = d.GetStatistics();
            Assert.Equal(2, s.Sent);
            Assert.Equal(0, s.Dropped);
            Assert.Equal(2, d.Version);
            Assert.Equal("events/raw", d.Bucket);
            AssertNoSecret(d, "tok-SECRET-123");
        }

        [Fact]
        public async Task The_v1_api_gets_db_rp_basic_credentials_and_a_gzip_body_when_asked()
        {
            await using var server = await RecordingHttpServer.StartAsync();
            server.Respond = _ => Reply.With(204);
            var options = V1(server.Url("/influx/"));
            options.RetentionPolicy = "one week";
            options.UserName = "writer";
            options.Password = Secure("pässword-SECRET");
            options.Compress = true;
            options.Tags = new Dictionary<string, string> { ["qs_env"] = "prod" };
            var d = new InfluxDbDestination(options);
            d.TryEnqueue(SampleEvents.SessionStart());
            await d.StartAsync(CancellationToken.None);
            var r = (await server.WaitForRequestsAsync(1, Wait))[0];
            await d.StopAsync(Wait);

            Assert.Equal("/influx/write", r.Path);
            Assert.Equal("?db=qlik&rp=one%20week&precision=ns", r.Query);
            Assert.Equal("Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("writer:pässword-SECRET")), r.Header("Authorization"));
            Assert.Equal("gzip", r.Header("Content-Encoding"));
            Assert.NotEqual(r.RawBody, r.Body);
            Assert.Contains(",origin=AppAccess,qs_env=prod,uaBrowserMajorVersion=120,", r.Text);
            Assert.Equal("writer", d.UserName);
            Assert.Equal("prod", d.Tags["qs_env"]);
            AssertNoSecret(d, "pässword-SECRET");
        }

        [Fact]
        public async Task Events_received_at_the_same_instant_get_distinct_increasing_timestamps()
        {
            await using var server = await RecordingHttpServer.StartAsync();
            server.Respond = _ => Reply.With(204);
            var d = new InfluxDbDestination(V1(server.BaseUri));
            for (int i = 0; i < 3; i++)
            {
                d.TryEnqueue(SampleEvents.SessionStart());
            }

            await d.StartAsync(CancellationToken.None);
            var r = (await server.WaitForRequestsAsync(1, Wait))[0];
            await d.StopAsync(Wait);
            long expected = LineProtocolWriter.ToTimestamp(SampleEvents.Time, InfluxDbPrecision.Nanoseconds);
            var stamps = r.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => long.Parse(l.Substring(l.LastIndexOf(' ') + 1))).ToArray();
            Assert.Equal(new[] { expected, expected + 1, expected + 2 }, stamps);
        }

        [Fact]
        public async Task A_5xx_is_retried_with_the_very_same_body()
        {
            await using var server = await RecordingHttpServer.StartAsync();
            server.Respond = r => r.Number == 1 ? Reply.With(503, "{\"error\":\"engine busy\"}") : Reply.With(204);
            var d = new InfluxDbDestination(V1(server.BaseUri));
            d.TryEnqueue(SampleEvents.SessionStart());
            d.TryEnqueue(SampleEvents.ConnectionOpen());
            await d.StartAsync(CancellationToken.None);
            var requests = await server.WaitForRequestsAsync(2, Wait);
            await d.StopAsync(Wait);

            Assert.Equal(requests[0].Body, requests[1].Body);
            var s = d.GetStatistics();
            Assert.Equal(2, s.Sent);
            Assert.Equal(1, s.Failed);
            Assert.Equal(1, s.Retried);
            Assert.Contains("503", s.LastError);
            Assert.Contains("engine busy", s.LastError);
        }

        [Fact]
        public async Task A_429_waits_at_least_as_long_as_Retry_After_says()
        {
            await using var server = await RecordingHttpServer.StartAsync();
            var clock = new TestClock();
            var sentAt = new List<TimeSpan>();
            server.Respond = r =>
            {
                lock (sentAt)
                {
                    sentAt.Add(clock.Elapsed);
                }

                return r.Number == 1
                    ? new Reply { Status = 429, Headers = { ["Retry-After"] = "2" } }
                    : Reply.With(204);
            };
            var options = V1(server.BaseUri);
            options.Clock = clock;
            var d = new InfluxDbDestination(options);
            d.TryEnqueue(SampleEvents.SessionStart());
            await d.StartAsync(CancellationToken.None);
            var requests = await server.WaitForRequestsAsync(2, Wait);
            await d.StopAsync(Wait);

            // Without Retry-After the first back-off is at most 200 ms here: the one wait asked for is Retry-After's.
            Assert.Equal(new[] { TimeSpan.FromSeconds(2) }, clock.Delays);
            Assert.Equal(new[] { TimeSpan.Zero, TimeSpan.FromSeconds(2) }, sentAt);
            Assert.Equal(requests[0].Body, requests[1].Body);
            Assert.Equal(1, d.GetStatistics().Sent);
        }

        [Fact]
        public async Task A_400_is_not_retried_and_keeps_the_server_message()
        {
            await using var server = await RecordingHttpServer.StartAsync();
            server.Respond = _ => Reply.With(400, "{\"error\":\"unable to parse 'x': invalid field format\"}");
            var d = new InfluxDbDestination(V1(server.BaseUri));
            d.TryEnqueue(SampleEvents.SessionStart());
            d.TryEnqueue(SampleEvents.SessionStop());
            await d.StartAsync(CancellationToken.None);
            await server.WaitForRequestsAsync(1, Wait);
            await d.StopAsync(Wait);

            var s = d.GetStatistics();
            Assert.Single(server.Requests);
            Assert.Equal(2, s.Dropped);
            Assert.Equal(0, s.Retried);
            Assert.Contains("rejected the points (400)", s.LastError);
            Assert.Contains("invalid field format", s.LastError);
        }

        [Fact]
        public async Task A_401_gives_up_with_a_message_about_credentials_that_holds_no_password()
        {
            await using var server = await RecordingHttpServer.StartAsync();
            server.Respond = _ => Reply.With(401, "{\"error\":\"authorization failed\"}");
            var options = V1(server.BaseUri);
            options.UserName = "writer";
            options.Password = Secure("wrong-SECRET");
            var d = new InfluxDbDestination(options);
            d.TryEnqueue(SampleEvents.SessionStart());
            await d.StartAsync(CancellationToken.None);
            await server.WaitForRequestsAsync(1, Wait);
            await d.StopAsync(Wait);

            var s = d.GetStatistics();
            Assert.Equal(1, s.Dropped);
            Assert.Contains("refused the credentials (401)", s.LastError);
            Assert.Contains("-Credential", s.LastError);
            AssertNoSecret(d, "wrong-SECRET");
        }

        [Fact]
        public async Task A_hanging_server_costs_a_timeout_per_attempt_and_bounded_attempts_end_in_drops()
        {
            await using var server = await RecordingHttpServer.StartAsync();
            server.Respond = _ => Reply.Hanging();
            var options = V1(server.BaseUri);
            options.Timeout = TimeSpan.FromSeconds(1);
            options.MaxAttempts = 2;
            var d = new InfluxDbDestination(options);
            d.TryEnqueue(SampleEvents.SessionStart());
            await d.StartAsync(CancellationToken.None);
            await server.WaitForRequestsAsync(2, Wait);
            await d.StopAsync(Wait);

            var s = d.GetStatistics();
            Assert.Equal(1, s.Dropped);
            Assert.Equal(2, s.Failed);
            Assert.Contains("did not answer within 1 s", s.LastError);
        }

        [Fact]
        public async Task A_refused_connection_is_retried_then_counted()
        {
            var closed = new Uri("http://127.0.0.1:" + FreePort());
            var options = V1(closed);
            options.MaxAttempts = 3;
            options.MaxRetryDelay = TimeSpan.FromMilliseconds(20);
            var d = new InfluxDbDestination(options);
            d.TryEnqueue(SampleEvents.SessionStart());
            await d.StartAsync(CancellationToken.None);
            await d.StopAsync(Wait);

            var s = d.GetStatistics();
            Assert.Equal(3, s.Failed);
            Assert.Equal(2, s.Retried);
            Assert.Equal(1, s.Dropped);
            Assert.Contains("could not be reached", s.LastError);
        }

        [Theory]
        [InlineData("http://user:pw@influx:8086", 1, "credentials")]
        [InlineData("http://influx:8086/?db=x", 1, "query")]
        [InlineData("ftp://influx", 1, "http://")]
        [InlineData("http://influx:8086", 3, "1 or 2")]
        public void Bad_settings_are_refused_with_an_explanation(string url, int version, string expected)
        {
            var ex = Assert.Throws<QlikActivityException>(() => new InfluxDbDestination(new InfluxDbDestinationOptions { Url = new Uri(url), Version = version, Database = "x" }));
            Assert.Contains(expected, ex.Message);
            Assert.Equal(OperationErrorCategory.InvalidArgument, ex.Category);
            Assert.DoesNotContain("pw", ex.Message);
        }

        [Fact]
        public void Version_2_needs_a_token_and_a_bucket_and_tags_cannot_replace_built_in_ones()
        {
            var url = new Uri("http://influx:8086");
            Assert.Equal("InfluxDbTokenMissing", Assert.Throws<QlikActivityException>(() =>
                new InfluxDbDestination(new InfluxDbDestinationOptions { Url = url, Version = 2, Organization = "o", Bucket = "b" })).ErrorId);
            Assert.Equal("InfluxDbBucketMissing", Assert.Throws<QlikActivityException>(() =>
                new InfluxDbDestination(new InfluxDbDestinationOptions { Url = url, Version = 2, Organization = "o", Token = Secure("t") })).ErrorId);
            Assert.Equal("InfluxDbDatabaseMissing", Assert.Throws<QlikActivityException>(() =>
                new InfluxDbDestination(new InfluxDbDestinationOptions { Url = url })).ErrorId);
            Assert.Equal("InfluxDbTagReserved", Assert.Throws<QlikActivityException>(() =>
                new InfluxDbDestination(new InfluxDbDestinationOptions { Url = url, Database = "d", Tags = new Dictionary<string, string> { ["host"] = "x" } })).ErrorId);
        }

        [Fact]
        public void Retry_After_is_read_as_seconds_or_a_date_and_capped()
        {
            using var seconds = new HttpResponseMessage((System.Net.HttpStatusCode)429);
            seconds.Headers.Add("Retry-After", "7");
            Assert.Equal(TimeSpan.FromSeconds(7), HttpDelivery.RetryAfter(seconds));

            using var date = new HttpResponseMessage((System.Net.HttpStatusCode)503);
            date.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(DateTimeOffset.UtcNow.AddSeconds(30));
            var fromDate = HttpDelivery.RetryAfter(date)!.Value;
            Assert.InRange(fromDate, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(31));

            using var past = new HttpResponseMessage((System.Net.HttpStatusCode)503);
            past.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(DateTimeOffset.UtcNow.AddHours(-1));
            Assert.Equal(TimeSpan.Zero, HttpDelivery.RetryAfter(past));

            using var huge = new HttpResponseMessage((System.Net.HttpStatusCode)429);
            huge.Headers.Add("Retry-After", "86400");
            Assert.Equal(HttpDelivery.MaxRetryAfter, HttpDelivery.RetryAfter(huge));

            using var none = new HttpResponseMessage((System.Net.HttpStatusCode)503);
            Assert.Null(HttpDelivery.RetryAfter(none));
        }

        internal static void AssertNoSecret(QueuedDestination d, string secret)
        {
            var s = d.GetStatistics();
            Assert.DoesNotContain(secret, d.Name);
            Assert.DoesNotContain(secret, d.ToString());
            Assert.DoesNotContain(secret, s.LastError ?? "");
            foreach (var property in d.GetType().GetProperties())
            {
                Assert.DoesNotContain(secret, property.GetValue(d)?.ToString() ?? "");
            }
        }

        private static int FreePort()
        {
            var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            l.Start();
            int port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            return port;
        }
    }
}
