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

        /// <summary>Requests of <paramref name="method"/> being handled now (not yet logged).</summary>
        public int InFlight(string method) => _concurrency.TryGetValue(method, out var c) ? Volatile.Read(ref c[0]) : 0;

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

        /// <summary>
        /// The counts by method, by method and path family (<c>GET /qrs/user/full</c>, <c>PUT /qrs/user/{id}</c>)
        /// and by status, plus the peak concurrency per method: what <c>GET /simulator/requests</c> answers.
        /// </summary>
        public RequestCounts Counts()
        {
            var families = new SortedDictionary<string, long>(StringComparer.Ordinal);
            var statuses = new SortedDictionary<int, long>();
            var methods = new SortedDictionary<string, long>(StringComparer.Ordinal);
            long total;
            lock (_gate)
            {
                total = _entries.Count;
                foreach (var (method, path, status) in _entries)
                {
                    string m = method.ToUpperInvariant();
                    string key = m + " " + Family(path);
                    families[key] = families.TryGetValue(key, out var n) ? n + 1 : 1;
                    statuses[status] = statuses.TryGetValue(status, out var s) ? s + 1 : 1;
                    methods[m] = methods.TryGetValue(m, out var c) ? c + 1 : 1;
                }
            }

            var peaks = new SortedDictionary<string, int>(StringComparer.Ordinal);
            foreach (var pair in _concurrency)
            {
                peaks[pair.Key.ToUpperInvariant()] = Volatile.Read(ref pair.Value[1]);
            }

            return new RequestCounts(total, methods, families, statuses, peaks);
        }

        /// <summary>
        /// The path with its variable part named: <c>/qrs/user/0b6d...</c> becomes <c>/qrs/user/{id}</c>; a
        /// virtual proxy prefix is dropped; paths the QRS does not serve become <c>other</c>.
        /// </summary>
        public static string Family(string path)
        {
            int qrs = path.IndexOf("/qrs/", StringComparison.OrdinalIgnoreCase);
            if (qrs < 0)
            {
                return "other";
            }

            var route = Hosting.QrsRequestRules.Route(path.Substring(qrs));
            return route.Kind switch
            {
                Hosting.QrsRouteKind.About => "/qrs/about",
                Hosting.QrsRouteKind.AccessTypeInfo => "/qrs/license/accesstypeinfo",
                Hosting.QrsRouteKind.AccessTypeOverview => "/qrs/license/accesstypeoverview",
                Hosting.QrsRouteKind.List => "/qrs/" + route.Type!.Path,
                Hosting.QrsRouteKind.Full => "/qrs/" + route.Type!.Path + "/full",
                Hosting.QrsRouteKind.Count => "/qrs/" + route.Type!.Path + "/count",
                Hosting.QrsRouteKind.Many => "/qrs/" + route.Type!.Path + "/many",
                Hosting.QrsRouteKind.Table => "/qrs/" + route.Type!.Path + "/table",
                Hosting.QrsRouteKind.Item => "/qrs/" + route.Type!.Path + "/{id}",
                _ => "other",
            };
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

namespace QlikActivity.QrsSimulator
{
    /// <summary>A snapshot of a <see cref="RequestLog"/>'s counts; <see cref="ToJson"/> is the body of <c>GET /simulator/requests</c>.</summary>
    public sealed class RequestCounts
    {
        public RequestCounts(long total, IReadOnlyDictionary<string, long> byMethod, IReadOnlyDictionary<string, long> byFamily,
            IReadOnlyDictionary<int, long> byStatus, IReadOnlyDictionary<string, int> peakConcurrent)
        {
            Total = total;
            ByMethod = byMethod;
            ByFamily = byFamily;
            ByStatus = byStatus;
            PeakConcurrent = peakConcurrent;
        }

        public long Total { get; }

        /// <summary>Upper-case method to count.</summary>
        public IReadOnlyDictionary<string, long> ByMethod { get; }

        /// <summary><c>"GET /qrs/user/full"</c>, <c>"PUT /qrs/user/{id}"</c>... to count.</summary>
        public IReadOnlyDictionary<string, long> ByFamily { get; }

        /// <summary>HTTP status (0 = dropped) to count.</summary>
        public IReadOnlyDictionary<int, long> ByStatus { get; }

        /// <summary>The most requests of a method handled at once since the last reset.</summary>
        public IReadOnlyDictionary<string, int> PeakConcurrent { get; }

        /// <summary><c>{"total":N,"byMethod":{..},"byFamily":{..},"byStatus":{"200":N},"peakConcurrent":{..}}</c></summary>
        public string ToJson()
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var w = new System.Text.Json.Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteNumber("total", Total);
                w.WriteStartObject("byMethod");
                foreach (var p in ByMethod)
                {
                    w.WriteNumber(p.Key, p.Value);
                }

                w.WriteEndObject();
                w.WriteStartObject("byFamily");
                foreach (var p in ByFamily)
                {
                    w.WriteNumber(p.Key, p.Value);
                }

                w.WriteEndObject();
                w.WriteStartObject("byStatus");
                foreach (var p in ByStatus)
                {
                    w.WriteNumber(p.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), p.Value);
                }

                w.WriteEndObject();
                w.WriteStartObject("peakConcurrent");
                foreach (var p in PeakConcurrent)
                {
                    w.WriteNumber(p.Key, p.Value);
                }

                w.WriteEndObject();
                w.WriteEndObject();
            }

            return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
    }
}
