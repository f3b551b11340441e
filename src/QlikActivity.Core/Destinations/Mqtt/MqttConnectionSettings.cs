using System;
using System.Security;
using System.Text;

namespace QlikActivity.Core.Destinations.Mqtt
{
    /// <summary>How to reach and log in to a broker.</summary>
    internal sealed class MqttConnectionSettings
    {
        public string Host { get; set; } = "";
        public int Port { get; set; } = 1883;
        public bool UseTls { get; set; }
        public string? CaCertificatePath { get; set; }
        public bool SkipCertificateCheck { get; set; }
        public string ClientId { get; set; } = "";
        public string? UserName { get; set; }
        public SecureString? Password { get; set; }
        public bool CleanSession { get; set; } = true;

        /// <summary>0 turns keep-alive off.</summary>
        public ushort KeepAliveSeconds { get; set; } = 60;

        public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>QoS 1 PUBLISH packets sent but not yet acknowledged, at most.</summary>
        public int MaxInFlight { get; set; } = 1000;

        /// <summary>Called on the reader thread for each PUBLISH the broker sends (subscribers only).</summary>
        public Action<MqttReceivedMessage>? OnMessage { get; set; }

        public string Endpoint => $"{(UseTls ? "mqtts" : "mqtt")}://{Host}:{Port}";
    }

    /// <summary>A PUBLISH received from the broker.</summary>
    internal sealed class MqttReceivedMessage
    {
        public MqttReceivedMessage(string topic, byte[] payload, MqttQualityOfService qos, bool duplicate)
        {
            Topic = topic;
            Payload = payload;
            Qos = qos;
            Duplicate = duplicate;
        }

        public string Topic { get; }
        public byte[] Payload { get; }
        public MqttQualityOfService Qos { get; }
        public bool Duplicate { get; }
        public string PayloadText => Encoding.UTF8.GetString(Payload);
    }
}
