using System;
using System.Collections.Generic;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core;
using QlikActivity.Core.Destinations;
using QlikActivity.Core.Destinations.Mqtt;

namespace QlikActivity.Core.Destinations.Mqtt
{
    /// <summary>
    /// Forwards user events to an MQTT 3.1.1 broker the way Butler SOS does: every event to one topic
    /// (<c>qliksense/userevent</c>) and to a topic per event type, as JSON. At QoS 1 each batch waits for
    /// its PUBACKs; when the broker goes away the batch is retried after reconnecting, re-sending only
    /// what was not acknowledged, while new events wait in the bounded queue.
    /// What <c>New-QlikMqttDestination</c> returns (PowerShell type <c>QlikActivity.Core.Destinations.Mqtt.MqttDestination</c>);
    /// it never shows the password.
    /// </summary>
    public sealed partial class MqttDestination : QueuedDestination, ISecurityWarnings
    {
        private readonly MqttDestinationOptions _options;
        private readonly byte[]? _topic;
        private readonly byte[]?[] _typeTopics;
        private readonly MqttQualityOfService _qos;
        private readonly PooledBufferWriter _payload = new PooledBufferWriter(4096);
        private readonly Utf8JsonWriter _json;
        private MqttConnection? _connection;
        private MqttPendingBatch? _pending;
        private MqttConnection? _probed;
        private int _connectionsOpened;
        private readonly System.Security.Cryptography.X509Certificates.X509Certificate2? _clientCertificate;

        /// <summary>How long, once the drain time at stop has run out, publishes already written may still be acknowledged.</summary>
        private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(2);

        /// <summary>Checks the options and makes the destination; it connects when the listener starts it.</summary>
        public MqttDestination(MqttDestinationOptions options)
            : this(Check(options))
        {
        }

        private MqttDestination(CheckedOptions options)
            : base(options.Name, options.Queue)
        {
            _options = options.Options;
            _topic = options.Topic;
            _typeTopics = options.TypeTopics;
            _qos = (MqttQualityOfService)_options.QoS;
            _json = new Utf8JsonWriter(_payload, UserEventMqttPayload.WriterOptions);
            // Read now, so a wrong path or password fails New-QlikMqttDestination, not the first event.
            _clientCertificate = MqttClientCertificate.Load(_options);
        }

        /// <summary>The client certificate's subject, or empty when none is presented.</summary>
        public string CertificateSubject => _clientCertificate?.Subject ?? "";

        /// <summary>Host name or IP address of the broker.</summary>
        public string Broker => _options.Broker;

        public int Port => _options.Port!.Value;

        public bool UseTls => _options.UseTls;

        /// <summary>The CA file the broker's certificate must chain to; empty means this computer's store.</summary>
        public string CaCertificatePath => _options.CaCertificatePath ?? "";

        public bool SkipCertificateCheck => _options.SkipCertificateCheck;

        public string ClientId => _options.ClientId!;

        /// <summary>0 (at most once) or 1 (at least once).</summary>
        public int QoS => _options.QoS;

        /// <summary>Every event is published here; empty when turned off.</summary>
        public string Topic => _options.Topic;

        public string SessionStartTopic => _options.SessionStartTopic!;

        public string SessionStopTopic => _options.SessionStopTopic!;

        public string ConnectionOpenTopic => _options.ConnectionOpenTopic!;

        public string ConnectionCloseTopic => _options.ConnectionCloseTopic!;

        /// <summary>The user name sent to the broker, if any. The password is never exposed.</summary>
        public string UserName => _options.UserName ?? "";

        public int KeepAliveSeconds => _options.KeepAliveSeconds;

        public int QueueCapacity => _options.QueueCapacity;

        public int MaxInFlight => _options.MaxInFlight;

        /// <summary>Connections opened so far: more than one means the destination reconnected.</summary>
        internal int ConnectionsOpened => Volatile.Read(ref _connectionsOpened);

