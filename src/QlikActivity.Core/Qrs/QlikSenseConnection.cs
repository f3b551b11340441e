using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core;
using QlikActivity.Core.Qrs;

namespace QlikActivity.Core.Qrs
{
    /// <summary>
    /// An open connection to a Qlik Sense repository (PowerShell type name
    /// <c>QlikActivity.Core.Qrs.QlikSenseConnection</c>), returned by <c>Connect-QlikSense</c> and taken by
    /// every other cmdlet's <c>-Connection</c>. It shows where and as whom it is connected; it
    /// never holds on to a showable JWT, password or private key.
    /// </summary>
    public sealed class QlikSenseConnection : IDisposable, IQrsNameSource
    {
        private QlikSenseConnection(QrsClient client, QrsConnectionOptions options, string? serverVersion)
        {
            Client = client;
            Server = options.Server.Trim();
            Port = options.EffectivePort;
            VirtualProxy = options.NormalizedVirtualProxy;
            AuthenticationMode = options.AuthenticationMode;
            User = client.User;
            CertificateSubject = client.ClientCertificate?.Subject;
            CertificateThumbprint = client.ClientCertificate?.Thumbprint;
            SkipCertificateCheck = options.SkipCertificateCheck;
            ServerVersion = serverVersion;
            ConnectedAt = DateTime.UtcNow;
        }

        public string Server { get; }

        public int Port { get; }

        /// <summary>The virtual proxy prefix (JWT), or null.</summary>
        public string? VirtualProxy { get; }

        public AuthenticationMode AuthenticationMode { get; }

        /// <summary>As whom requests run: the X-Qlik-User identity, or the user the JWT names.</summary>
        public string? User { get; }

        /// <summary>The client certificate's subject (certificate authentication).</summary>
        public string? CertificateSubject { get; }

        public string? CertificateThumbprint { get; }

        /// <summary>True when the server's certificate is not checked.</summary>
        public bool SkipCertificateCheck { get; }

        /// <summary>The repository's <c>buildVersion</c> from <c>/qrs/about</c>.</summary>
        public string? ServerVersion { get; }

        /// <summary>When the connection was made (UTC).</summary>
        public DateTime ConnectedAt { get; }

        /// <summary><c>https://server:port/</c> or <c>https://server:port/prefix/</c>.</summary>
        public Uri BaseUri => Client.BaseUri;

        /// <summary>False once disposed (Disconnect-QlikSense).</summary>
        public bool IsOpen => !Client.IsDisposed;

        /// <summary>The REST client behind this connection, for Core operations.</summary>
        internal QrsClient Client { get; }

        /// <summary>
        /// The Connect-QlikSense operation: loads certificates, asks <c>/qrs/about</c> to prove
        /// that server, trust and authentication all work, and returns the connection.
        /// </summary>
        public static QlikSenseConnection Connect(IOperationHost host, QrsConnectionOptions options)
        {
            if (host == null)
            {
                throw new ArgumentNullException(nameof(host));
            }

            // Before the first use of BaseUri: a URL in Server becomes host, port and prefix here.
            options.Validate();
            if (options.SkipCertificateCheck)
            {
                host.WriteWarning($"-SkipCertificateCheck: the certificate of {options.Server} is not checked, so anyone who can intercept the connection can pose as the repository. Use it for testing only.");
            }

            string how = options.AuthenticationMode == AuthenticationMode.Jwt
                ? $"a JWT through virtual proxy '{options.NormalizedVirtualProxy ?? "(default)"}'"
                : $"a client certificate as {options.UserDirectory}\\{options.UserId}";
            host.WriteVerbose($"Connecting to {options.BaseUri} with {how}.");
            var connection = ConnectAsync(options, host.CancellationToken).GetAwaiter().GetResult();
            host.WriteVerbose($"Connected to {connection.BaseUri}: repository {connection.ServerVersion ?? "(version unknown)"}"
                + (connection.CertificateSubject != null ? $", client certificate {connection.CertificateSubject}." : "."));
            return connection;
        }

        /// <summary>The same as <see cref="Connect"/>, for async callers (tests, benchmarks).</summary>
        public static async Task<QlikSenseConnection> ConnectAsync(QrsConnectionOptions options, CancellationToken cancellationToken = default)
        {
            var client = QrsClient.Create(options);
            try
            {
                // An unreachable host is a typo or a stopped service, not a blip: fail at once.
                var about = await client.GetJsonAsync("about", null, retryUnreachable: false, cancellationToken).ConfigureAwait(false);
                string? version = about is JsonObject o && o["buildVersion"] is JsonValue v && v.TryGetValue(out string? s) ? s : null;
                return new QlikSenseConnection(client, options, version);
            }
            catch (QrsException ex) when (ex.ErrorId == QrsErrorIds.ConnectionDropped || ex.ErrorId == QrsErrorIds.TlsHandshakeFailed)
            {
                var refusal = await client.DiagnoseClientCertificateAsync(cancellationToken).ConfigureAwait(false);
                string? subject = client.ClientCertificate?.Subject;
                client.Dispose();
                if (refusal == null)
                {
                    throw;
                }

                throw new QrsException(
                    $"{options.Server}:{options.EffectivePort} refused the client certificate '{subject}' ({refusal}). Use the client certificate exported from this site's QMC: the repository accepts only certificates issued by the site's own CA.",
                    QrsErrorIds.ClientCertificateRejected, OperationErrorCategory.AuthenticationError, ex.Method, ex.Path, null, null, ex);
            }
            catch
            {
                client.Dispose();
                throw;
            }
        }

        /// <inheritdoc />
        public async Task<IReadOnlyList<string>> GetUserDirectoriesAsync(CancellationToken cancellationToken)
        {
            // The condensed user list carries userDirectory; reading it streamed keeps 50,000 users out of memory.
            var directories = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
            await foreach (var user in Client.GetArrayAsync<JsonObject>("user", null, cancellationToken).ConfigureAwait(false))
            {
                if (user?["userDirectory"] is JsonValue value && value.TryGetValue<string>(out var name) && !string.IsNullOrEmpty(name))
                {
                    directories.Add(name);
                }
            }

            return directories.ToList();
        }

        /// <inheritdoc />
        public async Task<IReadOnlyList<string>> GetUserCustomPropertyNamesAsync(CancellationToken cancellationToken)
        {
            // objectTypes is only in the full form; there are few definitions, so filtering here is cheap.
            var definitions = await Client.GetJsonAsync("custompropertydefinition/full", null, cancellationToken).ConfigureAwait(false) as JsonArray;
            var names = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var definition in definitions ?? new JsonArray())
            {
                bool forUsers = definition?["objectTypes"] is JsonArray types
                    && types.Any(t => t is JsonValue v && v.TryGetValue<string>(out var type) && string.Equals(type, "User", StringComparison.OrdinalIgnoreCase));
                if (forUsers && definition!["name"] is JsonValue nameValue && nameValue.TryGetValue<string>(out var name) && !string.IsNullOrEmpty(name))
                {
                    names.Add(name);
                }
            }

            return names.ToList();
        }

        /// <summary>Closes the HTTP connections; later use of this connection is an error.</summary>
        public void Dispose() => Client.Dispose();

        public override string ToString()
        {
            string proxy = VirtualProxy != null ? "/" + VirtualProxy : "";
            return $"{Server}:{Port}{proxy} ({AuthenticationMode}{(User != null ? ", " + User : "")})";
        }
    }
}
