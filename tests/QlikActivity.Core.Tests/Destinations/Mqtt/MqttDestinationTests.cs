using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Destinations.Mqtt;
using QlikActivity.Core.Tests.Destinations.Mqtt.Support;
using Xunit;

namespace QlikActivity.Core.Tests.Destinations.Mqtt
{
    /// <summary>MqttDestination against a real mosquitto, checked by a subscriber.</summary>
    [Trait("Category", "Integration")]
    public class MqttDestinationTests
    {
        private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

        internal static MqttDestinationOptions Options(MosquittoBroker broker) => new MqttDestinationOptions
        {
            Broker = "127.0.0.1",
            Port = broker.Port,
            BatchInterval = TimeSpan.FromMilliseconds(20),
            InitialReconnectDelay = TimeSpan.FromMilliseconds(100),
            MaxReconnectDelay = TimeSpan.FromSeconds(1),
            ConnectTimeout = TimeSpan.FromSeconds(20),
        };

        [Fact]
        public async Task Each_event_goes_to_the_main_topic_and_its_type_topic_as_butler_json()
        {
            using var broker = MosquittoBroker.Start();
            await using var subscriber = await MqttTestSubscriber.ConnectAsync(broker.Port, "qliksense/#");
            var destination = new MqttDestination(Options(broker));
            await destination.StartAsync(CancellationToken.None);

            var events = Enumerable.Range(0, 4).Select(TestEvents.Numbered).ToList();
            events[0] = UserEventMqttPayloadTests.SessionStartWithApp();
            foreach (var e in events)
            {
                Assert.True(destination.TryEnqueue(e));
            }

            await subscriber.WaitForCountAsync(8, Generous);
            await destination.StopAsync(Generous);

            var expectedTopics = new[]
            {
                "qliksense/userevent/session/start",
                "qliksense/userevent/session/stop",
                "qliksense/userevent/connection/open",
                "qliksense/userevent/connection/close",
            };
            var messages = subscriber.Messages.ToList();
            Assert.Equal(8, messages.Count);
            var main = messages.Where(m => m.Topic == "qliksense/userevent").ToList();
            Assert.Equal(events.Select(UserEventMqttPayloadTests.Json), main.Select(m => m.PayloadText));
            for (int i = 0; i < 4; i++)
            {
                var typed = Assert.Single(messages, m => m.Topic == expectedTopics[i]);
                Assert.Equal(UserEventMqttPayloadTests.Json(events[i]), typed.PayloadText);
                Assert.Equal(MqttQualityOfService.AtLeastOnce, typed.Qos);
            }

            var s = destination.GetStatistics();
            Assert.Equal((4L, 4L, 0L, 0L, 0L), (s.Enqueued, s.Sent, s.Dropped, s.Failed, s.QueueDepth + s.InFlight));
            Assert.Equal($"mqtt://127.0.0.1:{broker.Port}", s.Name);
        }

        [Fact]
        public async Task Topics_can_be_renamed_and_turned_off()
        {
            using var broker = MosquittoBroker.Start();
            await using var subscriber = await MqttTestSubscriber.ConnectAsync(broker.Port, "#");
            var options = Options(broker);
            options.Topic = "site-a/events";
            options.SessionStartTopic = ""; // off
            options.ConnectionOpenTopic = "site-a/opened";
            var destination = new MqttDestination(options);
            Assert.Equal("site-a/events/session/stop", destination.SessionStopTopic);
            Assert.Equal("", destination.SessionStartTopic);
            await destination.StartAsync(CancellationToken.None);
            for (int i = 0; i < 4; i++)
            {
                destination.TryEnqueue(TestEvents.Numbered(i));
            }

            // 4 on the main topic + stop, open and close (start is off).
            await subscriber.WaitForCountAsync(7, Generous);
            await destination.StopAsync(Generous);
            Assert.Equal(4, subscriber.CountFor("site-a/events"));
            Assert.Equal(1, subscriber.CountFor("site-a/events/session/stop"));
            Assert.Equal(1, subscriber.CountFor("site-a/opened"));
            Assert.Equal(1, subscriber.CountFor("site-a/events/connection/close"));
            Assert.Equal(0, subscriber.CountFor("site-a/events/session/start"));
            Assert.Equal(7, subscriber.Count);

            // Main topic off: only the type topics.
            await using var subscriber2 = await MqttTestSubscriber.ConnectAsync(broker.Port, "#");
            var noMain = Options(broker);
            noMain.Topic = "";
            var destination2 = new MqttDestination(noMain);
            await destination2.StartAsync(CancellationToken.None);
            destination2.TryEnqueue(TestEvents.Numbered(2));
            await subscriber2.WaitForCountAsync(1, Generous);
            await destination2.StopAsync(Generous);
            Assert.Equal("qliksense/userevent/connection/open", Assert.Single(subscriber2.Messages).Topic);
        }

        [Fact]
        public async Task An_event_type_without_a_topic_of_its_own_still_reaches_the_main_topic()
        {
            using var broker = MosquittoBroker.Start();
            await using var subscriber = await MqttTestSubscriber.ConnectAsync(broker.Port, "#");
            var destination = new MqttDestination(Options(broker));
            await destination.StartAsync(CancellationToken.None);
            var odd = TestEvents.Numbered(7);
            odd.EventType = (UserEventType)42;
            destination.TryEnqueue(odd);
            destination.TryEnqueue(TestEvents.Numbered(8));
            await subscriber.WaitForCountAsync(3, Generous);
            await destination.StopAsync(Generous);
            Assert.Equal(new[] { 7, 8 }, subscriber.Messages.Where(m => m.Topic == "qliksense/userevent").Select(m => TestEvents.NumberOf(m.Payload)));
            Assert.Equal(2, destination.GetStatistics().Sent);
            Assert.Equal(0, destination.GetStatistics().Failed);
        }

