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

namespace QlikActivity
{
    /// <summary>
    /// Forwards user events to an MQTT 3.1.1 broker the way Butler SOS does: every event to one topic
    /// (<c>qliksense/userevent</c>) and to a topic per event type, as JSON. At QoS 1 each batch waits for
    /// its PUBACKs; when the broker goes away the batch is retried after reconnecting, re-sending only
    /// what was not acknowledged, while new events wait in the bounded queue.
    /// What <c>New-QlikMqttDestination</c> returns (PowerShell type <c>QlikActivity.MqttDestination</c>);
    /// it never shows the password.
    /// </summary>
    public sealed class MqttDestination : QueuedDestination, ISecurityWarnings
    {
        private readonly MqttDestinationOptions _options;
        private readonly byte[]? _topic;
        private readonly byte[]?[] _typeTopics;
        private readonly MqttQualityOfService _qos;
        private readonly PooledBufferWriter _payload = new PooledBufferWriter(4096);
        private readonly Utf8JsonWriter _json;
        private MqttConnection? _connection;
        private PendingBatch? _pending;
        private int _connectionsOpened;

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
        }

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
            MqttConnection connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            var delivery = _qos == MqttQualityOfService.AtLeastOnce ? new MqttBatchDelivery(pending.Done.Length) : null;
            try
            {
                for (int i = 0; i < batch.Count; i++)
                {
                    var e = batch[i];
                    bool serialized = false;
                    for (int t = 0; t < 2; t++)
                    {
                        int slot = (i * 2) + t;
                        byte[]? topic = t == 0 ? _topic : TypeTopic(e.EventType);
                        if (topic == null || pending.Done[slot])
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

                        await connection.PublishAsync(topic, _payload.WrittenMemory, _qos, pending.Written[slot], delivery, slot, cancellationToken).ConfigureAwait(false);
                        pending.Written[slot] = true;
                    }
                }

                delivery?.AllWritten();
                await connection.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (delivery != null)
                {
                    await WaitAsync(delivery.Completion, cancellationToken).ConfigureAwait(false);
                }

                _pending = null;
            }
            catch (Exception ex) when (!(ex is OperationCanceledException) || !cancellationToken.IsCancellationRequested)
            {
                if (delivery != null)
                {
                    for (int slot = 0; slot < pending.Done.Length; slot++)
                    {
                        pending.Done[slot] |= delivery.IsAcknowledged(slot);
                    }
                }

                _pending = pending;
                var failure = connection.Failure ?? ex;
                connection.Fail(ex);
                throw new DestinationException(
                    $"{MqttConnection.Explain(failure).TrimEnd('.')}. Unacknowledged events are re-sent after reconnecting.",
                    retryable: true, inner: ex);
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

            _json.Dispose();
            _payload.Dispose();
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
        private PendingBatch PendingFor(IReadOnlyList<UserEvent> batch)
        {
            var pending = _pending;
            if (pending != null && pending.Matches(batch))
            {
                return pending;
            }

            return new PendingBatch(batch);
        }

        private MqttConnectionSettings Settings() => new MqttConnectionSettings
        {
            Host = _options.Broker,
            Port = _options.Port!.Value,
            UseTls = _options.UseTls,
            CaCertificatePath = _options.CaCertificatePath,
            SkipCertificateCheck = _options.SkipCertificateCheck,
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
                MqttConnectionFailure.Refused when ex.ReturnCode == MqttConnectReturnCode.BadUserNameOrPassword => ("MqttBadCredentials", OperationErrorCategory.AuthenticationError),
                MqttConnectionFailure.Refused when ex.ReturnCode == MqttConnectReturnCode.NotAuthorized => ("MqttNotAuthorized", OperationErrorCategory.PermissionDenied),
                MqttConnectionFailure.Refused => ("MqttConnectionRefused", OperationErrorCategory.ConnectionError),
                MqttConnectionFailure.Tls => ("MqttCertificateNotTrusted", OperationErrorCategory.SecurityError),
                MqttConnectionFailure.Timeout => ("MqttConnectTimeout", OperationErrorCategory.OperationTimeout),
                MqttConnectionFailure.Protocol => ("MqttProtocolError", OperationErrorCategory.InvalidData),
                _ => ("MqttBrokerUnreachable", OperationErrorCategory.ConnectionError),
            };
            return new QlikActivityException(ex.Message, id, category, ex);
        }

