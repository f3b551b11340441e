using System;
using System.Collections.Generic;
using System.Security;

namespace QlikActivity.Core.Destinations.NewRelic
{
    /// <summary>Where and how a <see cref="NewRelicDestination"/> posts. The insert key stays a <see cref="SecureString"/>.</summary>
    public sealed class NewRelicDestinationOptions
    {
        public long AccountId { get; set; }

        /// <summary>Sent as <c>X-Insert-Key</c>.</summary>
        public SecureString? InsertKey { get; set; }

        public NewRelicRegion Region { get; set; } = NewRelicRegion.US;

        /// <summary>Replaces the region's collector, e.g. for a proxy; <c>/v1/accounts/{id}/events</c> is appended.</summary>
        public Uri? Url { get; set; }

        /// <summary>Send <c>qs_userFull</c>, <c>qs_userDirectory</c> and <c>qs_userId</c> as one-way pseudonyms.</summary>
        public bool ScrambleUserName { get; set; }

        /// <summary>Key of the pseudonyms; the same salt gives the same pseudonym for a user across restarts. Without it a random salt is used per destination.</summary>
        public SecureString? ScrambleSalt { get; set; }

        /// <summary>Attributes added to every event, after the event's own tags.</summary>
        public IDictionary<string, string>? Attributes { get; set; }

        /// <summary>Events per POST; the Event API takes at most 2,000.</summary>
        public int BatchSize { get; set; } = 1000;

        public TimeSpan BatchInterval { get; set; } = TimeSpan.FromSeconds(1);

        public int QueueCapacity { get; set; } = 100_000;

        /// <summary>Attempts per batch; 0 (the default) retries until the destination stops.</summary>
        public int MaxAttempts { get; set; }

        public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>
        /// PEM (or DER) file with the CA certificate(s) the collector (or proxy)'s certificate must chain to, instead of this
        /// computer's store; https:// only. The certificate must still name the host of the URL.
        /// </summary>
        public string? CaCertificatePath { get; set; }

        /// <summary>Accept any server certificate (warns when the listener starts): for tests only.</summary>
        public bool SkipCertificateCheck { get; set; }
    }
}
