using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Reflection;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using System.Collections.Generic;
using System.Linq;
using QlikActivity.Core;
using QlikActivity.Core.Destinations;
using QlikActivity.Core.Destinations.InfluxDb;
using QlikActivity.Core.Destinations.Mqtt;
using QlikActivity.Core.Events;
using QlikActivity.Core.Journal;
using Microsoft.Data.Sqlite;
using QlikActivity.Core.Tests.Destinations.InfluxDb;
using QlikActivity.Core.Tests.Destinations.Mqtt.Support;

namespace QlikActivity.Benchmarks
{
    /// <summary>
    /// <c>udp --events N --rate R|max</c>: runs the event listener on loopback while a separate
    /// process sends realistic datagrams at the given rate; prints
    /// <c>{"sent":N,"received":R,"parsed":P,"lost":L,"eventsPerSecond":E,"peakMB":M,"rate":X}</c>.
    /// <c>lost</c> is everything sent that did not reach the consumer (kernel drops included);
    /// <c>rate</c> is the rate the sender actually kept. With <c>--rate max</c> it searches the
    /// highest rate without loss and reports that run. With <c>--journal [PATH]</c> the listener also
    /// writes an event journal (a new file each trial) and the line adds <c>journaled</c>,
    /// <c>notJournaled</c>, <c>inJournal</c> (rows counted in the file afterwards) and
    /// <c>journalBytesPerEvent</c>; a trial is lossless only when every sent event is in the journal too.
    /// </summary>
    public sealed class UdpCommand : IBenchmarkCommand
    {
        public string Name => "udp";

        public string Description => "listener over loopback fed by a separate sender process: --events N --rate R|max [--buffer BYTES] [--destination mqtt,influx|none] [--journal [PATH]]";

        public int Run(BenchmarkArguments args)
        {
            long events = long.Parse(args.Get("events", "1000000"), CultureInfo.InvariantCulture);
            string rate = args.Get("rate", "100000");
            int buffer = args.GetInt("buffer", EventListenerOptions.DefaultReceiveBufferSize);
            string? journal = args.Get("journal") is string j
                ? (j == "true" ? Path.Combine(Path.GetTempPath(), "qlikactivity-bench-" + Environment.ProcessId + ".journal") : Path.GetFullPath(j))
                : null;

            var wanted = args.Get("destination", "none").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(d => !d.Equals("none", StringComparison.OrdinalIgnoreCase)).Select(d => d.ToLowerInvariant()).ToHashSet();
            foreach (var d in wanted)
            {
                if (d != "mqtt" && d != "influx")
                {
                    throw new ArgumentException("--destination takes mqtt, influx or none, not " + d);
                }
            }

            if (wanted.Count > 0)
            {
                if (rate == "max")
                {
                    throw new ArgumentException("--destination needs a fixed --rate");
                }

                return RunWithDestinations(events, double.Parse(rate, CultureInfo.InvariantCulture), buffer, wanted).GetAwaiter().GetResult();
            }

            Trial result;
            if (rate == "max")
            {
                result = SearchMaximum(events, buffer, journal);
            }
            else
            {
                result = RunTrial(events, double.Parse(rate, CultureInfo.InvariantCulture), buffer, journalPath: journal);
            }

            string journalKeys = journal == null ? "" : string.Format(
                CultureInfo.InvariantCulture,
                ",\"journaled\":{0},\"notJournaled\":{1},\"inJournal\":{2},\"journalBytesPerEvent\":{3:0.0}",
                result.Journaled, result.NotJournaled, result.InJournal, result.InJournal > 0 ? (double)result.JournalBytes / result.InJournal : 0);

            Console.WriteLine(string.Format(
                CultureInfo.InvariantCulture,
                "{{\"sent\":{0},\"received\":{1},\"parsed\":{2},\"lost\":{3},\"eventsPerSecond\":{4:0},\"peakMB\":{5:0.0},\"rate\":{6:0}{7}}}",
                result.Sent, result.Received, result.Parsed, result.Lost, result.EventsPerSecond, BenchmarkArguments.PeakMegabytes(),
                // The rate the sender actually kept up: on a busy machine it may fall short of the one asked.
                result.SenderRate > 0 ? Math.Min(result.Rate, result.SenderRate) : result.Rate,
                journalKeys));
            return 0;
        }

