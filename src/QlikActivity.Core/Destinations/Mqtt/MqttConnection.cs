using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Certificates;

namespace QlikActivity.Core.Destinations.Mqtt
{
    /// <summary>
    /// One live MQTT 3.1.1 publishing connection: the socket (optionally TLS), a reader task for
    /// PUBACK and PINGRESP, a keep-alive task, and a window of QoS 1 packets in flight. Publishing
    /// writes into a buffer and the caller flushes it, so many packets share one socket write.
    /// Publishing is for one caller at a time (the destination's loop); pings from the keep-alive
    /// task share the socket through a write gate. It never subscribes, so a PUBLISH from the
    /// broker is a protocol error. Once it fails it stays failed: make a new one to reconnect.
    /// </summary>
    internal sealed class MqttConnection : IAsyncDisposable
    {
        private const int FlushThreshold = 128 * 1024;
        // Encoded once: the keep-alive task writes its ping outside the publish buffer.
        private static readonly byte[] PingRequest = Encode(MqttPacketWriter.WritePingRequest);
        private static readonly byte[] DisconnectPacket = Encode(MqttPacketWriter.WriteDisconnect);

        private readonly MqttConnectionSettings _settings;
        private readonly Socket _socket;
        private readonly Stream _stream;
        private readonly MqttPacketReader _reader = new MqttPacketReader();
        private readonly PooledBufferWriter _out = new PooledBufferWriter(FlushThreshold + 8192);
        private readonly SemaphoreSlim _writeGate = new SemaphoreSlim(1, 1);
        private readonly MqttInFlightWindow _inFlight;
        private readonly CancellationTokenSource _closed = new CancellationTokenSource();
        private Exception? _failure;
        private Task _readLoop = Task.CompletedTask;
        private Task _keepAliveLoop = Task.CompletedTask;
        private long _lastSent;
        private long _lastReceived;
        private long _pingSentAt;
        private long _pingResponses;

        private MqttConnection(MqttConnectionSettings settings, Socket socket, Stream stream)
        {
            _settings = settings;
            _socket = socket;
            _stream = stream;
            _inFlight = new MqttInFlightWindow(settings.MaxInFlight);
            _lastSent = _lastReceived = Stopwatch.GetTimestamp();
        }

        public string Endpoint => _settings.Endpoint;

        public bool IsOpen => Volatile.Read(ref _failure) == null;

        /// <summary>Why the connection ended, or null while it is open.</summary>
        public Exception? Failure => Volatile.Read(ref _failure);

        /// <summary>QoS 1 packets written and not yet acknowledged.</summary>
        public int InFlight => _inFlight.Count;

        /// <summary>PINGRESPs received: proof that keep-alive works.</summary>
        public long PingResponses => Interlocked.Read(ref _pingResponses);

        /// <summary>Connects, does the TLS handshake, sends CONNECT and waits for CONNACK, all within the connect timeout.</summary>
        public static async Task<MqttConnection> OpenAsync(MqttConnectionSettings settings, CancellationToken cancellationToken)
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            Stream? stream = null;
            BrokerCertificateValidator? validator = null;
            string stage = "connecting";
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(settings.ConnectTimeout);

            // netstandard2.0's socket and TLS calls take no token: closing the socket aborts them.
            using var abort = timeout.Token.Register(() => socket.Dispose());
            try
            {
                await socket.ConnectAsync(settings.Host, settings.Port).ConfigureAwait(false);
                stream = new NetworkStream(socket, ownsSocket: true);
                if (settings.UseTls)
                {
                    stage = "negotiating TLS with";
                    validator = new BrokerCertificateValidator(settings.SkipCertificateCheck, settings.CaCertificatePath);
                    var client = settings.ClientCertificate;
                    var ssl = client == null
                        ? new SslStream(stream, leaveInnerStreamOpen: false, validator.Validate)
                        : new SslStream(stream, leaveInnerStreamOpen: false, validator.Validate, (sender, host, local, remote, issuers) => client);
                    stream = ssl;
                    var clientCertificates = client == null ? null : new X509CertificateCollection { client };
                    await ssl.AuthenticateAsClientAsync(settings.Host, clientCertificates, TlsProtocols.Client, checkCertificateRevocation: false).ConfigureAwait(false);
                }

                stage = "logging in to";
                var connection = new MqttConnection(settings, socket, stream);
                await connection.HandshakeAsync(timeout.Token).ConfigureAwait(false);
                connection.Start();
                return connection;
            }
            catch (Exception ex)
            {
                stream?.Dispose();
                socket.Dispose();
                if (ex is MqttConnectionException)
                {
                    throw;
                }

                cancellationToken.ThrowIfCancellationRequested();

                throw MqttConnectionException.ForOpen(ex, settings, stage, timeout.IsCancellationRequested, validator?.LastFailure);
            }
        }

