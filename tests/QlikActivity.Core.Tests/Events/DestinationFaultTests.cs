using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Tasks;
using QlikActivity.Core.Destinations;
using QlikActivity.Core.Destinations.InfluxDb;
using QlikActivity.Core.Destinations.Mqtt;
using QlikActivity.Core.Events;
using QlikActivity.Core.Tests.Destinations.InfluxDb;
using QlikActivity.Core.Tests.Destinations.Mqtt.Support;
using Xunit;

namespace QlikActivity.Core.Tests.Events
{
    /// <summary>
    /// Destinations in trouble behind a real listener (issue 11, items 4, 5, 6): a broker or InfluxDB
    /// that is down is said at start and its drops are warned and counted; at overload (forced by small
    /// queues and by a stop that cuts the drain short, not by timing) every counter adds up and what
    /// counts as sent is exactly what the server has.
    /// </summary>
    [Trait("Category", "Integration")]
    public class DestinationFaultTests : IClassFixture<InfluxDbFixture>
    {
        private readonly InfluxDbServer _influx;

        public DestinationFaultTests(InfluxDbFixture fixture) => _influx = fixture.Server;

        [Fact]
        public void A_broker_that_is_down_is_said_at_start_warned_when_failing_and_dropping_and_counted()
        {
            var mqtt = new MqttDestination(new MqttDestinationOptions
            {
                Broker = "127.0.0.1",
                Port = ClosedTcpPort(),
                InitialReconnectDelay = TimeSpan.FromMilliseconds(50),
                MaxReconnectDelay = TimeSpan.FromMilliseconds(200),
            });
            var options = ListenerHarness.Options();
            options.Count = 3;
            options.Destinations = new IEventDestination[] { mqtt };
            options.DestinationDrainTimeout = TimeSpan.FromSeconds(1);

            var (events, stats, host) = ListenerHarness.Run(options, async (listener, to, h) =>
            {
                using var socket = ListenerHarness.Sender(to);
                for (int i = 0; i < 3; i++)
                {
                    ListenerHarness.Send(socket, ListenerHarness.Datagram("user" + i));
                }

                await Task.CompletedTask;
            });

            Assert.Equal(3, events.Count);
            int atStart = host.Warnings.FindIndex(w => w.StartsWith($"Cannot reach {mqtt.Name}: ", StringComparison.Ordinal));
            int failing = host.Warnings.FindIndex(w => w.StartsWith($"{mqtt.Name} is failing: ", StringComparison.Ordinal) || w.StartsWith($"{mqtt.Name} failed: ", StringComparison.Ordinal));
            int dropped = host.Warnings.FindIndex(w => w.StartsWith($"{mqtt.Name} dropped 3 event(s)", StringComparison.Ordinal));
            Assert.True(atStart >= 0, "no warning at start in: " + string.Join(" | ", host.Warnings));
            Assert.True(failing > atStart, "no warning that it is failing after the start in: " + string.Join(" | ", host.Warnings));
            Assert.True(dropped > atStart, "no warning of the 3 drops in: " + string.Join(" | ", host.Warnings));
            Assert.Contains("refused", host.Warnings[atStart], StringComparison.OrdinalIgnoreCase);

            var d = Assert.Single(stats.Destinations);
            Assert.Equal(3, d.Enqueued);
            Assert.Equal(0, d.Sent);
            Assert.Equal(3, d.Dropped);
            Assert.True(d.Failed > 0);
            Assert.Equal(3, stats.DestinationDropped);
            Assert.Contains("destination dropped 3", stats.ToString(), StringComparison.Ordinal);
            Assert.Contains("destination dropped 3", stats.ToSummaryLine(), StringComparison.Ordinal);
        }

        [Fact]
        public async Task An_influxdb_that_is_down_is_said_at_start_and_its_drops_are_counted()
        {
            var influx = new InfluxDbDestination(new InfluxDbDestinationOptions
            {
                Url = new Uri($"http://127.0.0.1:{ClosedTcpPort()}"),
                Database = "down",
                BatchInterval = TimeSpan.FromMilliseconds(20),
                Timeout = TimeSpan.FromSeconds(2),
            });
            var options = ListenerHarness.Options();
            options.Count = 5;
            options.Destinations = new IEventDestination[] { influx };
            options.DestinationDrainTimeout = TimeSpan.FromSeconds(1);

            var (_, stats, host) = ListenerHarness.Run(options, async (listener, to, h) =>
            {
                using var socket = ListenerHarness.Sender(to);
                for (int i = 0; i < 5; i++)
                {
                    ListenerHarness.Send(socket, ListenerHarness.Datagram("user" + i));
                }

                await Task.CompletedTask;
            });

            Assert.Contains(host.Warnings, w => w.StartsWith($"Cannot reach {influx.Name}: ", StringComparison.Ordinal) && w.Contains("could not be reached"));
            Assert.Contains(host.Warnings, w => w.StartsWith($"{influx.Name} dropped 5 event(s)", StringComparison.Ordinal));
            var d = Assert.Single(stats.Destinations);
            Assert.Equal(5, d.Enqueued);
            Assert.Equal(5, d.Sent + d.Dropped);
            Assert.Equal(5, d.Dropped);
            Assert.Equal(d.Dropped, stats.DestinationDropped);
            await Task.CompletedTask;
        }

