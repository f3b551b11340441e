using System;
using System.Management.Automation;
using System.Net;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using QlikActivity.Core.Qrs;

namespace QlikActivity.Commands
{
    /// <summary>
    /// Connect-QlikSense: opens a connection to a Qlik Sense repository, proves it works with
    /// <c>/qrs/about</c>, makes it the default connection and returns it.
    /// </summary>
    [Cmdlet(VerbsCommunications.Connect, "QlikSense", DefaultParameterSetName = PemSet)]
    [OutputType(typeof(QlikSenseConnection))]
    public sealed class ConnectQlikSenseCommand : QlikCmdlet
    {
        private const string PemSet = "Pem";
        private const string PfxSet = "Pfx";
        private const string ThumbprintSet = "Thumbprint";
        private const string CertificateSet = "Certificate";
        private const string JwtSet = "Jwt";

        /// <summary>Host name of the central node, as its certificate names it, or a URL https://host[:port][/virtualproxy].</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("ComputerName", "HostName")]
        [ValidateNotNullOrEmpty]
        public string Server { get; set; } = "";

        /// <summary>4242 for certificates, 443 for JWT unless given.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, 65535)]
        public int Port { get; set; }

        /// <summary>Folder with client.pem, client_key.pem and root.pem as the QMC exports them, or that folder's client.pem.</summary>
        [Parameter(ParameterSetName = PemSet)]
        [ValidateNotNullOrEmpty]
        public string CertificatePath { get; set; } = "./cert";

        /// <summary>The QMC's client.pfx (Windows format export).</summary>
        [Parameter(Mandatory = true, ParameterSetName = PfxSet)]
        [ValidateNotNullOrEmpty]
        public string PfxPath { get; set; } = "";

        /// <summary>The password the PFX was exported with.</summary>
        [Parameter(ParameterSetName = PfxSet)]
        public SecureString? CertificatePassword { get; set; }

        /// <summary>Thumbprint of a certificate with private key in Cert:\CurrentUser\My or Cert:\LocalMachine\My.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ThumbprintSet)]
        [ValidateNotNullOrEmpty]
        public string Thumbprint { get; set; } = "";

        /// <summary>A client certificate object with its private key, e.g. from Get-Item Cert:\CurrentUser\My\...</summary>
        [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
        [ValidateNotNull]
        public X509Certificate2? Certificate { get; set; }

        /// <summary>The JWT, sent as Authorization: Bearer through the virtual proxy.</summary>
        [Parameter(Mandatory = true, ParameterSetName = JwtSet)]
        [ValidateNotNull]
        public SecureString? Jwt { get; set; }

        /// <summary>The virtual proxy prefix that accepts the JWT.</summary>
        [Parameter(ParameterSetName = JwtSet)]
        [ValidateNotNullOrEmpty]
        public string? VirtualProxy { get; set; }

        /// <summary>The root CA that signed the server's certificate (PEM or DER), when it is not root.pem beside the client certificate.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? RootCertificatePath { get; set; }

        /// <summary>User directory of the X-Qlik-User identity.</summary>
        [Parameter(ParameterSetName = PemSet)]
        [Parameter(ParameterSetName = PfxSet)]
        [Parameter(ParameterSetName = ThumbprintSet)]
        [Parameter(ParameterSetName = CertificateSet)]
        [ValidateNotNullOrEmpty]
        public string UserDirectory { get; set; } = QrsConnectionOptions.DefaultUserDirectory;

        /// <summary>User id of the X-Qlik-User identity.</summary>
        [Parameter(ParameterSetName = PemSet)]
        [Parameter(ParameterSetName = PfxSet)]
        [Parameter(ParameterSetName = ThumbprintSet)]
        [Parameter(ParameterSetName = CertificateSet)]
        [ValidateNotNullOrEmpty]
        public string UserId { get; set; } = QrsConnectionOptions.DefaultUserId;

        /// <summary>Do not check the server's certificate (testing only; warns).</summary>
        [Parameter]
        public SwitchParameter SkipCertificateCheck { get; set; }

        /// <summary>Seconds to wait for each response (and between reads of a long one).</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSec { get; set; } = 60;

        /// <summary>Retries after 429, 5xx or a dropped connection.</summary>
        [Parameter]
        [ValidateRange(0, 10)]
        public int MaximumRetryCount { get; set; } = 4;

        protected override void ProcessRecord()
        {
            Run(() =>
            {
                var connection = QlikSenseConnection.Connect(this, BuildOptions());
                DefaultConnection.Current = connection;
                WriteObject(connection);
            }, Server);
        }

        private QrsConnectionOptions BuildOptions()
        {
            var options = new QrsConnectionOptions
            {
                Server = Server,
                Port = MyInvocation.BoundParameters.ContainsKey(nameof(Port)) ? Port : (int?)null,
                RootCertificatePath = RootCertificatePath != null ? ResolvePath(RootCertificatePath) : null,
                UserDirectory = UserDirectory,
                UserId = UserId,
                SkipCertificateCheck = SkipCertificateCheck.IsPresent,
                Timeout = TimeSpan.FromSeconds(TimeoutSec),
                MaximumRetryCount = MaximumRetryCount,
            };

            switch (ParameterSetName)
            {
                case JwtSet:
                    options.AuthenticationMode = AuthenticationMode.Jwt;
                    options.Jwt = new QrsSecret(Reveal(Jwt!).Trim());
                    options.VirtualProxy = VirtualProxy;
                    break;
                case PfxSet:
                    options.PfxPath = ResolvePath(PfxPath);
                    options.PfxPassword = CertificatePassword != null ? new QrsSecret(Reveal(CertificatePassword)) : null;
                    break;
                case ThumbprintSet:
                    options.Thumbprint = Thumbprint;
                    break;
                case CertificateSet:
                    options.ClientCertificate = Certificate;
                    break;
                default:
                    options.CertificateFolder = ResolvePath(CertificatePath);
                    break;
            }

            return options;
        }

        /// <summary>Relative to the PowerShell location, which is not the process's current directory.</summary>
        private string ResolvePath(string path) => GetUnresolvedProviderPathFromPSPath(path);

        private static string Reveal(SecureString secret) => new NetworkCredential(string.Empty, secret).Password;
    }
}
