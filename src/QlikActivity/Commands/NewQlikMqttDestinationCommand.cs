using System.Management.Automation;
using System.Security;
using QlikActivity.Core.Destinations.Mqtt;

namespace QlikActivity.Commands
{
    /// <summary>
    /// <c>New-QlikMqttDestination</c>: describes an MQTT broker that <c>Start-QlikEventListener
    /// -Destination</c> forwards user events to, as Butler SOS does. It does not connect unless
    /// <c>-Test</c> is given; the listener connects when it starts.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "QlikMqttDestination")]
    [OutputType(typeof(MqttDestination))]
    public sealed class NewQlikMqttDestinationCommand : QlikCmdlet
    {
        /// <summary>Host name or IP address of the broker.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [Alias("Server", "ComputerName")]
        public string Broker { get; set; } = "";

        /// <summary>TCP port; 1883 by default, 8883 with -UseTls.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, 65535)]
        public int Port { get; set; }

        /// <summary>Connect with TLS; the broker's certificate is checked. From the pipeline "True"/"False" text (Import-Csv) binds as the boolean it names.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [BooleanTextTransformation]
        public SwitchParameter UseTls { get; set; }

        /// <summary>
        /// PEM file with the CA certificate(s) the broker's certificate must chain to, instead of this computer's store.
        /// Empty or null (a destination exported with Export-Csv or ConvertTo-Json that had none) means none.
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? CaCertificatePath { get; set; }

        /// <summary>
        /// The client certificate for a broker that requires one (with -UseTls), as Connect-QlikSense's
        /// -CertificatePath: a folder with client.pem and client_key.pem, a PEM file (key inside or beside it), or a .pfx file.
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? CertificatePath { get; set; }

        /// <summary>Password of a .pfx -CertificatePath.</summary>
        [Parameter]
        public SecureString? CertificatePassword { get; set; }

        /// <summary>The client certificate by thumbprint from Cert:\CurrentUser\My (then LocalMachine\My on Windows).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? Thumbprint { get; set; }

        /// <summary>Accept any broker certificate (warns): for tests only.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [BooleanTextTransformation]
        public SwitchParameter SkipCertificateCheck { get; set; }

        /// <summary>User name and password for the broker.</summary>
        [Parameter]
        [Credential]
        public PSCredential? Credential { get; set; }

        /// <summary>MQTT client id; QlikActivity-&lt;computer&gt;-&lt;random&gt; by default. Two clients with one id knock each other off.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateLength(1, 65535)]
        public string? ClientId { get; set; }

        /// <summary>0: at most once. 1 (default): at least once, every PUBLISH acknowledged, lost ones re-sent.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateSet("0", "1")]
        public int QoS { get; set; } = 1;

        /// <summary>Topic for every event; an empty string turns it off (an optional parameter accepts empty strings as is).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNull]
        public string Topic { get; set; } = MqttDestinationOptions.DefaultTopic;

        /// <summary>Topic for session starts; &lt;Topic&gt;/session/start by default, empty turns it off.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNull]
        public string? SessionStartTopic { get; set; }

        /// <summary>Topic for session stops; &lt;Topic&gt;/session/stop by default, empty turns it off.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNull]
        public string? SessionStopTopic { get; set; }

        /// <summary>Topic for opened connections; &lt;Topic&gt;/connection/open by default, empty turns it off.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNull]
        public string? ConnectionOpenTopic { get; set; }

        /// <summary>Topic for closed connections; &lt;Topic&gt;/connection/close by default, empty turns it off.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNull]
        public string? ConnectionCloseTopic { get; set; }

        /// <summary>Events held while the broker is slow or unreachable; beyond it new events are dropped and counted.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, 10_000_000)]
        public int QueueCapacity { get; set; } = 200_000;

        /// <summary>Seconds between signs of life to the broker; 0 turns keep-alive off.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(0, 65535)]
        public int KeepAliveSeconds { get; set; } = 60;

        /// <summary>Log in to the broker now, so a wrong address, password or CA shows at once.</summary>
        [Parameter]
        public SwitchParameter Test { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            var options = new MqttDestinationOptions
            {
                Broker = Broker,
                Port = MyInvocation.BoundParameters.ContainsKey(nameof(Port)) ? Port : (int?)null,
                UseTls = UseTls.IsPresent,
                CaCertificatePath = string.IsNullOrWhiteSpace(CaCertificatePath) ? null : GetUnresolvedProviderPathFromPSPath(CaCertificatePath),
                SkipCertificateCheck = SkipCertificateCheck.IsPresent,
                CertificatePath = CertificatePath == null ? null : GetUnresolvedProviderPathFromPSPath(CertificatePath),
                CertificatePassword = CertificatePassword,
                Thumbprint = Thumbprint,
                ClientId = ClientId,
                QoS = QoS,
                Topic = Topic,
                SessionStartTopic = SessionStartTopic,
                SessionStopTopic = SessionStopTopic,
                ConnectionOpenTopic = ConnectionOpenTopic,
                ConnectionCloseTopic = ConnectionCloseTopic,
                QueueCapacity = QueueCapacity,
                KeepAliveSeconds = KeepAliveSeconds,
            };
            if (Credential != null && Credential != PSCredential.Empty)
            {
                options.UserName = Credential.UserName;
                options.Password = Credential.Password is { Length: > 0 } password ? password : null;
            }

            MqttDestination? destination = null;
            Run(() => destination = MqttDestination.Create(options, Test.IsPresent, this), Broker);
            if (destination != null)
            {
                WriteObject(destination);
            }
        }
    }
}
