using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using QlikActivity.QrsSimulator;
using QlikActivity.QrsSimulator.Entities;
using QlikActivity.QrsSimulator.Filtering;
using Xunit;

namespace QlikActivity.Core.Tests.Simulator
{
    public class FilterExpressionTests
    {
        private static readonly EntityType Users = QrsEntityTypes.Get(QrsEntityTypes.User);
        private static readonly EntityType Professional = QrsEntityTypes.Get(QrsEntityTypes.ProfessionalAccessType);

        private static readonly JsonElement Anna = Json(@"{
            ""id"": ""6e1e1df6-f5fa-4fd8-a24f-f92f50433e33"", ""modifiedDate"": ""2024-11-15T17:28:03.548Z"",
            ""userId"": ""anna.berg"", ""userDirectory"": ""LAB"", ""name"": ""Anna O'Brien"", ""inactive"": false,
            ""roles"": [""AuditAdmin""],
            ""customProperties"": [
              { ""value"": ""Sales"", ""definition"": { ""id"": ""11111111-1111-4111-8111-111111111111"", ""name"": ""Department"" } },
              { ""value"": ""EMEA"", ""definition"": { ""id"": ""22222222-2222-4222-8222-222222222222"", ""name"": ""Region"" } } ] }");

        private static readonly JsonElement Ben = Json(@"{
            ""id"": ""0a1b2c3d-0000-4000-8000-000000000002"", ""modifiedDate"": ""2023-01-01T00:00:00.000Z"",
            ""userId"": ""ben"", ""userDirectory"": ""CORP"", ""name"": ""Ben Costa"", ""inactive"": true,
            ""roles"": [], ""customProperties"": [] }");

        private static readonly JsonElement DeletedUsersRecord = Json(@"{
            ""id"": ""0a1b2c3d-0000-4000-8000-000000000003"", ""user"": null, ""lastUsed"": ""1753-01-01T00:00:00.000Z"",
            ""quarantined"": true, ""deletedUserDirectory"": ""CORP"", ""deletedUserId"": ""gone"" }");

        private static readonly JsonElement AnnasRecord = Json(@"{
            ""id"": ""0a1b2c3d-0000-4000-8000-000000000004"", ""lastUsed"": ""2024-11-15T17:28:03.548Z"", ""quarantined"": false,
            ""user"": { ""id"": ""6e1e1df6-f5fa-4fd8-a24f-f92f50433e33"", ""userId"": ""anna.berg"", ""userDirectory"": ""LAB"", ""name"": ""Anna"" } }");

        private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

        private static bool UserMatches(string filter, JsonElement user) => FilterExpression.Parse(filter, Users).Matches(user);

        private static string Refusal(string filter, EntityType? type = null) =>
            Assert.Throws<FilterExpressionException>(() => FilterExpression.Parse(filter, type ?? Users)).Message;

        [Theory]
        [InlineData("userDirectory eq 'LAB'", true, false)]
        [InlineData("userDirectory ne 'LAB'", false, true)]
        [InlineData("userId gt 'anna'", true, true)]
        [InlineData("userId ge 'anna.berg'", true, true)]
        [InlineData("userId lt 'b'", true, false)]
        [InlineData("userId le 'ben'", true, true)]
        [InlineData("name sw 'anna'", true, false)]
        [InlineData("name ew 'COSTA'", false, true)]
        [InlineData("name so 'o'", true, true)]
        [InlineData("name so 'BRIEN'", true, false)]
        [InlineData("inactive eq true", false, true)]
        [InlineData("inactive ne true", true, false)]
        [InlineData("modifiedDate gt '2024-01-01T00:00:00.000Z'", true, false)]
        [InlineData("modifiedDate le '2023-01-01T00:00:00Z'", false, true)]
        [InlineData("modifiedDate eq '2024-11-15T18:28:03.548+01:00'", true, false)]
        [InlineData("id eq 6e1e1df6-f5fa-4fd8-a24f-f92f50433e33", true, false)]
        [InlineData("id eq 6E1E1DF6-F5FA-4FD8-A24F-F92F50433E33", true, false)]
        [InlineData("id ne 6e1e1df6-f5fa-4fd8-a24f-f92f50433e33", false, true)]
        public void Every_operator_compares_by_the_field_type(string filter, bool anna, bool ben)
        {
            Assert.Equal(anna, UserMatches(filter, Anna));
            Assert.Equal(ben, UserMatches(filter, Ben));
        }

