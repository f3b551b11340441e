using System;
using System.Linq;
using System.Text.Json.Nodes;
using QlikActivity.Core.Activity;
using Xunit;

namespace QlikActivity.Core.Tests.Activity.Buckets
{
    public class UserCustomPropertyEditTests
    {
        private static readonly Guid ActivityId = Guid.Parse("6f1c2e3a-0000-4000-8000-000000000001");
        private static readonly Guid RegionId = Guid.Parse("6f1c2e3a-0000-4000-8000-000000000002");

        // A user as /qrs/user/full shows it: another property's value before and after ours.
        private const string UserJson = """
            {
              "id": "0b5e7a10-1111-4222-8333-944455556666",
              "createdDate": "2023-02-01T08:00:00.000Z",
              "modifiedDate": "2024-11-15T17:28:03.548Z",
              "modifiedByUserName": "INTERNAL\\sa_repository",
              "customProperties": [
                { "id": "aaaaaaaa-0000-4000-8000-000000000001", "createdDate": "2023-02-01T08:00:00.000Z", "modifiedDate": "2023-02-01T08:00:00.000Z", "modifiedByUserName": "LAB\\admin", "value": "EMEA", "definition": { "id": "6f1c2e3a-0000-4000-8000-000000000002", "name": "Region", "valueType": "Text", "choiceValues": ["EMEA", "APAC"], "privileges": null }, "schemaPath": "CustomPropertyValue" },
                { "id": "aaaaaaaa-0000-4000-8000-000000000002", "createdDate": "2024-01-01T00:00:00.000Z", "modifiedDate": "2024-01-01T00:00:00.000Z", "modifiedByUserName": "INTERNAL\\sa_repository", "value": "7", "definition": { "id": "6f1c2e3a-0000-4000-8000-000000000001", "name": "Activity", "valueType": "Text", "choiceValues": ["1", "7", "365+"], "privileges": null }, "schemaPath": "CustomPropertyValue" },
                { "id": "aaaaaaaa-0000-4000-8000-000000000003", "createdDate": "2023-02-01T08:00:00.000Z", "modifiedDate": "2023-02-01T08:00:00.000Z", "modifiedByUserName": "LAB\\admin", "value": "APAC", "definition": { "id": "6f1c2e3a-0000-4000-8000-000000000002", "name": "Region", "valueType": "Text", "choiceValues": ["EMEA", "APAC"], "privileges": null }, "schemaPath": "CustomPropertyValue" }
              ],
              "userId": "anna",
              "userDirectory": "LAB",
              "userDirectoryConnectorName": "LAB",
              "name": "Anna Ödegaard \"the admin\"",
              "roles": ["RootAdmin"],
              "attributes": [ { "id": "bbbbbbbb-0000-4000-8000-000000000001", "attributeType": "email", "attributeValue": "anna@lab.example", "externalId": "x1" } ],
              "inactive": false,
              "removedExternally": false,
              "blacklisted": false,
              "deleteProhibited": false,
              "tags": [ { "id": "cccccccc-0000-4000-8000-000000000001", "name": "VIP" } ],
              "favorites": [],
              "privileges": null,
              "schemaPath": "User"
            }
            """;

        private static JsonObject User() => JsonNode.Parse(UserJson)!.AsObject();

        private static JsonArray Items(JsonObject user) => user["customProperties"]!.AsArray();

        [Fact]
        public void Replacing_a_value_keeps_every_other_field_and_item_byte_for_byte()
        {
            var before = User();
            var body = UserCustomPropertyEdit.Apply(before, ActivityId, "Activity", "30");

            // Only the value of our item differs: put the old value back and the documents are equal.
            var ours = Items(body)[1]!.AsObject();
            Assert.Equal("30", (string?)ours["value"]);
            ours["value"] = "7";
            Assert.Equal(before.ToJsonString(), body.ToJsonString());
            Assert.True(JsonNode.DeepEquals(before, body));
        }

