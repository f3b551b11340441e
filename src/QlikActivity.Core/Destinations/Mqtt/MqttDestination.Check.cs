using System;
using System.Globalization;
using System.Security.Cryptography;
using QlikActivity.Core;
using QlikActivity.Core.Destinations;
using QlikActivity.Core.Destinations.Mqtt;

namespace QlikActivity.Core.Destinations.Mqtt
{
    /// <summary>The checks of <see cref="MqttDestinationOptions"/> that run when a destination is made: every value in range, topics encoded once.</summary>
    public sealed partial class MqttDestination
    {
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
                throw Invalid("The MQTT broker is missing: give its host name or IP address.", DestinationErrorIds.MqttBrokerMissing);
            }

            if (o.Broker.Contains("://") || o.Broker.Contains("/"))
            {
                throw Invalid($"'{o.Broker}' is not a host name: give the broker's host name or IP address only, and -Port / -UseTls separately.", DestinationErrorIds.MqttBrokerInvalid);
            }

            o.Port ??= o.UseTls ? 8883 : 1883;
            if (o.Port < 1 || o.Port > 65535)
            {
                throw Invalid($"The MQTT port {o.Port} is not 1..65535.", DestinationErrorIds.MqttPortInvalid);
            }

            if (o.QoS != 0 && o.QoS != 1)
            {
                throw Invalid($"QoS {o.QoS} is not supported: use 0 (at most once) or 1 (at least once).", DestinationErrorIds.MqttQosInvalid);
            }

            if (o.KeepAliveSeconds < 0 || o.KeepAliveSeconds > 65535)
            {
                throw Invalid($"The keep-alive of {o.KeepAliveSeconds} s is not 0..65535.", DestinationErrorIds.MqttKeepAliveInvalid);
            }

            if (o.QueueCapacity < 1 || o.BatchSize < 1 || o.MaxInFlight < 1)
            {
                throw Invalid("QueueCapacity, BatchSize and MaxInFlight must be at least 1.", DestinationErrorIds.MqttQueueInvalid);
            }

            if (o.Password != null && string.IsNullOrEmpty(o.UserName))
            {
                throw Invalid("MQTT 3.1.1 sends a password only with a user name: give both in -Credential.", DestinationErrorIds.MqttPasswordWithoutUser);
            }

            if (!string.IsNullOrEmpty(o.CaCertificatePath))
            {
                if (!o.UseTls)
                {
                    throw Invalid("-CaCertificatePath needs -UseTls.", "Mqtt" + DestinationErrorIds.CaWithoutTls);
                }

                if (o.SkipCertificateCheck)
                {
                    throw Invalid("-CaCertificatePath and -SkipCertificateCheck contradict each other: choose one.", "Mqtt" + DestinationErrorIds.CaAndSkip);
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
                throw Invalid("Every MQTT topic is turned off (empty): give at least one topic.", DestinationErrorIds.MqttNoTopic);
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
                throw Invalid(problem, DestinationErrorIds.MqttTopicInvalid);
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
    }
}