        private static Trial SearchMaximum(long events, int buffer, string? journal)
        {
            // Double until loss (or the sender cannot keep the pace), then bisect a few times.
            Trial? best = null;
            double good = 0;
            double bad = 0;
            for (double rate = 12_500; rate <= 3_200_000; rate *= 2)
            {
                var t = RunTrial(Math.Min(events, Math.Max(100_000, (long)(rate * 3))), rate, buffer, journalPath: journal);
                Console.Error.WriteLine($"rate {rate:0}: lost {t.Lost}, sender reached {t.SenderRate:0}/s, {t.EventsPerSecond:0} events/s, not journaled {t.NotJournaled}");
                bool senderBound = t.SenderRate < rate * 0.9;
                if (t.Lossless)
                {
                    best = Better(best, t);
                    good = senderBound ? t.SenderRate : rate;
                    if (senderBound)
                    {
                        return best;
                    }
                }
                else
                {
                    bad = rate;
                    break;
                }
            }

            for (int i = 0; i < 4 && bad > 0; i++)
            {
                double rate = (good + bad) / 2;
                var t = RunTrial(Math.Min(events, Math.Max(100_000, (long)(rate * 3))), rate, buffer, journalPath: journal);
                Console.Error.WriteLine($"rate {rate:0}: lost {t.Lost}, sender reached {t.SenderRate:0}/s, {t.EventsPerSecond:0} events/s, not journaled {t.NotJournaled}");
                if (t.Lossless)
                {
                    best = Better(best, t);
                    good = rate;
                }
                else
                {
                    bad = rate;
                }
            }

            return best ?? new Trial { Rate = 0 };
        }

        // The lossless trial with the highest rate actually sent wins.
        private static Trial Better(Trial? best, Trial candidate) =>
            best == null || Math.Min(candidate.Rate, candidate.SenderRate) > Math.Min(best.Rate, best.SenderRate) ? candidate : best;

        /// <summary>
        /// One trial with real mosquitto and influxd behind the listener; counts what each received
        /// (MQTT main topic by a subscriber, InfluxDB by <c>SELECT count</c>) after the destinations drained.
        /// </summary>
        private static async Task<int> RunWithDestinations(long events, double rate, int buffer, HashSet<string> wanted)
        {
            // The subscriber only counts: keeping 600,000 messages in this process would be its memory, not the listener's.
            using var broker = wanted.Contains("mqtt") ? MosquittoBroker.Start() : null;
            using var influxd = wanted.Contains("influx") ? await InfluxDbServer.StartAsync() : null;
            await using var subscriber = broker != null ? await MqttTestSubscriber.ConnectAsync(broker.Port, MqttDestinationOptions.DefaultTopic, keepMessages: false) : null;
            const string Database = "bench";
            var destinations = new List<(string Name, IEventDestination Destination)>();
            if (broker != null)
            {
                // New-QlikMqttDestination's defaults (QoS 1, queue 200,000, batch 2,000, 4,000 in flight).
                var mqtt = new MqttDestination(new MqttDestinationOptions { Broker = "127.0.0.1", Port = broker.Port });
                Console.Error.WriteLine($"  mqtt: cmdlet defaults: QoS {mqtt.QoS}, queue {mqtt.QueueCapacity:N0}, in flight {mqtt.MaxInFlight:N0}");
                destinations.Add(("mqtt", mqtt));
            }

            if (influxd != null)
            {
                await influxd.CreateDatabaseAsync(Database);
                // New-QlikInfluxDbDestination's defaults (queue 200,000, batch 5,000).
                var influx = new InfluxDbDestination(new InfluxDbDestinationOptions { Url = influxd.Url, Database = Database });
                Console.Error.WriteLine($"  influx: cmdlet defaults: queue {influx.QueueCapacity:N0}, batch {influx.BatchSize:N0}");
                destinations.Add(("influx", influx));
            }

            var trial = RunTrial(events, rate, buffer, destinations.Select(d => d.Destination).ToArray());
            var parts = new List<string>();
            foreach (var (name, destination) in destinations)
            {
                var s = trial.Destinations.First(x => x.Name == destination.Name);
                long delivered;
                if (name == "mqtt")
                {
                    // The broker may still be handing messages to the subscriber: wait until the count settles.
                    long last = -1;
                    while (subscriber!.Count != last)
                    {
                        last = subscriber.Count;
                        await Task.Delay(1000);
                    }

                    delivered = subscriber.Count;
                }
                else
                {
                    var rows = await influxd!.RowsAsync(Database, "SELECT count(\"userFull\") FROM user_events");
                    delivered = rows.Count == 0 ? 0 : rows[0]["count"].GetInt64();
                }

                Console.Error.WriteLine($"  {name}: enqueued {s.Enqueued}, sent {s.Sent}, dropped {s.Dropped} (queue full {s.DroppedQueueFull}), failed {s.Failed}, last error {s.LastError}");
                parts.Add(string.Format(CultureInfo.InvariantCulture, "\"{0}\":{{\"delivered\":{1},\"dropped\":{2}}}", name, delivered, s.Dropped));
            }

            Console.WriteLine(string.Format(
                CultureInfo.InvariantCulture,
                "{{\"sent\":{0},\"received\":{1},\"lost\":{2},\"destinations\":{{{3}}},\"eventsPerSecond\":{4:0},\"peakMB\":{5:0.0}}}",
                trial.Sent, trial.Received, trial.Lost, string.Join(",", parts), trial.EventsPerSecond, BenchmarkArguments.PeakMegabytes()));
            return 0;
        }

