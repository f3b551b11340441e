using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using QlikActivity.QrsSimulator;
using Xunit;

namespace QlikActivity.Core.Tests.Simulator
{
    /// <summary>The simulator over real HTTPS with client certificates, as a QRS client meets it.</summary>
    [Trait("Category", "Integration")]
    public class SimulatorHttpTests : IAsyncLifetime
    {
        private QrsSimulator.SimulatedQrs _sim = null!;
        private HttpClient _http = null!;

        public async Task InitializeAsync()
        {
            _sim = await SimulatorHttp.StartAsync();
            _http = SimulatorHttp.Client(_sim, _sim.ClientCertificate);
        }

        public async Task DisposeAsync()
        {
            _http.Dispose();
            await _sim.DisposeAsync();
        }

        private async Task<(HttpStatusCode Status, string Body)> Send(HttpMethod method, string path, string? body = null)
        {
            using var response = await _http.SendAsync(SimulatorHttp.Request(_sim, method, path, body));
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        private async Task<JsonNode> GetJson(string path)
        {
            var (status, body) = await Send(HttpMethod.Get, path);
            Assert.Equal(HttpStatusCode.OK, status);
            return JsonNode.Parse(body)!;
        }

        [Fact]
        public async Task A_wrong_or_missing_xrfkey_gets_403_with_the_QRS_text()
        {
            foreach (var (query, header) in new[] { ("?xrfkey=0123456789abcdEF", "0123456789abcdEX"), ("", "0123456789abcdEF"), ("?xrfkey=short", "short") })
            {
                var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_sim.BaseUri, "/qrs/about" + query));
                request.Headers.Add("X-Qlik-Xrfkey", header);
                request.Headers.Add("X-Qlik-User", SimulatorHttp.ServiceUser);
                using var response = await _http.SendAsync(request);
                Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
                Assert.Equal("XSRF prevention check failed. Possible XSRF discovered.", await response.Content.ReadAsStringAsync());
            }
        }

        [Fact]
        public async Task The_about_endpoint_answers_with_a_build_version()
        {
            var about = await GetJson("/qrs/about");
            Assert.False(string.IsNullOrEmpty(about["buildVersion"]!.GetValue<string>()));
            Assert.Equal("About", about["schemaPath"]!.GetValue<string>());
        }

        [Fact]
        public async Task Without_a_client_certificate_the_handshake_is_refused()
        {
            using var noCert = SimulatorHttp.Client(_sim, null);
            await Assert.ThrowsAsync<HttpRequestException>(() => noCert.SendAsync(SimulatorHttp.Request(_sim, HttpMethod.Get, "/qrs/about")));
            Assert.Equal(0, _sim.Requests.Total);
        }

