using System;
using System.Collections.Generic;
using System.Globalization;
using QlikActivity.QrsSimulator;

namespace QlikActivity.Benchmarks
{
    /// <summary>
    /// The simulator's cost model from a benchmark's options: <c>--cost-model</c> (the defaults of
    /// docs/qrs-simulator.md), <c>--capacity N</c>, <c>--queue-limit N</c>, <c>--overload-status 503|429</c>,
    /// <c>--service-ms put=35:110,full=30:90:0.15</c>; any of them turns the model on. Off without them.
    /// </summary>
    internal static class SimulatorCost
    {
        public const string Usage = "[--cost-model] [--latency-ms M] [--capacity N] [--queue-limit N] [--overload-status 503|429] [--service-ms kind=median:p95[:perRow],...]";

        /// <summary>For a simulator hosted in this process.</summary>
        public static CostModelOptions FromArguments(BenchmarkArguments args)
        {
            var options = new CostModelOptions { Enabled = args.Get("cost-model") != null };
            if (args.Get("capacity") is { } capacity)
            {
                options.Capacity = int.Parse(capacity, CultureInfo.InvariantCulture);
                options.Enabled = true;
            }

            if (args.Get("queue-limit") is { } queue)
            {
                options.QueueLimit = int.Parse(queue, CultureInfo.InvariantCulture);
                options.Enabled = true;
            }

            if (args.Get("overload-status") is { } status)
            {
                options.OverloadStatus = int.Parse(status, CultureInfo.InvariantCulture);
                options.Enabled = true;
            }

            if (args.Get("latency-ms") is { } latency)
            {
                // Shorthand for the write benchmarks: a PUT's median, its p95 three times that (the defaults' spread).
                double ms = double.Parse(latency, CultureInfo.InvariantCulture);
                options.ServiceTimes[RequestKind.Put] = new ServiceTime(TimeSpan.FromMilliseconds(ms), TimeSpan.FromMilliseconds(ms * 3));
                options.Enabled = true;
            }

            foreach (var (kind, time) in ServiceTimes(args))
            {
                options.ServiceTimes[kind] = time;
                options.Enabled = true;
            }

            return options;
        }

        /// <summary>The same choice as options of the simulator program, for a simulator run as its own process.</summary>
        public static IEnumerable<string> ToProgramArguments(BenchmarkArguments args)
        {
            var options = FromArguments(args);
            if (!options.Enabled)
            {
                yield break;
            }

            yield return "--cost-model";
            yield return "--capacity";
            yield return options.Capacity.ToString(CultureInfo.InvariantCulture);
            yield return "--queue-limit";
            yield return options.QueueLimit.ToString(CultureInfo.InvariantCulture);
            yield return "--overload-status";
            yield return options.OverloadStatus.ToString(CultureInfo.InvariantCulture);
            foreach (var pair in options.ServiceTimes)
            {
                yield return "--service-ms";
                yield return pair.Key.ToString().ToLowerInvariant() + "=" + pair.Value;
            }
        }

        /// <summary>One line for the log: what the model is, or that it is off.</summary>
        public static string Describe(CostModelOptions options) =>
            options.Enabled
                ? $"cost model on: capacity {options.Capacity}, queue limit {options.QueueLimit}, overload {options.OverloadStatus}, service ms (median:p95:per-row) "
                  + string.Join(", ", System.Linq.Enumerable.Select(options.ServiceTimes, p => p.Key.ToString().ToLowerInvariant() + "=" + p.Value))
                : "cost model off";

        private static IEnumerable<(RequestKind, ServiceTime)> ServiceTimes(BenchmarkArguments args)
        {
            if (args.Get("service-ms") is not { } text)
            {
                yield break;
            }

            foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                int eq = item.IndexOf('=');
                if (eq <= 0 || !Enum.TryParse<RequestKind>(item.Substring(0, eq), ignoreCase: true, out var kind) || !Enum.IsDefined(kind))
                {
                    throw new ArgumentException($"--service-ms takes kind=median:p95[:perRow] with kind one of {string.Join(", ", Enum.GetNames<RequestKind>()).ToLowerInvariant()}, not '{item}'");
                }

                yield return (kind, ServiceTime.Parse(item.Substring(eq + 1)));
            }
        }
    }
}

namespace QlikActivity.Benchmarks
{
    /// <summary>
    /// Reads <c>GET /simulator/requests</c> of a simulator run as its own process, with the client
    /// certificate and root it wrote (as curl would); for simulators in this process use
    /// <c>sim.Requests.Counts()</c>.
    /// </summary>
    internal static class SimulatorRequests
    {
        public static string Read(int port, string certificateFolder)
        {
            using var client = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(
                System.IO.Path.Combine(certificateFolder, "client.pfx"), "");
            using var root = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(
                System.IO.File.ReadAllText(System.IO.Path.Combine(certificateFolder, "root.pem")));
            using var handler = new System.Net.Http.SocketsHttpHandler
            {
                SslOptions = new System.Net.Security.SslClientAuthenticationOptions
                {
                    ClientCertificates = new System.Security.Cryptography.X509Certificates.X509CertificateCollection { client },
                    RemoteCertificateValidationCallback = (_, cert, _, _) =>
                    {
                        using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
                        chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
                        chain.ChainPolicy.CustomTrustStore.Add(root);
                        chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
                        return cert != null && chain.Build(new System.Security.Cryptography.X509Certificates.X509Certificate2(cert));
                    },
                },
            };
            using var http = new System.Net.Http.HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
            return http.GetStringAsync(new Uri($"https://127.0.0.1:{port}/simulator/requests")).GetAwaiter().GetResult();
        }
    }
}
