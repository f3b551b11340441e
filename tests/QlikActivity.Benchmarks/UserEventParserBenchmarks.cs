using System;
using System.Text;
using BenchmarkDotNet.Attributes;
using QlikActivity.Core;
using QlikActivity.Core.Events;

namespace QlikActivity.Benchmarks
{
    /// <summary>The parser on realistic datagrams (target: under 1 µs per event). Run: <c>micro --filter *UserEventParser*</c>.</summary>
    [MemoryDiagnoser]
    public class UserEventParserBenchmarks
    {
        private readonly DateTime _at = DateTime.UtcNow;
        private UserEventParser _parser = null!;
        private byte[][] _mix = null!;
        private byte[] _sessionStart = null!;
        private byte[] _connectionClose = null!;
        private byte[] _rejected = null!;
        private int _next;

        [GlobalSetup]
        public void Setup()
        {
            _parser = new UserEventParser();
            _mix = RealisticDatagrams.Create(1024);
            _sessionStart = _mix[0];
            _connectionClose = _mix[2];
            _rejected = Encoding.UTF8.GetBytes("/qseow-proxy/;1;2024-05-01T10:00:00.000+0200;WARN;qs1;Audit.Proxy;sa_proxy;Something else;;");
        }

        [Benchmark]
        public UserEvent? SessionStartWithUserAgent() => _parser.Parse(_sessionStart, _at, "10.0.0.1").Event;

        [Benchmark]
        public UserEvent? ConnectionClose() => _parser.Parse(_connectionClose, _at, "10.0.0.1").Event;

        /// <summary>The benchmark sender's mix, one datagram after another.</summary>
        [Benchmark]
        public UserEvent? RealisticMix() => _parser.Parse(_mix[_next++ & 1023], _at, "10.0.0.1").Event;

        [Benchmark]
        public RejectReason Rejected() => _parser.Parse(_rejected, _at, "10.0.0.1").Reason;
    }
}
