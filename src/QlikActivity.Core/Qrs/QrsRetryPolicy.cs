using System;
using System.Net.Http;

namespace QlikActivity.Core.Qrs
{
    /// <summary>
    /// When to try a request again and how long to wait first. Rules:
    /// <list type="bullet">
    /// <item>GET, PUT and DELETE are retried after 429, 500, 502, 503, 504 and after a dropped or
    /// refused connection. A PUT carries the entity's <c>modifiedDate</c>, so sending it twice
    /// cannot overwrite a newer change: at worst the second one gets 409, which the caller
    /// handles like any conflict.</item>
    /// <item>POST creates things, so it is retried only when the server surely did nothing: 429,
    /// 503, or a connection that could not be opened at all.</item>
    /// <item>The wait doubles from the base delay per retry, capped, with "equal jitter" (half
    /// fixed, half random) so parallel clients do not retry in step; a server's Retry-After is
    /// honoured (capped at the maximum delay).</item>
    /// </list>
    /// No I/O here, so the rules are unit-tested directly.
    /// </summary>
    public sealed class QrsRetryPolicy
    {
        private readonly Func<double> _random;

        public QrsRetryPolicy(int maximumRetryCount, TimeSpan baseDelay, TimeSpan maximumDelay, Func<double>? random = null)
        {
            MaximumRetryCount = Math.Max(0, maximumRetryCount);
            BaseDelay = baseDelay < TimeSpan.Zero ? TimeSpan.Zero : baseDelay;
            MaximumDelay = maximumDelay < BaseDelay ? BaseDelay : maximumDelay;
            _random = random ?? SharedRandom.NextDouble;
        }

        public int MaximumRetryCount { get; }
        public TimeSpan BaseDelay { get; }
        public TimeSpan MaximumDelay { get; }

        /// <summary>Whether a response with <paramref name="status"/> is worth retry number <paramref name="retriesSoFar"/>+1.</summary>
        public bool ShouldRetry(HttpMethod method, int status, int retriesSoFar)
        {
            if (retriesSoFar >= MaximumRetryCount)
            {
                return false;
            }

            if (status == 429 || status == 503)
            {
                return true;
            }

            return IsIdempotent(method) && (status == 500 || status == 502 || status == 504);
        }

        /// <summary>
        /// Whether a transport failure is worth a retry. <paramref name="connectionOpened"/> is
        /// false when no connection could be made (nothing reached the server).
        /// </summary>
        public bool ShouldRetryTransport(HttpMethod method, bool connectionOpened, int retriesSoFar) =>
            retriesSoFar < MaximumRetryCount && (IsIdempotent(method) || !connectionOpened);

        /// <summary>The wait before retry number <paramref name="retriesSoFar"/>+1.</summary>
        public TimeSpan Delay(int retriesSoFar, TimeSpan? retryAfter)
        {
            if (retryAfter is { } after)
            {
                return after <= TimeSpan.Zero ? TimeSpan.Zero : (after > MaximumDelay ? MaximumDelay : after);
            }

            double full = BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retriesSoFar, 30));
            full = Math.Min(full, MaximumDelay.TotalMilliseconds);
            double jittered = full / 2 + (full / 2 * _random());
            return TimeSpan.FromMilliseconds(jittered);
        }

        public static bool IsIdempotent(HttpMethod method) =>
            method == HttpMethod.Get || method == HttpMethod.Put || method == HttpMethod.Delete || method == HttpMethod.Head;

        /// <summary>Retry-After as a delay from <paramref name="now"/> (seconds or an HTTP date).</summary>
        public static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
        {
            var header = response.Headers.RetryAfter;
            if (header == null)
            {
                return null;
            }

            if (header.Delta is { } delta)
            {
                return delta;
            }

            return header.Date is { } date ? date - now : null;
        }

        private static class SharedRandom
        {
            private static readonly Random Seed = new Random();

            [ThreadStatic]
            private static Random? _local;

            public static double NextDouble()
            {
                if (_local == null)
                {
                    int seed;
                    lock (Seed)
                    {
                        seed = Seed.Next();
                    }

                    _local = new Random(seed);
                }

                return _local.NextDouble();
            }
        }
    }
}
