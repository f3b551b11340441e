using System;
using System.Collections.Generic;
using System.Text;

namespace QlikActivity.Benchmarks
{
    /// <summary>A repeatable mix of datagrams like a busy Proxy sends: a few hosts, browsers and apps, many users.</summary>
    public static class RealisticDatagrams
    {
        private static readonly string[] Hosts = { "qs-central.corp.example", "qs-rim1.corp.example", "qs-rim2.corp.example" };
        private static readonly string[] Directories = { "CORP", "PARTNERS", "INTERNAL" };

        private static readonly string[] Agents =
        {
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.67",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
            "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
            "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:124.0) Gecko/20100101 Firefox/124.0",
        };

        /// <summary><paramref name="count"/> distinct datagrams (UTF-8), the same for the same seed.</summary>
        public static byte[][] Create(int count, int seed = 42)
        {
            var random = new Random(seed);
            var apps = new Guid[25];
            for (int i = 0; i < apps.Length; i++)
            {
                var bytes = new byte[16];
                random.NextBytes(bytes);
                apps[i] = new Guid(bytes);
            }

            var result = new byte[count][];
            for (int i = 0; i < count; i++)
            {
                result[i] = Encoding.UTF8.GetBytes(One(random, apps, i));
            }

            return result;
        }

        public static string One(Random random, IReadOnlyList<Guid> apps, int n)
        {
            string host = Hosts[random.Next(Hosts.Length)];
            string directory = Directories[random.Next(Directories.Length)];
            string user = "user" + random.Next(5000);
            string ua = Agents[random.Next(Agents.Length)];
            string app = apps[random.Next(apps.Count)].ToString("D");
            switch (n % 4)
            {
                case 0:
                    return $"/qseow-proxy-session/;{host};Start session;{directory};{user};AppAccess;/app/{app}?reloaduri=https%3a%2f%2f{host}%2fsense%2fapp%2f{app};Start session for user '{directory}\\{user}' UserAgent: '{ua}'";
                case 1:
                    return $"/qseow-proxy-connection/;{host};Open connection;{directory};{user};AppAccess;/app/{app};Websocket connection Opened for session UserAgent: '{ua}'";
                case 2:
                    return $"/qseow-proxy-connection/;{host};Close connection;{directory};{user};AppAccess;/app/{app}/sheet/{apps[0]:D}/state/analysis;Websocket connection Closed for session UserAgent: '{ua}'";
                default:
                    return $"/qseow-proxy-session/;{host};Stop session;{directory};{user};Not available;;Stop session for user '{directory}\\{user}'";
            }
        }
    }
}