        [Fact]
        public async Task QoS_0_publishes_without_waiting_for_acknowledgements()
        {
            using var broker = MosquittoBroker.Start();
            await using var subscriber = await MqttTestSubscriber.ConnectAsync(broker.Port, "qliksense/#");
            var options = Options(broker);
            options.QoS = 0;
            var destination = new MqttDestination(options);
            await destination.StartAsync(CancellationToken.None);
            for (int i = 0; i < 500; i++)
            {
                destination.TryEnqueue(TestEvents.Numbered(i));
            }

            await subscriber.WaitForCountAsync(1000, Generous);
            await destination.StopAsync(Generous);
            Assert.All(subscriber.Messages, m => Assert.Equal(MqttQualityOfService.AtMostOnce, m.Qos));
            Assert.Equal(Enumerable.Range(0, 500), subscriber.Messages.Where(m => m.Topic == "qliksense/userevent").Select(m => TestEvents.NumberOf(m.Payload)));
            Assert.Equal(500, destination.GetStatistics().Sent);
        }

        [Fact]
        public async Task Fifty_thousand_events_at_QoS_1_all_arrive_and_packet_ids_wrap_safely()
        {
            const int Events = 50_000;
            using var broker = MosquittoBroker.Start();
            await using var subscriber = await MqttTestSubscriber.ConnectAsync(broker.Port, "qliksense/#", keepMessages: false);
            var options = Options(broker);
            options.QueueCapacity = Events;
            var destination = new MqttDestination(options);
            await destination.StartAsync(CancellationToken.None);
            for (int i = 0; i < Events; i++)
            {
                Assert.True(destination.TryEnqueue(TestEvents.Numbered(i)));
            }

            // 100,000 QoS 1 PUBLISH packets: packet ids 1..65535 are each used more than once.
            await subscriber.WaitForCountAsync(2 * Events, TimeSpan.FromMinutes(4));
            await destination.StopAsync(Generous);
            var s = destination.GetStatistics();
            Assert.Equal(((long)Events, (long)Events, 0L, 0L), (s.Enqueued, s.Sent, s.Dropped, s.Failed));
            Assert.Equal(Events, subscriber.CountFor("qliksense/userevent"));
            Assert.Equal(Events / 4, subscriber.CountFor("qliksense/userevent/session/start"));
            Assert.Equal(Events / 4, subscriber.CountFor("qliksense/userevent/connection/close"));
            Assert.Equal(1, destination.ConnectionsOpened);
        }

        [Fact]
        public async Task No_broker_is_reported_and_every_event_ends_counted_as_dropped_at_stop()
        {
            int port;
            using (var broker = MosquittoBroker.Start())
            {
                port = broker.Port; // now free again
            }

            var options = new MqttDestinationOptions { Broker = "127.0.0.1", Port = port, InitialReconnectDelay = TimeSpan.FromMilliseconds(50), BatchInterval = TimeSpan.FromMilliseconds(10) };
            var destination = new MqttDestination(options);
            await destination.StartAsync(CancellationToken.None);
            for (int i = 0; i < 20; i++)
            {
                Assert.True(destination.TryEnqueue(TestEvents.Numbered(i)));
            }

            await TestEvents.WaitUntilAsync(() => destination.GetStatistics().Failed >= 2, Generous, () => "no failed attempt recorded");
            var during = destination.GetStatistics();
            Assert.Contains($"Cannot reach the MQTT broker mqtt://127.0.0.1:{port}", during.LastError);
            Assert.Contains("ConnectionRefused", during.LastError);
            Assert.True(during.Retried >= 1);
            Assert.Equal(0, during.Dropped); // still waiting for the broker, within the queue bound

            await destination.StopAsync(TimeSpan.FromMilliseconds(200));
            var s = destination.GetStatistics();
            Assert.Equal((20L, 0L, 20L), (s.Enqueued, s.Sent, s.Dropped));
            Assert.Equal(0, s.QueueDepth + s.InFlight);
        }

        [Fact]
        public async Task A_full_queue_while_the_broker_is_away_drops_and_counts_the_overflow()
        {
            int port;
            using (var broker = MosquittoBroker.Start())
            {
                port = broker.Port;
            }

            var options = new MqttDestinationOptions { Broker = "127.0.0.1", Port = port, QueueCapacity = 100, BatchSize = 10 };
            var destination = new MqttDestination(options);
            await destination.StartAsync(CancellationToken.None);
            int accepted = 0;
            for (int i = 0; i < 1000; i++)
            {
                if (destination.TryEnqueue(TestEvents.Numbered(i)))
                {
                    accepted++;
                }
            }

            // The bound holds: at most the queue plus the batch being retried.
            Assert.InRange(accepted, 100, 110);
            await destination.StopAsync(TimeSpan.FromMilliseconds(100));
            var s = destination.GetStatistics();
            Assert.Equal(1000, s.Enqueued);
            Assert.Equal(1000, s.Dropped);
            Assert.Equal(s.Enqueued, s.Sent + s.Dropped);
        }
    }
}
