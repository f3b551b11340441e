using System;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using QlikActivity.QrsSimulator;

namespace QlikActivity.Core.Tests.Simulator
{
    /// <summary>Raw HTTP access to a simulator, as a client on a Sense server would have it.</summary>
    internal static class SimulatorHttp
    {
        public const string Xrfkey = "0123456789abcdEF";
        public const string ServiceUser = "UserDirectory=INTERNAL; UserId=sa_repository";

        public static Task<QrsSimulator.SimulatedQrs> StartAsync(int users = 60, int seed = 7) =>
            QrsSimulator.SimulatedQrs.StartAsync(new QrsSimulatorOptions
            {
                Users = users,
                Seed = seed,
                Now = new DateTime(2024, 11, 15, 12, 0, 0, DateTimeKind.Utc),
            });

        /// <summary>An HttpClient that trusts only the simulator's root and presents <paramref name="clientCertificate"/> (null: none).</summary>
        public static HttpClient Client(QrsSimulator.SimulatedQrs sim, X509Certificate2? clientCertificate, bool followRedirects = false)
        {
            var handler = new SocketsHttpHandler
            {
                AllowAutoRedirect = followRedirects,
                UseCookies = false,
                ConnectTimeout = TimeSpan.FromSeconds(30),
                SslOptions = new SslClientAuthenticationOptions
                {
                    RemoteCertificateValidationCallback = (_, cert, _, _) => cert != null && ChainsTo(sim.RootCertificate, cert),
                },
            };
            if (clientCertificate != null)
            {
                handler.SslOptions.ClientCertificates = new X509CertificateCollection { clientCertificate };
                handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
            }

            return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
        }

        /// <summary>A request on the certificate port with the service user and a matching Xrfkey.</summary>
        public static HttpRequestMessage Request(QrsSimulator.SimulatedQrs sim, HttpMethod method, string pathAndQuery, string? body = null)
        {
            string sep = pathAndQuery.Contains('?') ? "&" : "?";
            var request = new HttpRequestMessage(method, new Uri(sim.BaseUri, pathAndQuery + sep + "xrfkey=" + Xrfkey));
            request.Headers.Add("X-Qlik-Xrfkey", Xrfkey);
            request.Headers.Add("X-Qlik-User", ServiceUser);
            if (body != null)
            {
                request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            }

            return request;
        }

        /// <summary>A request through the JWT virtual proxy.</summary>
        public static HttpRequestMessage ProxyRequest(QrsSimulator.SimulatedQrs sim, string pathAndQuery, string? jwt)
        {
            string sep = pathAndQuery.Contains('?') ? "&" : "?";
            var request = new HttpRequestMessage(HttpMethod.Get, new Uri(sim.ProxyBaseUri, pathAndQuery + sep + "xrfkey=" + Xrfkey));
            request.Headers.Add("X-Qlik-Xrfkey", Xrfkey);
            if (jwt != null)
            {
                request.Headers.Add("Authorization", "Bearer " + jwt);
            }

            return request;
        }

        public static string Encode(string filter) => Uri.EscapeDataString(filter);

        private static bool ChainsTo(X509Certificate2 root, X509Certificate cert)
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(root);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            using var c2 = new X509Certificate2(cert);
            return chain.Build(c2);
        }
    }
}
