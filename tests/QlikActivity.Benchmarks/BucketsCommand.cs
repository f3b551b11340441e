using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using QlikActivity.Core;
using QlikActivity.Core.Activity;
using QlikActivity.Core.Qrs;
using QlikActivity.QrsSimulator;

namespace QlikActivity.Benchmarks
{
    /// <summary>
    /// <c>buckets --users 10000 --changed 2000</c>: seeds the QRS simulator (in-process, HTTPS with
    /// client certificates) so that every user holds its right bucket except <c>changed</c> users,
    /// runs Set-QlikActivityBucket's operation with no sleeps, runs it again, and prints
    /// <c>{"users":..,"changed":..,"seconds":..,"requests":{"GET":..,"PUT":..,"POST":..,"DELETE":..},"failed":..,"rerunPuts":..}</c>.
    /// Requests are the simulator's own count for the first run.
    /// </summary>
    public sealed class BucketsCommand : IBenchmarkCommand
    {
        private const string Property = "Activity";

        public string Name => "buckets";

        public string Description => "Set-QlikActivityBucket against the simulator: --users 10000 --changed 2000 [--throttle N (fixed) | --throttle-limit N (adaptive ceiling)] [--latency-ms M (PUT median M, p95 3M; turns the cost model on)] [--batch 25] " + SimulatorCost.Usage;

