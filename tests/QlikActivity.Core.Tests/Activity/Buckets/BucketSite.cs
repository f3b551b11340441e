using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Activity;
using QlikActivity.Core.Qrs;
using QlikActivity.QrsSimulator;
using QlikActivity.QrsSimulator.Entities;
using Xunit;

namespace QlikActivity.Core.Tests.Activity.Buckets
{
    /// <summary>A QRS simulator and a connection to it, with helpers to seed users and read their values back.</summary>
    internal sealed class BucketSite : IAsyncDisposable
    {
        /// <summary>Noon, so "n days ago" is n calendar days whatever the time zone of the machine.</summary>
        public static readonly DateTime Now = new DateTime(2025, 6, 15, 12, 0, 0, DateTimeKind.Utc);

        private BucketSite(QrsSimulator.SimulatedQrs sim, QlikSenseConnection connection)
        {
            Sim = sim;
            Connection = connection;
        }

        public QrsSimulator.SimulatedQrs Sim { get; }
        public QlikSenseConnection Connection { get; }
        public QrsStore Store => Sim.Store;

        /// <param name="configure">Changes the connection options last (e.g. a short timeout, or a port that leads through a proxy).</param>
        public static async Task<BucketSite> StartAsync(int seededUsers = 0, int seed = 1, bool jwt = false, CostModelOptions? costModel = null,
            Action<QrsConnectionOptions, QrsSimulator.SimulatedQrs>? configure = null)
        {
            var sim = await QrsSimulator.SimulatedQrs.StartAsync(new QrsSimulatorOptions
            {
                SeedData = seededUsers > 0,
                Users = seededUsers,
                Seed = seed,
                Now = Now,
                CostModel = costModel ?? new CostModelOptions(),
            });
            try
            {
                var options = jwt
                    ? new QrsConnectionOptions
                    {
                        Server = "127.0.0.1",
                        Port = sim.ProxyPort,
                        AuthenticationMode = AuthenticationMode.Jwt,
                        VirtualProxy = "jwt",
                        Jwt = new QrsSecret(sim.CreateJwt("INTERNAL", "sa_api")),
                        RootCertificatePath = System.IO.Path.Combine(sim.CertificateDirectory, "root.pem"),
                    }
                    : new QrsConnectionOptions
                    {
                        Server = "127.0.0.1",
                        Port = sim.Port,
                        CertificateFolder = sim.CertificateDirectory,
                    };
                // Fast back-off: the fault tests retry a lot.
                options.RetryBaseDelay = TimeSpan.FromMilliseconds(20);
                options.MaximumRetryDelay = TimeSpan.FromMilliseconds(400);
                options.MaximumRetryCount = 8;
                options.Timeout = TimeSpan.FromSeconds(60);
                configure?.Invoke(options, sim);
                var connection = await QlikSenseConnection.ConnectAsync(options);
                return new BucketSite(sim, connection);
            }
            catch
            {
                await sim.DisposeAsync();
                throw;
            }
        }

        public ActivityBucketRequest Request(string name = "Activity") => new ActivityBucketRequest(Connection, name) { AsOf = Now };

        /// <summary>A user with license records used the given days ago (type: professional, analyzer, user, login, analyzer-time).</summary>
        public Guid AddUser(string directory, string userId, params (string Type, int DaysAgo)[] records)
        {
            var id = Store.AddUser(directory, userId);
            foreach (var (type, daysAgo) in records)
            {
                Store.AddLicenseRecord(type, id, Now.AddDays(-daysAgo).AddMinutes(-17));
            }

            return id;
        }

        /// <summary>The values of a property a user holds, from the store.</summary>
        public IReadOnlyList<string> Values(Guid userId, string property = "Activity") => ValuesIn(Store.User(userId)!, property);

        public static IReadOnlyList<string> ValuesIn(JsonObject user, string property) =>
            (user["customProperties"] as JsonArray ?? new JsonArray())
                .OfType<JsonObject>()
                .Where(i => string.Equals((string?)i["definition"]?["name"], property, StringComparison.OrdinalIgnoreCase))
                .Select(i => (string?)i["value"] ?? "")
                .ToList();

        public JsonObject? Definition(string name = "Activity") =>
            Store.FindCustomPropertyDefinition(name) is { } id ? Store.Entity(QrsEntityTypes.CustomPropertyDefinition, id) : null;

        public IReadOnlyList<string> ChoiceValues(string name = "Activity") =>
            Definition(name)!["choiceValues"]!.AsArray().Select(v => (string)v!).ToList();

