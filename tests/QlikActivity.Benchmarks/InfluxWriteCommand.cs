using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core;
using QlikActivity.Core.Destinations.InfluxDb;
using QlikActivity.Core.Tests.Destinations.InfluxDb;

namespace QlikActivity.Benchmarks
{
    /// <summary>
    /// <c>influx-write</c>: starts a real influxd, writes N user events through InfluxDbDestination at a given
    /// rate, counts them back with a query, and prints
    /// <c>{"events":N,"seconds":S,"eventsPerSecond":E,"delivered":D,...}</c>.
    /// </summary>
    public sealed class InfluxWriteCommand : IBenchmarkCommand
    {
        public string Name => "influx-write";

        public string Description => "InfluxDbDestination into a real influxd: --events 600000 --rate 20000 (0 = flat out) --batch-size 5000 [--compress]";

        public int Run(BenchmarkArguments args) => RunAsync(args).GetAwaiter().GetResult();

        private static async Task<int> RunAsync(BenchmarkArguments args)
        {
            int events = args.GetInt("events", 600_000);
            int rate = args.GetInt("rate", 20_000);
            int batchSize = args.GetInt("batch-size", 5000);
            bool compress = args.Get("compress") == "true";

            using var server = await InfluxDbServer.StartAsync();
            await server.CreateDatabaseAsync("bench");
            var destination = new InfluxDbDestination(new InfluxDbDestinationOptions
            {
                Url = server.Url,
                Database = "bench",
                BatchSize = batchSize,
                QueueCapacity = Math.Max(events, 200_000),
                Compress = compress,
            });
            await destination.StartAsync(CancellationToken.None);

            var templates = Templates();
            var clock = Stopwatch.StartNew();
            long enqueued = 0;
            long nextReport = 1;
            while (enqueued < events)
            {
                long due = rate <= 0 ? events : Math.Min(events, (long)(clock.Elapsed.TotalSeconds * rate) + 1);
                var now = DateTime.UtcNow;
                for (; enqueued < due; enqueued++)
                {
                    destination.TryEnqueue(NewEvent(templates[enqueued % templates.Length], enqueued, now));
                }

                if (clock.Elapsed.TotalSeconds >= nextReport)
                {
                    var s = destination.GetStatistics();
                    Console.WriteLine($"{clock.Elapsed.TotalSeconds:0}s enqueued {enqueued} sent {s.Sent} queued {s.QueueDepth} failed {s.Failed}");
                    nextReport++;
                }

                if (enqueued < events)
                {
                    await Task.Delay(1);
                }
            }

            await destination.StopAsync(TimeSpan.FromMinutes(10));
            double seconds = clock.Elapsed.TotalSeconds;
            var stats = destination.GetStatistics();
            long delivered = await server.CountAsync("bench");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"events\":{events},\"seconds\":{seconds:0.###},\"eventsPerSecond\":{events / seconds:0},\"delivered\":{delivered}," +
                $"\"sent\":{stats.Sent},\"dropped\":{stats.Dropped},\"failed\":{stats.Failed},\"rate\":{rate},\"batchSize\":{batchSize}," +
                $"\"compress\":{(compress ? "true" : "false")},\"peakWorkingSetMb\":{BenchmarkArguments.PeakMegabytes()}}}"));
            return delivered == events ? 0 : 1;
        }

        // A few hundred users, four event types, with apps and browsers, like a busy Sense site.
        private static UserEvent[] Templates()
        {
            var types = new[] { ("Start session", UserEventType.SessionStart), ("Open connection", UserEventType.ConnectionOpen), ("Close connection", UserEventType.ConnectionClose), ("Stop session", UserEventType.SessionStop) };
            var result = new UserEvent[800];
            for (int i = 0; i < result.Length; i++)
            {
                var (command, type) = types[i % types.Length];
                result[i] = new UserEvent
                {
                    MessageType = type <= UserEventType.SessionStop ? "qseow-proxy-session" : "qseow-proxy-connection",
                    Host = "sense" + (i % 3 + 1) + ".lab.local",
                    EventType = type,
                    Command = command,
                    UserDirectory = "LAB",
                    UserId = "user" + (i / 4),
                    Origin = "AppAccess",
                    AppId = type == UserEventType.SessionStop ? null : new Guid(i, 0, 0, new byte[8]),
                    AppName = type == UserEventType.SessionStop ? null : "App " + (i % 40),
                    BrowserName = "Chrome",
                    BrowserMajorVersion = "120",
                    OsName = "Windows",
                    OsVersion = "10",
                };
            }

            return result;
        }

        private static UserEvent NewEvent(UserEvent t, long i, DateTime now) => new UserEvent
        {
            ReceivedAt = now,
            MessageType = t.MessageType,
            Host = t.Host,
            EventType = t.EventType,
            Command = t.Command,
            UserDirectory = t.UserDirectory,
            UserId = t.UserId,
            Origin = t.Origin,
            AppId = t.AppId,
            AppName = t.AppName,
            BrowserName = t.BrowserName,
            BrowserMajorVersion = t.BrowserMajorVersion,
            OsName = t.OsName,
            OsVersion = t.OsVersion,
        };
    }
}
