using System;
using System.Linq;
using QlikActivity.Core.Activity;
using Xunit;

namespace QlikActivity.Core.Tests.Activity.Buckets
{
    public class ActivityBucketPlanTests
    {
        private static readonly string[] Choices = { "1", "7", "14", "30", "90", "180", "365", "365+" };

        private static ActivityBucketUser Active(string bucket) => new ActivityBucketUser(Guid.NewGuid(), "LAB", "anna", bucket, true);

        private static ActivityBucketUser Unlicensed() => new ActivityBucketUser(Guid.NewGuid(), "LAB", "bob", null, false);

        [Fact]
        public void A_changed_bucket_is_set_and_a_right_one_is_unchanged()
        {
            var plan = new ActivityBucketPlan(Choices, NoActivityAction.Remove, null);
            var set = plan.For(Active("30"), new[] { "7" });
            Assert.Equal(BucketChangeKind.Set, set.Kind);
            Assert.Equal("7", set.OldValue);
            Assert.Equal("30", set.NewValue);
            Assert.True(set.NeedsWrite);

            var same = plan.For(Active("30"), new[] { "30" });
            Assert.Equal(BucketChangeKind.Unchanged, same.Kind);
            Assert.False(same.NeedsWrite);

            Assert.Equal(BucketChangeKind.Set, plan.For(Active("30"), Array.Empty<string>()).Kind);
            Assert.Equal(BucketChangeKind.Set, plan.For(Active("30"), null).Kind);
        }

        [Fact]
        public void Two_values_of_the_property_are_rewritten_even_if_one_is_right()
        {
            var plan = new ActivityBucketPlan(Choices, NoActivityAction.Remove, null);
            var change = plan.For(Active("30"), new[] { "30", "7" });
            Assert.Equal(BucketChangeKind.Set, change.Kind);
            Assert.Equal("30, 7", change.OldValue);
        }

        [Fact]
        public void Default_policy_removes_the_value_of_users_without_license_record_and_never_marks_them_inactive()
        {
            var plan = new ActivityBucketPlan(Choices, NoActivityAction.Remove, null);
            var change = plan.For(Unlicensed(), new[] { "7" });
            Assert.Equal(BucketChangeKind.Remove, change.Kind);
            Assert.Null(change.NewValue);
            Assert.Equal(BucketChangeKind.Unchanged, plan.For(Unlicensed(), Array.Empty<string>()).Kind);
        }

        [Fact]
        public void Leave_policy_skips_users_without_license_record_with_a_reason()
        {
            var plan = new ActivityBucketPlan(Choices, NoActivityAction.Leave, null);
            var change = plan.For(Unlicensed(), new[] { "365+" });
            Assert.Equal(BucketChangeKind.Skip, change.Kind);
            Assert.Contains("no license record", change.Reason);
        }

        [Fact]
        public void SetValue_policy_writes_its_value_and_needs_one()
        {
            var plan = new ActivityBucketPlan(new[] { "1", "365+", "Never" }, NoActivityAction.SetValue, "Never");
            Assert.Equal("Never", plan.For(Unlicensed(), Array.Empty<string>()).NewValue);
            Assert.Equal(BucketChangeKind.Unchanged, plan.For(Unlicensed(), new[] { "Never" }).Kind);
            Assert.Throws<ArgumentException>(() => new ActivityBucketPlan(Choices, NoActivityAction.SetValue, ""));
        }

        [Fact]
        public void A_licensed_user_without_a_bucket_follows_the_policy()
        {
            var plan = new ActivityBucketPlan(Choices, NoActivityAction.Remove, null);
            var user = new ActivityBucketUser(Guid.NewGuid(), "LAB", "carl", null, true);
            Assert.Equal(BucketChangeKind.Remove, plan.For(user, new[] { "1" }).Kind);
        }

        [Fact]
        public void A_bucket_outside_the_choice_values_is_skipped_not_written()
        {
            var plan = new ActivityBucketPlan(Choices, NoActivityAction.Remove, null);
            var change = plan.For(Active("60"), new[] { "30" });
            Assert.Equal(BucketChangeKind.Skip, change.Kind);
            Assert.Contains("'60'", change.Reason);
        }

