using System;
using System.Collections.Generic;
using System.Security;

namespace QlikActivity.Core.Destinations.Webhooks
{
    /// <summary>
    /// Where and how a <see cref="WebhookDestination"/> posts. The URL is a secret (a Slack or Teams webhook URL
    /// lets anyone post to the channel), so it stays a <see cref="SecureString"/>.
    /// </summary>
    public sealed class WebhookDestinationOptions
    {
        public SecureString? Url { get; set; }

        public WebhookFormat Format { get; set; } = WebhookFormat.Json;

        /// <summary>Only these event types are posted; null or empty posts all.</summary>
        public IList<UserEventType>? EventTypes { get; set; }

        /// <summary>Extra request headers (e.g. an API key for a generic webhook). Their values are never shown.</summary>
        public IDictionary<string, string>? Headers { get; set; }

        /// <summary>Events per request; null takes the format's default (Slack 20, Teams 10, JSON 100).</summary>
        public int? BatchSize { get; set; }

        /// <summary>How long a partial batch waits; null takes the format's default (1 s for Slack and Teams, 200 ms for JSON).</summary>
        public TimeSpan? BatchInterval { get; set; }

        /// <summary>Least time between two requests to this webhook; null takes the format's default (1 s for Slack and Teams, none for JSON).</summary>
        public TimeSpan? MinInterval { get; set; }

        public int QueueCapacity { get; set; } = 10_000;

        /// <summary>Attempts per batch before its events are dropped and counted.</summary>
        public int MaxAttempts { get; set; } = 5;

        public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>
        /// PEM (or DER) file with the CA certificate(s) the webhook server's certificate must chain to, instead of this
        /// computer's store; https:// only. The certificate must still name the host of the URL.
        /// </summary>
        public string? CaCertificatePath { get; set; }

        /// <summary>Accept any server certificate (warns when the listener starts): for tests only.</summary>
        public bool SkipCertificateCheck { get; set; }

        /// <summary>What pacing and retry back-off wait on; tests give their own to check the delays asked for.</summary>
        internal IClock Clock { get; set; } = SystemClock.Instance;
    }
}
