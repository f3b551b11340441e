using System;
using System.Collections;
using System.Management.Automation;
using System.Security;
using QlikActivity.Core.Destinations.NewRelic;

namespace QlikActivity.Commands
{
    /// <summary>
    /// New-QlikNewRelicDestination: a New Relic Event API destination for Start-QlikEventListener
    /// -Destination. Posts <c>qs_userEvent</c> custom events, gzipped and batched, optionally with user names
    /// as pseudonyms. Creates an object only; nothing is sent until the listener starts.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "QlikNewRelicDestination")]
    [OutputType(typeof(NewRelicDestination))]
    public sealed class NewQlikNewRelicDestinationCommand : QlikCmdlet
    {
        /// <summary>The New Relic account id.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateRange(1, long.MaxValue)]
        public long AccountId { get; set; }

        /// <summary>An insert key of the account, sent as <c>X-Insert-Key</c>.</summary>
        [Parameter(Mandatory = true)]
        [ValidateNotNull]
        public SecureString? InsertKey { get; set; }

        /// <summary>The data center of the account: US or EU.</summary>
        [Parameter]
        public NewRelicRegion Region { get; set; } = NewRelicRegion.US;

        /// <summary>Another collector (e.g. through a proxy); replaces the region's.</summary>
        [Parameter]
        [Alias("Url")]
        [ValidateNotNull]
        public Uri? Uri { get; set; }

        /// <summary>Send user names as one-way pseudonyms (HMAC-SHA256, 16 hex digits).</summary>
        [Parameter]
        public SwitchParameter ScrambleUserName { get; set; }

        /// <summary>Secret key of the pseudonyms, so they stay the same across restarts; implies -ScrambleUserName.</summary>
        [Parameter]
        [ValidateNotNull]
        public SecureString? ScrambleSalt { get; set; }

        /// <summary>Attributes added to every event, e.g. <c>@{qs_env='PROD'}</c>.</summary>
        [Parameter]
        [ValidateNotNull]
        public Hashtable? Attribute { get; set; }

        /// <summary>Events per POST (the Event API takes at most 2,000).</summary>
        [Parameter]
        [ValidateRange(1, NewRelicDestination.MaxBatchSize)]
        public int BatchSize { get; set; } = 1000;

        /// <summary>Events held while New Relic is slow or unreachable; beyond it new events are dropped and counted.</summary>
        [Parameter]
        [ValidateRange(1, 10_000_000)]
        public int QueueCapacity { get; set; } = 100_000;

        /// <summary>Seconds to wait for each POST.</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSec { get; set; } = 30;

        /// <summary>PEM file with the CA certificate(s) that the certificate of the collector (or the proxy given in -Uri) must chain to, instead of this computer's store; https:// only.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? CaCertificatePath { get; set; }

        /// <summary>Accept any server certificate (test collectors only); the listener warns about it at every start.</summary>
        [Parameter]
        public SwitchParameter SkipCertificateCheck { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            var options = new NewRelicDestinationOptions
            {
                AccountId = AccountId,
                InsertKey = InsertKey,
                Region = Region,
                Url = Uri,
                ScrambleUserName = ScrambleUserName.IsPresent || ScrambleSalt != null,
                ScrambleSalt = ScrambleSalt,
                Attributes = DestinationParameters.ToStrings(Attribute),
                BatchSize = BatchSize,
                QueueCapacity = QueueCapacity,
                Timeout = TimeSpan.FromSeconds(TimeoutSec),
                SkipCertificateCheck = SkipCertificateCheck.IsPresent,
                CaCertificatePath = CaCertificatePath == null ? null : GetUnresolvedProviderPathFromPSPath(CaCertificatePath),
            };
            Run(() => WriteObject(new NewRelicDestination(options)), (object?)DestinationParameters.SafeTarget(Uri) ?? Region);
        }
    }
}