        [Fact]
        public void Replacing_a_value_keeps_the_item_id_and_its_place()
        {
            var body = UserCustomPropertyEdit.Apply(User(), ActivityId, "Activity", "365+");
            var items = Items(body);
            Assert.Equal(3, items.Count);
            Assert.Equal("aaaaaaaa-0000-4000-8000-000000000002", (string?)items[1]!["id"]);
            Assert.Equal("365+", (string?)items[1]!["value"]);
            Assert.Equal("2024-11-15T17:28:03.548Z", (string?)body["modifiedDate"]);
        }

        [Fact]
        public void The_input_is_not_modified()
        {
            var user = User();
            string text = user.ToJsonString();
            UserCustomPropertyEdit.Apply(user, ActivityId, "Activity", "30");
            UserCustomPropertyEdit.Apply(user, ActivityId, "Activity", null);
            Assert.Equal(text, user.ToJsonString());
        }

        [Fact]
        public void A_user_without_the_property_gets_a_new_item_with_the_definition_reference()
        {
            var user = User();
            Items(user).RemoveAt(1);
            var body = UserCustomPropertyEdit.Apply(user, ActivityId, "Activity", "14");
            var items = Items(body);
            Assert.Equal(3, items.Count);
            var added = items[2]!.AsObject();
            Assert.Null(added["id"]);
            Assert.Equal("14", (string?)added["value"]);
            Assert.Equal(ActivityId.ToString("D"), (string?)added["definition"]!["id"]);
            Assert.Equal("Activity", (string?)added["definition"]!["name"]);

            // The two Region items are exactly as read.
            Assert.Equal(Items(user)[0]!.ToJsonString(), items[0]!.ToJsonString());
            Assert.Equal(Items(user)[1]!.ToJsonString(), items[1]!.ToJsonString());
        }

        [Fact]
        public void A_user_with_no_customProperties_list_gets_one()
        {
            var user = User();
            user.Remove("customProperties");
            var body = UserCustomPropertyEdit.Apply(user, ActivityId, "Activity", "1");
            Assert.Single(Items(body));
            Assert.Equal("1", (string?)Items(body)[0]!["value"]);
        }

        [Fact]
        public void Removal_drops_only_this_property()
        {
            var body = UserCustomPropertyEdit.Apply(User(), ActivityId, "Activity", null);
            var items = Items(body);
            Assert.Equal(2, items.Count);
            Assert.All(items, i => Assert.Equal("Region", (string?)i!["definition"]!["name"]));
            Assert.Equal(Items(User())[0]!.ToJsonString(), items[0]!.ToJsonString());
            Assert.Equal(Items(User())[2]!.ToJsonString(), items[1]!.ToJsonString());
        }

        [Fact]
        public void Several_values_of_the_property_collapse_to_one_in_the_first_place()
        {
            var user = User();
            Items(user).Add(JsonNode.Parse("""{ "id": "aaaaaaaa-0000-4000-8000-000000000009", "value": "365++", "definition": { "id": "6f1c2e3a-0000-4000-8000-000000000001", "name": "Activity" } }"""));
            Assert.Equal(new[] { "7", "365++" }, UserCustomPropertyEdit.ValuesOf(user, ActivityId, "Activity"));

            var body = UserCustomPropertyEdit.Apply(user, ActivityId, "Activity", "90");
            Assert.Equal(new[] { "90" }, UserCustomPropertyEdit.ValuesOf(body, ActivityId, "Activity"));
            Assert.Equal("aaaaaaaa-0000-4000-8000-000000000002", (string?)Items(body)[1]!["id"]);
            Assert.Equal(3, Items(body).Count);
        }

