using System;
using System.Collections;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using QlikActivity.Core.Activity;
using Xunit;

namespace QlikActivity.Core.Tests.Activity
{
    /// <summary>The small records of the Activity area: ids read from QRS JSON, a user's property values, license type lists, results.</summary>
    public sealed class ActivityRecordsTests
    {
        private static readonly Guid ActivityId = Guid.Parse("5d7b1a3e-9c0f-4b0e-8a57-4f1c6b2d9e10");

        [Fact]
        public void An_entity_id_is_read_as_a_guid_or_empty()
        {
            Assert.Equal(ActivityId, QrsEntityId.Of(new JsonObject { ["id"] = ActivityId.ToString("D") }));
            Assert.Equal(Guid.Empty, QrsEntityId.Of(new JsonObject()));
            Assert.Equal(Guid.Empty, QrsEntityId.Of(new JsonObject { ["id"] = "not a guid" }));
            Assert.Equal(Guid.Empty, QrsEntityId.Of(new JsonObject { ["id"] = 42 }));
            Assert.Equal(Guid.Empty, QrsEntityId.Of(new JsonObject { ["id"] = new JsonObject() }));
        }

        private static UserPropertyValuesRecord User(string json) => JsonSerializer.Deserialize<UserPropertyValuesRecord>(json)!;

