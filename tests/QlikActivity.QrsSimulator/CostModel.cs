using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;

namespace QlikActivity.QrsSimulator
{
    /// <summary>What a request asks the repository to do, for its service time.</summary>
    public enum RequestKind
    {
        /// <summary><c>GET /qrs/{type}</c>, condensed.</summary>
        List,
        /// <summary><c>GET /qrs/{type}/full</c> and <c>POST /qrs/{type}/table</c>.</summary>
        Full,
        /// <summary><c>GET /qrs/{type}/count</c>.</summary>
        Count,
        /// <summary><c>GET /qrs/{type}/{id}</c>, <c>/qrs/about</c>, the license overviews.</summary>
        Item,
        Put,
        /// <summary><c>POST /qrs/{type}</c> and <c>/many</c>.</summary>
        Post,
        Delete,
    }

    /// <summary>
    /// A lognormal service time given by its median and 95th percentile, plus a cost per row returned
    /// (lists take longer the more they carry). Median equal to p95 makes it fixed.
    /// </summary>
    public sealed class ServiceTime
    {
        // The standard normal's 95th percentile.
        private const double Z95 = 1.6448536269514722;

        public ServiceTime(TimeSpan median, TimeSpan p95, TimeSpan perRow = default)
        {
            if (median < TimeSpan.Zero || p95 < median || perRow < TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(p95), "need 0 <= median <= p95 and perRow >= 0");
            }

            Median = median;
            P95 = p95;
            PerRow = perRow;
        }

        public TimeSpan Median { get; }
        public TimeSpan P95 { get; }
        public TimeSpan PerRow { get; }

        /// <summary>A fixed time: every request takes exactly <paramref name="time"/>.</summary>
        public static ServiceTime Fixed(TimeSpan time) => new ServiceTime(time, time);