        [Fact]
        public async Task A_client_certificate_from_another_CA_is_refused()
        {
            using var untrusted = _sim.CreateUntrustedClientCertificate();
            Assert.Equal(_sim.ClientCertificate.Subject, untrusted.Subject);
            using var client = SimulatorHttp.Client(_sim, untrusted);
            await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(SimulatorHttp.Request(_sim, HttpMethod.Get, "/qrs/about")));
            Assert.Equal(0, _sim.Requests.Total);
        }

        [Fact]
        public async Task Without_X_Qlik_User_the_request_is_forbidden()
        {
            var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_sim.BaseUri, "/qrs/about?xrfkey=" + SimulatorHttp.Xrfkey));
            request.Headers.Add("X-Qlik-Xrfkey", SimulatorHttp.Xrfkey);
            using var response = await _http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        [Fact]
        public async Task Count_returns_a_value_object_that_honours_the_filter()
        {
            var all = await GetJson("/qrs/user/count");
            Assert.Equal(_sim.Store.Users().Count, all["value"]!.GetValue<int>());
            Assert.Equal(60, all["value"]!.GetValue<int>());

            var lab = await GetJson("/qrs/user/count?filter=" + SimulatorHttp.Encode("userDirectory eq 'lab'"));
            int expected = _sim.Store.Users().Count(u => u["userDirectory"]!.GetValue<string>() == "LAB");
            Assert.True(expected > 0);
            Assert.Equal(expected, lab["value"]!.GetValue<int>());
        }

        [Fact]
        public async Task Lists_are_condensed_and_full_has_every_field()
        {
            var condensed = (JsonArray)await GetJson("/qrs/user");
            var full = (JsonArray)await GetJson("/qrs/user/full");
            Assert.Equal(condensed.Count, full.Count);
            var c = (JsonObject)condensed[0]!;
            Assert.Equal(new[] { "id", "privileges", "userId", "userDirectory", "userDirectoryConnectorName", "name" }, c.Select(p => p.Key));
            var f = (JsonObject)full[0]!;
            foreach (var key in new[] { "createdDate", "modifiedDate", "modifiedByUserName", "customProperties", "roles", "inactive", "removedExternally", "blacklisted", "schemaPath" })
            {
                Assert.True(f.ContainsKey(key), key);
            }

            var licenses = (JsonArray)await GetJson("/qrs/license/professionalaccesstype");
            Assert.Equal(new[] { "id", "privileges" }, ((JsonObject)licenses[0]!).Select(p => p.Key));
            var record = (JsonObject)((JsonArray)await GetJson("/qrs/license/professionalaccesstype/full"))[0]!;
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", record["lastUsed"]!.GetValue<string>());
            Assert.True(record.ContainsKey("quarantineEnd"));
            Assert.True(record.ContainsKey("deletedUserId"));
        }

        [Fact]
        public async Task A_missing_entity_or_endpoint_is_404()
        {
            Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, "/qrs/user/" + Guid.NewGuid())).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, "/qrs/nosuchthing")).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Put, "/qrs/user/" + Guid.NewGuid(), "{\"modifiedDate\":\"2024-01-01T00:00:00.000Z\"}")).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Delete, "/qrs/user/" + Guid.NewGuid())).Status);
        }

        [Fact]
        public async Task A_bad_filter_is_400_with_the_QRS_text()
        {
            var (status, body) = await Send(HttpMethod.Get, "/qrs/user/full?filter=" + SimulatorHttp.Encode("name eq 'O'Brien'"));
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Equal("Cannot parse the expression: name eq 'O'Brien'", body);

            (status, body) = await Send(HttpMethod.Get, "/qrs/user/full?filter=" + SimulatorHttp.Encode("id eq '" + Guid.NewGuid() + "'"));
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.StartsWith("Cannot parse the expression:", body);

            // An unencoded '&' inside the value cuts the query string.
            (status, body) = await Send(HttpMethod.Get, "/qrs/user/full?filter=name%20eq%20'a&b'");
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Equal("Missing parameter value(s)", body);
        }

        [Fact]
        public async Task An_id_disjunction_returns_exactly_those_users_and_orderby_sorts()
        {
            var some = _sim.Store.Users().Skip(5).Take(25).ToList();
            string filter = string.Join(" or ", some.Select(u => "id eq " + u["id"]!.GetValue<string>()));
            var found = (JsonArray)await GetJson("/qrs/user/full?filter=" + SimulatorHttp.Encode(filter) + "&orderby=" + SimulatorHttp.Encode("userId desc"));
            var ids = found.Select(u => u!["id"]!.GetValue<string>()).ToList();
            Assert.Equal(some.Select(u => u["id"]!.GetValue<string>()).OrderBy(s => s), ids.OrderBy(s => s));
            var userIds = found.Select(u => u!["userId"]!.GetValue<string>()).ToList();
            Assert.Equal(userIds.OrderByDescending(s => s, StringComparer.OrdinalIgnoreCase), userIds);
        }

        [Fact]
        public async Task A_definition_round_trips_through_post_put_get_delete()
        {
            var (status, body) = await Send(HttpMethod.Post, "/qrs/custompropertydefinition",
                "{\"name\":\"ActivityBucket\",\"valueType\":\"Text\",\"choiceValues\":[\"1\",\"7\"],\"objectTypes\":[\"User\"],\"description\":\"days since last activity\"}");
            Assert.Equal(HttpStatusCode.Created, status);
            var created = JsonNode.Parse(body)!.AsObject();
            string id = created["id"]!.GetValue<string>();
            Assert.Equal("CustomPropertyDefinition", created["schemaPath"]!.GetValue<string>());
            Assert.Equal(created["createdDate"]!.GetValue<string>(), created["modifiedDate"]!.GetValue<string>());

            created["choiceValues"] = new JsonArray("1", "7", "14", "365+");
            (status, body) = await Send(HttpMethod.Put, "/qrs/custompropertydefinition/" + id, created.ToJsonString());
            Assert.Equal(HttpStatusCode.OK, status);
            var updated = JsonNode.Parse(body)!.AsObject();
            Assert.Equal(new[] { "1", "7", "14", "365+" }, updated["choiceValues"]!.AsArray().Select(v => v!.GetValue<string>()));
            Assert.Equal("days since last activity", updated["description"]!.GetValue<string>());
            Assert.True(DateTime.Parse(updated["modifiedDate"]!.GetValue<string>()) > DateTime.Parse(created["modifiedDate"]!.GetValue<string>()));

            var fetched = await GetJson("/qrs/custompropertydefinition/" + id);
            Assert.Equal(updated.ToJsonString(), fetched.ToJsonString());

            (status, _) = await Send(HttpMethod.Delete, "/qrs/custompropertydefinition/" + id);
            Assert.Equal(HttpStatusCode.NoContent, status);
            Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, "/qrs/custompropertydefinition/" + id)).Status);
        }

        [Fact]
        public async Task A_user_without_userId_and_directory_is_refused_like_the_QRS()
        {
            var (status, body) = await Send(HttpMethod.Post, "/qrs/user", "{\"name\":\"nobody\"}");
            Assert.Equal(HttpStatusCode.BadRequest, status);
            var errors = JsonNode.Parse(body)!.AsArray();
            Assert.Equal(new[] { "User.userId", "User.userDirectory" }, errors.Select(e => e!["schemaPath"]!.GetValue<string>()));
            Assert.Equal("The repository detected an invalid property of the following type: userId", errors[0]!["errorText"]!.GetValue<string>());
        }

        [Fact]
        public async Task A_put_with_a_stale_or_missing_modifiedDate_is_409_and_changes_nothing()
        {
            var user = _sim.Store.Users()[10];
            string id = user["id"]!.GetValue<string>();
            var missing = user.DeepClone().AsObject();
            missing.Remove("modifiedDate");
            missing["name"] = "Changed";
            Assert.Equal(HttpStatusCode.Conflict, (await Send(HttpMethod.Put, "/qrs/user/" + id, missing.ToJsonString())).Status);

            var stale = user.DeepClone().AsObject();
            stale["modifiedDate"] = QrsDate.Format(DateTime.Parse(user["modifiedDate"]!.GetValue<string>()).ToUniversalTime().AddMilliseconds(-1));
            stale["name"] = "Changed";
            Assert.Equal(HttpStatusCode.Conflict, (await Send(HttpMethod.Put, "/qrs/user/" + id, stale.ToJsonString())).Status);

            Assert.Equal(user.ToJsonString(), _sim.Store.User(Guid.Parse(id))!.ToJsonString());
        }

        [Fact]
        public async Task A_put_replaces_the_custom_property_list_keeps_unsent_fields_and_moves_modifiedDate_forward()
        {
            var user = _sim.Store.Users().First(u => u["customProperties"]!.AsArray().Count > 0);
            string id = user["id"]!.GetValue<string>();
            var department = _sim.Store.FindCustomPropertyDefinition("Department")!.Value;
            var body = new JsonObject
            {
                ["modifiedDate"] = user["modifiedDate"]!.GetValue<string>(),
                ["customProperties"] = new JsonArray(new JsonObject
                {
                    ["value"] = "Finance",
                    ["definition"] = new JsonObject { ["id"] = department.ToString() },
                }),
            };
            var (status, text) = await Send(HttpMethod.Put, "/qrs/user/" + id, body.ToJsonString());
            Assert.Equal(HttpStatusCode.OK, status);
            var stored = _sim.Store.User(Guid.Parse(id))!;
            Assert.Equal(text, stored.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
            var values = stored["customProperties"]!.AsArray();
            Assert.Single(values);
            Assert.Equal("Finance", values[0]!["value"]!.GetValue<string>());
            Assert.Equal("Department", values[0]!["definition"]!["name"]!.GetValue<string>());
            Assert.Equal(user["name"]!.GetValue<string>(), stored["name"]!.GetValue<string>());
            Assert.Equal(user["userId"]!.GetValue<string>(), stored["userId"]!.GetValue<string>());
            Assert.True(DateTime.Parse(stored["modifiedDate"]!.GetValue<string>()) > DateTime.Parse(user["modifiedDate"]!.GetValue<string>()));
            Assert.Equal("INTERNAL\\sa_repository", stored["modifiedByUserName"]!.GetValue<string>());

            // The old copy is stale now.
            Assert.Equal(HttpStatusCode.Conflict, (await Send(HttpMethod.Put, "/qrs/user/" + id, body.ToJsonString())).Status);
        }

        [Theory]
        [InlineData("Department", "Astrology")]   // not one of the choices
        [InlineData("Environment", "Prod")]       // a definition for apps only
        [InlineData(null, "x")]                    // no such definition
        public async Task A_custom_property_value_must_fit_its_definition(string? definition, string value)
        {
            var user = _sim.Store.Users()[12];
            string id = user["id"]!.GetValue<string>();
            var defId = definition == null ? Guid.NewGuid() : _sim.Store.FindCustomPropertyDefinition(definition)!.Value;
            var body = new JsonObject
            {
                ["modifiedDate"] = user["modifiedDate"]!.GetValue<string>(),
                ["customProperties"] = new JsonArray(new JsonObject { ["value"] = value, ["definition"] = new JsonObject { ["id"] = defId.ToString() } }),
            };
            var (status, text) = await Send(HttpMethod.Put, "/qrs/user/" + id, body.ToJsonString());
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains("errorText", text);
            Assert.Equal(user.ToJsonString(), _sim.Store.User(Guid.Parse(id))!.ToJsonString());
        }

        private DateTime LastUsed(JsonObject record) =>
            DateTime.Parse(record["lastUsed"]!.GetValue<string>(), null, System.Globalization.DateTimeStyles.AdjustToUniversal);

        [Fact]
        public async Task Deleting_a_user_leaves_its_recently_used_license_records_quarantined_with_the_deleted_user_named()
        {
            var record = _sim.Store.Entities("license/professionalaccesstype")
                .First(r => r["user"] != null && !r["quarantined"]!.GetValue<bool>() && _sim.Now - LastUsed(r) < TimeSpan.FromDays(6));
            var userId = Guid.Parse(record["user"]!["id"]!.GetValue<string>());
            var user = _sim.Store.User(userId)!;
            Assert.Equal(HttpStatusCode.NoContent, (await Send(HttpMethod.Delete, "/qrs/user/" + userId)).Status);

            var after = _sim.Store.Entity("license/professionalaccesstype", Guid.Parse(record["id"]!.GetValue<string>()))!;
            Assert.Null(after["user"]);
            Assert.Equal(user["userId"]!.GetValue<string>(), after["deletedUserId"]!.GetValue<string>());
            Assert.Equal(user["userDirectory"]!.GetValue<string>(), after["deletedUserDirectory"]!.GetValue<string>());
            // Quarantine runs seven days from the last use, as for a deallocation.
            Assert.True(after["quarantined"]!.GetValue<bool>());
            Assert.Equal(QrsDate.Format(LastUsed(record).AddDays(7)), after["quarantineEnd"]!.GetValue<string>());
            var orphans = await GetJson("/qrs/license/professionalaccesstype/count?filter=" + SimulatorHttp.Encode("user eq null and deletedUserId eq '" + user["userId"] + "'"));
            Assert.Equal(1, orphans["value"]!.GetValue<int>());
        }

        [Fact]
        public async Task Deleting_a_user_releases_license_records_not_used_for_seven_days_and_unlinks_their_usage()
        {
            var record = _sim.Store.Entities("license/analyzeraccesstype")
                .First(r => r["user"] != null && !r["quarantined"]!.GetValue<bool>() && _sim.Now - LastUsed(r) > TimeSpan.FromDays(8)
                    && _sim.Store.Entities("license/analyzeraccessusage").Any(u => u["analyzerAccessType"]?["id"]?.GetValue<string>() == r["id"]!.GetValue<string>()));
            var recordId = Guid.Parse(record["id"]!.GetValue<string>());
            var userId = Guid.Parse(record["user"]!["id"]!.GetValue<string>());
            Assert.Equal(HttpStatusCode.NoContent, (await Send(HttpMethod.Delete, "/qrs/user/" + userId)).Status);

            Assert.Null(_sim.Store.Entity("license/analyzeraccesstype", recordId));
            Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, "/qrs/license/analyzeraccesstype/" + recordId)).Status);
            Assert.DoesNotContain(_sim.Store.Entities("license/analyzeraccessusage"), u => u["analyzerAccessType"]?["id"]?.GetValue<string>() == recordId.ToString());
        }

        [Fact]
        public async Task Renaming_a_user_shows_in_its_license_records()
        {
            var record = _sim.Store.Entities("license/analyzeraccesstype").First(r => r["user"] != null);
            var userId = Guid.Parse(record["user"]!["id"]!.GetValue<string>());
            var user = _sim.Store.User(userId)!;
            var body = new JsonObject { ["modifiedDate"] = user["modifiedDate"]!.GetValue<string>(), ["name"] = "Renamed Person" };
            Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Put, "/qrs/user/" + userId, body.ToJsonString())).Status);
            var after = _sim.Store.Entity("license/analyzeraccesstype", Guid.Parse(record["id"]!.GetValue<string>()))!;
            Assert.Equal("Renamed Person", after["user"]!["name"]!.GetValue<string>());
            Assert.Equal(record["modifiedDate"]!.GetValue<string>(), after["modifiedDate"]!.GetValue<string>());
        }

        [Fact]
        public async Task The_usage_endpoints_are_read_only()
        {
            var record = _sim.Store.Entities("license/loginaccessusage")[0];
            Assert.Equal(HttpStatusCode.MethodNotAllowed, (await Send(HttpMethod.Put, "/qrs/license/loginaccessusage/" + record["id"], record.ToJsonString())).Status);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, (await Send(HttpMethod.Post, "/qrs/license/loginaccessusage", "{}")).Status);
        }

        [Fact]
        public async Task The_request_log_counts_every_request_by_method_path_and_status()
        {
            _sim.Requests.Clear();
            var user = _sim.Store.Users()[20];
            string id = user["id"]!.GetValue<string>();
            for (int i = 0; i < 3; i++)
            {
                await Send(HttpMethod.Get, "/qrs/user/" + id);
            }

            await Send(HttpMethod.Put, "/qrs/user/" + id, "{\"modifiedDate\":\"2000-01-01T00:00:00.000Z\"}");
            await Send(HttpMethod.Get, "/qrs/license/useraccesstype/full");

            Assert.Equal(5, _sim.Requests.Total);
            Assert.Equal(4, _sim.Requests.Count("GET"));
            Assert.Equal(1, _sim.Requests.Count("PUT"));
            Assert.Equal(1, _sim.Requests.Count("PUT", "/qrs/user/"));
            Assert.Equal(0, _sim.Requests.Count("PUT", "/qrs/custompropertydefinition"));
            Assert.Equal(3, _sim.Requests.Count("GET", "/qrs/user/"));
            Assert.Equal(1, _sim.Requests.Count("PUT", "/qrs/user/", 409));
            Assert.Equal(4, _sim.Requests.ByMethod()["GET"]);
            Assert.Contains(_sim.Requests.Snapshot(), e => e.Method == "PUT" && e.Path == "/qrs/user/" + id && e.Status == 409);
            _sim.Requests.Clear();
            Assert.Equal(0, _sim.Requests.Total);
        }

        [Fact]
        public async Task Deleting_a_definition_removes_its_values_from_users()
        {
            var region = _sim.Store.FindCustomPropertyDefinition("Region")!.Value;
            var holder = _sim.Store.Users().First(u => u["customProperties"]!.AsArray().Any(v => v!["definition"]!["name"]!.GetValue<string>() == "Region"));
            int before = holder["customProperties"]!.AsArray().Count;
            Assert.Equal(HttpStatusCode.NoContent, (await Send(HttpMethod.Delete, "/qrs/custompropertydefinition/" + region)).Status);

            var after = _sim.Store.User(Guid.Parse(holder["id"]!.GetValue<string>()))!;
            var names = after["customProperties"]!.AsArray().Select(v => v!["definition"]!["name"]!.GetValue<string>()).ToList();
            Assert.DoesNotContain("Region", names);
            Assert.True(names.Count < before);
            Assert.NotEqual(holder["modifiedDate"]!.GetValue<string>(), after["modifiedDate"]!.GetValue<string>());
            var count = await GetJson("/qrs/user/count?filter=" + SimulatorHttp.Encode("customProperties.definition.name eq 'Region'"));
            Assert.Equal(0, count["value"]!.GetValue<int>());
        }

        [Fact]
        public async Task Dropping_a_choice_that_users_hold_is_accepted_and_the_values_stay()
        {
            var department = _sim.Store.Entity("custompropertydefinition", _sim.Store.FindCustomPropertyDefinition("Department")!.Value)!;
            var holders = await GetJson("/qrs/user/count?filter=" + SimulatorHttp.Encode("customProperties.value eq 'Sales'"));
            Assert.True(holders["value"]!.GetValue<int>() > 0);

            department["choiceValues"] = new JsonArray("Finance", "IT");
            var (status, _) = await Send(HttpMethod.Put, "/qrs/custompropertydefinition/" + department["id"], department.ToJsonString());
            Assert.Equal(HttpStatusCode.OK, status);
            var still = await GetJson("/qrs/user/count?filter=" + SimulatorHttp.Encode("customProperties.value eq 'Sales'"));
            Assert.Equal(holders["value"]!.GetValue<int>(), still["value"]!.GetValue<int>());
            // The references show the definition's new choices.
            var holder = (JsonArray)await GetJson("/qrs/user/full?filter=" + SimulatorHttp.Encode("customProperties.value eq 'Sales'"));
            var shown = holder[0]!["customProperties"]!.AsArray().First(v => v!["definition"]!["name"]!.GetValue<string>() == "Department")!;
            Assert.Equal(2, shown["definition"]!["choiceValues"]!.AsArray().Count);
        }

        [Fact]
        public async Task Apps_have_names_and_owners_for_lookups()
        {
            var apps = (JsonArray)await GetJson("/qrs/app/full");
            Assert.True(apps.Count >= 3);
            var app = apps[0]!;
            Assert.False(string.IsNullOrEmpty(app["name"]!.GetValue<string>()));
            Assert.NotNull(app["owner"]!["userId"]);
            string id = app["id"]!.GetValue<string>();
            var one = (JsonArray)await GetJson("/qrs/app?filter=" + SimulatorHttp.Encode("id eq " + id));
            Assert.Equal(app["name"]!.GetValue<string>(), Assert.Single(one)!["name"]!.GetValue<string>());

            // The condensed list (what Get-QlikAppActivity reads): every app with its id, name and stream (null when unpublished).
            var condensed = (JsonArray)await GetJson("/qrs/app");
            Assert.Equal(apps.Count, condensed.Count);
            Assert.All(condensed, a =>
            {
                Assert.True(Guid.TryParse(a!["id"]!.GetValue<string>(), out _));
                Assert.False(string.IsNullOrEmpty(a["name"]!.GetValue<string>()));
                Assert.True(a.AsObject().ContainsKey("stream"));
                Assert.True(a["stream"] == null || a["stream"]!["name"] != null);
            });
        }

        [Fact]
        public async Task Post_many_creates_all_or_reports_the_first_refusal()
        {
            var (status, body) = await Send(HttpMethod.Post, "/qrs/user/many",
                "[{\"userId\":\"m1\",\"userDirectory\":\"LAB\"},{\"userId\":\"m2\",\"userDirectory\":\"LAB\"}]");
            Assert.Equal(HttpStatusCode.Created, status);
            Assert.Equal(2, JsonNode.Parse(body)!.AsArray().Count);
            (status, _) = await Send(HttpMethod.Post, "/qrs/user", "{\"userId\":\"M1\",\"userDirectory\":\"lab\"}");
            Assert.Equal(HttpStatusCode.BadRequest, status);
        }

        [Fact]
        public async Task Parallel_writers_and_readers_all_get_answers_and_every_write_counts()
        {
            _sim.Requests.Clear();
            var users = _sim.Store.Users().Skip(5).Take(40).ToList();
            var department = _sim.Store.FindCustomPropertyDefinition("Department")!.Value.ToString();
            var writes = users.Select(async u =>
            {
                var body = u.DeepClone().AsObject();
                body["customProperties"] = new JsonArray(new JsonObject { ["value"] = "IT", ["definition"] = new JsonObject { ["id"] = department } });
                return (await Send(HttpMethod.Put, "/qrs/user/" + u["id"], body.ToJsonString())).Status;
            }).ToList();
            var reads = Enumerable.Range(0, 10).Select(async _ => (await Send(HttpMethod.Get, "/qrs/user/full")).Status).ToList();
            var statuses = await Task.WhenAll(writes.Concat(reads));
            Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK, s.ToString()));
            Assert.Equal(40, _sim.Requests.Count("PUT", "/qrs/user/", 200));
            Assert.Equal(10, _sim.Requests.Count("GET", "/qrs/user/full", 200));
            Assert.All(users, u => Assert.Equal("IT", Assert.Single(_sim.Store.User(Guid.Parse(u["id"]!.GetValue<string>()))!["customProperties"]!.AsArray())!["value"]!.GetValue<string>()));
        }
    }
}
