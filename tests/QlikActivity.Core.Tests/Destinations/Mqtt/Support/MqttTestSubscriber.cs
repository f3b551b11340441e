using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Destinations.Mqtt;

namespace QlikActivity.Core.Tests.Destinations.Mqtt.Support
{
    /// <summary>
    /// A subscriber written with our own protocol code, so the tests need nothing but mosquitto:
    /// it records what the broker delivers and lets a test await a number of messages. The library
    /// only publishes; this small client does CONNECT with the library's packet writer and reader,
    /// and SUBSCRIBE, inbound PUBLISH and PUBACK with <see cref="MqttSubscriberPackets"/>.
    /// </summary>
    internal sealed class MqttTestSubscriber : IAsyncDisposable
    {
        private readonly MqttConnectionSettings _settings;
        private readonly string _filter;
        private readonly bool _keepMessages;
        private readonly MqttQualityOfService _qos;
        private readonly ConcurrentQueue<MqttReceivedMessage> _messages = new ConcurrentQueue<MqttReceivedMessage>();
        private readonly ConcurrentDictionary<string, long> _perTopic = new ConcurrentDictionary<string, long>();
        private readonly List<(long Count, TaskCompletionSource<bool> Reached)> _waiters = new List<(long, TaskCompletionSource<bool>)>();
        private Session? _session;
        private long _count;

        private MqttTestSubscriber(MqttConnectionSettings settings, string filter, bool keepMessages, MqttQualityOfService qos)
        {
            _qos = qos;
            _settings = settings;
            _filter = filter;
            _keepMessages = keepMessages;
        }

        /// <summary>Messages received (duplicates included).</summary>
        public long Count => Interlocked.Read(ref _count);

        public IReadOnlyCollection<MqttReceivedMessage> Messages => _messages.ToArray();

        public long CountFor(string topic) => _perTopic.TryGetValue(topic, out var n) ? n : 0;

        /// <summary>
        /// Connects and subscribes (at QoS 1 unless told otherwise). With <paramref name="persistentSession"/> the broker keeps the
        /// subscription and queues messages while this subscriber is away (clean session = 0).
        /// </summary>
        public static async Task<MqttTestSubscriber> ConnectAsync(int port, string filter = "#", bool persistentSession = false,
            bool keepMessages = true, Action<MqttConnectionSettings>? configure = null, int qos = 1)
        {
            var settings = new MqttConnectionSettings
            {
                Host = "127.0.0.1",
                Port = port,
                ClientId = "test-subscriber-" + Guid.NewGuid().ToString("N").Substring(0, 8),
                CleanSession = !persistentSession,
                KeepAliveSeconds = 60,
                ConnectTimeout = TimeSpan.FromSeconds(30),
            };
            configure?.Invoke(settings);
            var subscriber = new MqttTestSubscriber(settings, filter, keepMessages, (MqttQualityOfService)qos);
            await subscriber.OpenAsync().ConfigureAwait(false);
            return subscriber;
        }

        /// <summary>Connects again (after the broker restarted), retrying until the broker answers.</summary>
        public async Task ReconnectAsync(TimeSpan timeout)
        {
            if (_session != null)
            {
                await _session.DisposeAsync().ConfigureAwait(false);
                _session = null;
            }

            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                try
                {
                    await OpenAsync().ConfigureAwait(false);
                    return;
                }
                catch (MqttConnectionException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(50).ConfigureAwait(false);
                }
            }
        }

        /// <summary>Completes when at least <paramref name="count"/> messages have arrived; fails after <paramref name="timeout"/> saying how many did.</summary>
        public async Task WaitForCountAsync(long count, TimeSpan timeout)
        {
            TaskCompletionSource<bool> reached;
            lock (_waiters)
            {
                if (Count >= count)
                {
                    return;
                }

                reached = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((count, reached));
            }

            if (await Task.WhenAny(reached.Task, Task.Delay(timeout)).ConfigureAwait(false) != reached.Task)
            {
                throw new TimeoutException($"The subscriber received {Count} of {count} messages within {timeout.TotalSeconds:0} s.");
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_session != null)
            {
                await _session.DisposeAsync().ConfigureAwait(false);
            }
        }

