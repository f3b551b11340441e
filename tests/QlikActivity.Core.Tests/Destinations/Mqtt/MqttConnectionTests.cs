using System;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Destinations.Mqtt;
using QlikActivity.Core.Tests.Destinations.Mqtt.Support;
using Xunit;

namespace QlikActivity.Core.Tests.Destinations.Mqtt
{
    /// <summary>The socket loop on its own: keep-alive, the in-flight window, and a broker that goes away.</summary>
    [Trait("Category", "Integration")]
    public class MqttConnectionTests
    {
        private static MqttConnectionSettings Settings(MosquittoBroker broker, Action<MqttConnectionSettings>? configure = null)
        {
            var settings = new MqttConnectionSettings
            {
                Host = "127.0.0.1",
                Port = broker.Port,
                ClientId = "conn-test-" + Guid.NewGuid().ToString("N").Substring(0, 8),
                ConnectTimeout = TimeSpan.FromSeconds(20),
            };
            configure?.Invoke(settings);
            return settings;
        }

        [Fact]
        public async Task Keep_alive_pings_hold_an_idle_connection_open()
        {
            using var broker = MosquittoBroker.Start();

            // mosquitto drops a client that is silent for 1.5 x keep-alive: 1.5 s here.
            await using var connection = await MqttConnection.OpenAsync(Settings(broker, s => s.KeepAliveSeconds = 1), CancellationToken.None);
            await TestEvents.WaitUntilAsync(() => connection.PingResponses >= 5 || !connection.IsOpen, TimeSpan.FromSeconds(60), () => "no PINGRESP");
            Assert.True(connection.IsOpen, connection.Failure?.Message);
            Assert.True(connection.PingResponses >= 5);
        }

        [Fact]
        public async Task A_small_in_flight_window_still_delivers_everything_and_ends_empty()
        {
            using var broker = MosquittoBroker.Start();
            await using var subscriber = await MqttTestSubscriber.ConnectAsync(broker.Port, "window/#", keepMessages: false);
            await using var connection = await MqttConnection.OpenAsync(Settings(broker, s => s.MaxInFlight = 3), CancellationToken.None);
            var topic = MqttPacketWriter.EncodeTopicName("window/test");
            var payload = Encoding.UTF8.GetBytes("x");
            var delivery = new MqttBatchDelivery(500);
            for (int slot = 0; slot < 500; slot++)
            {
                await connection.PublishAsync(topic, payload, MqttQualityOfService.AtLeastOnce, false, delivery, slot, CancellationToken.None);
                Assert.InRange(connection.InFlight, 0, 3);
            }

            delivery.AllWritten();
            await connection.FlushAsync(CancellationToken.None);
            await delivery.Completion.WaitAsync(TimeSpan.FromSeconds(60));
            for (int slot = 0; slot < 500; slot++)
            {
                Assert.True(delivery.IsAcknowledged(slot));
            }

            Assert.Equal(0, connection.InFlight);
            await subscriber.WaitForCountAsync(500, TimeSpan.FromSeconds(60));
        }

        [Fact]
        public async Task A_killed_broker_fails_the_waiting_batch_with_the_reason()
        {
            using var broker = MosquittoBroker.Start();
            await using var connection = await MqttConnection.OpenAsync(Settings(broker), CancellationToken.None);
            var delivery = new MqttBatchDelivery(1);
            broker.Kill();
            await TestEvents.WaitUntilAsync(() => !connection.IsOpen, TimeSpan.FromSeconds(60), () => "the dead broker went unnoticed");
            var lost = await Assert.ThrowsAsync<MqttConnectionException>(async () =>
            {
                await connection.PublishAsync(MqttPacketWriter.EncodeTopicName("t"), new byte[1], MqttQualityOfService.AtLeastOnce, false, delivery, 0, CancellationToken.None);
            });
            Assert.Equal(MqttConnectionFailure.Lost, lost.Failure);
            Assert.Contains($"mqtt://127.0.0.1:{broker.Port}", lost.Message);
        }
    }
}
