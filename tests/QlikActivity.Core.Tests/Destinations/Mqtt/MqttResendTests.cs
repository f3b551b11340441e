using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Destinations.Mqtt;
using QlikActivity.Core.Tests.Destinations.Mqtt.Support;
using Xunit;

namespace QlikActivity.Core.Tests.Destinations.Mqtt
{
    /// <summary>
    /// Behaviour mosquitto cannot be made to show on cue: a connection that drops after some PUBACKs,
    /// and a broker that stops answering. A scripted peer, built on our own protocol code, plays
    /// the broker over a real loopback socket.
    /// </summary>
    public class MqttResendTests
    {
        private sealed record Received(int Connection, string Topic, int Number, bool Duplicate);

        /// <summary>A tiny broker: CONNACK, then PUBACK the first <c>ackLimit(connection)</c> PUBLISH packets.</summary>
        private sealed class ScriptedBroker : IDisposable
        {
            private readonly TcpListener _listener = new TcpListener(IPAddress.Loopback, 0);
            private readonly Func<int, int> _ackLimit;
            private readonly Func<int, int> _dropAfter;
            private readonly bool _answerPings;
            private int _connections;

            public ScriptedBroker(Func<int, int> ackLimit, Func<int, int> dropAfter, bool answerPings = true)
            {
                _ackLimit = ackLimit;
                _dropAfter = dropAfter;
                _answerPings = answerPings;
                _listener.Start();
                _ = Task.Run(AcceptAsync);
            }

            public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

            public ConcurrentQueue<Received> Publishes { get; } = new ConcurrentQueue<Received>();

            public int PingRequests;

            public void Dispose() => _listener.Stop();

            private async Task AcceptAsync()
            {
                while (true)
                {
                    TcpClient client;
                    try
                    {
                        client = await _listener.AcceptTcpClientAsync();
                    }
                    catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException)
                    {
                        return;
                    }

                    int connection = Interlocked.Increment(ref _connections);
                    _ = Task.Run(() => ServeAsync(client, connection));
                }
            }

            private async Task ServeAsync(TcpClient client, int connection)
            {
                using var _ = client;
                var stream = client.GetStream();
                var reader = new MqttPacketReader();
                using var output = new PooledBufferWriter();
                int publishes = 0;
                try
                {
                    while (true)
                    {
                        var buffer = reader.GetBuffer();
                        int read = await stream.ReadAsync(buffer.Array!, buffer.Offset, buffer.Count);
                        if (read == 0)
                        {
                            return;
                        }

                        reader.Advance(read);
                        output.Clear();
                        while (reader.TryRead(out var packet))
                        {
                            switch (packet.Type)
                            {
                                case MqttPacketType.Connect:
                                    output.Write(new byte[] { 0x20, 0x02, 0x00, 0x00 });
                                    break;
                                case MqttPacketType.PingReq:
                                    Interlocked.Increment(ref PingRequests);
                                    if (_answerPings)
                                    {
                                        output.Write(new byte[] { 0xD0, 0x00 });
                                    }

                                    break;
                                case MqttPacketType.Publish:
                                    string topic = packet.ReadPublish(out ushort id, out var payload);
                                    publishes++;
                                    Publishes.Enqueue(new Received(connection, topic, TestEvents.NumberOf(payload.ToArray()), packet.PublishDuplicate));
                                    if (publishes <= _ackLimit(connection))
                                    {
                                        MqttSubscriberPackets.WritePubAck(output, id);
                                    }

                                    break;
                            }
                        }

                        if (output.WrittenCount > 0)
                        {
                            var written = output.WrittenSegment;
                            await stream.WriteAsync(written.Array!, written.Offset, written.Count);
                        }

                        if (publishes >= _dropAfter(connection))
                        {
                            return; // drop the connection, as a crashing broker would
                        }
                    }
                }
                catch (Exception ex) when (ex is System.IO.IOException || ex is SocketException || ex is ObjectDisposedException)
                {
                }
            }
        }

        [Fact]
        public async Task After_a_lost_connection_only_unacknowledged_messages_are_sent_again_marked_DUP()
        {
            // First connection: PUBACK the first 6 of the batch's 20 PUBLISH packets, drop after all 20.
            using var broker = new ScriptedBroker(ackLimit: c => c == 1 ? 6 : int.MaxValue, dropAfter: c => c == 1 ? 20 : int.MaxValue);
            var destination = new MqttDestination(new MqttDestinationOptions
            {
                Broker = "127.0.0.1",
                Port = broker.Port,
                BatchSize = 10,
                InitialReconnectDelay = TimeSpan.FromMilliseconds(50),
            });
            for (int i = 0; i < 10; i++)
            {
                destination.TryEnqueue(TestEvents.Numbered(i));
            }

            await destination.StartAsync(CancellationToken.None);
            await TestEvents.WaitUntilAsync(() => destination.GetStatistics().Sent == 10, TimeSpan.FromSeconds(60),
                () => $"sent {destination.GetStatistics().Sent}, last error {destination.GetStatistics().LastError}");
            await destination.StopAsync(TimeSpan.FromSeconds(10));

            var first = broker.Publishes.Where(p => p.Connection == 1).ToList();
            var second = broker.Publishes.Where(p => p.Connection == 2).ToList();
            Assert.Equal(20, first.Count);
            Assert.All(first, p => Assert.False(p.Duplicate));

            // The 6 acknowledged (events 0..2 on both topics) are not repeated; the other 14 are, with DUP.
            var acknowledged = first.Take(6).Select(p => (p.Topic, p.Number)).ToHashSet();
            Assert.Equal(14, second.Count);
            Assert.All(second, p => Assert.True(p.Duplicate));
            Assert.DoesNotContain(second, p => acknowledged.Contains((p.Topic, p.Number)));
            Assert.Equal(first.Skip(6).Select(p => (p.Topic, p.Number)), second.Select(p => (p.Topic, p.Number)));

            var s = destination.GetStatistics();
            Assert.Equal((10L, 10L, 0L, 1L, 1L), (s.Enqueued, s.Sent, s.Dropped, s.Failed, s.Retried));
            Assert.Equal(2, destination.ConnectionsOpened);
        }

        [Fact]
        public async Task A_broker_that_stops_answering_pings_is_given_up_on_after_the_keep_alive()
        {
            using var broker = new ScriptedBroker(ackLimit: _ => int.MaxValue, dropAfter: _ => int.MaxValue, answerPings: false);
            await using var connection = await MqttConnection.OpenAsync(new MqttConnectionSettings
            {
                Host = "127.0.0.1",
                Port = broker.Port,
                ClientId = "silent-test",
                KeepAliveSeconds = 1,
            }, CancellationToken.None);

            await TestEvents.WaitUntilAsync(() => !connection.IsOpen, TimeSpan.FromSeconds(60), () => "the silent broker went unnoticed");
            // The client can give up before the broker's thread has read the ping it sent (seen under load):
            // wait for the broker to count it rather than asserting at once.
            await TestEvents.WaitUntilAsync(() => Volatile.Read(ref broker.PingRequests) >= 1, TimeSpan.FromSeconds(60), () => "the broker never saw a PINGREQ");
            Assert.Contains("sent nothing for", connection.Failure!.Message);
            Assert.Contains("keep-alive 1 s", connection.Failure.Message);
        }
    }
}
