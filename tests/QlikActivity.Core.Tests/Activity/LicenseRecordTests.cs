using System;
using System.Text;
using System.Text.Json;
using QlikActivity.Core.Activity;
using Xunit;

namespace QlikActivity.Core.Tests.Activity
{
    /// <summary>The hand-written element readers, on record shapes as the QRS writes them.</summary>
    public class LicenseRecordTests
    {
        [Fact]
        public void An_access_type_record_gives_its_user_last_used_and_quarantine()
        {
            const string Json = @"{""id"":""046b6c7f-0b8a-43b9-b35d-6489e6daee91"",""createdDate"":""2024-01-01T00:00:00.000Z"",""privileges"":[""read""],
                ""user"":{""id"":""1b6c7f04-0b8a-43b9-b35d-6489e6daee91"",""userId"":""anna"",""userDirectory"":""LAB"",""userDirectoryConnectorName"":""LAB"",""name"":""Anna Berg"",""privileges"":null},
                ""lastUsed"":""2024-11-15T17:28:03.548Z"",""excess"":false,""quarantined"":true,""quarantineEnd"":""2024-11-22T00:00:00.000Z"",""deletedUserId"":null,""deletedUserDirectory"":null}";

            var record = Read(Json);

            Assert.Equal(Guid.Parse("046b6c7f-0b8a-43b9-b35d-6489e6daee91"), record.Id);
            Assert.Equal(Guid.Parse("1b6c7f04-0b8a-43b9-b35d-6489e6daee91"), record.User!.Id);
            Assert.Equal("anna", record.User.UserId);
            Assert.Equal("LAB", record.User.UserDirectory);
            Assert.Equal("Anna Berg", record.User.Name);
            Assert.Equal(new DateTimeOffset(2024, 11, 15, 17, 28, 3, 548, TimeSpan.Zero), record.LastUsed);
            Assert.True(record.Quarantined);
            Assert.Null(record.LatestActivity);
        }

        [Fact]
        public void A_usage_record_gives_latest_activity_and_skips_sessions()
        {
            const string Json = @"{""latestActivity"":""2000-01-23T04:56:07.000+00:00"",""hostName"":""h"",
                ""sessions"":[{""latestActivity"":""2030-01-01T00:00:00.000Z"",""id"":""x""}],
                ""loginAccessType"":{""id"":""046b6c7f-0b8a-43b9-b35d-6489e6daee91"",""name"":""n""},
                ""user"":{""id"":""1b6c7f04-0b8a-43b9-b35d-6489e6daee91"",""userId"":""ben"",""userDirectory"":""CORP""}}";

            var record = Read(Json);

