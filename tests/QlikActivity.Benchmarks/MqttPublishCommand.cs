using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core;
using QlikActivity.Core.Destinations.Mqtt;
using QlikActivity.Core.Tests.Destinations.Mqtt.Support;

namespace QlikActivity.Benchmarks
{
    /// <summary>
    /// <c>mqtt-publish</c>: starts mosquitto, pushes N user events through <see cref="MqttDestination"/>
    /// (two PUBLISH packets each: main topic and type topic) and counts them with a subscriber.
    /// Options: --events N (200000), --qos 0|1 (1), --rate events/s (0 = as fast as possible),
    /// --window in-flight packets (destination default), --batch events per batch (default),
    /// --subscriber-qos 0|1 (0), --subscribe main|all|none: the subscriber counts the main topic (default;
    /// one message per event), every topic (two per event), or nothing (then PUBACKed events are
    /// counted, to see the publisher's own cost).
    /// </summary>
    public sealed class MqttPublishCommand : IBenchmarkCommand
    {
        public string Name => "mqtt-publish";

        public string Description => "mosquitto + MqttDestination, counted by a subscriber: --events N (200000) --qos 0|1 (1) --rate R (0 = flat out) [--window N] [--batch N] [--subscribe main|all|none] [--subscriber-qos 0|1]";

        public int Run(BenchmarkArguments args) => RunAsync(args).GetAwaiter().GetResult();

        private static async Task<int> RunAsync(BenchmarkArguments args)
        {
            int events = args.GetInt("events", 200_000);
            int qos = args.GetInt("qos", 1);
            int rate = args.GetInt("rate", 0);
            int subscriberQos = args.GetInt("subscriber-qos", 0);
            string subscribe = args.Get("subscribe", "main");
            bool noSubscriber = subscribe == "none";
            string filter = subscribe switch
            {
                "main" => "qliksense/userevent",
                "all" => "qliksense/#",
                "none" => "nobody/listens/here",
                _ => throw new ArgumentException("--subscribe must be main, all or none"),
            };
            var defaults = new MqttDestinationOptions();

            using var broker = MosquittoBroker.Start();
            await using var subscriber = await MqttTestSubscriber.ConnectAsync(broker.Port, filter, keepMessages: false, qos: subscriberQos);
            var options = new MqttDestinationOptions
            {
                Broker = "127.0.0.1",
                Port = broker.Port,
                QoS = qos,
                QueueCapacity = Math.Max(events, 1),
                MaxInFlight = args.GetInt("window", defaults.MaxInFlight),
                BatchSize = args.GetInt("batch", defaults.BatchSize),
            };
            var destination = new MqttDestination(options);

            // A pool of distinct events, reused: building N events would measure the allocator.
            var pool = new UserEvent[4096];
            for (int i = 0; i < pool.Length; i++)
            {
                pool[i] = TestEvents.Numbered(i);
            }

            await destination.StartAsync(CancellationToken.None);
            double brokerCpuBefore = broker.CpuTime.TotalSeconds;
            double ownCpuBefore = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
            var clock = Stopwatch.StartNew();
            long refused = 0;
            for (int i = 0; i < events; i++)
            {
                if (rate > 0)
                {
                    // Pace in 1 ms steps: at most rate/1000 events ahead of the schedule.
                    double due = (double)i / rate;
                    while (clock.Elapsed.TotalSeconds < due)
                    {
                        Thread.Sleep(1);
                    }
                }

                if (!destination.TryEnqueue(pool[i % pool.Length]))
                {
                    refused++;
                }
            }

            double enqueueSeconds = clock.Elapsed.TotalSeconds;
            long expected = (subscribe == "all" ? 2L : 1L) * (events - refused);
            string? timeout = null;
            try
            {
                var limit = TimeSpan.FromSeconds(Math.Max(120, events / 2000.0));
                if (noSubscriber)
                {
                    var deadline = DateTime.UtcNow + limit;
                    while (destination.GetStatistics().Sent + destination.GetStatistics().Dropped < events - refused)
                    {
                        if (DateTime.UtcNow > deadline)
                        {
                            throw new TimeoutException($"{destination.GetStatistics().Sent} of {events} sent");
                        }

                        await Task.Delay(1);
                    }
                }
                else
                {
                    await subscriber.WaitForCountAsync(expected, limit);
                }
            }
            catch (TimeoutException ex)
            {
                timeout = ex.Message;
            }

            double seconds = clock.Elapsed.TotalSeconds;
            double brokerCpu = broker.CpuTime.TotalSeconds - brokerCpuBefore;
            double ownCpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - ownCpuBefore;
            await destination.StopAsync(TimeSpan.FromSeconds(30));
            var s = destination.GetStatistics();
            long delivered = noSubscriber ? s.Sent : subscriber.CountFor("qliksense/userevent");
            if (timeout != null)
            {
                Console.Error.WriteLine(timeout);
            }

            Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "{{\"events\":{0},\"seconds\":{1:0.###},\"eventsPerSecond\":{2:0},\"delivered\":{3},\"messages\":{4},\"qos\":{5},\"rate\":{6},\"enqueueSeconds\":{7:0.###},\"sent\":{8},\"dropped\":{9},\"failed\":{10},\"window\":{11},\"batch\":{12},\"cpuSeconds\":{13:0.##},\"brokerCpuSeconds\":{14:0.##},\"peakMegabytes\":{15}}}",
                events, seconds, events / seconds, delivered, subscriber.Count, qos, rate, enqueueSeconds, s.Sent, s.Dropped, s.Failed,
                options.MaxInFlight, options.BatchSize, ownCpu, brokerCpu, BenchmarkArguments.PeakMegabytes()));
            return delivered == events && s.Dropped == 0 ? 0 : 1;
        }
    }
}