        private static Trial RunTrial(long events, double rate, int buffer, IReadOnlyList<IEventDestination>? destinations = null, string? journalPath = null)
        {
            if (journalPath != null)
            {
                // A new journal per trial, so the rows counted afterwards are this trial's.
                foreach (var suffix in new[] { "", "-wal", "-shm", ".lock" })
                {
                    File.Delete(journalPath + suffix);
                }
            }

            using var host = new QuietHost();
            var options = new EventListenerOptions
            {
                Destinations = destinations ?? Array.Empty<IEventDestination>(),
                Address = "127.0.0.1",
                Port = 0,
                AllowedSources = new[] { "127.0.0.1" },
                ReceiveBufferSize = buffer,
                StatisticsInterval = TimeSpan.FromHours(1),
                Journal = journalPath == null ? null : new EventJournalOptions(journalPath),
            };

            // Start-QlikEventListener's defaults except where said: the loopback address and port, the
            // sender allowed, the receive buffer (--buffer) and no periodic verbose line.
            Console.Error.WriteLine(
                $"  listener: cmdlet defaults (queue {options.QueueCapacity:N0}, pipeline {options.PipelineCapacity:N0}, max datagram {options.MaxDatagramBytes:N0} B, "
                + $"destination queues {options.DestinationQueueBytes / (1024 * 1024)} MB, drain {options.DestinationDrainTimeout.TotalSeconds:0} s); differs: -Address 127.0.0.1 -Port 0 -AllowedSource 127.0.0.1 -ReceiveBufferSize {buffer}");
            var listener = new EventListener(options);

            long sent = 0;
            double senderSeconds = 0;
            var sender = Task.Run(async () =>
            {
                var endPoint = await listener.Listening;
                try
                {
                    using var progress = new Timer(_ => Progress(listener), null, 5000, 5000);
                    (sent, senderSeconds) = RunSender(endPoint.Port, events, rate);
                    // Done when nothing more arrives and nothing waits inside, destinations included: like a
                    // listener that runs on, so the default drain time at stop only covers the last batch.
                    long last = -1;
                    while (true)
                    {
                        await Task.Delay(300);
                        var s = listener.GetStatistics();
                        if (s.Received == last && s.QueueBacklog == 0 && s.PipelineBacklog == 0
                            && s.Destinations.All(d => d.QueueDepth + d.InFlight == 0))
                        {
                            break;
                        }

                        last = s.Received;
                    }
                }
                finally
                {
                    host.Cancel();
                }
            });

            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            long consumed = 0;
            var first = Stopwatch.StartNew();
            TimeSpan firstAt = TimeSpan.Zero;
            TimeSpan lastAt = TimeSpan.Zero;
            foreach (var userEvent in listener.Listen(host))
            {
                if (consumed++ == 0)
                {
                    firstAt = first.Elapsed;
                }

                lastAt = first.Elapsed;
            }

            sender.GetAwaiter().GetResult();
            var stats = listener.Statistics!;
            double cpuMicroseconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds * 1000;
            Console.Error.WriteLine(
                $"  rate {rate:0}: received {stats.Received}, parsed {stats.Parsed}, rejected {stats.Rejected}, queue full {stats.DroppedQueueFull}, "
                + $"listener CPU {cpuMicroseconds / Math.Max(1, stats.Received):0.00} us/datagram, kernel dropped {stats.KernelDropped}, pipeline dropped {stats.PipelineDropped}, written {stats.Written}, buffer {stats.ReceiveBufferBytes / 1024} KiB, sender {sent} in {senderSeconds:0.00} s");
            double seconds = (lastAt - firstAt).TotalSeconds;
            long inJournal = 0;
            long journalBytes = 0;
            if (journalPath != null)
            {
                using (var connection = new SqliteConnection($"Data Source={journalPath};Mode=ReadOnly;Pooling=False"))
                {
                    connection.Open();
                    using var count = connection.CreateCommand();
                    count.CommandText = "SELECT count(*) FROM events";
                    inJournal = (long)count.ExecuteScalar()!;
                }

                journalBytes = new FileInfo(journalPath).Length + (File.Exists(journalPath + "-wal") ? new FileInfo(journalPath + "-wal").Length : 0);
                Console.Error.WriteLine($"  journal: journaled {stats.Journaled}, not journaled {stats.NotJournaled}, rows {inJournal}, {journalBytes / 1048576.0:0.0} MB");
            }

            return new Trial
            {
                HasJournal = journalPath != null,
                Journaled = stats.Journaled ?? 0,
                NotJournaled = stats.NotJournaled ?? 0,
                InJournal = inJournal,
                JournalBytes = journalBytes,
                Rate = rate,
                Sent = sent,
                Received = stats.Received,
                Parsed = stats.Parsed,
                Lost = sent - consumed,
                EventsPerSecond = seconds > 0 ? consumed / seconds : 0,
                SenderRate = senderSeconds > 0 ? sent / senderSeconds : 0,
                Destinations = stats.Destinations.ToArray(),
            };
        }