            Assert.Equal(new DateTimeOffset(2000, 1, 23, 4, 56, 7, TimeSpan.Zero), record.LatestActivity);
            Assert.Equal("ben", record.User!.UserId);
            Assert.False(record.Quarantined);
        }

        [Fact]
        public void A_deleted_users_record_has_no_user_but_says_who_it_was()
        {
            var record = Read(@"{""user"":null,""lastUsed"":""1753-01-01T00:00:00.000Z"",""deletedUserDirectory"":""CORP"",""deletedUserId"":""gone""}");

            Assert.Null(record.User);
            Assert.Equal("CORP", record.DeletedUserDirectory);
            Assert.Equal("gone", record.DeletedUserId);
            Assert.Null(ActivityMerger.ToActivity(record.LastUsed));
        }

        [Fact]
        public void A_looser_date_form_is_still_read()
        {
            Assert.Equal(new DateTimeOffset(2024, 11, 15, 17, 28, 0, TimeSpan.Zero), Read(@"{""lastUsed"":""2024-11-15 17:28""}").LastUsed);
        }

        [Theory]
        [InlineData(@"{""lastUsed"":""yesterday""}")]
        [InlineData(@"{""id"":""not-a-guid""}")]
        [InlineData(@"[1]")]
        public void Nonsense_is_a_json_error(string json)
        {
            Assert.ThrowsAny<JsonException>(() => Read(json));
        }

        [Fact]
        public void A_condensed_user_reads_its_names()
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(@"{""id"":""1b6c7f04-0b8a-43b9-b35d-6489e6daee91"",""privileges"":null,""userId"":""o'brien"",""userDirectory"":""LAB"",""name"":""Zoë O'Brien""}"));
            reader.Read();
            var user = UserRecord.Read(ref reader);
            Assert.Equal("o'brien", user.UserId);
            Assert.Equal("Zoë O'Brien", user.Name);
            Assert.Equal(JsonTokenType.EndObject, reader.TokenType);
        }

        [Fact]
        public void Nulls_and_values_of_another_type_leave_a_field_empty()
        {
            var record = Read(@"{""id"":null,""lastUsed"":null,""latestActivity"":null,""quarantined"":false,""deletedUserDirectory"":7,""deletedUserId"":false,
                ""user"":{""id"":null,""userDirectory"":1,""userId"":null,""name"":{""first"":""a""},""extra"":[1,2]}}");
            Assert.Equal(Guid.Empty, record.Id);
            Assert.Null(record.LastUsed);
            Assert.Null(record.LatestActivity);
            Assert.False(record.Quarantined);
            Assert.Null(record.DeletedUserDirectory);
            Assert.Null(record.DeletedUserId);
            Assert.Equal(Guid.Empty, record.User!.Id);
            Assert.Null(record.User.UserDirectory);
            Assert.Null(record.User.UserId);
            Assert.Null(record.User.Name);

            // An object or array where a name belongs is skipped whole: the fields after it are still read.
            var shifted = Read(@"{""user"":{""name"":{""first"":""a"",""userId"":""x""},""userId"":""anna"",""userDirectory"":[""LAB""]},""deletedUserId"":{""a"":1},""lastUsed"":""2024-11-15T17:28:03Z""}");
            Assert.Null(shifted.User!.Name);
            Assert.Equal("anna", shifted.User.UserId);
            Assert.Null(shifted.User.UserDirectory);
            Assert.Null(shifted.DeletedUserId);
            Assert.Equal(new DateTimeOffset(2024, 11, 15, 17, 28, 3, TimeSpan.Zero), shifted.LastUsed);

            // Quarantined only when the value is true itself.
            Assert.False(Read(@"{""quarantined"":""true""}").Quarantined);
        }

        [Fact]
        public void Json_errors_say_what_was_expected()
        {
            Assert.Equal("Expected StartObject, found StartArray.", Assert.Throws<JsonException>(() => Read("[1]")).Message);
            Assert.Equal("An id is not a GUID.", Assert.Throws<JsonException>(() => Read(@"{""id"":""not-a-guid""}")).Message);
            Assert.Equal("An id is not a GUID.", Assert.Throws<JsonException>(() => Read(@"{""id"":12}")).Message);
            Assert.Equal("A date is not in ISO 8601 form.", Assert.Throws<JsonException>(() => Read(@"{""lastUsed"":""yesterday""}")).Message);
            Assert.Equal("A date is not in ISO 8601 form.", Assert.Throws<JsonException>(() => Read(@"{""latestActivity"":20240101}")).Message);
            Assert.Equal("Expected StartObject, found String.", Assert.Throws<JsonException>(() => Read(@"{""user"":""anna""}")).Message);
        }

        [Fact]
        public void A_looser_date_without_an_offset_is_taken_as_utc()
        {
            Assert.Equal(TimeSpan.Zero, Read(@"{""latestActivity"":""2024-11-15 17:28:03""}").LatestActivity!.Value.Offset);
            Assert.Equal(new DateTimeOffset(2024, 11, 15, 17, 28, 3, TimeSpan.Zero), Read(@"{""latestActivity"":""2024-11-15 17:28:03""}").LatestActivity);
            Assert.Equal(new DateTimeOffset(2024, 11, 15, 17, 28, 3, TimeSpan.FromHours(2)), Read(@"{""lastUsed"":""2024-11-15T17:28:03+02:00""}").LastUsed);
        }

        private static LicenseRecord Read(string json)
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
            reader.Read();
            var record = LicenseRecord.Read(ref reader);
            Assert.Equal(JsonTokenType.EndObject, reader.TokenType);
            return record;
        }
    }
}