        /// <summary>Parses <c>median:p95[:perRow]</c> in milliseconds, e.g. <c>35:110</c> or <c>30:90:0.15</c>.</summary>
        public static ServiceTime Parse(string text)
        {
            var parts = text.Split(':');
            if (parts.Length is < 2 or > 3)
            {
                throw new FormatException($"a service time is median:p95[:perRow] in milliseconds, not '{text}'");
            }

            static TimeSpan Ms(string s) => TimeSpan.FromMilliseconds(double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture));
            return new ServiceTime(Ms(parts[0]), Ms(parts[1]), parts.Length == 3 ? Ms(parts[2]) : TimeSpan.Zero);
        }

        /// <summary>One draw: median·e^(σZ) with σ = ln(p95/median)/1.645, plus <see cref="PerRow"/> per row.</summary>
        public TimeSpan Sample(Random random, int rows)
        {
            double median = Median.TotalMilliseconds;
            double ms = median;
            if (P95 > Median && median > 0)
            {
                double sigma = Math.Log(P95.TotalMilliseconds / median) / Z95;
                ms = median * Math.Exp(sigma * StandardNormal(random));
            }

            return TimeSpan.FromMilliseconds(ms + PerRow.TotalMilliseconds * Math.Max(0, rows));
        }

        private static double StandardNormal(Random random)
        {
            // Box-Muller; 1 - NextDouble() is in (0, 1], so the log is finite.
            double u1 = 1.0 - random.NextDouble();
            double u2 = random.NextDouble();
            return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        }

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0}:{1}:{2}",
            Median.TotalMilliseconds, P95.TotalMilliseconds, PerRow.TotalMilliseconds);
    }

    /// <summary>
    /// How long the simulated repository takes and how much it does at once. Off by default: then every
    /// request is served at once, as fast as the machine allows. On: at most <see cref="Capacity"/>
    /// requests are in service, up to <see cref="QueueLimit"/> more wait in arrival order, and any beyond
    /// get <see cref="OverloadStatus"/> (503 or 429, with <c>Retry-After: 1</c>) at once. Numbers and their
    /// reasons: docs/qrs-simulator.md.
    /// </summary>
    public sealed class CostModelOptions
    {
        private int _overloadStatus = 503;
        private int _capacity = 4;
        private int _queueLimit = 100;

        public bool Enabled { get; set; }

        /// <summary>Requests in service at once.</summary>
        public int Capacity
        {
            get => _capacity;
            set => _capacity = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "capacity is at least 1");
        }

        /// <summary>Requests that may wait for a free place; one more is refused.</summary>
        public int QueueLimit
        {
            get => _queueLimit;
            set => _queueLimit = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "the queue limit is not negative");
        }

        /// <summary>503 (what HTTP.sys, under the QRS, answers when its queue is full) or 429.</summary>
        public int OverloadStatus
        {
            get => _overloadStatus;
            set => _overloadStatus = value is 429 or 503 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "429 or 503");
        }

        /// <summary>Seed of the service-time draws; null = not reproducible.</summary>
        public int? Seed { get; set; }

        /// <summary>Service time per request kind; see <see cref="Defaults"/>.</summary>
        public Dictionary<RequestKind, ServiceTime> ServiceTimes { get; } = Defaults();

        /// <summary>The default service times (milliseconds: median, p95, per row).</summary>
        public static Dictionary<RequestKind, ServiceTime> Defaults() => new Dictionary<RequestKind, ServiceTime>
        {
            [RequestKind.List] = new ServiceTime(Ms(20), Ms(60), Ms(0.02)),
            [RequestKind.Full] = new ServiceTime(Ms(30), Ms(90), Ms(0.15)),
            [RequestKind.Count] = new ServiceTime(Ms(10), Ms(30)),
            [RequestKind.Item] = new ServiceTime(Ms(12), Ms(40)),
            [RequestKind.Put] = new ServiceTime(Ms(35), Ms(110)),
            [RequestKind.Post] = new ServiceTime(Ms(45), Ms(140)),
            [RequestKind.Delete] = new ServiceTime(Ms(40), Ms(120)),
        };

        /// <summary>Every kind takes exactly <paramref name="time"/> (for tests of the queue).</summary>
        public CostModelOptions WithFixedTime(TimeSpan time)
        {
            foreach (RequestKind kind in Enum.GetValues(typeof(RequestKind)))
            {
                ServiceTimes[kind] = ServiceTime.Fixed(time);
            }

            return this;
        }

        private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);
    }

    /// <summary>
    /// The running cost model: a counted admission (service + queue), a semaphore for the places in service,
    /// and a delay per request drawn from its kind's service time. Counters are for tests and
    /// <c>GET /simulator/costmodel</c>.
    /// </summary>
    public sealed class CostModel
    {
        private readonly CostModelOptions _options;
        private readonly SemaphoreSlim _places;
        private readonly Random _random;
        private readonly object _randomGate = new object();
        private int _admitted;
        private int _inService;
        private int _peakInService;
        private int _peakQueued;
        private long _served;
        private long _rejected;

        internal CostModel(CostModelOptions options)
        {
            _options = options;
            _places = new SemaphoreSlim(options.Capacity, options.Capacity);
            _random = options.Seed is { } seed ? new Random(seed) : new Random();
        }

        public bool Enabled => _options.Enabled;
        public int Capacity => _options.Capacity;
        public int QueueLimit => _options.QueueLimit;
        public int OverloadStatus => _options.OverloadStatus;

        /// <summary>Requests in service now.</summary>
        public int InService => Volatile.Read(ref _inService);

        /// <summary>Requests waiting for a place now.</summary>
        public int Queued => Math.Max(0, Volatile.Read(ref _admitted) - Volatile.Read(ref _inService));

        public int PeakInService => Volatile.Read(ref _peakInService);
        public int PeakQueued => Volatile.Read(ref _peakQueued);

        /// <summary>Requests that went through service.</summary>
        public long Served => Interlocked.Read(ref _served);

        /// <summary>Requests refused because service and queue were full.</summary>
        public long Rejected => Interlocked.Read(ref _rejected);

        /// <summary>Zeroes the counters (not what is in service or queued now).</summary>
        public void ResetCounters()
        {
            Volatile.Write(ref _peakInService, InService);
            Volatile.Write(ref _peakQueued, Queued);
            Interlocked.Exchange(ref _served, 0);
            Interlocked.Exchange(ref _rejected, 0);
        }

        /// <summary>
        /// Admits a request: null when it must be refused (service and queue full), otherwise a place in
        /// service once one is free. Dispose the place when the answer is written.
        /// </summary>
        internal async Task<Place?> EnterAsync(RequestKind kind, CancellationToken ct)
        {
            int admitted = Interlocked.Increment(ref _admitted);
            if (admitted > _options.Capacity + _options.QueueLimit)
            {
                Interlocked.Decrement(ref _admitted);
                Interlocked.Increment(ref _rejected);
                return null;
            }

            Raise(ref _peakQueued, admitted - _options.Capacity);
            try
            {
                await _places.WaitAsync(ct).ConfigureAwait(false);
            }
            catch
            {
                Interlocked.Decrement(ref _admitted);
                throw;
            }

            Raise(ref _peakInService, Interlocked.Increment(ref _inService));
            return new Place(this, kind);
        }

        private TimeSpan Sample(RequestKind kind, int rows)
        {
            var time = _options.ServiceTimes.TryGetValue(kind, out var t) ? t : ServiceTime.Fixed(TimeSpan.Zero);
            lock (_randomGate)
            {
                return time.Sample(_random, rows);
            }
        }

        private void Leave()
        {
            Interlocked.Decrement(ref _inService);
            Interlocked.Decrement(ref _admitted);
            Interlocked.Increment(ref _served);
            _places.Release();
        }

        private static void Raise(ref int peak, int value)
        {
            int seen;
            while (value > (seen = Volatile.Read(ref peak)) && Interlocked.CompareExchange(ref peak, value, seen) != seen)
            {
            }
        }

        /// <summary>One request's place in service.</summary>
        internal sealed class Place : IDisposable
        {
            private readonly CostModel _model;
            private readonly RequestKind _kind;
            private int _served;
            private int _disposed;

            public Place(CostModel model, RequestKind kind)
            {
                _model = model;
                _kind = kind;
            }

            /// <summary>Spends the request's service time (once), given the rows its answer carries.</summary>
            public Task ServeAsync(int rows, CancellationToken ct)
            {
                if (Interlocked.Exchange(ref _served, 1) != 0)
                {
                    return Task.CompletedTask;
                }

                var time = _model.Sample(_kind, rows);
                return time > TimeSpan.Zero ? Task.Delay(time, ct) : Task.CompletedTask;
            }

            public void Dispose()
            {
                if (Interlocked.Exchange(ref _disposed, 1) == 0)
                {
                    _model.Leave();
                }
            }
        }
    }
}