        [Fact]
        public void String_comparison_ignores_case_and_keywords_do_too()
        {
            Assert.True(UserMatches("USERDIRECTORY EQ 'lab' AND name SO 'o''BRIEN'".Replace("''", "\\'"), Anna));
            Assert.True(UserMatches("userdirectory eq 'Lab'", Anna));
        }

        [Fact]
        public void And_binds_tighter_than_or_and_parentheses_override()
        {
            // false and false or true => (false and false) or true => true
            Assert.True(UserMatches("userDirectory eq 'X' and name eq 'Y' or userId eq 'anna.berg'", Anna));
            // false and (false or true) => false
            Assert.False(UserMatches("userDirectory eq 'X' and (name eq 'Y' or userId eq 'anna.berg')", Anna));
            // true or false and false => true or (false and false) => true
            Assert.True(UserMatches("userId eq 'anna.berg' or userDirectory eq 'X' and name eq 'Y'", Anna));
            Assert.False(UserMatches("(userId eq 'anna.berg' or userDirectory eq 'X') and name eq 'Y'", Anna));
        }

        [Fact]
        public void A_backslash_escapes_a_quote_inside_a_string()
        {
            Assert.True(UserMatches(@"name eq 'Anna O\'Brien'", Anna));
            Assert.False(UserMatches(@"name eq 'Anna O\'Brian'", Anna));
        }

        [Theory]
        [InlineData("name eq 'Anna O'Brien'")]   // unescaped apostrophe
        [InlineData("name eq 'Anna O''Brien'")]  // OData doubling is not QRS
        [InlineData("name eq \"Anna\"")]         // double quotes
        [InlineData("name eq 'unterminated")]
        [InlineData("name 'Anna'")]
        [InlineData("name like 'Anna'")]
        [InlineData("nosuchfield eq 'x'")]
        [InlineData("name eq 'a' and")]
        [InlineData("(name eq 'a'")]
        [InlineData("name eq 'a')")]
        [InlineData("inactive eq 'true'")]
        [InlineData("modifiedDate gt '2024/11/15 17:28'")]
        [InlineData("name sw null")]
        [InlineData("inactive gt false")]
        public void A_filter_the_QRS_cannot_read_is_refused_with_its_text(string filter)
        {
            Assert.Equal("Cannot parse the expression: " + filter, Refusal(filter));
        }

        [Fact]
        public void A_quoted_guid_is_refused()
        {
            string filter = "id eq '6e1e1df6-f5fa-4fd8-a24f-f92f50433e33'";
            Assert.StartsWith("Cannot parse the expression:", Refusal(filter));
            Assert.StartsWith("Cannot parse the expression:", Refusal("user.id eq '6e1e1df6-f5fa-4fd8-a24f-f92f50433e33'", Professional));
        }

        [Fact]
        public void An_unquoted_string_constant_gets_the_QRS_message()
        {
            Assert.Equal("The value of constant \"String\" must begin and end with single quote: toto", Refusal("name eq toto"));
        }

        [Fact]
        public void An_empty_group_is_an_invalid_expression()
        {
            Assert.Equal("Invalid expression", Refusal("userId eq 'a' or ()"));
        }

        [Fact]
        public void Dotted_paths_reach_into_references()
        {
            var f = FilterExpression.Parse("user.userDirectory eq 'lab' and user.id eq 6e1e1df6-f5fa-4fd8-a24f-f92f50433e33", Professional);
            Assert.True(f.Matches(AnnasRecord));
            Assert.False(f.Matches(DeletedUsersRecord));
        }