        private async Task OpenAsync()
        {
            var session = await Session.OpenAsync(_settings, OnMessage).ConfigureAwait(false);
            try
            {
                await session.SubscribeAsync(_filter, _qos).ConfigureAwait(false);
            }
            catch
            {
                await session.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            _session = session;
        }

        private void OnMessage(MqttReceivedMessage message)
        {
            if (_keepMessages)
            {
                _messages.Enqueue(message);
            }

            _perTopic.AddOrUpdate(message.Topic, 1, (_, n) => n + 1);
            long count = Interlocked.Increment(ref _count);
            lock (_waiters)
            {
                for (int i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (count >= _waiters[i].Count)
                    {
                        _waiters[i].Reached.TrySetResult(true);
                        _waiters.RemoveAt(i);
                    }
                }
            }
        }

        /// <summary>One connection: CONNECT, one SUBSCRIBE, then a read loop that delivers and acknowledges, and pings.</summary>
        private sealed class Session : IAsyncDisposable
        {
            private const ushort SubscribeId = 1;
            private readonly MqttConnectionSettings _settings;
            private readonly TcpClient _tcp;
            private readonly Stream _stream;
            private readonly MqttPacketReader _reader;
            private readonly Action<MqttReceivedMessage> _onMessage;
            private readonly SemaphoreSlim _writeGate = new SemaphoreSlim(1, 1);
            private readonly CancellationTokenSource _closed = new CancellationTokenSource();
            private readonly TaskCompletionSource<byte[]> _subAck = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
            private Task _readLoop = Task.CompletedTask;
            private Task _pingLoop = Task.CompletedTask;

            private Session(MqttConnectionSettings settings, TcpClient tcp, Stream stream, MqttPacketReader reader, Action<MqttReceivedMessage> onMessage)
            {
                _settings = settings;
                _tcp = tcp;
                _stream = stream;
                _reader = reader;
                _onMessage = onMessage;
            }

            public static async Task<Session> OpenAsync(MqttConnectionSettings settings, Action<MqttReceivedMessage> onMessage)
            {
                var tcp = new TcpClient { NoDelay = true };
                using var timeout = new CancellationTokenSource(settings.ConnectTimeout);
                Stream? stream = null;
                try
                {
                    await tcp.ConnectAsync(settings.Host, settings.Port, timeout.Token).ConfigureAwait(false);
                    stream = tcp.GetStream();
                    if (settings.UseTls)
                    {
                        var validator = new BrokerCertificateValidator(settings.SkipCertificateCheck, settings.CaCertificatePath);
                        var ssl = new SslStream(stream, leaveInnerStreamOpen: false, validator.Validate);
                        stream = ssl;
                        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = settings.Host }, timeout.Token).ConfigureAwait(false);
                    }

                    var reader = new MqttPacketReader();
                    await LogInAsync(settings, stream, reader, timeout.Token).ConfigureAwait(false);
                    var session = new Session(settings, tcp, stream, reader, onMessage);
                    session.Start();
                    return session;
                }
                catch (Exception ex) when (ex is SocketException || ex is IOException || ex is OperationCanceledException
                    || ex is AuthenticationException || ex is MqttProtocolException)
                {
                    stream?.Dispose();
                    tcp.Dispose();
                    throw new MqttConnectionException(MqttConnectionFailure.Unreachable,
                        $"The test subscriber could not connect to {settings.Endpoint}: {ex.Message}", ex);
                }
                catch
                {
                    stream?.Dispose();
                    tcp.Dispose();
                    throw;
                }
            }

            public async Task SubscribeAsync(string filter, MqttQualityOfService qos)
            {
                byte[] codes;
                try
                {
                    using (var packet = new PooledBufferWriter(256))
                    {
                        MqttSubscriberPackets.WriteSubscribe(packet, SubscribeId, filter, qos);
                        await WriteAsync(packet).ConfigureAwait(false);
                    }

                    codes = await _subAck.Task.WaitAsync(_settings.ConnectTimeout).ConfigureAwait(false);
                }
                catch (Exception ex) when (!(ex is MqttConnectionException))
                {
                    // Lost before the SUBACK (e.g. the broker is still restarting): the caller may retry.
                    throw new MqttConnectionException(MqttConnectionFailure.Lost,
                        $"The test subscriber lost {_settings.Endpoint} while subscribing: {ex.Message}", ex);
                }

                if (codes.Length != 1 || codes[0] == MqttSubscriberPackets.SubscribeFailure)
                {
                    throw new MqttConnectionException(MqttConnectionFailure.Refused, $"The MQTT broker {_settings.Endpoint} refused the subscription to '{filter}'.");
                }
            }

            public async ValueTask DisposeAsync()
            {
                if (!_closed.IsCancellationRequested)
                {
                    try
                    {
                        using var goodbye = new PooledBufferWriter(2);
                        MqttPacketWriter.WriteDisconnect(goodbye);
                        await WriteAsync(goodbye).WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is IOException || ex is ObjectDisposedException || ex is OperationCanceledException || ex is TimeoutException)
                    {
                        // Closing anyway.
                    }
                }

                Close(null);
                try
                {
                    await Task.WhenAll(_readLoop, _pingLoop).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // The loops end with the socket; nothing more to report here.
                }
            }