        [Fact]
        public void Items_are_matched_by_definition_id_not_by_a_similar_name()
        {
            var user = User();
            // A definition of the same name in another case but another id is a different property.
            Items(user)[0]!["definition"]!["name"] = "activity";
            Assert.Equal(new[] { "7" }, UserCustomPropertyEdit.ValuesOf(user, ActivityId, "Activity"));
            var body = UserCustomPropertyEdit.Apply(user, ActivityId, "Activity", null);
            Assert.Equal("EMEA", (string?)Items(body)[0]!["value"]);
        }

        [Fact]
        public void An_item_referencing_the_definition_by_name_only_is_recognised()
        {
            var user = User();
            Items(user).RemoveAt(1);
            Items(user).Add(JsonNode.Parse("""{ "value": "30", "definition": { "name": "ACTIVITY" } }"""));
            Assert.Equal(new[] { "30" }, UserCustomPropertyEdit.ValuesOf(user, ActivityId, "Activity"));
            Assert.True(UserCustomPropertyEdit.Holds(user, ActivityId, "Activity", "30"));
            Assert.False(UserCustomPropertyEdit.Holds(user, ActivityId, "Activity", null));
        }

        [Fact]
        public void Holds_is_exact()
        {
            var user = User();
            Assert.True(UserCustomPropertyEdit.Holds(user, ActivityId, "Activity", "7"));
            Assert.False(UserCustomPropertyEdit.Holds(user, ActivityId, "Activity", "7+"));
            Assert.False(UserCustomPropertyEdit.Holds(user, RegionId, "Region", "EMEA")); // two values
        }

        [Fact]
        public void Empty_definition_id_is_refused()
        {
            Assert.Throws<ArgumentException>(() => UserCustomPropertyEdit.Apply(User(), Guid.Empty, "Activity", "1"));
        }

        [Fact]
        public void Values_that_are_null_missing_or_not_text_are_read_as_text()
        {
            var user = JsonNode.Parse($$"""
                {
                  "customProperties": [
                    { "value": null, "definition": { "id": "{{ActivityId}}" } },
                    { "definition": { "id": "{{ActivityId}}" } },
                    { "value": 7, "definition": { "id": "{{ActivityId}}" } },
                    { "value": "x" },
                    { "value": "y", "definition": "Activity" }
                  ]
                }
                """)!.AsObject();
            Assert.Equal(new[] { "", "", "7" }, UserCustomPropertyEdit.ValuesOf(user, ActivityId, "Activity"));

            // Items without a definition object belong to no property: kept as they are.
            var body = UserCustomPropertyEdit.Apply(user, ActivityId, "Activity", null);
            Assert.Equal(2, Items(body).Count);
            Assert.Equal("x", (string?)Items(body)[0]!["value"]);
            Assert.Equal("y", (string?)Items(body)[1]!["value"]);
        }

        [Fact]
        public void A_user_without_the_property_holds_a_removal_only()
        {
            var user = JsonNode.Parse("""{ "customProperties": [] }""")!.AsObject();
            Assert.True(UserCustomPropertyEdit.Holds(user, ActivityId, "Activity", null));
            Assert.False(UserCustomPropertyEdit.Holds(user, ActivityId, "Activity", "7"));
            Assert.True(UserCustomPropertyEdit.Holds(User(), Guid.NewGuid(), "Other", null));
        }

        [Fact]
        public void Refusals_name_the_argument()
        {
            var noId = Assert.Throws<ArgumentException>(() => UserCustomPropertyEdit.Apply(User(), Guid.Empty, "Activity", "7"));
            Assert.Equal("definitionId", noId.ParamName);
            Assert.StartsWith("The custom property definition's id is needed.", noId.Message);
            Assert.Equal("user", Assert.Throws<ArgumentNullException>(() => UserCustomPropertyEdit.Apply(null!, ActivityId, "Activity", "7")).ParamName);
            Assert.Equal("user", Assert.Throws<ArgumentNullException>(() => UserCustomPropertyEdit.ValuesOf(null!, ActivityId, "Activity")).ParamName);
        }
    }
}
