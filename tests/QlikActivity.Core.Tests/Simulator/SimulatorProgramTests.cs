using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Xunit;

namespace QlikActivity.Core.Tests.Simulator
{
    /// <summary>The simulator as a separate process, as benchmarks and scripts run it.</summary>
    [Trait("Category", "Integration")]
    public class SimulatorProgramTests
    {
        [Fact]
        public async Task The_program_writes_the_certificates_prints_the_listening_line_and_serves()
        {
            string dll = typeof(QrsSimulator.SimulatedQrs).Assembly.Location;
            string dir = Path.Combine(Path.GetTempPath(), "qrs-sim-test-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in new[] { dll, "--users", "40", "--port", "0", "--cert-dir", dir, "--seed", "3", "--fail-rate", "0",
                "--capacity", "2", "--queue-limit", "7", "--overload-status", "429", "--service-ms", "count=1:2" })
            {
                start.ArgumentList.Add(a);
            }

            using var process = Process.Start(start)!;
            try
            {
                var lineTask = process.StandardOutput.ReadLineAsync();
                var finished = await Task.WhenAny(lineTask, Task.Delay(TimeSpan.FromSeconds(120)));
                Assert.True(finished == lineTask, "no listening line within 120 s: " + (process.HasExited ? await process.StandardError.ReadToEndAsync() : "still running"));
                string line = (await lineTask)!;
                Assert.Matches(@"^listening on https://127\.0\.0\.1:\d+$", line);
                int port = int.Parse(line.Substring(line.LastIndexOf(':') + 1));

                // The files a QMC export gives: PEM pair with a PKCS#1 key, root, and a PFX without password.
                Assert.StartsWith("-----BEGIN RSA PRIVATE KEY-----", File.ReadAllText(Path.Combine(dir, "client_key.pem")));
                using var fromPem = X509Certificate2.CreateFromPemFile(Path.Combine(dir, "client.pem"), Path.Combine(dir, "client_key.pem"));
                using var fromPfx = X509CertificateLoader.LoadPkcs12FromFile(Path.Combine(dir, "client.pfx"), "");
                Assert.True(fromPfx.HasPrivateKey);
                Assert.Equal(fromPem.Thumbprint, fromPfx.Thumbprint);
                using var root = X509CertificateLoader.LoadCertificate(X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(dir, "root.pem"))).RawData);

                var handler = new SocketsHttpHandler
                {
                    SslOptions = new SslClientAuthenticationOptions
                    {
                        ClientCertificates = new X509CertificateCollection { fromPfx },
                        RemoteCertificateValidationCallback = (_, cert, _, _) =>
                        {
                            using var chain = new X509Chain();
                            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                            chain.ChainPolicy.CustomTrustStore.Add(root);
                            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                            return chain.Build(new X509Certificate2(cert!));
                        },
                    },
                };
                using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
                var request = new HttpRequestMessage(HttpMethod.Get, $"https://127.0.0.1:{port}/qrs/user/count?xrfkey={SimulatorHttp.Xrfkey}");
                request.Headers.Add("X-Qlik-Xrfkey", SimulatorHttp.Xrfkey);
                request.Headers.Add("X-Qlik-User", SimulatorHttp.ServiceUser);
                using var response = await http.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(40, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["value"]!.GetValue<int>());

                // What a script reads with curl --cert client.pem --key client_key.pem --cacert root.pem.
                var counts = JsonNode.Parse(await http.GetStringAsync($"https://127.0.0.1:{port}/simulator/requests"))!;
                Assert.Equal(1, counts["byFamily"]!["GET /qrs/user/count"]!.GetValue<long>());
                var model = JsonNode.Parse(await http.GetStringAsync($"https://127.0.0.1:{port}/simulator/costmodel"))!;
                Assert.True(model["enabled"]!.GetValue<bool>());
                Assert.Equal(2, model["capacity"]!.GetValue<int>());
                Assert.Equal(7, model["queueLimit"]!.GetValue<int>());
                Assert.Equal(429, model["overloadStatus"]!.GetValue<int>());
                using var reset = await http.DeleteAsync($"https://127.0.0.1:{port}/simulator/requests");
                Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
                Assert.Equal(0, JsonNode.Parse(await http.GetStringAsync($"https://127.0.0.1:{port}/simulator/requests"))!["total"]!.GetValue<long>());
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                await process.WaitForExitAsync();
                Directory.Delete(dir, recursive: true);
            }
        }

        [Theory]
        [InlineData("unknown option '--bogus'", "--bogus")]
        [InlineData("--service-ms takes KIND=MEDIAN:P95[:PERROW]", "--service-ms", "patch=1:2")]
        [InlineData("429 or 503", "--overload-status", "500")]
        public async Task A_bad_option_is_refused_with_usage(string message, params string[] args)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(typeof(QrsSimulator.SimulatedQrs).Assembly.Location);
            foreach (var a in args)
            {
                start.ArgumentList.Add(a);
            }

            using var process = Process.Start(start)!;
            string err = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.Equal(2, process.ExitCode);
            Assert.Contains(message, err);
            Assert.Contains("usage:", err);
        }
    }
}