            private static async Task LogInAsync(MqttConnectionSettings settings, Stream stream, MqttPacketReader reader, CancellationToken cancellationToken)
            {
                byte[] password = settings.Password == null ? Array.Empty<byte>() : Encoding.UTF8.GetBytes(new NetworkCredential("", settings.Password).Password);
                using (var connect = new PooledBufferWriter(256 + password.Length))
                {
                    MqttPacketWriter.WriteConnect(connect, settings.ClientId, settings.UserName, password, settings.Password != null,
                        settings.KeepAliveSeconds, settings.CleanSession);
                    var segment = connect.WrittenSegment;
                    await stream.WriteAsync(segment.Array!, segment.Offset, segment.Count, cancellationToken).ConfigureAwait(false);
                    await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                }

                while (true)
                {
                    // Messages a persistent session kept may follow CONNACK in the same read: they stay in the reader.
                    if (reader.TryRead(out var packet))
                    {
                        var code = packet.ReadConnAck(out _);
                        if (code != MqttConnectReturnCode.Accepted)
                        {
                            throw new MqttConnectionException(MqttConnectionFailure.Refused,
                                $"The MQTT broker {settings.Endpoint} refused the test subscriber: {MqttProtocol.Describe(code)}.", null, code);
                        }

                        return;
                    }

                    var buffer = reader.GetBuffer(512);
                    int read = await stream.ReadAsync(buffer.Array!, buffer.Offset, buffer.Count, cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        throw new IOException("the broker closed the connection before answering CONNECT");
                    }

                    reader.Advance(read);
                }
            }

            private void Start()
            {
                _readLoop = Task.Run(ReadLoopAsync);
                if (_settings.KeepAliveSeconds > 0)
                {
                    _pingLoop = Task.Run(PingLoopAsync);
                }
            }

            private async Task ReadLoopAsync()
            {
                using var acks = new PooledBufferWriter(1024);
                try
                {
                    while (true)
                    {
                        while (_reader.TryRead(out var packet))
                        {
                            Handle(packet, acks);
                        }

                        if (acks.WrittenCount > 0)
                        {
                            await WriteAsync(acks).ConfigureAwait(false);
                            acks.Clear();
                        }

                        var buffer = _reader.GetBuffer(16 * 1024);
                        int read = await _stream.ReadAsync(buffer.Array!, buffer.Offset, buffer.Count, _closed.Token).ConfigureAwait(false);
                        if (read == 0)
                        {
                            throw new IOException("the broker closed the connection");
                        }

                        _reader.Advance(read);
                    }
                }
                catch (Exception ex)
                {
                    Close(ex);
                }
            }

            private void Handle(MqttPacket packet, PooledBufferWriter acks)
            {
                switch (packet.Type)
                {
                    case MqttPacketType.SubAck:
                        packet.ReadSubAck(out var codes);
                        _subAck.TrySetResult(codes);
                        break;
                    case MqttPacketType.Publish:
                        string topic = packet.ReadPublish(out ushort packetId, out var payload);
                        _onMessage(new MqttReceivedMessage(topic, payload.ToArray(), packet.PublishQos, packet.PublishDuplicate));
                        if (packet.PublishQos == MqttQualityOfService.AtLeastOnce)
                        {
                            MqttSubscriberPackets.WritePubAck(acks, packetId);
                        }
                        else if (packet.PublishQos != MqttQualityOfService.AtMostOnce)
                        {
                            throw new MqttProtocolException("the broker sent a QoS 2 PUBLISH, which this subscriber never asks for");
                        }

                        break;
                    case MqttPacketType.PingResp:
                        break;
                    default:
                        throw new MqttProtocolException($"the broker sent an unexpected {packet.Type}");
                }
            }

            // Pings every half keep-alive whatever else is sent: simple, and enough for a broker that
            // drops a client after 1.5 keep-alives of silence.
            private async Task PingLoopAsync()
            {
                var every = TimeSpan.FromSeconds(_settings.KeepAliveSeconds / 2.0);
                try
                {
                    while (true)
                    {
                        await Task.Delay(every, _closed.Token).ConfigureAwait(false);
                        using var ping = new PooledBufferWriter(2);
                        MqttPacketWriter.WritePingRequest(ping);
                        await WriteAsync(ping).ConfigureAwait(false);
                    }
                }
                catch (Exception ex)
                {
                    Close(ex);
                }
            }

            // One writer at a time: the read loop's PUBACKs, the pings and the SUBSCRIBE share the socket.
            private async Task WriteAsync(PooledBufferWriter packet)
            {
                await _writeGate.WaitAsync(_closed.Token).ConfigureAwait(false);
                try
                {
                    var segment = packet.WrittenSegment;
                    await _stream.WriteAsync(segment.Array!, segment.Offset, segment.Count, _closed.Token).ConfigureAwait(false);
                    await _stream.FlushAsync(_closed.Token).ConfigureAwait(false);
                }
                finally
                {
                    _writeGate.Release();
                }
            }

            private void Close(Exception? reason)
            {
                _subAck.TrySetException(reason ?? new ObjectDisposedException(nameof(MqttTestSubscriber)));
                try
                {
                    _closed.Cancel();
                }
                catch (ObjectDisposedException)
                {
                }

                _stream.Dispose();
                _tcp.Dispose();
            }
        }
    }
}
