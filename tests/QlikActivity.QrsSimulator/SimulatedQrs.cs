using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;
using QlikActivity.QrsSimulator.Hosting;
using QlikActivity.QrsSimulator.Security;

namespace QlikActivity.QrsSimulator
{
    /// <summary>
    /// A Qlik Sense Repository Service over HTTPS on 127.0.0.1: the certificate port (like 4242; client
    /// certificate from its own CA plus X-Qlik-User) and a JWT virtual proxy port (like 443, under
    /// /{prefix}/qrs/). Seeded with a deterministic site; faults and a request log for tests.
    /// </summary>
    public sealed class SimulatedQrs : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly SimulatorCertificates _certificates;
        private readonly JwtAuthority _jwt;
        private readonly bool _ownsDirectory;
        private readonly DateTime _start;
        private readonly Stopwatch _elapsed;

        private SimulatedQrs(WebApplication app, SimulatorCertificates certificates, JwtAuthority jwt, QrsStore store, FaultOptions faults,
            RequestLog log, CostModel cost, string directory, bool ownsDirectory, int port, int proxyPort, string prefix, DateTime start, Stopwatch elapsed)
        {
            _app = app;
            _certificates = certificates;
            _jwt = jwt;
            Store = store;
            Faults = faults;
            Requests = log;
            CostModel = cost;
            CertificateDirectory = directory;
            _ownsDirectory = ownsDirectory;
            Port = port;
            ProxyPort = proxyPort;
            _start = start;
            _elapsed = elapsed;
            BaseUri = new Uri($"https://127.0.0.1:{port}/");
            ProxyBaseUri = new Uri($"https://127.0.0.1:{proxyPort}/{prefix}/");
        }

        /// <summary><c>https://127.0.0.1:{Port}/</c>, the client certificate port.</summary>
        public Uri BaseUri { get; }

        /// <summary><c>https://127.0.0.1:{ProxyPort}/{prefix}/</c>, the JWT virtual proxy.</summary>
        public Uri ProxyBaseUri { get; }

        public int Port { get; }
        public int ProxyPort { get; }

        /// <summary>Holds root.pem, client.pem, client_key.pem (PKCS#1), client_key_pkcs8.pem, client.pfx, jwt_private_key.pem, jwt_public_key.pem.</summary>
        public string CertificateDirectory { get; }

        public X509Certificate2 RootCertificate => _certificates.Root;

        /// <summary>CN=QlikClient with its private key.</summary>
        public X509Certificate2 ClientCertificate => _certificates.Client;

        public FaultOptions Faults { get; }
        public RequestLog Requests { get; }

        /// <summary>The running cost model: its counters (in service, queued, peaks, refused); off unless the options turned it on.</summary>
        public CostModel CostModel { get; }
        public QrsStore Store { get; }

        /// <summary>The simulator's clock: the configured Now plus the time since start.</summary>
        public DateTime Now => _start + _elapsed.Elapsed;

        /// <summary>Same subject as the real client certificate, issued by another CA: the simulator refuses it.</summary>
        public X509Certificate2 CreateUntrustedClientCertificate() => SimulatorCertificates.CreateUntrustedClient();

        /// <summary>
        /// An RS256 token for the virtual proxy (default lifetime one hour). Tokens live on the real clock,
        /// like the proxy's, whatever <see cref="QrsSimulatorOptions.Now"/> says about the data.
        /// </summary>
        public string CreateJwt(string userDirectory, string userId, TimeSpan? lifetime = null) =>
            _jwt.Create(userDirectory, userId, DateTime.UtcNow, lifetime ?? TimeSpan.FromHours(1));

        public static async Task<SimulatedQrs> StartAsync(QrsSimulatorOptions options, CancellationToken ct = default)
        {
            QlikActivity.Testing.UnitOnlyRun.Refuse("the QRS simulator");
            if (options.Users < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(options), "Users must not be negative");
            }

            var start = QrsDate.Truncate(options.Now ?? DateTime.UtcNow);
            var elapsed = Stopwatch.StartNew();
            DateTime Clock() => start + elapsed.Elapsed;

            bool ownsDirectory = options.CertificateDirectory == null;
            string directory = options.CertificateDirectory
                ?? Path.Combine(Path.GetTempPath(), "qrs-sim-" + Guid.NewGuid().ToString("N").Substring(0, 12));
            Directory.CreateDirectory(directory);

            var certificates = options.OwnCertificates ? SimulatorCertificates.Create() : SimulatorCertificates.ForProcess();
            certificates.Export(directory);
            var jwt = options.JwtKeyFile != null ? JwtAuthority.FromPemFile(options.JwtKeyFile)
                : options.OwnCertificates ? JwtAuthority.Generate() : JwtAuthority.ForProcess();
            jwt.Export(directory);

            var store = new QrsStore(Clock);
            if (options.SeedData)
            {
                SeedData.Fill(store, options.Users, options.Seed, start);
            }

            var log = new RequestLog();
            var cost = new CostModel(options.CostModel);
            var handler = new QrsHttpHandler(store, options.Faults, log, cost, jwt, certificates, options.VirtualProxyPrefix, () => DateTime.UtcNow);

            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = Array.Empty<string>() });
            builder.Logging.ClearProviders();
            ListenOptions? certListen = null;
            ListenOptions? proxyListen = null;
            builder.WebHost.ConfigureKestrel(k =>
            {
                k.AddServerHeader = false;
                k.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
                k.Listen(IPAddress.Loopback, options.Port, lo =>
                {
                    certListen = lo;
                    lo.Protocols = HttpProtocols.Http1AndHttp2;
                    lo.UseHttps(new HttpsConnectionAdapterOptions
                    {
                        ServerCertificate = certificates.Server,
                        // Like the QRS on 4242: no trusted client certificate, no TLS session.
                        ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                        ClientCertificateValidation = (cert, _, _) => certificates.IsIssuedByRoot(cert),
                    });
                });
                k.Listen(IPAddress.Loopback, options.ProxyPort, lo =>
                {
                    proxyListen = lo;
                    lo.Protocols = HttpProtocols.Http1AndHttp2;
                    lo.UseHttps(new HttpsConnectionAdapterOptions
                    {
                        ServerCertificate = certificates.Server,
                        ClientCertificateMode = ClientCertificateMode.NoCertificate,
                    });
                });
            });

            var app = builder.Build();
            app.Run(handler.HandleAsync);
            await app.StartAsync(ct).ConfigureAwait(false);

            int port = certListen!.IPEndPoint!.Port;
            int proxyPort = proxyListen!.IPEndPoint!.Port;
            handler.CertificatePort = port;
            return new SimulatedQrs(app, certificates, jwt, store, options.Faults, log, cost, directory, ownsDirectory, port, proxyPort,
                options.VirtualProxyPrefix.Trim('/'), start, elapsed);
        }

        public async ValueTask DisposeAsync()
        {
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
            {
                await _app.StopAsync(timeout.Token).ConfigureAwait(false);
            }

            await _app.DisposeAsync().ConfigureAwait(false);
            _jwt.Dispose();
            if (_ownsDirectory)
            {
                try
                {
                    Directory.Delete(CertificateDirectory, recursive: true);
                }
                catch (IOException)
                {
                    // A client may still hold a file open; the temp directory is harmless.
                }
            }
        }
    }
}