        // Where the memory is while the run goes: what each destination holds, the GC heap, the working set.
        private static void Progress(EventListener listener)
        {
            var s = listener.GetStatistics();
            var gc = GC.GetGCMemoryInfo();
            using var self = Process.GetCurrentProcess();
            string held = string.Join(", ", s.Destinations.Select(d => $"{d.Name.Split(' ')[0]} {d.QueueDepth + d.InFlight:N0} ({d.QueueBytes / (1024.0 * 1024.0):N0} MB)"));
            Console.Error.WriteLine(
                $"  {s.Duration.TotalSeconds:0} s: received {s.Received:N0}; held: {held}; heap {gc.HeapSizeBytes / (1024.0 * 1024.0):N0} MB, "
                + $"gen2 collections {GC.CollectionCount(2)}, working set {self.WorkingSet64 / (1024.0 * 1024.0):N0} MB");
        }

        private static (long Sent, double Seconds) RunSender(int port, long events, double rate)
        {
            string self = Environment.ProcessPath ?? "dotnet";
            string prefix = "";
            if (Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            {
                prefix = "\"" + Assembly.GetEntryAssembly()!.Location + "\" ";
            }

            var start = new ProcessStartInfo(self, prefix + string.Format(CultureInfo.InvariantCulture, "udp-send --port {0} --events {1} --rate {2:0}", port, events, rate))
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the sender process");
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"the sender failed ({process.ExitCode}): {output}");
            }

            string line = output.Trim().Split('\n')[^1];
            using var json = JsonDocument.Parse(line);
            return (json.RootElement.GetProperty("sent").GetInt64(), json.RootElement.GetProperty("seconds").GetDouble());
        }

        private sealed class Trial
        {
            public double Rate { get; set; }
            public long Sent { get; set; }
            public long Received { get; set; }
            public long Parsed { get; set; }
            public long Lost { get; set; }
            public double EventsPerSecond { get; set; }
            public double SenderRate { get; set; }
            public DestinationStatistics[] Destinations { get; set; } = Array.Empty<DestinationStatistics>();
            public bool HasJournal { get; set; }
            public long Journaled { get; set; }
            public long NotJournaled { get; set; }
            public long InJournal { get; set; }
            public long JournalBytes { get; set; }

            /// <summary>Nothing lost on the way to the consumer, and (with a journal) every sent event in the file.</summary>
            public bool Lossless => Lost == 0 && (!HasJournal || (NotJournaled == 0 && InJournal == Sent));
        }
    }
}