        public static (List<ActivityBucketResult> Results, ActivityBucketSummary Summary) Run(IOperationHost host, ActivityBucketRequest request)
        {
            var results = new List<ActivityBucketResult>();
            var summary = ActivityBucketWriter.Run(host, request, results.Add);
            return (results, summary);
        }

        /// <summary>
        /// The value every user should hold, computed here from the store's license records,
        /// independently of the code under test: latest use over all five types, whole UTC days
        /// to <see cref="Now"/>, the smallest bucket that holds it, else the overflow; no value
        /// without a used record (the default no-activity policy removes it).
        /// </summary>
        public Dictionary<Guid, string?> ExpectedValues(int[]? buckets = null)
        {
            buckets ??= new[] { 1, 7, 14, 30, 90, 180, 365 };
            var latest = new Dictionary<Guid, DateTime>();
            var sources = new (string Path, string Field)[]
            {
                (QrsEntityTypes.ProfessionalAccessType, "lastUsed"),
                (QrsEntityTypes.AnalyzerAccessType, "lastUsed"),
                (QrsEntityTypes.UserAccessType, "lastUsed"),
                (QrsEntityTypes.LoginAccessUsage, "latestActivity"),
                (QrsEntityTypes.AnalyzerTimeAccessUsage, "latestActivity"),
            };
            foreach (var (path, field) in sources)
            {
                foreach (var record in Store.Entities(path))
                {
                    if (record["user"] is not JsonObject user || !Guid.TryParse((string?)user["id"], out var id))
                    {
                        continue;
                    }

                    var used = DateTime.Parse((string)record[field]!, null, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);
                    if (used.Year <= 1753)
                    {
                        continue;
                    }

                    if (!latest.TryGetValue(id, out var seen) || used > seen)
                    {
                        latest[id] = used;
                    }
                }
            }

            var expected = new Dictionary<Guid, string?>();
            foreach (var user in Store.Users())
            {
                var id = Guid.Parse((string)user["id"]!);
                string? value = null;
                if (latest.TryGetValue(id, out var last))
                {
                    int days = Math.Max(0, (Now.Date - last.Date).Days);
                    int limit = buckets.FirstOrDefault(b => days <= b);
                    value = limit > 0 ? limit.ToString(System.Globalization.CultureInfo.InvariantCulture) : buckets.Max() + "+";
                }

                expected[id] = value;
            }

            return expected;
        }

        public async ValueTask DisposeAsync()
        {
            Connection.Dispose();
            await Sim.DisposeAsync();
        }
    }

    /// <summary>
    /// A host that behaves like PowerShell after Ctrl+C (every Write* throws once stopped) and can
    /// run a callback when asked ShouldProcess, to change the repository at a known moment.
    /// </summary>
    internal sealed class ScriptedHost : IOperationHost
    {
        public RecordingHost Inner { get; } = new RecordingHost();

        public Func<string, string, bool>? OnShouldProcess { get; set; }

        public Action<OperationProgress>? OnProgress { get; set; }

        /// <summary>Write* calls that came after the token was cancelled (PowerShell would have thrown).</summary>
        public int WritesAfterStop { get; private set; }

        public CancellationToken CancellationToken => Inner.CancellationToken;

        public void Cancel() => Inner.Cancel();

        public bool ShouldProcess(string target, string action)
        {
            Stopped();
            bool answer = Inner.ShouldProcess(target, action);
            return OnShouldProcess?.Invoke(target, action) ?? answer;
        }

        public bool ShouldContinue(string query, string caption)
        {
            Stopped();
            return Inner.ShouldContinue(query, caption);
        }

        public void WriteVerbose(string message) { Stopped(); Inner.WriteVerbose(message); }
        public void WriteWarning(string message) { Stopped(); Inner.WriteWarning(message); }
        public void WriteDebug(string message) { Stopped(); Inner.WriteDebug(message); }

        public void WriteProgress(OperationProgress progress)
        {
            Stopped();
            Inner.WriteProgress(progress);
            OnProgress?.Invoke(progress);
        }

        public void WriteError(OperationError failure) { Stopped(); Inner.WriteError(failure); }

        private void Stopped()
        {
            if (CancellationToken.IsCancellationRequested)
            {
                WritesAfterStop++;
                throw new InvalidOperationException("The pipeline has been stopped."); // what PipelineStoppedException says
            }
        }
    }
}
