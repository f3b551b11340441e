using System;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Qrs;
using Xunit;

namespace QlikActivity.Core.Tests.Qrs
{
    /// <summary>A connection offers the names tab completion needs, read from the real simulator over HTTPS.</summary>
    [Trait("Category", "Integration")]
    public sealed class QrsNameSourceTests : IClassFixture<SimulatorFixture>
    {
        private readonly SimulatorFixture _f;

        public QrsNameSourceTests(SimulatorFixture fixture) => _f = fixture;

        [Fact]
        public async Task User_directories_are_the_distinct_directories_of_the_users()
        {
            using var connection = await QlikSenseConnection.ConnectAsync(_f.CertificateOptions());
            IQrsNameSource source = connection;

            var names = await source.GetUserDirectoriesAsync(CancellationToken.None);

            var expected = _f.Sim.Store.Users().Select(u => (string)u["userDirectory"]!).Distinct(StringComparer.OrdinalIgnoreCase)
                .OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToList();
            Assert.NotEmpty(expected);
            Assert.Equal(expected, names);
        }

        [Fact]
        public async Task Custom_property_names_are_those_that_apply_to_users()
        {
            Create("QA_UserBucket", "User", "App");
            Create("QA_StreamOnly", "Stream");

            using var connection = await QlikSenseConnection.ConnectAsync(_f.CertificateOptions());
            var names = await ((IQrsNameSource)connection).GetUserCustomPropertyNamesAsync(CancellationToken.None);

            Assert.Contains("QA_UserBucket", names);
            Assert.DoesNotContain("QA_StreamOnly", names);
        }

        private void Create(string name, params string[] objectTypes)
        {
            var outcome = _f.Sim.Store.Create("custompropertydefinition", new JsonObject
            {
                ["name"] = name,
                ["valueType"] = "Text",
                ["choiceValues"] = new JsonArray("a", "b"),
                ["objectTypes"] = new JsonArray(objectTypes.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
            });
            Assert.True(outcome.Status == 201, string.Join("; ", outcome.Errors.Select(e => e.ToString())));
        }
    }
}
