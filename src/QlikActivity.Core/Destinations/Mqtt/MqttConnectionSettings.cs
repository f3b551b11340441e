using System;
using System.Security;

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

        /// <summary>Presented in the TLS handshake when the broker asks for one; owned by the destination.</summary>
        public System.Security.Cryptography.X509Certificates.X509Certificate2? ClientCertificate { get; set; }
        public string ClientId { get; set; } = "";
        public string? UserName { get; set; }
        public SecureString? Password { get; set; }
        public bool CleanSession { get; set; } = true;

        /// <summary>0 turns keep-alive off.</summary>
        public ushort KeepAliveSeconds { get; set; } = 60;

        public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>QoS 1 PUBLISH packets sent but not yet acknowledged, at most.</summary>
        public int MaxInFlight { get; set; } = 1000;

        public string Endpoint => $"{(UseTls ? "mqtts" : "mqtt")}://{Host}:{Port}";
    }
}
