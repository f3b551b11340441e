using System;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace QlikActivity.QrsSimulator
{
    /// <summary>
    /// <c>QlikActivity.QrsSimulator --users N --port P --cert-dir DIR [--seed S] [--jwt-key FILE] [--proxy-port P2]
    /// [--prefix jwt] [--now 2024-11-15T12:00:00Z] [--fail-rate R] [--unavailable-rate R] [--throttle-rate R]
    /// [--drop-rate R] [--latency-ms N] [--conflict-rate R] [--fault-seed S] [--only-writes] [--cost-model] [--capacity N] [--queue-limit N]
    /// [--overload-status 503|429] [--service-ms KIND=MEDIAN:P95[:PERROW]] [--cost-seed S]</c>: serves until Ctrl+C/SIGTERM.
    /// </summary>
    internal static class Program
    {
        private static async Task<int> Main(string[] args)
        {
            QrsSimulatorOptions options;
            try
            {
                options = Parse(args);
            }
            catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
            {
                Console.Error.WriteLine(e.Message);
                Console.Error.WriteLine("usage: QlikActivity.QrsSimulator --users N --port P --cert-dir DIR [--seed S] [--jwt-key FILE] [--proxy-port P2] [--prefix jwt] [--now ISO] [--fail-rate R] [--unavailable-rate R] [--throttle-rate R] [--drop-rate R] [--latency-ms N] [--conflict-rate R] [--fault-seed S] [--only-writes] [--cost-model] [--capacity N] [--queue-limit N] [--overload-status 503|429] [--service-ms KIND=MEDIAN:P95[:PERROW]] [--cost-seed S]");
                return 2;
            }

            using var stop = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                stop.Cancel();
            };
            using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx =>
            {
                ctx.Cancel = true;
                stop.Cancel();
            });

            await using var sim = await SimulatedQrs.StartAsync(options, stop.Token).ConfigureAwait(false);
            // stdout carries only the ready line, for scripts; the rest goes to stderr.
            Console.Error.WriteLine($"proxy on {sim.ProxyBaseUri}");
            Console.Error.WriteLine($"certificates in {sim.CertificateDirectory}");
            if (options.CostModel.Enabled)
            {
                Console.Error.WriteLine($"cost model on: capacity {options.CostModel.Capacity}, queue limit {options.CostModel.QueueLimit}, overload {options.CostModel.OverloadStatus}, service ms (median:p95:per-row) "
                    + string.Join(", ", options.CostModel.ServiceTimes.Select(p => p.Key.ToString().ToLowerInvariant() + "=" + p.Value)));
            }

            Console.Error.WriteLine($"request counts: GET/DELETE https://127.0.0.1:{sim.Port}/simulator/requests (client certificate)");
            Console.WriteLine($"listening on https://127.0.0.1:{sim.Port}");
            Console.Out.Flush();
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            return 0;
        }

        private static QrsSimulatorOptions Parse(string[] args)
        {
            var o = new QrsSimulatorOptions();
            for (int i = 0; i < args.Length; i++)
            {
                string name = args[i];
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value");
                double Rate() => double.Parse(Value(), CultureInfo.InvariantCulture);
                switch (name)
                {
                    case "--users": o.Users = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                    case "--port": o.Port = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                    case "--proxy-port": o.ProxyPort = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                    case "--cert-dir": o.CertificateDirectory = Value(); break;
                    case "--seed": o.Seed = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                    case "--jwt-key": o.JwtKeyFile = Value(); break;
                    case "--prefix": o.VirtualProxyPrefix = Value(); break;
                    case "--now": o.Now = DateTime.Parse(Value(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal); break;
                    case "--fail-rate": o.Faults.ServerErrorRate = Rate(); break;
                    case "--unavailable-rate": o.Faults.UnavailableRate = Rate(); break;
                    case "--throttle-rate": o.Faults.TooManyRequestsRate = Rate(); break;
                    case "--drop-rate": o.Faults.DropRate = Rate(); break;
                    case "--conflict-rate": o.Faults.ConcurrentModificationRate = Rate(); break;
                    case "--latency-ms": o.Faults.Latency = TimeSpan.FromMilliseconds(int.Parse(Value(), CultureInfo.InvariantCulture)); break;
                    case "--fault-seed": o.Faults.Seed = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                    case "--only-writes": o.Faults.OnlyWrites = true; break;
                    // Each cost-model option turns the model on; --cost-model alone takes the defaults.
                    case "--cost-model": o.CostModel.Enabled = true; break;
                    case "--capacity": o.CostModel.Capacity = int.Parse(Value(), CultureInfo.InvariantCulture); o.CostModel.Enabled = true; break;
                    case "--queue-limit": o.CostModel.QueueLimit = int.Parse(Value(), CultureInfo.InvariantCulture); o.CostModel.Enabled = true; break;
                    case "--overload-status": o.CostModel.OverloadStatus = int.Parse(Value(), CultureInfo.InvariantCulture); o.CostModel.Enabled = true; break;
                    case "--cost-seed": o.CostModel.Seed = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                    case "--service-ms": ParseServiceTime(o.CostModel, Value()); o.CostModel.Enabled = true; break;
                    default: throw new ArgumentException($"unknown option '{name}'");
                }
            }

            return o;
        }

        // list=20:60:0.02, full=..., count=..., item=..., put=35:110, post=..., delete=...
        private static void ParseServiceTime(CostModelOptions model, string text)
        {
            int eq = text.IndexOf('=');
            if (eq <= 0 || !Enum.TryParse<RequestKind>(text.Substring(0, eq), ignoreCase: true, out var kind) || !Enum.IsDefined(kind))
            {
                throw new ArgumentException($"--service-ms takes KIND=MEDIAN:P95[:PERROW] with KIND one of {string.Join(", ", Enum.GetNames<RequestKind>()).ToLowerInvariant()}, not '{text}'");
            }

            model.ServiceTimes[kind] = ServiceTime.Parse(text.Substring(eq + 1));
        }
    }
}
