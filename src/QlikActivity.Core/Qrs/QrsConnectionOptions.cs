using System;
using System.Security.Cryptography.X509Certificates;

namespace QlikActivity.Core.Qrs
{
    /// <summary>
    /// Everything needed to reach a repository: where, how to authenticate, how patient to be.
    /// For certificate authentication set exactly one of <see cref="CertificateFolder"/>,
    /// <see cref="PfxPath"/>/<see cref="PfxBytes"/>, <see cref="Thumbprint"/> or
    /// <see cref="ClientCertificate"/>; for JWT set <see cref="Jwt"/> and <see cref="VirtualProxy"/>.
    /// Paths must be absolute (the cmdlet resolves them against the PowerShell location).
    /// </summary>
    public sealed class QrsConnectionOptions
    {
        private static readonly char[] HeaderBreakers = { ';', '=', '\r', '\n' };

        public const int DefaultCertificatePort = 4242;
        public const int DefaultProxyPort = 443;
        public const string DefaultUserDirectory = "INTERNAL";
        public const string DefaultUserId = "sa_repository";

        /// <summary>Host name or address of the central node, as its server certificate names it.</summary>
        public string Server { get; set; } = "";

        /// <summary>Null means 4242 for certificates and 443 for JWT.</summary>
        public int? Port { get; set; }

        /// <summary>The virtual proxy prefix (JWT); null or empty for the default proxy.</summary>
        public string? VirtualProxy { get; set; }

        public AuthenticationMode AuthenticationMode { get; set; } = AuthenticationMode.Certificate;

        /// <summary>A folder as the QMC exports it in PEM format: client.pem, client_key.pem, root.pem.</summary>
        public string? CertificateFolder { get; set; }

        /// <summary>A PKCS#12 file (the QMC's "Windows format" client.pfx).</summary>
        public string? PfxPath { get; set; }

        /// <summary>PKCS#12 bytes, instead of <see cref="PfxPath"/>.</summary>
        public byte[]? PfxBytes { get; set; }

        public QrsSecret? PfxPassword { get; set; }

        /// <summary>A certificate with private key in the CurrentUser\My or LocalMachine\My store.</summary>
        public string? Thumbprint { get; set; }

        /// <summary>A client certificate already loaded, with its private key.</summary>
        public X509Certificate2? ClientCertificate { get; set; }

        /// <summary>
        /// The CA that signed the server's certificate (PEM or DER). Null: root.pem in
        /// <see cref="CertificateFolder"/>, root.cer/root.pem beside <see cref="PfxPath"/>, else
        /// the system trust store.
        /// </summary>
        public string? RootCertificatePath { get; set; }

        /// <summary>The JWT for <see cref="AuthenticationMode.Jwt"/>.</summary>
        public QrsSecret? Jwt { get; set; }

        public string UserDirectory { get; set; } = DefaultUserDirectory;

        public string UserId { get; set; } = DefaultUserId;

        /// <summary>Accept any server certificate. Opt-in only; the connection warns.</summary>
        public bool SkipCertificateCheck { get; set; }

        /// <summary>Per request: until the response headers arrive, and between reads of a body.</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>Retries after 429, 5xx or a dropped connection (see <see cref="QrsRetryPolicy"/>).</summary>
        public int MaximumRetryCount { get; set; } = 4;

        /// <summary>First back-off delay; doubles per attempt, with jitter.</summary>
        public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

        /// <summary>Cap on one back-off delay, and on a server's Retry-After.</summary>
        public TimeSpan MaximumRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>What the retry back-off waits on; tests give their own to check the delays asked for.</summary>
        internal IClock Clock { get; set; } = SystemClock.Instance;

        /// <summary>Parallel connections to the server.</summary>
        public int MaximumConnections { get; set; } = 8;

        /// <summary>Tests wrap the real handler to tamper with requests on their way to a real server.</summary>
        internal Func<System.Net.Http.HttpMessageHandler, System.Net.Http.HttpMessageHandler>? WrapHandler { get; set; }

        public int EffectivePort => Port ?? (AuthenticationMode == AuthenticationMode.Jwt ? DefaultProxyPort : DefaultCertificatePort);

        /// <summary>The prefix without slashes, or null.</summary>
        public string? NormalizedVirtualProxy =>
            string.IsNullOrWhiteSpace(VirtualProxy) ? null : VirtualProxy!.Trim().Trim('/');

        /// <summary><c>https://server:port/</c> or <c>https://server:port/prefix/</c>.</summary>
        public Uri BaseUri
        {
            get
            {
                var builder = new UriBuilder(Uri.UriSchemeHttps, Server.Trim(), EffectivePort);
                builder.Path = NormalizedVirtualProxy == null ? "/" : "/" + Uri.EscapeDataString(NormalizedVirtualProxy) + "/";
                return builder.Uri;
            }
        }

