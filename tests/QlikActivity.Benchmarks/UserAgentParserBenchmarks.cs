using System;
using BenchmarkDotNet.Attributes;
using QlikActivity.Core.Events;

namespace QlikActivity.Benchmarks
{
    /// <summary>
    /// The user-agent parser runs once per user event (up to 100,000 a second).
    /// <c>Parse</c> is what the listener calls: a user agent seen before, in a new string instance
    /// as each datagram brings it, answered from the result cache. <c>ParseUncached</c> is the full
    /// parse a user agent gets the first time it is seen.
    /// </summary>
    [MemoryDiagnoser]
    public class UserAgentParserBenchmarks
    {
        private string _seen = "";

        [Params(
            "ChromeWindows",
            "EdgeWindows",
            "SafariMac",
            "SafariIPhone",
            "ChromeAndroid",
            "FirefoxLinux",
            "IE11")]
        public string Agent { get; set; } = "ChromeWindows";

        private static string UserAgentFor(string agent) => agent switch
        {
            "ChromeWindows" => "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
            "EdgeWindows" => "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
            "SafariMac" => "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
            "SafariIPhone" => "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
            "ChromeAndroid" => "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
            "FirefoxLinux" => "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
            "IE11" => "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko",
            _ => throw new ArgumentOutOfRangeException(nameof(agent)),
        };

        [GlobalSetup]
        public void Setup()
        {
            string userAgent = UserAgentFor(Agent);
            UserAgentParser.Parse(userAgent);

            // Equal text, another instance: the cache must compare contents, as with real datagrams.
            _seen = new string(userAgent.ToCharArray());
        }

        [Benchmark(Baseline = true)]
        public UserAgentInfo ParseUncached() => UserAgentParser.ParseUncached(_seen.AsSpan());

        [Benchmark]
        public UserAgentInfo Parse() => UserAgentParser.Parse(_seen);
    }
}
