using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Destinations.Webhooks;
using QlikActivity.Core.Tests.Destinations.InfluxDb;
using Xunit;
using static QlikActivity.Core.Tests.Destinations.TestSecrets;

namespace QlikActivity.Core.Tests.Destinations.Webhooks
{
    /// <summary>WebhookDestination against local HTTP servers standing in for Slack, Teams and a generic webhook.</summary>
    public class WebhookDestinationTests
    {
        private const string SecretPath = "/services/T0SECRET/B0SECRET/XXXXSECRETXXXX";
        private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

        private static WebhookDestinationOptions Options(RecordingHttpServer server, WebhookFormat format, TestClock? clock = null) => new()
        {
            Url = Secure(server.Url(SecretPath).AbsoluteUri),
            Format = format,
            MaxRetryDelay = TimeSpan.FromMilliseconds(100),
            Clock = clock ?? new TestClock(),
        };

        [Fact]
        public async Task Slack_gets_several_events_per_message_at_most_one_message_a_second_and_none_is_lost()
        {
            await using var server = await RecordingHttpServer.StartAsync();
            var clock = new TestClock();
            var sentAt = new List<TimeSpan>();
            server.Respond = _ =>
            {
                lock (sentAt)
                {
                    sentAt.Add(clock.Elapsed);
                }

                return Reply.With(200, "ok");
            };
            var d = new WebhookDestination(Options(server, WebhookFormat.Slack, clock));
            await d.StartAsync(CancellationToken.None);
            for (int i = 0; i < 50; i++)
            {
                Assert.True(d.TryEnqueue(SampleEvents.ConnectionOpen("user" + i, i)));
            }

            await d.StopAsync(Wait);

            var requests = server.Requests;
            Assert.InRange(requests.Count, 3, 10); // 50 events, 20 lines a message at most
            var lines = requests.SelectMany(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("text").GetString()!.Split('\n')).ToList();
            Assert.Equal(50, lines.Count);
            Assert.Equal(Enumerable.Range(0, 50).Select(i => "LAB\\user" + i), lines.Select(l => l.Split('`')[1]));
            // The pacer asked for one second before every message but the first, and they left on that schedule.
            Assert.Equal(Enumerable.Repeat(TimeSpan.FromSeconds(1), requests.Count - 1), clock.Delays);
            Assert.Equal(Enumerable.Range(0, requests.Count).Select(i => TimeSpan.FromSeconds(i)), sentAt);

            Assert.All(requests, r => Assert.Equal(SecretPath, r.Path));
            Assert.All(requests, r => Assert.Equal("application/json; charset=utf-8", r.Header("Content-Type")));
            var s = d.GetStatistics();
            Assert.Equal(50, s.Sent);
            Assert.Equal(0, s.Dropped);
            AssertUrlHidden(d);
        }

        [Fact]
        public async Task A_slack_429_is_honoured_and_the_message_is_sent_again()
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
                    ? new Reply { Status = 429, Body = "rate_limited", Headers = { ["Retry-After"] = "2" } }
                    : Reply.With(200, "ok");
            };
            var d = new WebhookDestination(Options(server, WebhookFormat.Slack, clock));
            d.TryEnqueue(SampleEvents.SessionStart());
            await d.StartAsync(CancellationToken.None);
            var requests = await server.WaitForRequestsAsync(2, Wait);
            await d.StopAsync(Wait);