        /// <summary>Throws an explained <see cref="QlikActivityException"/> on a contradiction.</summary>
        internal void Validate()
        {
            if (string.IsNullOrWhiteSpace(Server))
            {
                throw Invalid("No server given: pass -Server with the host name of the central node.");
            }

            ApplyServerUrl();
            ApplyClientPemFile();

            string server = Server.Trim();
            if (server.IndexOf('/') >= 0)
            {
                throw Invalid($"-Server takes a host name or a URL such as https://sense.example.com:4242 (with a virtual proxy: https://sense.example.com/jwt), not '{server}'.");
            }

            if (Uri.CheckHostName(server.Trim('[', ']')) == UriHostNameType.Unknown)
            {
                throw Invalid($"'{server}' is not a valid host name or address.");
            }

            if (Port is { } port && (port < 1 || port > 65535))
            {
                throw Invalid($"Port {port} is outside 1-65535.");
            }

            if (Timeout <= TimeSpan.Zero)
            {
                throw Invalid("The timeout must be positive.");
            }

            if (MaximumRetryCount < 0)
            {
                throw Invalid("The retry count cannot be negative.");
            }

            if (MaximumConnections < 1)
            {
                throw Invalid("At least one connection is needed.");
            }

            if (AuthenticationMode == AuthenticationMode.Jwt)
            {
                if (Jwt == null || Jwt.IsEmpty)
                {
                    throw Invalid("JWT authentication needs a token: pass -Jwt.");
                }

                return;
            }

            int sources = (CertificateFolder != null ? 1 : 0) + (PfxPath != null || PfxBytes != null ? 1 : 0)
                + (Thumbprint != null ? 1 : 0) + (ClientCertificate != null ? 1 : 0);
            if (sources > 1)
            {
                throw Invalid("Give one client certificate source: a PEM folder, a PFX file, a thumbprint or a certificate.");
            }

            CheckHeaderValue(UserDirectory, "user directory");
            CheckHeaderValue(UserId, "user id");
        }

        /// <summary>
        /// Admins paste the address from the browser: a URL in <see cref="Server"/> is split into
        /// host, <see cref="Port"/> and <see cref="VirtualProxy"/>. A part also given on its own
        /// must agree, so that nothing the admin typed is silently ignored.
        /// </summary>
        private void ApplyServerUrl()
        {
            string text = Server.Trim();
            if (text.IndexOf("://", StringComparison.Ordinal) < 0)
            {
                return;
            }

            if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || string.IsNullOrEmpty(url.Host))
            {
                throw Invalid($"-Server '{text}' is not a valid URL. Give a host name (sense.example.com) or a URL such as https://sense.example.com:4242.");
            }

            if (!string.Equals(url.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase))
            {
                throw Invalid($"-Server '{text}' uses {url.Scheme}://; the repository and the proxy are reached over https:// only.");
            }

            if (url.UserInfo.Length > 0 || url.Query.Length > 0 || url.Fragment.Length > 0)
            {
                throw Invalid($"-Server takes https://host[:port][/virtualproxy] without user name, query or fragment: pass credentials with their own parameters.");
            }

            // Only a port typed in the URL counts: without one the mode's default applies (4242 or 443).
            string authority = text.Substring(text.IndexOf("://", StringComparison.Ordinal) + 3).Split('/')[0];
            if (System.Text.RegularExpressions.Regex.IsMatch(authority, @":[0-9]+$"))
            {
                if (Port is { } given && given != url.Port)
                {
                    throw Invalid($"-Server '{text}' names port {url.Port} but -Port is {given}: give the port once.");
                }

                Port = url.Port;
            }

            string path = Uri.UnescapeDataString(url.AbsolutePath).Trim('/');
            if (path.Length > 0)
            {
                if (path.IndexOf('/') >= 0)
                {
                    throw Invalid($"-Server '{text}' has the path '/{path}': only one virtual proxy prefix (https://host/prefix) can follow the host.");
                }

                if (NormalizedVirtualProxy is { } proxy && !string.Equals(proxy, path, StringComparison.OrdinalIgnoreCase))
                {
                    throw Invalid($"-Server '{text}' names virtual proxy '{path}' but -VirtualProxy is '{proxy}': give the prefix once.");
                }

                VirtualProxy = path;
            }

            Server = url.Host;
        }

        /// <summary>
        /// The QMC export is a folder, but admins point at the file they see in it: client.pem
        /// stands for its folder; any other file gets an answer that says what is expected.
        /// </summary>
        private void ApplyClientPemFile()
        {
            if (CertificateFolder == null || !System.IO.File.Exists(CertificateFolder))
            {
                return;
            }

            string name = System.IO.Path.GetFileName(CertificateFolder);
            if (string.Equals(name, ClientCertificateLoader.ClientPemName, StringComparison.OrdinalIgnoreCase))
            {
                CertificateFolder = System.IO.Path.GetDirectoryName(CertificateFolder);
                return;
            }

            string hint = name.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".p12", StringComparison.OrdinalIgnoreCase)
                ? " For a PFX file use -PfxPath."
                : "";
            throw new QlikActivityException(
                $"-CertificatePath '{CertificateFolder}' is a file; it takes the folder the QMC exported (client.pem, client_key.pem and root.pem), or that folder's client.pem.{hint}",
                QrsErrorIds.InvalidConnectionOptions, OperationErrorCategory.InvalidArgument);
        }

        private static void CheckHeaderValue(string value, string what)
        {
            // X-Qlik-User is "UserDirectory=X; UserId=Y": these characters would change its meaning.
            if (string.IsNullOrWhiteSpace(value) || value.IndexOfAny(HeaderBreakers) >= 0)
            {
                throw Invalid($"The {what} '{value}' cannot be sent in the X-Qlik-User header: it must not be empty or contain ';', '=' or line breaks.");
            }
        }

        private static QlikActivityException Invalid(string message) =>
            new QlikActivityException(message, QrsErrorIds.InvalidConnectionOptions, OperationErrorCategory.InvalidArgument);
    }
}