        /// <summary>
        /// Buffers one PUBLISH. At QoS 1 it takes a slot of the in-flight window first; when the window
        /// is full it flushes and waits for PUBACKs. <paramref name="slot"/> is reported to
        /// <paramref name="delivery"/> when the PUBACK arrives.
        /// </summary>
        public async ValueTask PublishAsync(byte[] topic, ReadOnlyMemory<byte> payload, MqttQualityOfService qos, bool duplicate, MqttBatchDelivery? delivery, int slot, CancellationToken cancellationToken)
        {
            ThrowIfFailed();
            ushort packetId = 0;
            if (qos == MqttQualityOfService.AtLeastOnce)
            {
                if (!_inFlight.TryTakeSlot())
                {
                    // Full window: the PUBACKs we wait for may be for packets still in our buffer.
                    await FlushAsync(cancellationToken).ConfigureAwait(false);
                    using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
                    try
                    {
                        await _inFlight.TakeSlotAsync(linked.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        ThrowIfFailed();
                        throw;
                    }
                }

                ThrowIfFailed();
                if (!_inFlight.TryRegister(delivery, slot, out packetId))
                {
                    // Only Fail closes the window, and it records the failure first.
                    ThrowIfFailed();
                }
            }

            MqttPacketWriter.WritePublish(_out, topic, payload.Span, qos, packetId, duplicate && qos != MqttQualityOfService.AtMostOnce);
            if (_out.WrittenCount >= FlushThreshold)
            {
                await FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>Writes everything buffered in one socket write.</summary>
        public async Task FlushAsync(CancellationToken cancellationToken)
        {
            if (_out.WrittenCount == 0)
            {
                ThrowIfFailed();
                return;
            }

            await WriteAsync(_out, cancellationToken).ConfigureAwait(false);
            _out.Clear();
        }

        /// <summary>Sends DISCONNECT (a clean goodbye) and closes the socket.</summary>
        public async Task DisconnectAsync(TimeSpan timeout)
        {
            if (IsOpen)
            {
                using var cts = new CancellationTokenSource(timeout);
                try
                {
                    await FlushAsync(cts.Token).ConfigureAwait(false);
                    await WriteRawAsync(DisconnectPacket, cts.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException || ex is MqttConnectionException || ex is IOException || ex is ObjectDisposedException)
                {
                    // Closing anyway.
                }

                Fail(new MqttConnectionException(MqttConnectionFailure.Lost, $"The connection to {Endpoint} was closed by this client."));
            }

            try
            {
                await Task.WhenAll(_readLoop, _keepAliveLoop).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The loops record their failure in Fail; nothing more to report here.
            }
        }

        public async ValueTask DisposeAsync()
        {
            await DisconnectAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            _out.Dispose();
        }

        /// <summary>Closes the connection because of <paramref name="reason"/>; everyone waiting learns it.</summary>
        internal void Fail(Exception reason)
        {
            var failure = reason as MqttConnectionException
                ?? new MqttConnectionException(MqttConnectionFailure.Lost, $"Lost the connection to the MQTT broker {Endpoint}: {Explain(reason)}", reason);
            if (Interlocked.CompareExchange(ref _failure, failure, null) != null)
            {
                return;
            }

            try
            {
                _closed.Cancel();
            }
            catch (AggregateException)
            {
                // A registration threw; the connection closes regardless.
            }

            try
            {
                _stream.Dispose();
            }
            catch (Exception ex) when (ex is IOException || ex is ObjectDisposedException || ex is SocketException)
            {
            }

            _socket.Dispose();
            _inFlight.FailAll(failure);
        }

        private async Task HandshakeAsync(CancellationToken cancellationToken)
        {
            byte[] password = PasswordBytes(_settings.Password);
            var connect = new PooledBufferWriter(256 + password.Length);
            try
            {
                MqttPacketWriter.WriteConnect(connect, _settings.ClientId, _settings.UserName, password, _settings.Password != null,
                    _settings.KeepAliveSeconds, _settings.CleanSession);
                var segment = connect.WrittenSegment;
                await _stream.WriteAsync(segment.Array!, segment.Offset, segment.Count, cancellationToken).ConfigureAwait(false);
                await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // The password must not linger in pooled memory.
                Array.Clear(password, 0, password.Length);
                var written = connect.WrittenSegment;
                Array.Clear(written.Array!, written.Offset, written.Count);
                connect.Dispose();
            }

            while (true)
            {
                if (_reader.TryRead(out var packet))
                {
                    if (packet.Type != MqttPacketType.ConnAck)
                    {
                        throw new MqttProtocolException($"expected CONNACK, got {packet.Type}");
                    }

                    var code = packet.ReadConnAck(out _);
                    if (code != MqttConnectReturnCode.Accepted)
                    {
                        throw new MqttConnectionException(MqttConnectionFailure.Refused,
                            $"The MQTT broker {Endpoint} refused the connection: {MqttProtocol.Describe(code)}.", null, code);
                    }

                    return;
                }

                var buffer = _reader.GetBuffer(512);
                int read = await _stream.ReadAsync(buffer.Array!, buffer.Offset, buffer.Count, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new IOException("the broker closed the connection before answering CONNECT");
                }

                _reader.Advance(read);
            }
        }

        private void Start()
        {
            _readLoop = Task.Run(ReadLoopAsync);
            if (_settings.KeepAliveSeconds > 0)
            {
                _keepAliveLoop = Task.Run(KeepAliveLoopAsync);
            }
        }

        private async Task ReadLoopAsync()
        {
            try
            {
                while (IsOpen)
                {
                    var buffer = _reader.GetBuffer(16 * 1024);
                    int read = await _stream.ReadAsync(buffer.Array!, buffer.Offset, buffer.Count, _closed.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        throw new IOException("the broker closed the connection");
                    }

                    _reader.Advance(read);
                    Volatile.Write(ref _lastReceived, Stopwatch.GetTimestamp());
                    while (_reader.TryRead(out var packet))
                    {
                        Handle(packet);
                    }
                }
            }
            catch (Exception ex)
            {
                Fail(ex);
            }
        }

        private void Handle(MqttPacket packet)
        {
            switch (packet.Type)
            {
                case MqttPacketType.PubAck:
                    _inFlight.Acknowledge(packet.ReadPacketId());
                    break;
                case MqttPacketType.PingResp:
                    if (packet.Body.Length != 0)
                    {
                        throw new MqttProtocolException("PINGRESP must have no body.");
                    }

                    Volatile.Write(ref _pingSentAt, 0);
                    Interlocked.Increment(ref _pingResponses);
                    break;
                default:
                    throw new MqttProtocolException($"the broker sent an unexpected {packet.Type}");
            }
        }

        // Pings when we have been quiet for half the keep-alive; gives up when the broker has been
        // silent for a whole keep-alive while we wait for it (a ping or PUBACKs).
        private async Task KeepAliveLoopAsync()
        {
            double keepAlive = _settings.KeepAliveSeconds;
            var tick = TimeSpan.FromSeconds(Math.Max(0.25, Math.Min(keepAlive / 4, 5)));
            Task ping = Task.CompletedTask;
            try
            {
                while (IsOpen)
                {
                    await Task.Delay(tick, _closed.Token).ConfigureAwait(false);
                    long now = Stopwatch.GetTimestamp();
                    double sinceReceived = Seconds(now - Volatile.Read(ref _lastReceived));
                    bool waiting = Volatile.Read(ref _pingSentAt) != 0 || InFlight > 0;
                    if (waiting && sinceReceived > keepAlive)
                    {
                        throw new TimeoutException($"the broker sent nothing for {sinceReceived:0} s (keep-alive {keepAlive:0} s)");
                    }

                    // A busy write gate means packets are going out anyway; never queue behind it, or
                    // a broker that stopped reading would also stop this check.
                    // The ping is not awaited, so a broker that stopped reading cannot stop this check.
                    if (Volatile.Read(ref _pingSentAt) == 0 && Seconds(now - Volatile.Read(ref _lastSent)) >= keepAlive / 2
                        && ping.IsCompleted && _writeGate.Wait(0))
                    {
                        Volatile.Write(ref _pingSentAt, now);
                        ping = ObserveFailure(WriteRawAsync(PingRequest, 0, PingRequest.Length, _closed.Token, gateHeld: true), Fail);
                    }
                }
            }
            catch (OperationCanceledException) when (!IsOpen)
            {
            }
            catch (Exception ex)
            {
                Fail(ex);
            }
        }

        /// <summary>
        /// A task nobody awaits (the keep-alive's ping) must still have its failure seen: it closes
        /// the connection with that reason instead of surfacing later as an unobserved exception.
        /// Returns a task that completes when <paramref name="task"/> does and never faults.
        /// </summary>
        internal static Task ObserveFailure(Task task, Action<Exception> fail) =>
            task.ContinueWith(
                t =>
                {
                    if (t.Exception is { } aggregate)
                    {
                        fail(aggregate.InnerExceptions.Count == 1 ? aggregate.InnerException! : aggregate);
                    }
                },
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        private Task WriteAsync(PooledBufferWriter buffer, CancellationToken cancellationToken)
        {
            var segment = buffer.WrittenSegment;
            return WriteRawAsync(segment.Array!, segment.Offset, segment.Count, cancellationToken);
        }

        private Task WriteRawAsync(byte[] bytes, CancellationToken cancellationToken) => WriteRawAsync(bytes, 0, bytes.Length, cancellationToken);

        private async Task WriteRawAsync(byte[] bytes, int offset, int count, CancellationToken cancellationToken, bool gateHeld = false)
        {
            if (!gateHeld)
            {
                ThrowIfFailed();
                await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            try
            {
                ThrowIfFailed();
                await _stream.WriteAsync(bytes, offset, count, cancellationToken).ConfigureAwait(false);
                await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _lastSent, Stopwatch.GetTimestamp());
            }
            catch (Exception ex) when (!(ex is MqttConnectionException))
            {
                // A write cut short leaves half a packet on the wire: the connection is unusable.
                Fail(ex);
                if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
                {
                    throw;
                }

                ThrowIfFailed();
                throw;
            }
            finally
            {
                _writeGate.Release();
            }
        }

        private void ThrowIfFailed()
        {
            if (Volatile.Read(ref _failure) is { } failure)
            {
                throw new MqttConnectionException(MqttConnectionFailure.Lost, failure.Message, failure);
            }
        }

        private static double Seconds(long stopwatchTicks) => (double)stopwatchTicks / Stopwatch.Frequency;

        private static byte[] Encode(Action<PooledBufferWriter> write)
        {
            using var packet = new PooledBufferWriter(16);
            write(packet);
            return packet.WrittenMemory.ToArray();
        }

        private static byte[] PasswordBytes(SecureString? password)
        {
            if (password == null || password.Length == 0)
            {
                return Array.Empty<byte>();
            }

            IntPtr unmanaged = Marshal.SecureStringToGlobalAllocUnicode(password);
            var chars = new char[password.Length];
            try
            {
                Marshal.Copy(unmanaged, chars, 0, chars.Length);
                return Encoding.UTF8.GetBytes(chars);
            }
            finally
            {
                Array.Clear(chars, 0, chars.Length);
                Marshal.ZeroFreeGlobalAllocUnicode(unmanaged);
            }
        }

        internal static string Explain(Exception ex) => ex switch
        {
            SocketException s => $"{s.SocketErrorCode} ({s.Message})",
            IOException io when io.InnerException is SocketException s => $"{s.SocketErrorCode} ({s.Message})",
            MqttConnectionException m => m.Message,
            _ => ex.Message,
        };
    }
}