        [Fact]
        public async Task At_overload_mqtt_counts_add_up_and_sent_is_exactly_what_the_broker_has()
        {
            const int Count = 3000;
            using var broker = MosquittoBroker.Start();
            await using var subscriber = await MqttTestSubscriber.ConnectAsync(broker.Port, MqttDestinationOptions.DefaultTopic);
            // A queue of 300 overflows as 3,000 events arrive; a drain time of zero stops the
            // destination with batches written and not yet acknowledged.
            var mqtt = new MqttDestination(new MqttDestinationOptions
            {
                Broker = "127.0.0.1",
                Port = broker.Port,
                QueueCapacity = 300,
                BatchSize = 100,
                BatchInterval = TimeSpan.FromMilliseconds(5),
            });
            var options = ListenerHarness.Options();
            options.Count = Count;
            options.Destinations = new IEventDestination[] { mqtt };
            options.DestinationDrainTimeout = TimeSpan.Zero;

            var (_, stats, _) = ListenerHarness.Run(options, (listener, to, h) => SendAsync(to, Count));

            var d = Assert.Single(stats.Destinations);
            AssertAddsUp(d, Count);
            Assert.True(d.DroppedQueueFull > 0, "the small queue never overflowed");
            Assert.Equal(d.Dropped, stats.DestinationDropped);

            // Every event counted as sent is on the broker, and no event counted as dropped is.
            long last = -1;
            while (subscriber.Count != last)
            {
                last = subscriber.Count;
                await Task.Delay(500);
            }

            var users = subscriber.Messages.Select(m =>
            {
                using var doc = JsonDocument.Parse(m.Payload);
                return doc.RootElement.GetProperty("userId").GetString()!;
            }).ToHashSet();
            Assert.Equal(d.Sent, users.Count);
        }

        [Fact]
        public async Task At_overload_influxdb_counts_add_up_and_sent_is_exactly_what_it_stored()
        {
            const int Count = 3000;
            string db = "over_" + Guid.NewGuid().ToString("N").Substring(0, 8);
            await _influx.CreateDatabaseAsync(db);
            var influx = new InfluxDbDestination(new InfluxDbDestinationOptions
            {
                Url = _influx.Url,
                Database = db,
                QueueCapacity = 300,
                BatchSize = 100,
                BatchInterval = TimeSpan.FromMilliseconds(5),
            });
            var options = ListenerHarness.Options();
            options.Count = Count;
            options.Destinations = new IEventDestination[] { influx };
            options.DestinationDrainTimeout = TimeSpan.Zero;

            var (_, stats, _) = ListenerHarness.Run(options, (listener, to, h) => SendAsync(to, Count));

            var d = Assert.Single(stats.Destinations);
            AssertAddsUp(d, Count);
            Assert.True(d.DroppedQueueFull > 0, "the small queue never overflowed");
            Assert.Equal(d.Dropped, stats.DestinationDropped);
            var rows = await _influx.RowsAsync(db, "SELECT count(\"userFull\") FROM user_events");
            long stored = rows.Count == 0 ? 0 : rows[0]["count"].GetInt64();
            Assert.Equal(d.Sent, stored);
        }

        [Fact]
        public void A_destination_queue_is_bounded_in_bytes()
        {
            const int Count = 3000;
            var mqtt = new MqttDestination(new MqttDestinationOptions
            {
                Broker = "127.0.0.1",
                Port = ClosedTcpPort(),
                InitialReconnectDelay = TimeSpan.FromSeconds(30), // it never delivers during the test
            });
            var options = ListenerHarness.Options();
            options.Count = Count;
            options.Destinations = new IEventDestination[] { mqtt };
            options.DestinationQueueBytes = 1024 * 1024;
            options.DestinationDrainTimeout = TimeSpan.FromMilliseconds(100);

            // Every datagram the same size (user0000..user2999), so the bound holds a known number.
            var sample = new UserEventParser().Parse(ListenerHarness.Datagram("user0000"), DateTime.UtcNow, "127.0.0.1").Event!;
            long fits = options.DestinationQueueBytes / sample.EstimatedBytes;
            Assert.True(fits < Count && fits < mqtt.QueueCapacity, "the byte bound must bind before the count bound");

            var (_, stats, host) = ListenerHarness.Run(options, (listener, to, h) => SendAsync(to, Count, i => ListenerHarness.Datagram($"user{i:0000}")));

            var d = Assert.Single(stats.Destinations);
            Assert.Equal(Count, d.Enqueued);
            Assert.Equal(Count - fits, d.DroppedQueueFull);
            Assert.Equal(Count, d.Dropped);
            Assert.Equal(0, d.QueueBytes);
            Assert.Equal(1024 * 1024, d.QueueByteLimit);
            Assert.Contains(host.Warnings, w => w.StartsWith(mqtt.Name + " dropped", StringComparison.Ordinal) && w.Contains(string.Format(System.Globalization.CultureInfo.InvariantCulture, "because its queue was full (at most {0:N0} events, 1 MB)", mqtt.QueueCapacity)));
        }

        private static void AssertAddsUp(DestinationStatistics d, long accepted)
        {
            Assert.Equal(accepted, d.Enqueued);
            Assert.Equal(0, d.QueueDepth);
            Assert.Equal(0, d.InFlight);
            Assert.Equal(0, d.QueueBytes);
            Assert.Equal(d.Enqueued, d.Sent + d.Dropped);
        }

        // As fast as the socket goes, pausing only to stay inside the receive buffer on a loaded machine.
        private static async Task SendAsync(IPEndPoint to, int count, Func<int, string>? datagram = null)
        {
            using var socket = ListenerHarness.Sender(to);
            for (int i = 0; i < count; i++)
            {
                ListenerHarness.Send(socket, datagram?.Invoke(i) ?? ListenerHarness.Datagram("user" + i, i % 2 == 0 ? UserEventType.SessionStart : UserEventType.SessionStop));
                if (i % 200 == 199)
                {
                    await Task.Delay(1);
                }
            }
        }

        // A port nobody listens on: connecting is refused at once.
        private static int ClosedTcpPort()
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            int port = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            return port;
        }
    }
}
