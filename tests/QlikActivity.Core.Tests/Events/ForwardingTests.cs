using System;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Destinations;
using QlikActivity.Core.Destinations.InfluxDb;
using QlikActivity.Core.Destinations.Mqtt;
using QlikActivity.Core.Destinations.Webhooks;
using QlikActivity.Core.Events;
using QlikActivity.Core.Tests.Destinations.InfluxDb;
using QlikActivity.Core.Tests.Destinations.Mqtt.Support;
using Xunit;
using static QlikActivity.Core.Tests.Destinations.TestSecrets;

namespace QlikActivity.Core.Tests.Events
{
    /// <summary>A real listener forwarding over UDP-received events to a real mosquitto and a real influxd.</summary>
    [Trait("Category", "Integration")]
    public class ForwardingTests : IClassFixture<InfluxDbFixture>
    {
        private const int Sent = 300;
        private readonly InfluxDbServer _influx;

        public ForwardingTests(InfluxDbFixture fixture) => _influx = fixture.Server;

        private static int FreeTcpPort()
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            int port = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            return port;
        }

        [Fact]
        public async Task Events_reach_mqtt_and_influxdb_and_a_dead_webhook_stalls_nothing()
        {
            using var broker = MosquittoBroker.Start();
            await using var subscriber = await MqttTestSubscriber.ConnectAsync(broker.Port, "qliksense/#");
            string db = "fwd_" + Guid.NewGuid().ToString("N").Substring(0, 8);
            await _influx.CreateDatabaseAsync(db);

            var mqtt = new MqttDestination(QlikActivity.Core.Tests.Destinations.Mqtt.MqttDestinationTests.Options(broker));
            var influx = new InfluxDbDestination(new InfluxDbDestinationOptions
            {
                Url = _influx.Url,
                Database = db,
                BatchInterval = TimeSpan.FromMilliseconds(50),
            });
            // Nobody listens on this port: every delivery fails.
            var webhook = new WebhookDestination(new WebhookDestinationOptions
            {
                Url = Secure($"http://127.0.0.1:{FreeTcpPort()}/hook"),
                MaxAttempts = 2,
                QueueCapacity = 50,
            });

            var options = ListenerHarness.Options();
            options.Count = Sent;
            options.Destinations = new IEventDestination[] { mqtt, influx, webhook };
            options.DestinationDrainTimeout = TimeSpan.FromSeconds(30);

            var (events, stats, _) = ListenerHarness.Run(options, async (listener, to, host) =>
            {
                using var socket = ListenerHarness.Sender(to);
                for (int i = 0; i < Sent; i++)
                {
                    var type = i % 2 == 0 ? UserEventType.SessionStart : UserEventType.SessionStop;
                    ListenerHarness.Send(socket, ListenerHarness.Datagram("user" + i, type));
                    if (i % 50 == 49)
                    {
                        await Task.Delay(1); // stay well inside the receive buffer on a loaded machine
                    }
                }
            });

            Assert.Equal(Sent, events.Count);
            Assert.Equal(Sent, stats.Emitted);

            // MQTT: each event on the main topic and on its type topic.
            await subscriber.WaitForCountAsync(2 * Sent, TimeSpan.FromSeconds(60));
            Assert.Equal(Sent, subscriber.CountFor("qliksense/userevent"));
            Assert.Equal(Sent / 2, subscriber.CountFor("qliksense/userevent/session/start"));
            Assert.Equal(Sent / 2, subscriber.CountFor("qliksense/userevent/session/stop"));
            var users = subscriber.Messages
                .Where(m => m.Topic == "qliksense/userevent")
                .Select(m =>
                {
                    using var doc = JsonDocument.Parse(m.Payload);
                    Assert.Equal("qs1", doc.RootElement.GetProperty("host").GetString());
                    Assert.Equal("CORP", doc.RootElement.GetProperty("userDir").GetString());
                    return doc.RootElement.GetProperty("userId").GetString()!;
                })
                .ToHashSet();
            Assert.Equal(Enumerable.Range(0, Sent).Select(i => "user" + i).ToHashSet(), users);

            // InfluxDB: one point per event.
            var rows = await _influx.RowsAsync(db, "SELECT count(\"userFull\") FROM user_events");
            Assert.Single(rows);
            Assert.Equal(Sent, rows[0]["count"].GetInt64());

            var byName = stats.Destinations.ToDictionary(d => d.Name);
            Assert.Equal(3, byName.Count);
            foreach (var d in new[] { mqtt.Name, influx.Name })
            {
                var s = byName[d];
                Assert.Equal(Sent, s.Enqueued);
                Assert.Equal(Sent, s.Sent);
                Assert.Equal(0, s.Dropped);
                Assert.Equal(s.Enqueued, s.Sent + s.Dropped);
            }

            var dead = byName[webhook.Name];
            Assert.Equal(0, dead.Sent);
            Assert.True(dead.Dropped > 0, "the dead webhook dropped nothing");
            Assert.NotNull(dead.LastError);
        }
    }
}