            Assert.Equal(requests[0].Body, requests[1].Body);
            // One wait of Retry-After's two seconds (not the pace's one second, not the 100 ms back-off), then the resend.
            Assert.Equal(new[] { TimeSpan.FromSeconds(2) }, clock.Delays);
            Assert.Equal(new[] { TimeSpan.Zero, TimeSpan.FromSeconds(2) }, sentAt);
            var s = d.GetStatistics();
            Assert.Equal(1, s.Sent);
            Assert.Equal(1, s.Retried);
            Assert.Contains("429", s.LastError);
        }

        [Fact]
        public async Task Teams_gets_an_adaptive_card_and_a_throttling_200_is_retried()
        {
            await using var server = await RecordingHttpServer.StartAsync();
            server.Respond = r => r.Number == 1
                ? Reply.With(200, "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId x")
                : Reply.With(200, "1");
            var d = new WebhookDestination(Options(server, WebhookFormat.Teams));
            d.TryEnqueue(SampleEvents.SessionStart());
            d.TryEnqueue(SampleEvents.SessionStop());
            await d.StartAsync(CancellationToken.None);
            var requests = await server.WaitForRequestsAsync(2, Wait);
            await d.StopAsync(Wait);

            var card = JsonDocument.Parse(requests[1].Body).RootElement.GetProperty("attachments")[0].GetProperty("content");
            Assert.Equal("AdaptiveCard", card.GetProperty("type").GetString());
            Assert.Equal(4, card.GetProperty("body").GetArrayLength());
            var s = d.GetStatistics();
            Assert.Equal(2, s.Sent);
            Assert.Equal(1, s.Retried);
            Assert.Equal("Teams webhook " + server.BaseUri.GetLeftPart(UriPartial.Authority) + "/…", d.Name);
        }

        [Fact]
        public async Task Teams_saying_it_did_not_post_is_a_failure_not_a_success()
        {
            await using var server = await RecordingHttpServer.StartAsync();
            server.Respond = _ => Reply.With(200, "Summary or Text is required.");
            var d = new WebhookDestination(Options(server, WebhookFormat.Teams));
            d.TryEnqueue(SampleEvents.SessionStart());
            await d.StartAsync(CancellationToken.None);
            await d.StopAsync(Wait);
            var s = d.GetStatistics();
            Assert.Equal(0, s.Sent);
            Assert.Equal(1, s.Dropped);
            Assert.Contains("Summary or Text is required.", s.LastError);
        }

        [Fact]
        public async Task A_json_webhook_gets_arrays_with_custom_headers_and_only_the_chosen_event_types()
        {
            await using var server = await RecordingHttpServer.StartAsync();
            var options = Options(server, WebhookFormat.Json);
            options.EventTypes = new[] { UserEventType.SessionStart, UserEventType.SessionStop };
            options.Headers = new Dictionary<string, string> { ["X-Api-Key"] = "hdr-SECRET", ["Content-Type"] = "application/vnd.qlik.events+json" };
            var d = new WebhookDestination(options);
            Assert.True(d.TryEnqueue(SampleEvents.SessionStart("a")));
            Assert.True(d.TryEnqueue(SampleEvents.ConnectionOpen("b"))); // filtered out, still "accepted"
            Assert.True(d.TryEnqueue(SampleEvents.ConnectionClose("c")));
            Assert.True(d.TryEnqueue(SampleEvents.SessionStop("d")));
            await d.StartAsync(CancellationToken.None);
            await d.StopAsync(Wait);

            var r = Assert.Single(server.Requests);
            Assert.Equal("hdr-SECRET", r.Header("X-Api-Key"));
            Assert.Equal("application/vnd.qlik.events+json", r.Header("Content-Type"));
            var events = JsonDocument.Parse(r.Body).RootElement.EnumerateArray().ToArray();
            Assert.Equal(new[] { "a", "d" }, events.Select(e => e.GetProperty("userId").GetString()).ToArray());
            var s = d.GetStatistics();
            Assert.Equal(2, s.Enqueued);
            Assert.Equal(2, s.Sent);
            Assert.Equal(new[] { UserEventType.SessionStart, UserEventType.SessionStop }, d.EventType);
            Assert.Equal(new[] { "X-Api-Key", "Content-Type" }, d.HeaderNames);
            InfluxDbDestinationTests.AssertNoSecret(d, "hdr-SECRET");
        }

        [Fact]
        public async Task Server_errors_get_bounded_retries_then_the_events_are_dropped_and_counted_without_showing_the_url()
        {
            await using var server = await RecordingHttpServer.StartAsync();
            server.Respond = r => Reply.With(500, "internal error at " + r.Path);
            var options = Options(server, WebhookFormat.Json);
            options.MaxAttempts = 3;
            var d = new WebhookDestination(options);
            for (int i = 0; i < 5; i++)
            {
                d.TryEnqueue(SampleEvents.SessionStart("u" + i));
            }

            await d.StartAsync(CancellationToken.None);
            await d.StopAsync(Wait);

            var s = d.GetStatistics();
            Assert.Equal(3, server.Requests.Count);
            Assert.Equal(3, s.Failed);
            Assert.Equal(2, s.Retried);
            Assert.Equal(5, s.Dropped);
            Assert.Equal(s.Enqueued, s.Sent + s.Dropped + s.QueueDepth + s.InFlight);
            Assert.Contains("answered 500: internal error at …", s.LastError);
            AssertUrlHidden(d);
        }

        [Fact]
        public async Task A_hanging_webhook_times_out_and_does_not_hold_up_another_destination()
        {
            await using var hanging = await RecordingHttpServer.StartAsync();
            hanging.Respond = _ => Reply.Hanging();
            await using var healthy = await RecordingHttpServer.StartAsync();
            var stuckOptions = Options(hanging, WebhookFormat.Json);
            stuckOptions.Timeout = TimeSpan.FromSeconds(10);
            stuckOptions.MaxAttempts = 3;
            var stuck = new WebhookDestination(stuckOptions);
            var fine = new WebhookDestination(Options(healthy, WebhookFormat.Json));
            await stuck.StartAsync(CancellationToken.None);
            await fine.StartAsync(CancellationToken.None);

            stuck.TryEnqueue(SampleEvents.SessionStart("first"));
            await hanging.WaitForRequestsAsync(1, Wait);
            for (int i = 0; i < 20; i++)
            {
                stuck.TryEnqueue(SampleEvents.SessionStart("s" + i));
                fine.TryEnqueue(SampleEvents.SessionStart("f" + i));
            }

            await healthy.WaitUntilAsync(r => r.Sum(x => JsonDocument.Parse(x.Body).RootElement.GetArrayLength()) == 20, Wait);
            var meanwhile = stuck.GetStatistics();
            Assert.Equal(0, meanwhile.Sent);
            Assert.Equal(1, meanwhile.InFlight); // still waiting on the first request
            Assert.Equal(20, meanwhile.QueueDepth);

            await fine.StopAsync(Wait);
            await stuck.StopAsync(TimeSpan.FromMilliseconds(200));
            Assert.Equal(20, fine.GetStatistics().Sent);
            var s = stuck.GetStatistics();
            Assert.Equal(21, s.Dropped);
            Assert.Equal(0, s.QueueDepth + s.InFlight);
        }

        [Fact]
        public async Task A_timed_out_request_is_retried_and_counted()
        {
            await using var server = await RecordingHttpServer.StartAsync();
            server.Respond = _ => Reply.Hanging();
            var options = Options(server, WebhookFormat.Slack);
            options.Timeout = TimeSpan.FromSeconds(1);
            options.MaxAttempts = 2;
            options.MinInterval = TimeSpan.Zero;
            var d = new WebhookDestination(options);
            d.TryEnqueue(SampleEvents.SessionStart());
            await d.StartAsync(CancellationToken.None);
            await d.StopAsync(Wait);
            var s = d.GetStatistics();
            Assert.Equal(2, server.Requests.Count);
            Assert.Equal(1, s.Dropped);
            Assert.Contains("did not answer within 1 s", s.LastError);
        }

        [Fact]
        public void Bad_settings_are_refused_without_repeating_the_url()
        {
            var ex = Assert.Throws<QlikActivityException>(() => new WebhookDestination(new WebhookDestinationOptions { Url = Secure("hooks.slack.com/services/T0SECRET") }));
            Assert.Equal("WebhookUrlInvalid", ex.ErrorId);
            Assert.DoesNotContain("T0SECRET", ex.Message);
            Assert.Equal("WebhookUrlMissing", Assert.Throws<QlikActivityException>(() => new WebhookDestination(new WebhookDestinationOptions())).ErrorId);
            Assert.Equal("WebhookHeaderInvalid", Assert.Throws<QlikActivityException>(() => new WebhookDestination(new WebhookDestinationOptions
            {
                Url = Secure("https://example.invalid/x"),
                Headers = new Dictionary<string, string> { ["Host"] = "elsewhere" },
            })).ErrorId);
            Assert.Equal("WebhookHeaderInvalid", Assert.Throws<QlikActivityException>(() => new WebhookDestination(new WebhookDestinationOptions
            {
                Url = Secure("https://example.invalid/x"),
                Headers = new Dictionary<string, string> { ["X-A\r\nInjected"] = "v" },
            })).ErrorId);
        }

        [Fact]
        public void Format_defaults_pace_slack_and_teams_at_one_message_a_second()
        {
            var slack = new WebhookDestination(new WebhookDestinationOptions { Url = Secure("https://hooks.slack.com/services/T0SECRET"), Format = WebhookFormat.Slack });
            var json = new WebhookDestination(new WebhookDestinationOptions { Url = Secure("https://example.invalid/hook") });
            Assert.Equal(TimeSpan.FromSeconds(1), slack.MinInterval);
            Assert.Equal(20, slack.BatchSize);
            Assert.Equal(TimeSpan.Zero, json.MinInterval);
            Assert.Equal(100, json.BatchSize);
            Assert.Equal("https://hooks.slack.com/…", slack.Host);
            Assert.Equal("Slack webhook https://hooks.slack.com/…", slack.ToString());
        }

        private static void AssertUrlHidden(WebhookDestination d)
        {
            InfluxDbDestinationTests.AssertNoSecret(d, "SECRET");
            Assert.EndsWith("/…", d.Host);
        }
    }
}