        [Fact]
        public void A_user_without_names_or_with_an_empty_bucket_is_read_as_such()
        {
            var user = new ActivityBucketUser(Guid.Empty, null!, null!, "", true);
            Assert.Equal("", user.UserDirectory);
            Assert.Equal("", user.UserId);
            Assert.Equal("\\", user.DisplayName);
            Assert.Equal("\\", user.ToString());
            Assert.Null(user.Bucket);

            // An empty bucket is no known activity: the policy applies, not a write of "".
            var plan = new ActivityBucketPlan(Choices, NoActivityAction.Remove, null);
            var change = plan.For(new ActivityBucketUser(Guid.NewGuid(), "LAB", "anna", "", true), new[] { "7" });
            Assert.Equal(BucketChangeKind.Remove, change.Kind);
            Assert.Null(change.NewValue);
        }

        [Fact]
        public void The_plan_refuses_a_missing_user_or_value_and_keeps_a_value_only_for_SetValue()
        {
            var plan = new ActivityBucketPlan(Choices, NoActivityAction.Remove, "Never");
            Assert.Null(plan.NoActivityValue);
            Assert.Equal(NoActivityAction.Remove, plan.NoActivityAction);
            Assert.Equal(BucketChangeKind.Remove, plan.For(Unlicensed(), new[] { "Never" }).Kind);
            Assert.Null(new ActivityBucketPlan(Choices, NoActivityAction.Leave, "Never").NoActivityValue);
            Assert.Equal("Never", new ActivityBucketPlan(Choices, NoActivityAction.SetValue, "Never").NoActivityValue);

            Assert.Equal("user", Assert.Throws<ArgumentNullException>(() => plan.For((ActivityBucketUser)null!, null)).ParamName);
            Assert.Equal("choiceValues", Assert.Throws<ArgumentNullException>(() => new ActivityBucketPlan(null!, NoActivityAction.Remove, null)).ParamName);
            var noValue = Assert.Throws<ArgumentException>(() => new ActivityBucketPlan(Choices, NoActivityAction.SetValue, null));
            Assert.Equal("noActivityValue", noValue.ParamName);
            Assert.StartsWith("The no-activity action SetValue needs a value (-NoActivityValue).", noValue.Message);
        }

        [Fact]
        public void Skip_reasons_say_why_word_for_word()
        {
            var leave = new ActivityBucketPlan(Choices, NoActivityAction.Leave, null);
            Assert.Equal("no license record, so no known activity: left as it is (-NoActivityAction Leave)",
                leave.For(Unlicensed(), Array.Empty<string>()).Reason);
            var neverUsed = new ActivityBucketUser(Guid.NewGuid(), "LAB", "carl", null, true);
            var change = leave.For(neverUsed, new[] { "7" });
            Assert.Equal("its license records show no use, so no known activity: left as it is (-NoActivityAction Leave)", change.Reason);
            Assert.Equal("7", change.OldValue);
            Assert.Null(change.NewValue);

            var plan = new ActivityBucketPlan(new[] { "7", "7+" }, NoActivityAction.Remove, null);
            Assert.Equal("its bucket '60' is not one of the property's choice values (7, 7+); read the activity with the same buckets",
                plan.For(Active("60"), Array.Empty<string>()).Reason);
        }

        [Fact]
        public void Many_users_are_planned_with_their_own_current_values()
        {
            var plan = new ActivityBucketPlan(Choices, NoActivityAction.Remove, null);
            var anna = Active("30");
            var bob = Unlicensed();
            var changes = plan.For(new[] { anna, bob }, id => id == anna.Id ? new[] { "30" } : new[] { "7" });
            Assert.Equal(new[] { BucketChangeKind.Unchanged, BucketChangeKind.Remove }, changes.Select(c => c.Kind));
            Assert.Same(bob, changes[1].User);
        }
    }
}
