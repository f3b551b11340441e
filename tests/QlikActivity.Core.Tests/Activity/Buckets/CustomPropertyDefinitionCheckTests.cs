using System;
using System.Linq;
using System.Text.Json.Nodes;
using QlikActivity.Core.Activity;
using Xunit;

namespace QlikActivity.Core.Tests.Activity.Buckets
{
    public class CustomPropertyDefinitionCheckTests
    {
        private static readonly string[] Labels = { "1", "7", "14", "30", "90", "180", "365", "365+" };

        private static CustomPropertyDefinitionCheck Wanted(string? noActivityValue = null) =>
            new CustomPropertyDefinitionCheck("Activity", CustomPropertyDefinitionCheck.ChoiceValuesFor(Labels, noActivityValue));

        private static JsonObject Existing(string choices, string objectTypes = "[\"User\"]", string valueType = "Text") =>
            JsonNode.Parse($$"""
                {
                  "id": "4ddfbcb0-0000-4000-8000-000000000001",
                  "createdDate": "2024-01-01T00:00:00.000Z",
                  "modifiedDate": "2024-06-01T10:00:00.000Z",
                  "modifiedByUserName": "INTERNAL\\sa_repository",
                  "name": "Activity",
                  "valueType": "{{valueType}}",
                  "choiceValues": {{choices}},
                  "objectTypes": {{objectTypes}},
                  "description": "kept",
                  "privileges": null,
                  "impactSecurityAccess": false,
                  "schemaPath": "CustomPropertyDefinition"
                }
                """)!.AsObject();

        [Fact]
        public void Create_body_holds_every_label_including_the_overflow()
        {
            var body = Wanted().CreateBody();
            Assert.Equal("Activity", (string?)body["name"]);
            Assert.Equal("Text", (string?)body["valueType"]);
            Assert.Equal(Labels, body["choiceValues"]!.AsArray().Select(v => (string?)v));
            Assert.Contains("365+", body["choiceValues"]!.AsArray().Select(v => (string?)v));
            Assert.Equal(new[] { "User" }, body["objectTypes"]!.AsArray().Select(v => (string?)v));
            Assert.False(string.IsNullOrWhiteSpace((string?)body["description"]));
        }

        [Fact]
        public void The_no_activity_value_is_a_choice_value()
        {
            var body = Wanted("Never").CreateBody();
            Assert.Equal(Labels.Append("Never"), body["choiceValues"]!.AsArray().Select(v => (string?)v));
        }

        [Fact]
        public void A_right_definition_has_no_differences_whatever_the_order()
        {
            Assert.Empty(Wanted().Differences(Existing("[\"365+\",\"1\",\"7\",\"14\",\"30\",\"90\",\"180\",\"365\"]")));
        }

        [Fact]
        public void Missing_overflow_and_doubled_suffix_are_named()
        {
            // What ctrl-q leaves: no 365+, and after --force a 365++.
            var differences = Wanted().Differences(Existing("[\"1\",\"7\",\"14\",\"30\",\"90\",\"180\",\"365\",\"365++\"]"));
            Assert.Contains("choice values missing: 365+", differences);
            Assert.Contains("extra choice values: 365++", differences);
            Assert.Equal(2, differences.Count);
        }

        [Fact]
        public void A_definition_for_other_objects_is_named()
        {
            var differences = Wanted().Differences(Existing(JsonArray(Labels), "[\"App\",\"Stream\"]"));
            Assert.Equal(new[] { "does not apply to User objects (it applies to App, Stream)" }, differences);
            Assert.Equal(new[] { "does not apply to User objects (it applies to no object type)" },
                Wanted().Differences(Existing(JsonArray(Labels), "[]")));
        }

        [Fact]
        public void Free_text_and_duplicates_and_value_type_are_named()
        {
            Assert.Single(Wanted().Differences(Existing("[]")), d => d.StartsWith("has no choice values", StringComparison.Ordinal));
            Assert.Contains("choice values listed more than once: 7",
                Wanted().Differences(Existing("[\"1\",\"7\",\"7\",\"14\",\"30\",\"90\",\"180\",\"365\",\"365+\"]")));
            var existing = Existing(JsonArray(Labels), valueType: "Number");
            Assert.Equal(new[] { "value type is 'Number', not 'Text'" }, Wanted().Differences(existing));
            Assert.False(CustomPropertyDefinitionCheck.CanReplace(existing));
            Assert.True(CustomPropertyDefinitionCheck.CanReplace(Existing(JsonArray(Labels))));
        }

        [Fact]
        public void Replace_body_keeps_the_entity_and_sets_exactly_the_wanted_values()
        {
            var existing = Existing("[\"1\",\"365++\"]", "[\"App\"]");
            var body = Wanted().ReplaceBody(existing);
            Assert.Equal(Labels, body["choiceValues"]!.AsArray().Select(v => (string?)v));
            Assert.Equal(new[] { "App", "User" }, body["objectTypes"]!.AsArray().Select(v => (string?)v));
            Assert.Equal("2024-06-01T10:00:00.000Z", (string?)body["modifiedDate"]);
            Assert.Equal("4ddfbcb0-0000-4000-8000-000000000001", (string?)body["id"]);
            Assert.Equal("kept", (string?)body["description"]);
            Assert.Empty(Wanted().Differences(body));
        }

        [Fact]
        public void Replacing_twice_never_suffixes_again()
        {
            var once = Wanted().ReplaceBody(Existing("[\"365+\"]"));
            var twice = Wanted().ReplaceBody(once);
            Assert.Equal(once.ToJsonString(), twice.ToJsonString());
            Assert.DoesNotContain(twice["choiceValues"]!.AsArray(), v => ((string?)v)!.EndsWith("++", StringComparison.Ordinal));
        }

        [Fact]
        public void Names_are_checked()
        {
            Assert.Throws<ArgumentException>(() => new CustomPropertyDefinitionCheck(" ", Labels));
            Assert.Throws<ArgumentException>(() => new CustomPropertyDefinitionCheck(new string('x', 101), Labels));
            Assert.Throws<ArgumentException>(() => new CustomPropertyDefinitionCheck("Activity", Array.Empty<string>()));
        }

        private static string JsonArray(string[] values) => "[" + string.Join(",", values.Select(v => "\"" + v + "\"")) + "]";
    }
}
