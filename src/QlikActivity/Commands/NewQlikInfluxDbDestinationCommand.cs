using System;
using System.Collections;
using System.Management.Automation;
using System.Security;
using QlikActivity.Core.Destinations.InfluxDb;

namespace QlikActivity.Commands
{
    /// <summary>
    /// New-QlikInfluxDbDestination: an InfluxDB destination for Start-QlikEventListener -Destination. Writes
    /// Butler SOS's <c>user_events</c> points through the 1.x API (database, optional credential) or the 2.x
    /// API (organization, bucket, token). Creates an object only; nothing is sent until the listener starts.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "QlikInfluxDbDestination", DefaultParameterSetName = V1)]
    [OutputType(typeof(InfluxDbDestination))]
    public sealed class NewQlikInfluxDbDestinationCommand : QlikCmdlet
    {
        private const string V1 = "V1";
        private const string V2 = "V2";

        /// <summary>The InfluxDB server, e.g. <c>http://influx.lab.local:8086</c>.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [Alias("Url")]
        [ValidateNotNull]
        public Uri? Uri { get; set; }

        /// <summary>InfluxDB 1.x: the database to write to.</summary>
        [Parameter(Mandatory = true, ParameterSetName = V1)]
        [ValidateNotNullOrEmpty]
        public string? Database { get; set; }

        /// <summary>InfluxDB 1.x: the retention policy; the database's default when omitted.</summary>
        [Parameter(ParameterSetName = V1)]
        [ValidateNotNullOrEmpty]
        public string? RetentionPolicy { get; set; }

        /// <summary>InfluxDB 1.x: user and password, when authentication is enabled.</summary>
        [Parameter(ParameterSetName = V1)]
        [ValidateNotNull]
        [Credential]
        public PSCredential? Credential { get; set; }

        /// <summary>InfluxDB 2.x API: the organization.</summary>
        [Parameter(Mandatory = true, ParameterSetName = V2)]
        [ValidateNotNullOrEmpty]
        public string? Organization { get; set; }

        /// <summary>InfluxDB 2.x API: the bucket.</summary>
        [Parameter(Mandatory = true, ParameterSetName = V2)]
        [ValidateNotNullOrEmpty]
        public string? Bucket { get; set; }

        /// <summary>InfluxDB 2.x API: a token with write permission on the bucket.</summary>
        [Parameter(Mandatory = true, ParameterSetName = V2)]
        [ValidateNotNull]
        public SecureString? Token { get; set; }

        /// <summary>The measurement; <c>user_events</c> as Butler SOS writes it.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Measurement { get; set; } = "user_events";

        /// <summary>Tags added to every point, e.g. <c>@{qs_env='PROD'}</c>.</summary>
        [Parameter]
        [ValidateNotNull]
        public Hashtable? Tag { get; set; }

        /// <summary>Points per write request.</summary>
        [Parameter]
        [ValidateRange(1, 100_000)]
        public int BatchSize { get; set; } = 5000;

        /// <summary>Events held while InfluxDB is slow or down; beyond it new events are dropped and counted.</summary>
        [Parameter]
        [ValidateRange(1, 10_000_000)]
        public int QueueCapacity { get; set; } = 200_000;

        /// <summary>Seconds to wait for each write request.</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSec { get; set; } = 30;

        /// <summary>Gzip the request bodies.</summary>
        [Parameter]
        public SwitchParameter Compress { get; set; }

        /// <summary>PEM file with the CA certificate(s) that the certificate of the InfluxDB server must chain to, instead of this computer's store; https:// only.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? CaCertificatePath { get; set; }

        /// <summary>Accept any server certificate (self-signed test servers only); the listener warns about it at every start.</summary>
        [Parameter]
        public SwitchParameter SkipCertificateCheck { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            var options = new InfluxDbDestinationOptions
            {
                Url = Uri,
                Version = ParameterSetName == V2 ? 2 : 1,
                Database = Database,
                RetentionPolicy = RetentionPolicy,
                // Get-Credential on Windows PowerShell may return "\user" for a name typed without a domain.
                UserName = Credential?.UserName?.TrimStart('\\'),
                Password = Credential?.Password,
                Organization = Organization,
                Bucket = Bucket,
                Token = Token,
                Measurement = Measurement,
                Tags = DestinationParameters.ToStrings(Tag),
                BatchSize = BatchSize,
                QueueCapacity = QueueCapacity,
                Timeout = TimeSpan.FromSeconds(TimeoutSec),
                Compress = Compress.IsPresent,
                SkipCertificateCheck = SkipCertificateCheck.IsPresent,
                CaCertificatePath = CaCertificatePath == null ? null : GetUnresolvedProviderPathFromPSPath(CaCertificatePath),
            };
            Run(() => WriteObject(new InfluxDbDestination(options)), DestinationParameters.SafeTarget(Uri));
        }
    }
}
