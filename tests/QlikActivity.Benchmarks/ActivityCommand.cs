using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text.RegularExpressions;
using System.Threading;
using QlikActivity.Core;
using QlikActivity.Core.Activity;
using QlikActivity.Core.Qrs;

namespace QlikActivity.Benchmarks
{
    /// <summary>
    /// <c>activity --users 50000</c>: starts the QRS simulator as its own process (so the peak
    /// memory measured is our client's alone), reads every user's activity over HTTPS with a
    /// client certificate, and prints <c>{"users":N,"seconds":S,"requests":R,"peakMB":M}</c>.
    /// </summary>
    public sealed class ActivityCommand : IBenchmarkCommand
    {
        public string Name => "activity";

        public string Description => "Get-QlikUserActivity against a simulated site: --users N (50000) --seed S (1) " + SimulatorCost.Usage;

        public int Run(BenchmarkArguments args)
        {
            int users = args.GetInt("users", 50000);
            int seed = args.GetInt("seed", 1);
            string certificates = Path.Combine(Path.GetTempPath(), "qlikactivity-bench-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Directory.CreateDirectory(certificates);
            var costArguments = new System.Collections.Generic.List<string>(SimulatorCost.ToProgramArguments(args));
            using var simulator = StartSimulator(users, seed, certificates, costArguments, out int port);
            try
            {
                var options = new QrsConnectionOptions
                {
                    Server = "127.0.0.1",
                    Port = port,
                    CertificateFolder = certificates,
                };

                var watch = Stopwatch.StartNew();
                using var connection = QlikSenseConnection.ConnectAsync(options).GetAwaiter().GetResult();
                int read = 0;
                foreach (var activity in UserActivityReader.Read(new QuietHost(), new UserActivityRequest(connection)))
                {
                    read++;
                }

                watch.Stop();
                // The simulator's own count, read as a script would (GET /simulator/requests with the client certificate).
                Console.Error.WriteLine("simulator requests: " + SimulatorRequests.Read(port, certificates));
                Console.Error.WriteLine($"client CPU {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:0.00} s");
                Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
                    "{{\"users\":{0},\"seconds\":{1:0.00},\"requests\":{2},\"peakMB\":{3:0.0}}}",
                    read, watch.Elapsed.TotalSeconds, connection.Client.RequestCounts.Total, BenchmarkArguments.PeakMegabytes()));
                return 0;
            }
            finally
            {
                if (!simulator.HasExited)
                {
                    simulator.Kill(entireProcessTree: true);
                    simulator.WaitForExit(10000);
                }

                Directory.Delete(certificates, recursive: true);
            }
        }

        /// <summary>Runs the simulator DLL (copied beside this program) and waits for its "listening on" line.</summary>
        private static Process StartSimulator(int users, int seed, string certificates, System.Collections.Generic.IEnumerable<string> extra, out int port)
        {
            string dll = Path.Combine(AppContext.BaseDirectory, "QlikActivity.QrsSimulator.dll");
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in new[] { dll, "--users", users.ToString(CultureInfo.InvariantCulture), "--seed", seed.ToString(CultureInfo.InvariantCulture), "--port", "0", "--cert-dir", certificates })
            {
                start.ArgumentList.Add(a);
            }

            foreach (var a in extra)
            {
                start.ArgumentList.Add(a);
            }

            var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the simulator");
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data != null)
                {
                    Console.Error.WriteLine("simulator: " + e.Data);
                }
            };
            process.BeginErrorReadLine();

            // Seeding 50,000 users takes a while on a loaded machine: wait generously.
            var ready = System.Threading.Tasks.Task.Run(() =>
            {
                string? line;
                while ((line = process.StandardOutput.ReadLine()) != null)
                {
                    var match = Regex.Match(line, @"listening on https://127\.0\.0\.1:(\d+)");
                    if (match.Success)
                    {
                        return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
                    }
                }

                return -1;
            });
            if (!ready.Wait(TimeSpan.FromMinutes(5)) || ready.Result < 0)
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException("the simulator did not report 'listening on'");
            }

            port = ready.Result;
            return process;
        }
    }
}