        /// <summary>
        /// The operation behind <c>New-QlikMqttDestination</c>: checks the options, warns about an
        /// unchecked certificate, and with <paramref name="testConnection"/> logs in to the broker once
        /// so a wrong address, password or CA shows up now rather than in the listener's statistics.
        /// </summary>
        public static MqttDestination Create(MqttDestinationOptions options, bool testConnection, IOperationHost host)
        {
            if (host == null)
            {
                throw new ArgumentNullException(nameof(host));
            }

            var destination = new MqttDestination(options);
            foreach (var warning in destination.SecurityWarnings)
            {
                host.WriteWarning(warning);
            }

            if (destination.SkipCertificateCheck && !destination.UseTls)
            {
                host.WriteWarning("-SkipCertificateCheck has no effect without -UseTls.");
            }

            host.WriteVerbose($"MQTT destination {destination}: client id '{destination.ClientId}', topics {string.Join(", ", destination.EnabledTopics())}.");
            if (testConnection)
            {
                host.WriteVerbose($"Connecting to {destination.Name} to test the settings.");
                destination.TestConnectionAsync(host.CancellationToken).GetAwaiter().GetResult();
                host.WriteVerbose($"The MQTT broker {destination.Name} accepted the connection.");
            }

            return destination;
        }

        /// <summary>An unchecked broker certificate, or a password sent without TLS; the listener warns of these at start.</summary>
        public IReadOnlyList<string> SecurityWarnings
        {
            get
            {
                var warnings = new List<string>();
                if (SkipCertificateCheck && UseTls)
                {
                    warnings.Add($"{Name}: -SkipCertificateCheck: the certificate of the MQTT broker will not be checked: anyone between this computer and the broker can read and change the events. Use -CaCertificatePath instead where you can.");
                }

                if (_options.Password != null && !UseTls)
                {
                    warnings.Add($"{Name}: without TLS, the password of '{UserName}' can be read by anyone on the network path to the broker. Use -UseTls.");
                }

                return warnings;
            }
        }

