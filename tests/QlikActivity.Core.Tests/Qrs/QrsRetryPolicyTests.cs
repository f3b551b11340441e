using System;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using QlikActivity.Core.Qrs;
using Xunit;

namespace QlikActivity.Core.Tests.Qrs
{
    public class QrsRetryPolicyTests
    {
        private static QrsRetryPolicy Policy(double random = 0.5, int retries = 3) =>
            new QrsRetryPolicy(retries, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2), () => random);

        [Theory]
        [InlineData("GET", 429, true)]
        [InlineData("GET", 503, true)]
        [InlineData("GET", 500, true)]
        [InlineData("GET", 502, true)]
        [InlineData("GET", 504, true)]
        [InlineData("PUT", 500, true)]
        [InlineData("DELETE", 503, true)]
        [InlineData("POST", 429, true)]
        [InlineData("POST", 503, true)]
        [InlineData("POST", 500, false)]
        [InlineData("POST", 502, false)]
        [InlineData("GET", 400, false)]
        [InlineData("GET", 401, false)]
        [InlineData("GET", 403, false)]
        [InlineData("GET", 404, false)]
        [InlineData("PUT", 409, false)]
        public void Statuses_are_retried_by_method(string method, int status, bool retried)
        {
            Assert.Equal(retried, Policy().ShouldRetry(new HttpMethod(method), status, 0));
        }

        [Fact]
        public void Retries_stop_at_the_maximum()
        {
            var policy = Policy(retries: 2);
            Assert.True(policy.ShouldRetry(HttpMethod.Get, 503, 1));
            Assert.False(policy.ShouldRetry(HttpMethod.Get, 503, 2));
            Assert.False(policy.ShouldRetryTransport(HttpMethod.Get, true, 2));
        }

        [Fact]
        public void A_post_is_retried_after_a_transport_failure_only_if_nothing_reached_the_server()
        {
            var policy = Policy();
            Assert.True(policy.ShouldRetryTransport(HttpMethod.Post, connectionOpened: false, 0));
            Assert.False(policy.ShouldRetryTransport(HttpMethod.Post, connectionOpened: true, 0));
            Assert.True(policy.ShouldRetryTransport(HttpMethod.Put, connectionOpened: true, 0));
            Assert.True(policy.ShouldRetryTransport(HttpMethod.Get, connectionOpened: true, 0));
        }

        [Fact]
        public void Back_off_doubles_with_half_of_it_random_and_is_capped()
        {
            var low = Policy(random: 0);
            var high = Policy(random: 1);
            Assert.Equal(50, low.Delay(0, null).TotalMilliseconds, 3);
            Assert.Equal(100, high.Delay(0, null).TotalMilliseconds, 3);
            Assert.Equal(200, low.Delay(2, null).TotalMilliseconds, 3);
            Assert.Equal(400, high.Delay(2, null).TotalMilliseconds, 3);
            Assert.Equal(2000, high.Delay(20, null).TotalMilliseconds, 3);
            Assert.Equal(1000, low.Delay(20, null).TotalMilliseconds, 3);
        }

        [Fact]
        public void Retry_after_is_honoured_within_the_cap()
        {
            var policy = Policy();
            Assert.Equal(TimeSpan.FromSeconds(1), policy.Delay(0, TimeSpan.FromSeconds(1)));
            Assert.Equal(TimeSpan.FromSeconds(2), policy.Delay(0, TimeSpan.FromMinutes(5)));
            Assert.Equal(TimeSpan.Zero, policy.Delay(0, TimeSpan.FromSeconds(-3)));
        }

        [Fact]
        public void Retry_after_reads_seconds_and_dates()
        {
            var now = new DateTimeOffset(2024, 11, 15, 12, 0, 0, TimeSpan.Zero);
            using var seconds = new HttpResponseMessage((HttpStatusCode)429);
            seconds.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
            using var date = new HttpResponseMessage((HttpStatusCode)503);
            date.Headers.RetryAfter = new RetryConditionHeaderValue(now.AddSeconds(12));
            using var none = new HttpResponseMessage((HttpStatusCode)503);

            Assert.Equal(TimeSpan.FromSeconds(7), QrsRetryPolicy.RetryAfter(seconds, now));
            Assert.Equal(TimeSpan.FromSeconds(12), QrsRetryPolicy.RetryAfter(date, now));
            Assert.Null(QrsRetryPolicy.RetryAfter(none, now));
        }
    }
}
