using System;
using System.Collections.Generic;
using System.Security;

namespace QlikActivity.Core.Destinations.InfluxDb
{
    /// <summary>Where and how an <see cref="InfluxDbDestination"/> writes. Secrets stay <see cref="SecureString"/>s.</summary>
    public sealed class InfluxDbDestinationOptions
    {
        /// <summary>The server, e.g. <c>http://influx.lab.local:8086</c>; a path prefix (reverse proxy) is kept.</summary>
        public Uri? Url { get; set; }

        /// <summary>1: <c>/write?db=&amp;rp=</c> with optional user and password; 2: <c>/api/v2/write?org=&amp;bucket=</c> with a token.</summary>
        public int Version { get; set; } = 1;

        public string? Database { get; set; }

        public string? RetentionPolicy { get; set; }

        /// <summary>Version 1: sent with <see cref="Password"/> as HTTP Basic authentication.</summary>
        public string? UserName { get; set; }

        public SecureString? Password { get; set; }

        public string? Organization { get; set; }

        public string? Bucket { get; set; }

        /// <summary>Version 2: sent as <c>Authorization: Token …</c>.</summary>
        public SecureString? Token { get; set; }

        public string Measurement { get; set; } = "user_events";

        /// <summary>Tags added to every point, after the event's own.</summary>
        public IDictionary<string, string>? Tags { get; set; }

        public InfluxDbPrecision Precision { get; set; } = InfluxDbPrecision.Nanoseconds;

        /// <summary>Points per write request.</summary>
        public int BatchSize { get; set; } = 5000;

        /// <summary>How long a partial batch waits for more points.</summary>
        public TimeSpan BatchInterval { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>Events held while InfluxDB is slow or down; beyond it new events are dropped and counted.</summary>
        public int QueueCapacity { get; set; } = 200_000;

        /// <summary>Attempts per batch; 0 (the default) retries until the destination stops, so an outage loses nothing within the queue bound.</summary>
        public int MaxAttempts { get; set; }

        public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>Per request, including the answer.</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>Gzip the body (<c>Content-Encoding: gzip</c>): less traffic to a remote server, more CPU here.</summary>
        public bool Compress { get; set; }

        /// <summary>
        /// PEM (or DER) file with the CA certificate(s) the InfluxDB server's certificate must chain to, instead of this
        /// computer's store; https:// only. The certificate must still name the host of the URL.
        /// </summary>
        public string? CaCertificatePath { get; set; }

        /// <summary>Accept any server certificate (warns when the listener starts): for tests only.</summary>
        public bool SkipCertificateCheck { get; set; }

        /// <summary>What pacing and retry back-off wait on; tests give their own to check the delays asked for.</summary>
        internal IClock Clock { get; set; } = SystemClock.Instance;
    }
}
