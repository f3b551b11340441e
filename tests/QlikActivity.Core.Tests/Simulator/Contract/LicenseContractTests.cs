using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Xunit;

namespace QlikActivity.Core.Tests.Simulator.Contract
{
    /// <summary>One simulator for every contract case (reads only).</summary>
    public sealed class ContractSimulator : IAsyncLifetime
    {
        public QrsSimulator.SimulatedQrs Sim { get; private set; } = null!;
        public HttpClient Http { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Sim = await SimulatorHttp.StartAsync(users: 120, seed: 3);
            Http = SimulatorHttp.Client(Sim, Sim.ClientCertificate);
        }

        public async Task DisposeAsync()
        {
            Http.Dispose();
            await Sim.DisposeAsync();
        }
    }

    /// <summary>
    /// Every read endpoint of the license family in Qlik's OpenAPI description (Fixtures/qrs-license-endpoints.json,
    /// written by Update-QrsContractFixture.ps1 from the OpenAPI file) against the running simulator over HTTPS
    /// with a client certificate: the documented status, and exactly the schema's fields, links included.
    /// </summary>
    [Trait("Category", "Integration")]
    public class LicenseContractTests : IClassFixture<ContractSimulator>
    {
        private static readonly Lazy<JsonArray> Endpoints = new Lazy<JsonArray>(() =>
            (JsonArray)JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "qrs-license-endpoints.json")))!["endpoints"]!);

        private readonly ContractSimulator _context;

        public LicenseContractTests(ContractSimulator context) => _context = context;

        public static IEnumerable<object[]> Cases() =>
            Endpoints.Value.Select(e => new object[] { e!["method"]!.GetValue<string>(), e["path"]!.GetValue<string>() });

        [Fact]
        public void The_fixture_lists_list_full_count_id_and_table_of_every_access_type_and_usage()
        {
            var listed = Endpoints.Value.Select(e => e!["method"] + " " + e["path"]).ToHashSet();
            string[] families =
            {
                "professionalaccesstype", "analyzeraccesstype", "useraccesstype", "loginaccesstype", "analyzertimeaccesstype",
                "professionalaccessusage", "analyzeraccessusage", "useraccessusage", "loginaccessusage", "analyzertimeaccessusage",
            };
            foreach (var family in families)
            {
                string root = "/qrs/license/" + family;
                Assert.Contains("GET " + root, listed);
                Assert.Contains("GET " + root + "/full", listed);
                Assert.Contains("GET " + root + "/count", listed);
                Assert.Contains("GET " + root + "/{id}", listed);
                Assert.Contains("POST " + root + "/table", listed);
            }

            Assert.Contains("GET /qrs/license/accesstypeoverview", listed);
            Assert.Equal(52, listed.Count);
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public async Task The_simulator_serves_the_endpoint_with_the_schema_fields(string method, string path)
        {
            var entry = (JsonObject)Endpoints.Value.Single(e => (string)e!["method"]! == method && (string)e["path"]! == path)!;
            string shape = (string)entry["shape"]!;
            int expectedStatus = (int)entry["status"]!;
            string requestPath = path;
            string? body = null;
            if (path.EndsWith("/{id}", StringComparison.Ordinal))
            {
                requestPath = path.Replace("{id}", await IdWithLinks(path.Substring(0, path.Length - "/{id}".Length), entry), StringComparison.Ordinal);
            }

            if (path.EndsWith("/table", StringComparison.Ordinal))
            {
                body = new JsonObject
                {
                    ["columns"] = new JsonArray(
                        new JsonObject { ["name"] = "id", ["columnType"] = "Property", ["definition"] = "id" },
                        new JsonObject { ["name"] = "modifiedDate", ["columnType"] = 1, ["definition"] = "modifiedDate" }),
                }.ToJsonString();
            }

            var (status, json) = await Send(new HttpMethod(method), requestPath, body);
            Assert.True(expectedStatus == status, $"{method} {requestPath}: {status}, expected {expectedStatus}");
            switch (shape)
            {
                case "count":
                    var count = Assert.IsType<JsonObject>(json);
                    Assert.Equal(new[] { "value" }, count.Select(p => p.Key));
                    Assert.True(count["value"]!.GetValue<int>() > 0, "the seeded site has records of every license family");
                    break;

                case "array":
                    var items = Assert.IsType<JsonArray>(json);
                    Assert.NotEmpty(items);
                    foreach (var item in items)
                    {
                        AssertShape(entry, Assert.IsType<JsonObject>(item), path);
                    }

                    // Every link is exercised by some record, not only declared.
                    foreach (var link in Links(entry))
                    {
                        Assert.True(items.Any(i => Present(i![link.Key])), $"{path}: no record carries {link.Key}");
                    }

                    break;

                default:
                    var one = Assert.IsType<JsonObject>(json);
                    AssertShape(entry, one, path);
                    if (path.EndsWith("/table", StringComparison.Ordinal))
                    {
                        var (_, counted) = await Send(HttpMethod.Get, path.Replace("/table", "/count", StringComparison.Ordinal), null);
                        Assert.Equal(new[] { "id", "modifiedDate" }, one["columnNames"]!.AsArray().Select(n => (string)n!));
                        var rows = one["rows"]!.AsArray();
                        Assert.Equal(counted!["value"]!.GetValue<int>(), rows.Count);
                        Assert.All(rows, r => Assert.Equal(2, r!.AsArray().Count));
                    }

                    break;
            }
        }

        private static IEnumerable<KeyValuePair<string, JsonNode?>> Links(JsonObject entry) =>
            entry["links"] is JsonObject links ? links : Enumerable.Empty<KeyValuePair<string, JsonNode?>>();

        private static bool Present(JsonNode? value) => value is JsonObject || (value is JsonArray a && a.Count > 0);

        private static void AssertShape(JsonObject entry, JsonObject actual, string path)
        {
            AssertFields(entry["fields"]!.AsArray(), actual, path);
            foreach (var required in entry["required"]!.AsArray())
            {
                Assert.True(actual[(string)required!] != null, $"{path}: required {required} is null");
            }

            foreach (var link in Links(entry))
            {
                var spec = link.Value!;
                var value = actual[link.Key];
                if (value == null)
                {
                    continue;
                }

                if ((bool)spec["list"]!)
                {
                    foreach (var item in Assert.IsType<JsonArray>(value))
                    {
                        AssertFields(spec["fields"]!.AsArray(), Assert.IsType<JsonObject>(item), path + " " + link.Key + "[]");
                    }
                }
                else
                {
                    AssertFields(spec["fields"]!.AsArray(), Assert.IsType<JsonObject>(value), path + " " + link.Key);
                }
            }
        }

        private static void AssertFields(JsonArray expected, JsonObject actual, string where)
        {
            var want = expected.Select(f => (string)f!).OrderBy(f => f, StringComparer.Ordinal).ToArray();
            var have = actual.Select(p => p.Key).OrderBy(f => f, StringComparer.Ordinal).ToArray();
            Assert.True(want.SequenceEqual(have), $"{where}: fields [{string.Join(", ", have)}], schema [{string.Join(", ", want)}]");
        }

        // An id whose full record carries every link of the schema, so the item check covers them.
        private async Task<string> IdWithLinks(string listPath, JsonObject entry)
        {
            var (status, full) = await Send(HttpMethod.Get, listPath + "/full", null);
            Assert.Equal(200, status);
            var records = Assert.IsType<JsonArray>(full);
            Assert.NotEmpty(records);
            var best = records.FirstOrDefault(r => Links(entry).All(l => Present(r![l.Key]))) ?? records[0];
            return (string)best!["id"]!;
        }

        private async Task<(int Status, JsonNode? Json)> Send(HttpMethod method, string path, string? body)
        {
            using var response = await _context.Http.SendAsync(SimulatorHttp.Request(_context.Sim, method, path, body));
            string text = await response.Content.ReadAsStringAsync();
            return ((int)response.StatusCode, text.Length > 0 && (text[0] == '{' || text[0] == '[') ? JsonNode.Parse(text) : null);
        }
    }
}