        private static CheckedOptions Check(MqttDestinationOptions options)
        {
            if (options == null)
            {
                throw new ArgumentNullException(nameof(options));
            }

            var o = options.Clone();
            o.Broker = (o.Broker ?? "").Trim();
            if (o.Broker.Length == 0)
            {
                throw Invalid("The MQTT broker is missing: give its host name or IP address.", "MqttBrokerMissing");
            }

            if (o.Broker.Contains("://") || o.Broker.Contains("/"))
            {
                throw Invalid($"'{o.Broker}' is not a host name: give the broker's host name or IP address only, and -Port / -UseTls separately.", "MqttBrokerInvalid");
            }

            o.Port ??= o.UseTls ? 8883 : 1883;
            if (o.Port < 1 || o.Port > 65535)
            {
                throw Invalid($"The MQTT port {o.Port} is not 1..65535.", "MqttPortInvalid");
            }

            if (o.QoS != 0 && o.QoS != 1)
            {
                throw Invalid($"QoS {o.QoS} is not supported: use 0 (at most once) or 1 (at least once).", "MqttQosInvalid");
            }

            if (o.KeepAliveSeconds < 0 || o.KeepAliveSeconds > 65535)
            {
                throw Invalid($"The keep-alive of {o.KeepAliveSeconds} s is not 0..65535.", "MqttKeepAliveInvalid");
            }

            if (o.QueueCapacity < 1 || o.BatchSize < 1 || o.MaxInFlight < 1)
            {
                throw Invalid("QueueCapacity, BatchSize and MaxInFlight must be at least 1.", "MqttQueueInvalid");
            }

            if (o.Password != null && string.IsNullOrEmpty(o.UserName))
            {
                throw Invalid("MQTT 3.1.1 sends a password only with a user name: give both in -Credential.", "MqttPasswordWithoutUser");
            }

            if (!string.IsNullOrEmpty(o.CaCertificatePath))
            {
                if (!o.UseTls)
                {
                    throw Invalid("-CaCertificatePath needs -UseTls.", "MqttCaWithoutTls");
                }

                if (o.SkipCertificateCheck)
                {
                    throw Invalid("-CaCertificatePath and -SkipCertificateCheck contradict each other: choose one.", "MqttCaAndSkip");
                }

                BrokerCertificateValidator.LoadCertificates(o.CaCertificatePath!);
            }

            if (string.IsNullOrEmpty(o.ClientId))
            {
                o.ClientId = DefaultClientId();
            }

            o.Topic ??= "";
            string baseTopic = o.Topic.Length > 0 ? o.Topic : MqttDestinationOptions.DefaultTopic;
            o.SessionStartTopic ??= baseTopic + "/session/start";
            o.SessionStopTopic ??= baseTopic + "/session/stop";
            o.ConnectionOpenTopic ??= baseTopic + "/connection/open";
            o.ConnectionCloseTopic ??= baseTopic + "/connection/close";

            var typeTopics = new byte[]?[4];
            typeTopics[(int)UserEventType.SessionStart] = TopicBytes(o.SessionStartTopic);
            typeTopics[(int)UserEventType.SessionStop] = TopicBytes(o.SessionStopTopic);
            typeTopics[(int)UserEventType.ConnectionOpen] = TopicBytes(o.ConnectionOpenTopic);
            typeTopics[(int)UserEventType.ConnectionClose] = TopicBytes(o.ConnectionCloseTopic);
            var topic = TopicBytes(o.Topic);
            if (topic == null && Array.TrueForAll(typeTopics, t => t == null))
            {
                throw Invalid("Every MQTT topic is turned off (empty): give at least one topic.", "MqttNoTopic");
            }

            string name = $"{(o.UseTls ? "mqtts" : "mqtt")}://{(o.Broker.Contains(":") ? "[" + o.Broker + "]" : o.Broker)}:{o.Port}";
            var queue = new DestinationQueueOptions
            {
                QueueCapacity = o.QueueCapacity,
                BatchSize = o.BatchSize,
                BatchInterval = o.BatchInterval,
                MaxAttempts = 0, // events wait for the broker, within the queue's bound
                InitialRetryDelay = o.InitialReconnectDelay,
                MaxRetryDelay = o.MaxReconnectDelay,
            };
            return new CheckedOptions(o, name, queue, topic, typeTopics);
        }

        private static byte[]? TopicBytes(string topic)
        {
            if (string.IsNullOrEmpty(topic))
            {
                return null;
            }

            if (MqttPacketWriter.TopicNameProblem(topic) is { } problem)
            {
                throw Invalid(problem, "MqttTopicInvalid");
            }

            return MqttPacketWriter.EncodeTopicName(topic);
        }

        private static string DefaultClientId()
        {
            var random = new byte[3];
            using (var rng = RandomNumberGenerator.Create())
            {
                rng.GetBytes(random);
            }

            return string.Format(CultureInfo.InvariantCulture, "QlikActivity-{0}-{1:x2}{2:x2}{3:x2}", Environment.MachineName, random[0], random[1], random[2]);
        }

        private static QlikActivityException Invalid(string message, string errorId) =>
            new QlikActivityException(message, errorId, OperationErrorCategory.InvalidArgument);

        private sealed class CheckedOptions
        {
            public CheckedOptions(MqttDestinationOptions options, string name, DestinationQueueOptions queue, byte[]? topic, byte[]?[] typeTopics)
            {
                Options = options;
                Name = name;
                Queue = queue;
                Topic = topic;
                TypeTopics = typeTopics;
            }

            public MqttDestinationOptions Options { get; }
            public string Name { get; }
            public DestinationQueueOptions Queue { get; }
            public byte[]? Topic { get; }
            public byte[]?[] TypeTopics { get; }
        }

        // Per batch slot (event × {main topic, type topic}): written at least once, and acknowledged.
        private sealed class PendingBatch
        {
            private readonly UserEvent? _first;
            private readonly UserEvent? _last;

            public PendingBatch(IReadOnlyList<UserEvent> batch)
            {
                Count = batch.Count;
                _first = Count > 0 ? batch[0] : null;
                _last = Count > 0 ? batch[Count - 1] : null;
                Done = new bool[Count * 2];
                Written = new bool[Count * 2];
            }

            public int Count { get; }
            public bool[] Done { get; }
            public bool[] Written { get; }

            public bool Matches(IReadOnlyList<UserEvent> batch) =>
                batch.Count == Count && (Count == 0 || (ReferenceEquals(batch[0], _first) && ReferenceEquals(batch[Count - 1], _last)));
        }
    }
}
