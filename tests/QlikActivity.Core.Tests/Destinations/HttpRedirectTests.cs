using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Destinations;
using QlikActivity.Core.Destinations.InfluxDb;
using QlikActivity.Core.Destinations.NewRelic;
using QlikActivity.Core.Destinations.Webhooks;
using QlikActivity.Core.Tests.Destinations.InfluxDb;
using Xunit;
using static QlikActivity.Core.Tests.Destinations.TestSecrets;

namespace QlikActivity.Core.Tests.Destinations
{
    /// <summary>
    /// Issue 11 item 10: an HTTP destination that answers with a redirect must not make us carry the insert key,
    /// custom headers or the events to another server. The first server answers 307 to a second one, which must
    /// receive nothing; the failure names the status and never the secret.
    /// </summary>
    public class HttpRedirectTests
    {
        private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

        private static async Task<(RecordingHttpServer First, RecordingHttpServer Elsewhere)> RedirectingPairAsync()
        {
            var elsewhere = await RecordingHttpServer.StartAsync();
            var first = await RecordingHttpServer.StartAsync();
            first.Respond = r => new Reply { Status = 307, Headers = { ["Location"] = elsewhere.Url(r.Path + r.Query).AbsoluteUri } };
            return (first, elsewhere);
        }

        private static async Task AssertRedirectRefusedAsync(QueuedDestination d, RecordingHttpServer first, RecordingHttpServer elsewhere, params string[] secrets)
        {
            await d.StartAsync(CancellationToken.None);
            Assert.True(d.TryEnqueue(SampleEvents.SessionStart()));
            await first.WaitForRequestsAsync(1, Wait);
            await d.StopAsync(TimeSpan.FromSeconds(5));

            Assert.Empty(elsewhere.Requests);
            var s = d.GetStatistics();
            Assert.Equal(0, s.Sent);
            Assert.Equal(1, s.Dropped); // a redirect is not retried: the settings are wrong, not the server busy
            Assert.Single(first.Requests);
            Assert.Contains("answered 307", s.LastError);
            Assert.Contains("redirect", s.LastError);
            foreach (var secret in secrets)
            {
                InfluxDbDestinationTests.AssertNoSecret(d, secret);
            }
        }

        [Fact]
        public async Task InfluxDb_does_not_follow_a_redirect_with_its_token_and_points()
        {
            var (first, elsewhere) = await RedirectingPairAsync();
            await using (first)
            await using (elsewhere)
            {
                var d = new InfluxDbDestination(new InfluxDbDestinationOptions
                {
                    Url = first.BaseUri,
                    Version = 2,
                    Organization = "qlik",
                    Bucket = "events",
                    Token = Secure("tok-SECRET-307"),
                    BatchInterval = TimeSpan.FromMilliseconds(20),
                });
                await AssertRedirectRefusedAsync(d, first, elsewhere, "tok-SECRET-307");
            }
        }

        [Fact]
        public async Task New_relic_does_not_follow_a_redirect_with_its_insert_key()
        {
            var (first, elsewhere) = await RedirectingPairAsync();
            await using (first)
            await using (elsewhere)
            {
                var d = new NewRelicDestination(new NewRelicDestinationOptions
                {
                    AccountId = 1234567,
                    InsertKey = Secure("NRII-SECRET-307"),
                    Url = first.BaseUri,
                    BatchInterval = TimeSpan.FromMilliseconds(20),
                });
                await AssertRedirectRefusedAsync(d, first, elsewhere, "NRII-SECRET-307");
                Assert.Equal("NRII-SECRET-307", first.Requests[0].Header("X-Insert-Key"));
            }
        }

        [Theory]
        [InlineData(WebhookFormat.Json)]
        [InlineData(WebhookFormat.Slack)]
        [InlineData(WebhookFormat.Teams)]
        public async Task A_webhook_does_not_follow_a_redirect_with_its_headers_and_body(WebhookFormat format)
        {
            var (first, elsewhere) = await RedirectingPairAsync();
            await using (first)
            await using (elsewhere)
            {
                var d = new WebhookDestination(new WebhookDestinationOptions
                {
                    Url = Secure(first.Url("/services/T0/B0/SECRET307").AbsoluteUri),
                    Format = format,
                    Headers = new Dictionary<string, string> { ["X-Api-Key"] = "hdr-SECRET-307" },
                    BatchInterval = TimeSpan.FromMilliseconds(20),
                    MaxRetryDelay = TimeSpan.FromMilliseconds(100),
                });
                await AssertRedirectRefusedAsync(d, first, elsewhere, "hdr-SECRET-307", "/services/T0/B0/SECRET307", "SECRET307");
            }
        }
    }
}
