using System;
using System.Security;

namespace QlikActivity.Core.Destinations.Mqtt
{
    /// <summary>What <c>New-QlikMqttDestination</c> collects: broker, login, topics, and queue bounds.</summary>
    public sealed class MqttDestinationOptions
    {
        /// <summary>The topic Butler SOS publishes every user event to.</summary>
        public const string DefaultTopic = "qliksense/userevent";

        /// <summary>Host name or IP address of the broker.</summary>
        public string Broker { get; set; } = "";

        /// <summary>TCP port; null means 1883, or 8883 with TLS.</summary>
        public int? Port { get; set; }

        public bool UseTls { get; set; }

        /// <summary>A PEM (or DER) file with the CA certificate(s) the broker's certificate must chain to; null uses this computer's store.</summary>
        public string? CaCertificatePath { get; set; }

        /// <summary>Trust any certificate. Only for tests and first setup: anyone in the middle can read the events.</summary>
        public bool SkipCertificateCheck { get; set; }

        /// <summary>
        /// The client certificate for brokers that require one (TLS only), as Connect-QlikSense takes it:
        /// a PEM folder (client.pem + client_key.pem), a PEM file (key inside or beside it), or a .pfx/.p12 file.
        /// </summary>
        public string? CertificatePath { get; set; }

        /// <summary>Password of a .pfx <see cref="CertificatePath"/>.</summary>
        public SecureString? CertificatePassword { get; set; }

        /// <summary>The client certificate by thumbprint from the certificate store (CurrentUser\My, then LocalMachine\My).</summary>
        public string? Thumbprint { get; set; }

        public string? UserName { get; set; }

        /// <summary>Kept as a <see cref="SecureString"/>; turned into bytes only while CONNECT is written.</summary>
        public SecureString? Password { get; set; }

        /// <summary>Null or empty means <c>QlikActivity-&lt;machine&gt;-&lt;random&gt;</c>.</summary>
        public string? ClientId { get; set; }

        /// <summary>0 (at most once) or 1 (at least once: PUBACKs are awaited and lost messages re-sent).</summary>
        public int QoS { get; set; } = 1;

        /// <summary>Every event goes here; empty turns it off.</summary>
        public string Topic { get; set; } = DefaultTopic;

        /// <summary>Null means <c>&lt;Topic&gt;/session/start</c>; empty turns it off.</summary>
        public string? SessionStartTopic { get; set; }

        /// <summary>Null means <c>&lt;Topic&gt;/session/stop</c>; empty turns it off.</summary>
        public string? SessionStopTopic { get; set; }

        /// <summary>Null means <c>&lt;Topic&gt;/connection/open</c>; empty turns it off.</summary>
        public string? ConnectionOpenTopic { get; set; }

        /// <summary>Null means <c>&lt;Topic&gt;/connection/close</c>; empty turns it off.</summary>
        public string? ConnectionCloseTopic { get; set; }

        /// <summary>Seconds between signs of life; the broker drops a client silent for 1.5 times this. 0 turns it off.</summary>
        public int KeepAliveSeconds { get; set; } = 60;

        public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>QoS 1 messages sent and not yet acknowledged, at most (a pipelined window, not stop-and-wait).</summary>
        public int MaxInFlight { get; set; } = 4000;

        /// <summary>
        /// Events held while the broker is slow or down; beyond it new events are dropped and counted. As
        /// InfluxDB's: memory is bounded by the listener's -DestinationQueueMB as well, and events are
        /// shared between destinations, so a backlog InfluxDB holds anyway costs MQTT nothing more.
        /// </summary>
        public int QueueCapacity { get; set; } = 200_000;

        /// <summary>Events per batch: each batch is written in a few socket writes and its PUBACKs awaited together.</summary>
        public int BatchSize { get; set; } = 2000;

        public TimeSpan BatchInterval { get; set; } = TimeSpan.FromMilliseconds(100);

        /// <summary>First reconnect delay; it doubles (with jitter) up to <see cref="MaxReconnectDelay"/>.</summary>
        public TimeSpan InitialReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(250);

        public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(15);

        /// <summary>
        /// How long to wait after the broker refused the login or TLS failed: those need an admin, so
        /// retrying quickly would only fill the broker's log. Events wait in the queue meanwhile.
        /// </summary>
        public TimeSpan RefusedRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>A copy, so a destination never sees later changes to the options it was made from.</summary>
        public MqttDestinationOptions Clone()
        {
            var copy = (MqttDestinationOptions)MemberwiseClone();
            copy.Password = Password?.Copy();
            copy.Password?.MakeReadOnly();
            copy.CertificatePassword = CertificatePassword?.Copy();
            copy.CertificatePassword?.MakeReadOnly();
            return copy;
        }
    }
}
