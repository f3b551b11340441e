using System;
using System.Collections;
using System.Management.Automation;
using System.Security;
using QlikActivity.Core;
using QlikActivity.Core.Destinations.Webhooks;

namespace QlikActivity.Commands
{
    /// <summary>
    /// New-QlikWebhookDestination: a Slack, Teams or generic JSON webhook destination for
    /// Start-QlikEventListener -Destination. The webhook URL is a secret, so it is taken as a SecureString and
    /// only its scheme and host are ever shown. Creates an object only; nothing is sent until the listener starts.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "QlikWebhookDestination")]
    [OutputType(typeof(WebhookDestination))]
    public sealed class NewQlikWebhookDestinationCommand : QlikCmdlet
    {
        /// <summary>The webhook URL, e.g. <c>Read-Host -AsSecureString</c> or a secret from a vault.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [Alias("Url")]
        [ValidateNotNull]
        public SecureString? Uri { get; set; }

        /// <summary>Slack or Teams (a readable message) or Json (the events as a JSON array).</summary>
        [Parameter(Position = 1)]
        public WebhookFormat Format { get; set; } = WebhookFormat.Json;

        /// <summary>Post only these event types; all when omitted.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public UserEventType[]? EventType { get; set; }

        /// <summary>Extra request headers, e.g. <c>@{'X-Api-Key'=$key}</c>; their values are never shown.</summary>
        [Parameter]
        [ValidateNotNull]
        public Hashtable? Header { get; set; }

        /// <summary>Events per request; Slack 20, Teams 10 and Json 100 when omitted.</summary>
        [Parameter]
        [ValidateRange(1, 10_000)]
        public int BatchSize { get; set; }

        /// <summary>Events held while the webhook is slow or down; beyond it new events are dropped and counted.</summary>
        [Parameter]
        [ValidateRange(1, 1_000_000)]
        public int QueueCapacity { get; set; } = 10_000;

        /// <summary>Attempts per request before its events are dropped and counted.</summary>
        [Parameter]
        [ValidateRange(1, 100)]
        public int MaxAttempts { get; set; } = 5;

        /// <summary>Seconds to wait for each request.</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSec { get; set; } = 10;

        /// <summary>PEM file with the CA certificate(s) that the certificate of the webhook server must chain to, instead of this computer's store; https:// only.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? CaCertificatePath { get; set; }

        /// <summary>Accept any server certificate (self-signed test endpoints only); the listener warns about it at every start.</summary>
        [Parameter]
        public SwitchParameter SkipCertificateCheck { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            var options = new WebhookDestinationOptions
            {
                Url = Uri,
                Format = Format,
                EventTypes = EventType,
                Headers = DestinationParameters.ToStrings(Header),
                BatchSize = MyInvocation.BoundParameters.ContainsKey(nameof(BatchSize)) ? BatchSize : (int?)null,
                QueueCapacity = QueueCapacity,
                MaxAttempts = MaxAttempts,
                Timeout = TimeSpan.FromSeconds(TimeoutSec),
                SkipCertificateCheck = SkipCertificateCheck.IsPresent,
                CaCertificatePath = CaCertificatePath == null ? null : GetUnresolvedProviderPathFromPSPath(CaCertificatePath),
            };
            Run(() => WriteObject(new WebhookDestination(options)), Format);
        }
    }
}