        /// <summary>Connects and logs in once, then disconnects. Throws <see cref="QlikActivityException"/> saying why it failed.</summary>
        public async Task TestConnectionAsync(CancellationToken cancellationToken)
        {
            try
            {
                var connection = await MqttConnection.OpenAsync(Settings(), cancellationToken).ConfigureAwait(false);
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            catch (MqttConnectionException ex)
            {
                throw ToQlikActivityException(ex);
            }
        }

        /// <summary>The broker and the topics: the same broker with other topics is another destination in the journal.</summary>
        public override string JournalKey =>
            $"{Name} {string.Join(" ", EnabledTopics())}";

        /// <summary>The broker and the main topic; never the password.</summary>
        public override string ToString() =>
            string.IsNullOrEmpty(Topic) ? $"{Name} QoS {QoS}" : $"{Name}/{Topic} QoS {QoS}";

        /// <inheritdoc />
        protected override async Task SendBatchAsync(IReadOnlyList<UserEvent> batch, CancellationToken cancellationToken)
        {
            var pending = PendingFor(batch);
            _pending = pending;

            // Stopping (the drain time ran out) ends the writing at the next event, but what was written
            // still gets StopGrace to be acknowledged, so an event the broker took is counted as sent.
            using var grace = new CancellationTokenSource();
            using var onStop = cancellationToken.Register(() => grace.CancelAfter(StopGrace));
            var token = grace.Token;
            MqttConnection connection = await ConnectAsync(token).ConfigureAwait(false);
            var delivery = _qos == MqttQualityOfService.AtLeastOnce ? new MqttBatchDelivery(pending.Done.Length) : null;
            try
            {
                try
                {
                    await PublishAllAsync(batch, pending, connection, delivery, cancellationToken, token).ConfigureAwait(false);
                }
                finally
                {
                    delivery?.AllWritten();
                }

                await connection.FlushAsync(token).ConfigureAwait(false);
                if (delivery != null)
                {
                    await WaitAsync(delivery.Completion, token).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                MarkAcknowledged(pending, delivery);
                var failure = connection.Failure ?? ex;
                connection.Fail(ex);
                throw new DestinationException(
                    $"{MqttConnection.Explain(failure).TrimEnd('.')}. Unacknowledged events are re-sent after reconnecting.",
                    retryable: true, inner: ex);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                // Stopped, and the broker did not acknowledge everything within the grace: count what it did.
                MarkAcknowledged(pending, delivery);
                throw new OperationCanceledException(cancellationToken);
            }

            MarkAcknowledged(pending, delivery);
            if (cancellationToken.IsCancellationRequested && pending.DeliveredEvents(delivery != null) < pending.Count)
            {
                // Writing stopped part way: the rest of the batch is dropped (DeliveredOf counts the part sent).
                throw new OperationCanceledException(cancellationToken);
            }

            _pending = null;
        }

        /// <inheritdoc />
        protected override int DeliveredOf(IReadOnlyList<UserEvent> batch)
        {
            var pending = _pending;
            return pending != null && pending.Matches(batch) ? pending.DeliveredEvents(_qos == MqttQualityOfService.AtLeastOnce) : 0;
        }

        /// <inheritdoc />
        /// <remarks>Logs in to the broker; the connection is kept for the first batch.</remarks>
        protected override async Task ProbeCoreAsync(CancellationToken cancellationToken)
        {
            MqttConnection connection;
            try
            {
                connection = await MqttConnection.OpenAsync(Settings(), cancellationToken).ConfigureAwait(false);
            }
            catch (MqttConnectionException ex)
            {
                throw new DestinationException(ex.Message, retryable: true, inner: ex);
            }

            Interlocked.Increment(ref _connectionsOpened);
            var previous = Interlocked.Exchange(ref _probed, connection);
            if (previous != null)
            {
                await previous.DisposeAsync().ConfigureAwait(false);
            }
        }

        /// <inheritdoc />
        protected override async Task OnStoppedAsync()
        {
            if (_connection != null)
            {
                await _connection.DisposeAsync().ConfigureAwait(false);
                _connection = null;
            }

            if (Interlocked.Exchange(ref _probed, null) is { } probed)
            {
                await probed.DisposeAsync().ConfigureAwait(false);
            }

            _json.Dispose();
            _payload.Dispose();
            _clientCertificate?.Dispose();
        }

        // Writes each event's publishes (main topic, type topic) that are not yet done; stops between
        // events once the destination is stopping.
        private async Task PublishAllAsync(
            IReadOnlyList<UserEvent> batch, MqttPendingBatch pending, MqttConnection connection, MqttBatchDelivery? delivery,
            CancellationToken stopping, CancellationToken token)
        {
            for (int i = 0; i < batch.Count && !stopping.IsCancellationRequested; i++)
            {
                var e = batch[i];
                bool serialized = false;
                for (int t = 0; t < 2; t++)
                {
                    int slot = (i * 2) + t;
                    byte[]? topic = t == 0 ? _topic : TypeTopic(e.EventType);
                    if (topic == null)
                    {
                        pending.Done[slot] = true; // nothing to publish there
                        continue;
                    }

                    if (pending.Done[slot])
                    {
                        continue;
                    }

                    if (!serialized)
                    {
                        _payload.Clear();
                        _json.Reset(_payload);
                        UserEventMqttPayload.Write(_json, e);
                        serialized = true;
                    }

                    await connection.PublishAsync(topic, _payload.WrittenMemory, _qos, pending.Written[slot], delivery, slot, token).ConfigureAwait(false);
                    pending.Written[slot] = true;
                }
            }
        }

        private static void MarkAcknowledged(MqttPendingBatch pending, MqttBatchDelivery? delivery)
        {
            if (delivery == null)
            {
                return;
            }

            for (int slot = 0; slot < pending.Done.Length; slot++)
            {
                pending.Done[slot] |= delivery.IsAcknowledged(slot);
            }
        }

        // An event type this version does not know has no topic of its own; it still goes to the main topic.
        private byte[]? TypeTopic(UserEventType type) =>
            (uint)type < (uint)_typeTopics.Length ? _typeTopics[(int)type] : null;

        private async Task<MqttConnection> ConnectAsync(CancellationToken cancellationToken)
        {
            if (_connection != null && _connection.IsOpen)
            {
                return _connection;
            }

            if (_connection != null)
            {
                await _connection.DisposeAsync().ConfigureAwait(false);
                _connection = null;
            }

            // The connection the start-up check opened, if it is still good.
            if (Interlocked.Exchange(ref _probed, null) is { } probed)
            {
                if (probed.IsOpen)
                {
                    _connection = probed;
                    return probed;
                }

                await probed.DisposeAsync().ConfigureAwait(false);
            }

            try
            {
                _connection = await MqttConnection.OpenAsync(Settings(), cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _connectionsOpened);
                return _connection;
            }
            catch (MqttConnectionException ex)
            {
                throw new DestinationException(ex.Message, retryable: true,
                    retryAfter: ex.IsConfigurationProblem ? _options.RefusedRetryDelay : (TimeSpan?)null, inner: ex);
            }
        }

        // A retry of the same batch (QueuedDestination hands the same events again) resumes where the
        // lost connection left it: acknowledged messages are not sent twice.
        private MqttPendingBatch PendingFor(IReadOnlyList<UserEvent> batch)
        {
            var pending = _pending;
            if (pending != null && pending.Matches(batch))
            {
                return pending;
            }

            return new MqttPendingBatch(batch);
        }

        private MqttConnectionSettings Settings() => new MqttConnectionSettings
        {
            Host = _options.Broker,
            Port = _options.Port!.Value,
            UseTls = _options.UseTls,
            CaCertificatePath = _options.CaCertificatePath,
            SkipCertificateCheck = _options.SkipCertificateCheck,
            ClientCertificate = _clientCertificate,
            ClientId = _options.ClientId!,
            UserName = _options.UserName,
            Password = _options.Password,
            CleanSession = true,
            KeepAliveSeconds = (ushort)_options.KeepAliveSeconds,
            ConnectTimeout = _options.ConnectTimeout,
            MaxInFlight = _options.MaxInFlight,
        };

        private IEnumerable<string> EnabledTopics()
        {
            foreach (var topic in new[] { Topic, SessionStartTopic, SessionStopTopic, ConnectionOpenTopic, ConnectionCloseTopic })
            {
                if (!string.IsNullOrEmpty(topic))
                {
                    yield return "'" + topic + "'";
                }
            }
        }

        private static async Task WaitAsync(Task task, CancellationToken cancellationToken)
        {
            if (!task.IsCompleted)
            {
                var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                using (cancellationToken.Register(() => cancelled.TrySetResult(true)))
                {
                    await Task.WhenAny(task, cancelled.Task).ConfigureAwait(false);
                }

                if (!task.IsCompleted)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }

            await task.ConfigureAwait(false);
        }

        private static QlikActivityException ToQlikActivityException(MqttConnectionException ex)
        {
            var (id, category) = ex.Failure switch
            {
                MqttConnectionFailure.Refused when ex.ReturnCode == MqttConnectReturnCode.BadUserNameOrPassword => (DestinationErrorIds.MqttBadCredentials, OperationErrorCategory.AuthenticationError),
                MqttConnectionFailure.Refused when ex.ReturnCode == MqttConnectReturnCode.NotAuthorized => (DestinationErrorIds.MqttNotAuthorized, OperationErrorCategory.PermissionDenied),
                MqttConnectionFailure.Refused => (DestinationErrorIds.MqttConnectionRefused, OperationErrorCategory.ConnectionError),
                MqttConnectionFailure.Tls => (DestinationErrorIds.MqttCertificateNotTrusted, OperationErrorCategory.SecurityError),
                MqttConnectionFailure.Timeout => (DestinationErrorIds.MqttConnectTimeout, OperationErrorCategory.OperationTimeout),
                MqttConnectionFailure.Protocol => (DestinationErrorIds.MqttProtocolError, OperationErrorCategory.InvalidData),
                _ => (DestinationErrorIds.MqttBrokerUnreachable, OperationErrorCategory.ConnectionError),
            };
            return new QlikActivityException(ex.Message, id, category, ex);
        }
    }
}
