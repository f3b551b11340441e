using System;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace QlikActivity.Core.Destinations.Webhooks
{
    /// <summary>
    /// Spaces the requests to one webhook at least an interval apart. Slack allows about one message per
    /// second per incoming webhook; events arriving faster wait in the queue and leave together in the next
    /// message instead of being dropped. Destinations posting to the same URL share one pacer.
    /// </summary>
    [SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "SemaphoreSlim holds no OS handle unless AvailableWaitHandle is read, which this code never does; and a Release can still come from a continuation after the owner is done, which a disposed semaphore would turn into an exception.")]
    internal sealed class MessagePacer
    {
        // Keyed by a hash of the URL: the webhook URL is a secret and is not kept in a second place.
        private static readonly ConcurrentDictionary<string, MessagePacer> ByWebhook = new ConcurrentDictionary<string, MessagePacer>(StringComparer.Ordinal);

        private readonly SemaphoreSlim _turn = new SemaphoreSlim(1, 1);
        private readonly object _gate = new object();
        private readonly IClock _clock;
        private TimeSpan _next;

        public MessagePacer(TimeSpan interval, IClock? clock = null)
        {
            Interval = interval;
            _clock = clock ?? SystemClock.Instance;
            _next = _clock.Elapsed;
        }

        public TimeSpan Interval { get; }

        /// <summary>The pacer of <paramref name="webhookUrl"/>, created with <paramref name="interval"/> (and <paramref name="clock"/>) by its first user.</summary>
        public static MessagePacer For(string webhookUrl, TimeSpan interval, IClock? clock = null)
        {
            if (clock != null && clock != SystemClock.Instance)
            {
                return new MessagePacer(interval, clock); // a test's clock is a timeline of its own: not shared
            }

            string key;
            using (var sha = SHA256.Create())
            {
                key = Convert.ToBase64String(sha.ComputeHash(Encoding.UTF8.GetBytes(webhookUrl)));
            }

            return ByWebhook.GetOrAdd(key, _ => new MessagePacer(interval, clock));
        }

        /// <summary>
        /// Waits until a request may be sent and holds the turn while it is; disposing the turn books the next
        /// slot one interval after this request ended, so the spacing holds as Slack measures it, on arrival.
        /// </summary>
        public async Task<IDisposable> TakeTurnAsync(CancellationToken cancellationToken)
        {
            await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                TimeSpan wait;
                lock (_gate)
                {
                    wait = _next - _clock.Elapsed;
                }

                if (wait > TimeSpan.Zero)
                {
                    await _clock.Delay(wait, cancellationToken).ConfigureAwait(false);
                }

                return new Turn(this);
            }
            catch
            {
                _turn.Release();
                throw;
            }
        }

        /// <summary>After a 429, no request may leave before <paramref name="delay"/> has passed.</summary>
        public void Hold(TimeSpan delay)
        {
            lock (_gate)
            {
                var until = _clock.Elapsed + delay;
                if (until > _next)
                {
                    _next = until;
                }
            }
        }

        private void EndTurn()
        {
            lock (_gate)
            {
                var next = _clock.Elapsed + Interval;
                if (next > _next)
                {
                    _next = next;
                }
            }

            _turn.Release();
        }

        private sealed class Turn : IDisposable
        {
            private MessagePacer? _pacer;

            public Turn(MessagePacer pacer) => _pacer = pacer;

            public void Dispose() => Interlocked.Exchange(ref _pacer, null)?.EndTurn();
        }
    }
}
