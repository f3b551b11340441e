using System;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography.X509Certificates;

namespace QlikActivity.Core.Qrs
{
    /// <summary>
    /// What a <see cref="QrsClient"/> sends its requests through: the client certificate (from an
    /// object, the Windows store, a PFX or a PEM folder), the root that the server's certificate
    /// must chain to (given, or found beside the client certificate), and an HTTP handler that
    /// presents the one and checks against the other. The handler owns neither: the client
    /// disposes the certificate.
    /// </summary>
    internal sealed class QrsHandlerSetup
    {
        private QrsHandlerSetup(HttpMessageHandler handler, ServerCertificateValidator validator, X509Certificate2? clientCertificate)
        {
            Handler = handler;
            Validator = validator;
            ClientCertificate = clientCertificate;
        }

        /// <summary>The handler, wrapped by <see cref="QrsConnectionOptions.WrapHandler"/> when set.</summary>
        public HttpMessageHandler Handler { get; }

        public ServerCertificateValidator Validator { get; }

        /// <summary>Our own copy of the client certificate (certificate authentication only).</summary>
        public X509Certificate2? ClientCertificate { get; }

        /// <summary>Loads the certificates and builds the handler for checked <paramref name="options"/>.</summary>
        public static QrsHandlerSetup Create(QrsConnectionOptions options)
        {
            X509Certificate2? client = null;
            try
            {
                if (options.AuthenticationMode == AuthenticationMode.Certificate)
                {
                    client = LoadClientCertificate(options);
                }

                string? rootPath = options.SkipCertificateCheck ? null : RootPathFor(options);
                var root = rootPath != null ? ClientCertificateLoader.LoadRoot(rootPath) : null;
                var validator = new ServerCertificateValidator(root, rootPath, options.SkipCertificateCheck);
                var handler = CreateHandler(options, validator, client);
                return new QrsHandlerSetup(options.WrapHandler?.Invoke(handler) ?? handler, validator, client);
            }
            catch
            {
                client?.Dispose();
                throw;
            }
        }

        private static X509Certificate2 LoadClientCertificate(QrsConnectionOptions options)
        {
            if (options.ClientCertificate != null)
            {
                if (!options.ClientCertificate.HasPrivateKey)
                {
                    throw new QlikActivityException($"The certificate '{options.ClientCertificate.Subject}' has no private key.",
                        QrsErrorIds.CertificateWithoutPrivateKey, OperationErrorCategory.InvalidArgument);
                }

                // Our own copy: disposing the connection must not dispose the caller's object.
                return new X509Certificate2(options.ClientCertificate);
            }

            if (options.Thumbprint != null)
            {
                return ClientCertificateLoader.FromStore(options.Thumbprint);
            }

            if (options.PfxBytes != null)
            {
                return ClientCertificateLoader.FromPfx(options.PfxBytes, options.PfxPassword, options.PfxPath ?? "the PFX data");
            }

            if (options.PfxPath != null)
            {
                return ClientCertificateLoader.FromPfxFile(options.PfxPath, options.PfxPassword);
            }

            return ClientCertificateLoader.FromPemFolder(options.CertificateFolder ?? Path.GetFullPath("cert"));
        }

        private static string? RootPathFor(QrsConnectionOptions options)
        {
            if (options.RootCertificatePath != null)
            {
                return options.RootCertificatePath;
            }

            if (options.AuthenticationMode != AuthenticationMode.Certificate)
            {
                return null;
            }

            if (options.PfxPath != null)
            {
                string? dir = Path.GetDirectoryName(Path.GetFullPath(options.PfxPath));
                foreach (var name in new[] { ClientCertificateLoader.RootCerName, ClientCertificateLoader.RootPemName })
                {
                    string candidate = Path.Combine(dir ?? ".", name);
                    if (File.Exists(candidate))
                    {
                        return candidate;
                    }
                }

                return null;
            }

            if (options.Thumbprint != null || options.ClientCertificate != null || options.PfxBytes != null)
            {
                return null;
            }

            string folder = options.CertificateFolder ?? Path.GetFullPath("cert");
            string root = Path.Combine(folder, ClientCertificateLoader.RootPemName);
            return File.Exists(root) ? root : null;
        }

        [SuppressMessage("Performance", "CA1859:Use concrete types when possible for improved performance", Justification = "The handler type differs per build: SocketsHttpHandler on net8.0, HttpClientHandler on netstandard2.0; it is created once per connection.")]
        private static HttpMessageHandler CreateHandler(QrsConnectionOptions options, ServerCertificateValidator validator, X509Certificate2? client)
        {
#if NET8_0_OR_GREATER
            var ssl = new System.Net.Security.SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (sender, certificate, chain, errors) => validator.Validate(certificate, errors),
            };
            if (client != null)
            {
                ssl.ClientCertificates = new X509CertificateCollection { client };
                // Send our certificate even when the server's list of acceptable CAs does not name its issuer.
                ssl.LocalCertificateSelectionCallback = (sender, host, local, remote, issuers) => client;
            }

            return new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
                ConnectTimeout = options.Timeout,
                MaxConnectionsPerServer = options.MaximumConnections,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                SslOptions = ssl,
            };
#else
            var handler = new HttpClientHandler
            {
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
                MaxConnectionsPerServer = options.MaximumConnections,
                ClientCertificateOptions = ClientCertificateOption.Manual,
                ServerCertificateCustomValidationCallback = (message, certificate, chain, errors) => validator.Validate(certificate, errors),
                // .NET Framework's default may still be TLS 1.0: offer 1.2+ by name.
                SslProtocols = Certificates.TlsProtocols.Client,
            };
            if (client != null)
            {
                handler.ClientCertificates.Add(client);
            }

            return handler;
#endif
        }
    }
}
