using System;
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
    }
}
