using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using QlikActivity.QrsSimulator;

namespace QlikActivity.Benchmarks
{
    /// <summary>
    /// How fast the QRS simulator itself serves a large site, so client benchmarks know the simulator is
    /// not their bottleneck: start, read every user and license record (/full), batched id filters, PUTs.
    /// </summary>
    public sealed class QrsSimulatorReadCommand : IBenchmarkCommand
    {
        private const string Xrfkey = "abcdefghij012345";

        public string Name => "qrs-simulator";

        public string Description => "simulator alone: start with --users N (50000), read all /full, 25-id filters, PUTs";

        public int Run(BenchmarkArguments args) => RunAsync(args).GetAwaiter().GetResult();

        private static async Task<int> RunAsync(BenchmarkArguments args)
        {
            int users = args.GetInt("users", 50000);
            int puts = args.GetInt("puts", 1000);
            var total = Stopwatch.StartNew();
            await using var sim = await QrsSimulator.SimulatedQrs.StartAsync(new QrsSimulatorOptions { Users = users, Seed = args.GetInt("seed", 1) });
            double startSeconds = total.Elapsed.TotalSeconds;

            using var http = new HttpClient(new SocketsHttpHandler
            {
                SslOptions = new SslClientAuthenticationOptions
                {
                    ClientCertificates = new X509CertificateCollection { sim.ClientCertificate },
                    RemoteCertificateValidationCallback = (_, cert, _, _) =>
                    {
                        using var chain = new X509Chain();
                        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                        chain.ChainPolicy.CustomTrustStore.Add(sim.RootCertificate);
                        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                        return cert != null && chain.Build(new X509Certificate2(cert));
                    },
                },
            })
            {
                Timeout = TimeSpan.FromMinutes(5),
            };

            async Task<(int Count, long Bytes, JsonDocument Doc)> Get(string path)
            {
                var request = new HttpRequestMessage(HttpMethod.Get, new Uri(sim.BaseUri, path + (path.Contains('?') ? "&" : "?") + "xrfkey=" + Xrfkey));
                request.Headers.Add("X-Qlik-Xrfkey", Xrfkey);
                request.Headers.Add("X-Qlik-User", "UserDirectory=INTERNAL; UserId=sa_repository");
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                response.EnsureSuccessStatusCode();
                var bytes = await response.Content.ReadAsByteArrayAsync();
                var doc = JsonDocument.Parse(bytes);
                return (doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement.GetArrayLength() : 1, bytes.Length, doc);
            }

            var read = Stopwatch.StartNew();
            var (userCount, userBytes, userDoc) = await Get("/qrs/user/full");
            long bytesRead = userBytes;
            int records = 0;
            foreach (var path in new[] { "professionalaccesstype", "analyzeraccesstype", "useraccesstype", "loginaccessusage", "analyzertimeaccessusage" })
            {
                var (n, b, d) = await Get("/qrs/license/" + path + "/full");
                records += n;
                bytesRead += b;
                d.Dispose();
            }

            double readSeconds = read.Elapsed.TotalSeconds;

            var ids = userDoc.RootElement.EnumerateArray().Select(u => u.GetProperty("id").GetString()!).ToList();
            userDoc.Dispose();
            var filters = Stopwatch.StartNew();
            int batches = Math.Min(400, ids.Count / 25);
            for (int i = 0; i < batches; i++)
            {
                string filter = string.Join(" or ", ids.Skip(i * 25).Take(25).Select(id => "id eq " + id));
                var (n, _, d) = await Get("/qrs/user/full?filter=" + Uri.EscapeDataString(filter));
                d.Dispose();
                if (n != 25)
                {
                    throw new InvalidOperationException($"id filter returned {n} users");
                }
            }

            double filterSeconds = filters.Elapsed.TotalSeconds;

            var putWatch = Stopwatch.StartNew();
            var targets = sim.Store.Users().Take(puts).ToList();
            foreach (var user in targets)
            {
                var request = new HttpRequestMessage(HttpMethod.Put, new Uri(sim.BaseUri, "/qrs/user/" + user["id"] + "?xrfkey=" + Xrfkey))
                {
                    Content = new StringContent(user.ToJsonString(), Encoding.UTF8, "application/json"),
                };
                request.Headers.Add("X-Qlik-Xrfkey", Xrfkey);
                request.Headers.Add("X-Qlik-User", "UserDirectory=INTERNAL; UserId=sa_repository");
                using var response = await http.SendAsync(request);
                response.EnsureSuccessStatusCode();
            }

            double putSeconds = putWatch.Elapsed.TotalSeconds;
            var result = new Dictionary<string, object>
            {
                ["command"] = "qrs-simulator",
                ["users"] = userCount,
                ["license_records"] = records,
                ["start_s"] = Math.Round(startSeconds, 2),
                ["read_all_s"] = Math.Round(readSeconds, 2),
                ["read_mb"] = Math.Round(bytesRead / 1048576.0, 1),
                ["id_filter_batches"] = batches,
                ["id_filter_s"] = Math.Round(filterSeconds, 2),
                ["puts"] = targets.Count,
                ["puts_s"] = Math.Round(putSeconds, 2),
                ["peak_mb"] = BenchmarkArguments.PeakMegabytes(),
            };
            Console.WriteLine(JsonSerializer.Serialize(result));
            return 0;
        }
    }
}