        public int Run(BenchmarkArguments args)
        {
            int users = args.GetInt("users", 10000);
            int changed = args.GetInt("changed", 2000);
            // --throttle N: exactly N at once (fixed); --throttle-limit N: adaptive up to N; neither: adaptive up to 16.
            int? fixedThrottle = args.Get("throttle") != null ? args.GetInt("throttle", 4) : (int?)null;
            int? ceiling = args.Get("throttle-limit") != null ? args.GetInt("throttle-limit", 16) : fixedThrottle;
            int batch = args.GetInt("batch", 25);
            var now = new DateTime(2025, 6, 15, 12, 0, 0, DateTimeKind.Utc);

            var cost = SimulatorCost.FromArguments(args);
            // Seeding goes straight to the store (no HTTP), so the model only prices the measured runs.
            using var sim = Start(new QrsSimulatorOptions { Users = users, Seed = 1, Now = now, CostModel = cost });
            Console.Error.WriteLine(SimulatorCost.Describe(cost));
            using var connection = QlikSenseConnection.ConnectAsync(new QrsConnectionOptions
            {
                Server = "127.0.0.1",
                Port = sim.Value.Port,
                CertificateFolder = sim.Value.CertificateDirectory,
            }).GetAwaiter().GetResult();

            using var host = new QuietHost();
            int seeded = Seed(sim.Value, connection, host, now, changed);
            Console.Error.WriteLine($"seeded {users:N0} users, {seeded:N0} of them to change");

            ActivityBucketRequest Request() => new ActivityBucketRequest(connection, Property)
            {
                AsOf = now,
                ThrottleLimit = ceiling,
                FixedThrottle = fixedThrottle != null,
                BatchSize = batch,
                BatchSleep = TimeSpan.Zero,
                UserSleep = TimeSpan.Zero,
            };

            sim.Value.Requests.Clear();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var first = ActivityBucketWriter.Run(host, Request());
            double seconds = clock.Elapsed.TotalSeconds;
            var requests = sim.Value.Requests.ByMethod();
            Console.Error.WriteLine(first.ToString());
            Console.Error.WriteLine("simulator requests: " + sim.Value.Requests.Counts().ToJson());
            if (cost.Enabled)
            {
                var model = sim.Value.CostModel;
                Console.Error.WriteLine($"simulator cost model: peak in service {model.PeakInService}, peak queued {model.PeakQueued}, refused {model.Rejected}");
            }

            Console.Error.WriteLine($"CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:0.0} s (client and simulator) in {seconds:0.0} s");

            sim.Value.Requests.Clear();
            sim.Value.CostModel.ResetCounters();
            var second = ActivityBucketWriter.Run(host, Request());
            long rerunPuts = sim.Value.Requests.Count("PUT");
            Console.Error.WriteLine(second.ToString());

            long Count(string method) => requests.TryGetValue(method, out var n) ? n : 0;
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "{{\"users\":{0},\"changed\":{1},\"throttle\":\"{9}\",\"seconds\":{2:0.00},\"writesPerSecond\":{10:0.0},\"requests\":{{\"GET\":{3},\"PUT\":{4},\"POST\":{5},\"DELETE\":{6}}},\"failed\":{7},\"rerunPuts\":{8}}}",
                users, seeded, seconds, Count("GET"), Count("PUT"), Count("POST"), Count("DELETE"), first.Failed + second.Failed, rerunPuts,
                fixedThrottle != null ? "fixed " + fixedThrottle : "auto up to " + (ceiling ?? 16), seconds > 0 ? first.Updated / seconds : 0));
            return first.Failed == 0 && second.Failed == 0 ? 0 : 1;
        }

        /// <summary>
        /// Gives every user its right value straight in the store (the definition and the values
        /// as a previous run left them), then spoils <paramref name="changed"/> of them: another
        /// bucket, or a value where none belongs. Returns how many were spoiled.
        /// </summary>
        private static int Seed(QrsSimulator.SimulatedQrs sim, QlikSenseConnection connection, IOperationHost host, DateTime now, int changed)
        {
            var labels = BucketSet.Default.Labels;
            var definitionId = sim.Store.AddCustomPropertyDefinition(Property, labels, new[] { "User" }, "Days since last activity");
            var activity = UserActivityReader.Read(host, new UserActivityRequest(connection) { AsOf = now })
                .ToDictionary(a => a.Id);

            var wanted = new Dictionary<Guid, string?>();
            foreach (var user in sim.Store.Users())
            {
                var id = Guid.Parse((string)user["id"]!);
                string? value = activity.TryGetValue(id, out var a) && a.HasLicenseRecord && a.DaysInactive != null ? a.Bucket : null;
                wanted[id] = value;
                if (value != null)
                {
                    Put(sim, id, UserCustomPropertyEdit.Apply(user, definitionId, Property, value));
                }
            }

            var rnd = new Random(42);
            var spoil = wanted.Keys.OrderBy(_ => rnd.Next()).Take(Math.Min(changed, wanted.Count)).ToList();
            foreach (var id in spoil)
            {
                string? right = wanted[id];
                string wrong = right == null ? labels[labels.Count - 1] : labels[(IndexOf(labels, right) + 1) % labels.Count];
                Put(sim, id, UserCustomPropertyEdit.Apply(sim.Store.User(id)!, definitionId, Property, wrong));
            }

            return spoil.Count;
        }

        private static int IndexOf(IReadOnlyList<string> labels, string value)
        {
            for (int i = 0; i < labels.Count; i++)
            {
                if (labels[i] == value)
                {
                    return i;
                }
            }

            return 0;
        }

        private static void Put(QrsSimulator.SimulatedQrs sim, Guid id, JsonObject body)
        {
            var outcome = sim.Store.Update("user", id, body);
            if (outcome.Status != 200)
            {
                throw new InvalidOperationException($"seeding user {id} failed with {outcome.Status}: {string.Join("; ", outcome.Errors.Select(e => e.ErrorText))}");
            }
        }

        private static Owned Start(QrsSimulatorOptions options) =>
            new Owned(QrsSimulator.SimulatedQrs.StartAsync(options).GetAwaiter().GetResult());

        /// <summary>Disposes the simulator synchronously at the end of the command.</summary>
        private sealed class Owned : IDisposable
        {
            public Owned(QrsSimulator.SimulatedQrs value) => Value = value;

            public QrsSimulator.SimulatedQrs Value { get; }

            public void Dispose() => Value.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