        [Fact]
        public void A_null_reference_matches_eq_null_and_reads_as_null_below_it()
        {
            Assert.True(FilterExpression.Parse("user eq null", Professional).Matches(DeletedUsersRecord));
            Assert.False(FilterExpression.Parse("user eq null", Professional).Matches(AnnasRecord));
            Assert.True(FilterExpression.Parse("user ne null", Professional).Matches(AnnasRecord));
            Assert.False(FilterExpression.Parse("user.userDirectory eq 'CORP'", Professional).Matches(DeletedUsersRecord));
            Assert.True(FilterExpression.Parse("user.userDirectory eq null", Professional).Matches(DeletedUsersRecord));
            Assert.True(FilterExpression.Parse("deletedUserId eq 'GONE'", Professional).Matches(DeletedUsersRecord));
        }

        [Fact]
        public void Never_sorts_before_every_real_date()
        {
            var before2000 = FilterExpression.Parse("lastUsed lt '2000-01-01T00:00:00.000Z'", Professional);
            Assert.True(before2000.Matches(DeletedUsersRecord));
            Assert.False(before2000.Matches(AnnasRecord));
        }

        [Fact]
        public void Over_a_list_a_comparison_is_true_when_any_item_matches()
        {
            Assert.True(UserMatches("customProperties.definition.name eq 'Region'", Anna));
            Assert.True(UserMatches("customProperties.value eq 'emea'", Anna));
            Assert.False(UserMatches("customProperties.value eq 'APAC'", Anna));
            Assert.False(UserMatches("customProperties.value eq 'Sales'", Ben));
            Assert.True(UserMatches("roles eq 'auditadmin'", Anna));
            Assert.True(UserMatches("customProperties.definition.id eq 22222222-2222-4222-8222-222222222222", Anna));
        }

        [Fact]
        public void References_expose_only_their_condensed_fields()
        {
            // user is a UserCondensed inside a license record: customProperties is not reachable.
            Assert.StartsWith("Cannot parse the expression:", Refusal("user.customProperties.value eq 'x'", Professional));
            Assert.StartsWith("Cannot parse the expression:", Refusal("userId.name eq 'x'"));
        }

        [Fact]
        public void An_id_disjunction_is_recognised_for_lookup()
        {
            var ids = Enumerable.Range(1, 25).Select(i => new Guid(i, 0, 0x4000, 0x80, 0, 0, 0, 0, 0, 0, (byte)i)).ToList();
            var f = FilterExpression.Parse(string.Join(" or ", ids.Select(g => $"id eq {g}")), Users);
            Assert.True(f.TryGetIdSet(out var set));
            Assert.Equal(ids.ToHashSet(), set);

            Assert.False(FilterExpression.Parse($"id eq {ids[0]} and name eq 'x'", Users).TryGetIdSet(out _));
            Assert.False(FilterExpression.Parse($"id eq {ids[0]} or name eq 'x'", Users).TryGetIdSet(out _));
        }

        [Fact]
        public void Orderby_sorts_by_field_and_direction_and_refuses_unknown_fields()
        {
            var rows = new List<JsonElement> { Anna, Ben };
            rows.Sort(QrsOrder.Parse("userDirectory", Users));
            Assert.Equal("CORP", rows[0].GetProperty("userDirectory").GetString());
            rows.Sort(QrsOrder.Parse("modifiedDate desc", Users));
            Assert.Equal("LAB", rows[0].GetProperty("userDirectory").GetString());
            rows.Sort(QrsOrder.Parse("inactive desc, name asc", Users));
            Assert.Equal("CORP", rows[0].GetProperty("userDirectory").GetString());
            Assert.Throws<FilterExpressionException>(() => QrsOrder.Parse("shoeSize", Users));
            Assert.Throws<FilterExpressionException>(() => QrsOrder.Parse("name sideways", Users));
        }

        [Fact]
        public void Dates_use_the_QRS_wire_format()
        {
            Assert.Equal("2024-11-15T17:28:03.548Z", QrsDate.Format(new DateTime(2024, 11, 15, 17, 28, 3, 548, DateTimeKind.Utc).AddTicks(4321)));
            Assert.Equal(QrsDate.NeverText, QrsDate.Format(QrsDate.Never));
            Assert.True(QrsDate.TryParse("2024-11-15T18:28:03.548+01:00", out var d));
            Assert.Equal(new DateTime(2024, 11, 15, 17, 28, 3, 548, DateTimeKind.Utc), d);
            Assert.False(QrsDate.TryParse("2024/11/15 17:28", out _));
        }
    }
}
