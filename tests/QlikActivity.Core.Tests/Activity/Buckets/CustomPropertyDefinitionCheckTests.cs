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

        [Fact]
        public void Name_and_choice_value_refusals_say_why()
        {
            var blank = Assert.Throws<ArgumentException>(() => new CustomPropertyDefinitionCheck("", Labels));
            Assert.Equal("name", blank.ParamName);
            Assert.StartsWith("The custom property needs a name.", blank.Message);
            var tooLong = Assert.Throws<ArgumentException>(() => new CustomPropertyDefinitionCheck(new string('x', 101), Labels));
            Assert.StartsWith($"A custom property name has at most 100 characters; '{new string('x', 101)}' has 101.", tooLong.Message);
            Assert.Equal(new string('x', 100), new CustomPropertyDefinitionCheck(new string('x', 100), Labels).Name);
            var none = Assert.Throws<ArgumentException>(() => new CustomPropertyDefinitionCheck("Activity", new[] { "", null! }));
            Assert.Equal("choiceValues", none.ParamName);
            Assert.StartsWith("The custom property needs at least one choice value.", none.Message);
            Assert.Equal("choiceValues", Assert.Throws<ArgumentNullException>(() => new CustomPropertyDefinitionCheck("Activity", null!)).ParamName);
            Assert.Equal("existing", Assert.Throws<ArgumentNullException>(() => Wanted().Differences(null!)).ParamName);
            Assert.Equal("existing", Assert.Throws<ArgumentNullException>(() => Wanted().ReplaceBody(null!)).ParamName);
            Assert.Equal("bucketLabels", Assert.Throws<ArgumentNullException>(() => CustomPropertyDefinitionCheck.ChoiceValuesFor(null!, null)).ParamName);
        }

        [Fact]
        public void Choice_values_keep_their_order_without_empties_or_duplicates()
        {
            var check = new CustomPropertyDefinitionCheck("Activity", new[] { "7", "", "1", "7", "Never", "never" });
            Assert.Equal(new[] { "7", "1", "Never", "never" }, check.ChoiceValues);

            // The no-activity value is added once, after the labels; an empty one is not a value.
            Assert.Equal(new[] { "1", "7+" }, CustomPropertyDefinitionCheck.ChoiceValuesFor(new[] { "1", "7+" }, "7+"));
            Assert.Equal(new[] { "1", "7+" }, CustomPropertyDefinitionCheck.ChoiceValuesFor(new[] { "1", "7+" }, ""));
            Assert.Equal(new[] { "1", "7+" }, CustomPropertyDefinitionCheck.ChoiceValuesFor(new[] { "1", "7+" }, null));
        }

        [Fact]
        public void The_description_names_the_values_and_is_cut_at_512_characters()
        {
            Assert.Equal("Days since the user's last activity in a license record (1, 7+). Set by Set-QlikActivityBucket.",
                new CustomPropertyDefinitionCheck("A", new[] { "1", "7+" }).Description);
            Assert.Equal("mine", new CustomPropertyDefinitionCheck("A", Labels, "mine").Description);
            Assert.Equal(new string('d', 512), new CustomPropertyDefinitionCheck("A", Labels, new string('d', 512)).Description);
            Assert.Equal(new string('d', 512), new CustomPropertyDefinitionCheck("A", Labels, new string('d', 513)).Description);
        }

        [Fact]
        public void Value_type_and_object_type_compare_ignoring_case()
        {
            var lower = Existing(JsonArray(Labels), "[\"user\"]", "text");
            Assert.Empty(Wanted().Differences(lower));
            Assert.True(CustomPropertyDefinitionCheck.CanReplace(lower));
            Assert.Equal(new[] { "user" }, Wanted().ReplaceBody(lower)["objectTypes"]!.AsArray().Select(v => (string?)v));
        }

        [Fact]
        public void A_missing_value_type_or_non_text_entries_are_named_as_such()
        {
            var existing = Existing(JsonArray(Labels));
            existing.Remove("valueType");
            Assert.Equal(new[] { "value type is '(none)', not 'Text'" }, Wanted().Differences(existing));
            Assert.False(CustomPropertyDefinitionCheck.CanReplace(existing));

            // Entries that are not text are not choice values.
            var numbers = Existing("[1, 7, null]", "[3]");
            Assert.Equal(new[]
            {
                "does not apply to User objects (it applies to no object type)",
                "has no choice values (any text is allowed); wanted: 1, 7, 14, 30, 90, 180, 365, 365+",
            }, Wanted().Differences(numbers));
        }

        [Fact]
        public void Each_kind_of_difference_lists_every_value_once()
        {
            var differences = Wanted().Differences(Existing("[\"1\",\"1\",\"x\",\"x\",\"y\",\"7\",\"7\"]"));
            Assert.Equal(new[]
            {
                "choice values missing: 14, 30, 90, 180, 365, 365+",
                "extra choice values: x, y",
                "choice values listed more than once: 1, x, 7",
            }, differences);
        }

        private static string JsonArray(string[] values) => "[" + string.Join(",", values.Select(v => "\"" + v + "\"")) + "]";
    }
}
