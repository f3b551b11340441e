using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace QlikActivity.QrsSimulator
{
    /// <summary>Every HTTP request the simulator answered (or dropped: status 0), for exact count assertions.</summary>
    public sealed class RequestLog
    {
        private readonly object _gate = new object();
        private readonly List<(string Method, string Path, int Status)> _entries = new List<(string, string, int)>();
        private readonly ConcurrentDictionary<string, long> _byMethod = new ConcurrentDictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        private long _total;
        private readonly ConcurrentDictionary<string, int[]> _concurrency = new ConcurrentDictionary<string, int[]>(StringComparer.OrdinalIgnoreCase);

        public long Total => Interlocked.Read(ref _total);

        public long Count(string method) => _byMethod.TryGetValue(method, out var n) ? n : 0;

        /// <summary>Requests of a method whose path starts with <paramref name="pathPrefix"/> (case-insensitive), e.g. <c>/qrs/user/</c>.</summary>
        public long Count(string method, string pathPrefix)
        {
            lock (_gate)
            {
                return _entries.LongCount(e => string.Equals(e.Method, method, StringComparison.OrdinalIgnoreCase)
                                              && e.Path.StartsWith(pathPrefix, StringComparison.OrdinalIgnoreCase));
            }
        }

        /// <summary>Requests of a method and path prefix that got <paramref name="status"/>.</summary>
        public long Count(string method, string pathPrefix, int status)
        {
            lock (_gate)
            {
                return _entries.LongCount(e => e.Status == status
                                              && string.Equals(e.Method, method, StringComparison.OrdinalIgnoreCase)
                                              && e.Path.StartsWith(pathPrefix, StringComparison.OrdinalIgnoreCase));
            }
        }

        /// <summary>The most requests of a method handled at the same time since the last <see cref="Clear"/> (how parallel a client was).</summary>
        public int PeakConcurrent(string method) => _concurrency.TryGetValue(method, out var c) ? Volatile.Read(ref c[1]) : 0;

        /// <summary>A request of <paramref name="method"/> starts being handled; <see cref="Leave"/> when it ends.</summary>
        internal void Enter(string method)
        {
            var c = _concurrency.GetOrAdd(method, _ => new int[2]); // [0] in flight, [1] peak
            int now = Interlocked.Increment(ref c[0]);
            int peak;
            while (now > (peak = Volatile.Read(ref c[1])) && Interlocked.CompareExchange(ref c[1], now, peak) != peak)
            {
            }
        }

        internal void Leave(string method)
        {
            if (_concurrency.TryGetValue(method, out var c))
            {
                Interlocked.Decrement(ref c[0]);
            }
        }

        public IReadOnlyDictionary<string, long> ByMethod() => new Dictionary<string, long>(_byMethod, StringComparer.OrdinalIgnoreCase);

        public IReadOnlyList<(string Method, string Path, int Status)> Snapshot()
        {
            lock (_gate)
            {
                return _entries.ToArray();
            }
        }

        public void Clear()
        {
            lock (_gate)
            {
                _entries.Clear();
                _byMethod.Clear();
                Interlocked.Exchange(ref _total, 0);
                foreach (var c in _concurrency.Values)
                {
                    Volatile.Write(ref c[1], Volatile.Read(ref c[0]));
                }
            }
        }

        internal void Add(string method, string path, int status)
        {
            lock (_gate)
            {
                _entries.Add((method, path, status));
                _byMethod.AddOrUpdate(method, 1, (_, n) => n + 1);
                Interlocked.Increment(ref _total);
            }
        }
    }
}