        [Fact]
        public void A_user_records_values_are_matched_by_definition_id()
        {
            var user = User($@"{{""id"":""{Guid.Empty}"",""userDirectory"":""LAB"",""userId"":""anna"",""customProperties"":[
                {{""value"":""30"",""definition"":{{""id"":""{ActivityId}"",""name"":""Other name""}}}},
                {{""value"":""x"",""definition"":{{""id"":""{Guid.NewGuid()}"",""name"":""Activity""}}}},
                {{""value"":null,""definition"":{{""id"":""{ActivityId}"",""name"":""Activity""}}}},
                {{""value"":""7""}},
                null]}}");
            Assert.Equal("LAB", user.UserDirectory);
            Assert.Equal("anna", user.UserId);
            // Same id wins over a different name; another id with the same name is another property; a null value is "".
            Assert.Equal(new[] { "30", "" }, user.ValuesOf(ActivityId, "Activity"));
        }

        [Fact]
        public void A_reference_without_an_id_is_matched_by_name_ignoring_case()
        {
            var user = User(@"{""customProperties"":[
                {""value"":""90"",""definition"":{""name"":""ACTIVITY""}},
                {""value"":""1"",""definition"":{""name"":""Department""}}]}");
            Assert.Equal(new[] { "90" }, user.ValuesOf(ActivityId, "Activity"));
            Assert.Equal(new[] { "1" }, user.ValuesOf(ActivityId, "department"));
            Assert.Empty(user.ValuesOf(ActivityId, "Other"));
        }

        [Fact]
        public void A_user_without_custom_properties_has_no_values()
        {
            Assert.Empty(User("{}").ValuesOf(ActivityId, "Activity"));
            Assert.Empty(User(@"{""customProperties"":[]}").ValuesOf(ActivityId, "Activity"));
        }

        [Fact]
        public void A_license_type_list_shows_names_and_holds_types()
        {
            LicenseTypeList list = new[] { LicenseType.Professional, LicenseType.AnalyzerTime };
            Assert.Equal(2, list.Count);
            Assert.Equal(2, list.Length);
            Assert.Equal(LicenseType.AnalyzerTime, list[1]);
            Assert.True(list.Contains(LicenseType.Professional));
            Assert.True(list.Contains(LicenseType.AnalyzerTime));
            Assert.False(list.Contains(LicenseType.Analyzer));
            Assert.Equal(new[] { "Professional", "AnalyzerTime" }, list.ToNames());
            Assert.Equal("Professional, AnalyzerTime", list.ToString());
            Assert.Equal(new[] { LicenseType.Professional, LicenseType.AnalyzerTime }, list.ToArray());

            // Untyped enumeration (PowerShell, serializers) yields the names.
            var untyped = ((IEnumerable)list).Cast<object>().ToArray();
            Assert.Equal(new object[] { "Professional", "AnalyzerTime" }, untyped);

            Assert.Empty(LicenseTypeList.Empty);
            Assert.Equal("", LicenseTypeList.Empty.ToString());
            Assert.Equal("types", Assert.Throws<ArgumentNullException>(() => new LicenseTypeList(null!)).ParamName);
        }

        [Fact]
        public void A_user_activity_shows_the_user_and_its_bucket()
        {
            var activity = new UserActivity { UserDirectory = "LAB", UserId = "anna", Bucket = "30" };
            Assert.Equal("LAB\\anna", activity.UserFull);
            Assert.Equal("LAB\\anna (30)", activity.ToString());
            Assert.True(activity.NoActivity);
            activity.LastActivity = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            Assert.False(activity.NoActivity);
            Assert.Empty(activity.LicenseTypes);
        }

        [Fact]
        public void A_result_carries_the_planned_change_and_shows_it()
        {
            var id = Guid.NewGuid();
            var user = new ActivityBucketUser(id, "LAB", "anna", "30", true);
            var change = new PlannedBucketChange(user, BucketChangeKind.Set, new[] { "7", "14" }, "30", null);
            var result = ActivityBucketResult.Of(change, ActivityBucketStatus.Updated, null);
            Assert.Equal("LAB\\anna", result.User);
            Assert.Equal(id, result.Id);
            Assert.Equal("LAB", result.UserDirectory);
            Assert.Equal("anna", result.UserId);
            Assert.Equal("7, 14", result.OldValue);
            Assert.Equal("30", result.NewValue);
            Assert.Equal(ActivityBucketStatus.Updated, result.Status);
            Assert.Null(result.Reason);
            Assert.False(result.NoAnswer);
            Assert.Equal("LAB\\anna: 7, 14 -> 30 (Updated)", result.ToString());

            // A skipped user keeps no new value.
            var skip = new PlannedBucketChange(user, BucketChangeKind.Skip, Array.Empty<string>(), "30", "left");
            var skipped = ActivityBucketResult.Of(skip, ActivityBucketStatus.Skipped, "left");
            Assert.Null(skipped.NewValue);
            Assert.Equal("left", skipped.Reason);
            Assert.Equal("LAB\\anna: (none) -> (none) (Skipped)", skipped.ToString());

            var lost = ActivityBucketResult.WithoutAnswer(change, ActivityBucketStatus.Unknown, "no answer");
            Assert.True(lost.NoAnswer);
            Assert.Equal(ActivityBucketStatus.Unknown, lost.Status);
            Assert.Equal("no answer", lost.Reason);
            Assert.Equal("30", lost.NewValue);
        }

        [Fact]
        public void A_stopped_run_carries_its_summary()
        {
            var summary = new ActivityBucketSummary();
            var inner = new InvalidOperationException("bug");
            var stopped = new ActivityBucketStoppedException("stopped", "Id", OperationErrorCategory.ConnectionError, summary, inner);
            Assert.Same(summary, stopped.Summary);
            Assert.Same(inner, stopped.InnerException);
            Assert.Equal("Id", stopped.ErrorId);
            Assert.Equal("summary", Assert.Throws<ArgumentNullException>(() =>
                new ActivityBucketStoppedException("stopped", "Id", OperationErrorCategory.ConnectionError, null!, null)).ParamName);
        }

        [Fact]
        public void New_results_summaries_and_activities_hold_empty_text_not_null()
        {
            var result = new ActivityBucketResult();
            Assert.Equal(("", "", ""), (result.User, result.UserDirectory, result.UserId));
            Assert.Equal("", new ActivityBucketSummary().PropertyName);
            var activity = new UserActivity();
            Assert.Equal(("", "", ""), (activity.UserDirectory, activity.UserId, activity.Bucket));
            Assert.Equal("\\", activity.UserFull);
        }

        [Fact]
        public void A_user_activity_request_needs_a_connection_and_reads_everything_by_default()
        {
            Assert.Equal("connection", Assert.Throws<ArgumentNullException>(() => new UserActivityRequest(null!)).ParamName);
            var connection = (QlikActivity.Core.Qrs.QlikSenseConnection)System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(typeof(QlikActivity.Core.Qrs.QlikSenseConnection));
            var request = new UserActivityRequest(connection);
            Assert.Same(connection, request.Connection);
            Assert.True(request.IncludeUsersWithoutLicenseRecord);
            Assert.Equal(LicenseTypes.All, request.LicenseTypes);
            Assert.Empty(request.UserDirectories);
            Assert.Same(BucketSet.Default, request.Buckets);
            Assert.Null(request.AsOf);
            Assert.Null(request.JournalPath);
        }
    }
}
