using System;
using System.Runtime.CompilerServices;
using QlikActivity.Core.Activity;
using QlikActivity.Core.Qrs;
using Xunit;

namespace QlikActivity.Core.Tests.Activity.Buckets
{
    /// <summary>What Set-QlikActivityBucket refuses before anything is sent: the request's own checks, no server.</summary>
    public sealed class ActivityBucketRequestTests
    {
        // Validate never touches the connection; an unconnected instance stands in for one.
        private static readonly QlikSenseConnection Connection = (QlikSenseConnection)RuntimeHelpers.GetUninitializedObject(typeof(QlikSenseConnection));

        private static ActivityBucketRequest Request(string name = "Activity") => new ActivityBucketRequest(Connection, name);

        private static void Refused(ActivityBucketRequest request, string message)
        {
            var ex = Assert.Throws<QlikActivityException>(request.Validate);
            Assert.Equal(message, ex.Message);
            Assert.Equal(ActivityErrorIds.InvalidRequest, ex.ErrorId);
            Assert.Equal(OperationErrorCategory.InvalidArgument, ex.Category);
        }

        [Fact]
        public void The_defaults_are_valid_and_gentle()
        {
            var request = Request();
            request.Validate();
            Assert.Equal(25, request.BatchSize);
            Assert.Null(request.ThrottleLimit);
            Assert.Equal(WriteConcurrency.DefaultCeiling, request.ThrottleCeiling);
            Assert.Equal(NoActivityAction.Remove, request.NoActivityAction);
            Assert.Equal(10, request.MaximumConflictAttempts);
            Assert.Equal(TimeSpan.FromSeconds(60), request.StopGracePeriod);
            Assert.Equal(ServerAnswerWatch.DefaultThreshold, request.UnansweredRequestsBeforeStop);
            Assert.Same(BucketSet.Default, request.Buckets);
            Assert.Empty(request.LicenseTypes);
            Assert.Empty(request.UserDirectories);
            Assert.Equal(TimeSpan.Zero, request.BatchSleep);
            Assert.Equal(TimeSpan.Zero, request.UserSleep);
            Assert.False(request.Force || request.PassThru || request.LicensedOnly || request.FixedThrottle);
        }

        [Fact]
        public void A_throttle_limit_is_the_ceiling()
        {
            Assert.Equal(3, new ActivityBucketRequest(Connection, "A") { ThrottleLimit = 3 }.ThrottleCeiling);
        }

        [Fact]
        public void The_constructor_refuses_nulls()
        {
            Assert.Equal("connection", Assert.Throws<ArgumentNullException>(() => new ActivityBucketRequest(null!, "A")).ParamName);
            Assert.Equal("propertyName", Assert.Throws<ArgumentNullException>(() => new ActivityBucketRequest(Connection, null!)).ParamName);
        }

        [Theory]
        [InlineData("")]
        [InlineData("   ")]
        public void A_blank_name_is_refused(string name)
        {
            Refused(Request(name), "The custom property needs a name (-Name).");
        }

        [Fact]
        public void The_name_may_have_100_characters_after_trimming_not_101()
        {
            Request(" " + new string('x', 100) + " ").Validate();
            Refused(Request(new string('x', 101)), $"A custom property name has at most 100 characters; '{new string('x', 101)}' has 101.");
        }

        [Theory]
        [InlineData(1)]
        [InlineData(25)]
        public void Batch_sizes_1_to_25_are_taken(int size)
        {
            new ActivityBucketRequest(Connection, "A") { BatchSize = size }.Validate();
        }

        [Theory]
        [InlineData(0)]
        [InlineData(26)]
        public void Batch_sizes_outside_1_to_25_are_refused(int size)
        {
            Refused(new ActivityBucketRequest(Connection, "A") { BatchSize = size }, $"The batch size {size} is outside 1-25.");
        }

        [Theory]
        [InlineData(1)]
        [InlineData(32)]
        public void Throttle_limits_1_to_32_are_taken(int limit)
        {
            new ActivityBucketRequest(Connection, "A") { ThrottleLimit = limit }.Validate();
        }

        [Theory]
        [InlineData(0)]
        [InlineData(33)]
        public void Throttle_limits_outside_1_to_32_are_refused(int limit)
        {
            Refused(new ActivityBucketRequest(Connection, "A") { ThrottleLimit = limit }, $"The throttle limit {limit} is outside 1-32.");
        }

        [Fact]
        public void Sleeps_may_be_zero_but_not_negative()
        {
            new ActivityBucketRequest(Connection, "A") { BatchSleep = TimeSpan.Zero, UserSleep = TimeSpan.Zero }.Validate();
            Refused(new ActivityBucketRequest(Connection, "A") { BatchSleep = TimeSpan.FromTicks(-1) }, "A sleep cannot be negative.");
            Refused(new ActivityBucketRequest(Connection, "A") { UserSleep = TimeSpan.FromTicks(-1) }, "A sleep cannot be negative.");
        }

        [Fact]
        public void At_least_one_write_attempt_is_needed()
        {
            new ActivityBucketRequest(Connection, "A") { MaximumConflictAttempts = 1 }.Validate();
            Refused(new ActivityBucketRequest(Connection, "A") { MaximumConflictAttempts = 0 }, "At least one write attempt per user is needed.");
        }

        [Fact]
        public void SetValue_needs_a_value_and_a_value_needs_SetValue()
        {
            Refused(new ActivityBucketRequest(Connection, "A") { NoActivityAction = NoActivityAction.SetValue },
                "-NoActivityAction SetValue needs the value to set: pass -NoActivityValue, e.g. 'Never'.");
            Refused(new ActivityBucketRequest(Connection, "A") { NoActivityAction = NoActivityAction.SetValue, NoActivityValue = "" },
                "-NoActivityAction SetValue needs the value to set: pass -NoActivityValue, e.g. 'Never'.");
            Refused(new ActivityBucketRequest(Connection, "A") { NoActivityAction = NoActivityAction.Leave, NoActivityValue = "Never" },
                "-NoActivityValue 'Never' is only used with -NoActivityAction SetValue, not Leave.");
            new ActivityBucketRequest(Connection, "A") { NoActivityAction = NoActivityAction.SetValue, NoActivityValue = "Never" }.Validate();
            new ActivityBucketRequest(Connection, "A") { NoActivityAction = NoActivityAction.Leave, NoActivityValue = "" }.Validate();
        }

        [Theory]
        [InlineData("365+")]
        [InlineData("7")]
        public void A_no_activity_value_that_is_a_bucket_is_refused(string value)
        {
            Refused(new ActivityBucketRequest(Connection, "A") { NoActivityAction = NoActivityAction.SetValue, NoActivityValue = value },
                $"-NoActivityValue '{value}' is a bucket: users without any known activity would look like users active {value} days ago. Choose a word such as 'Never'.");
        }

        [Fact]
        public void A_no_activity_value_is_compared_with_the_labels_ignoring_case()
        {
            var buckets = BucketSet.Parse(new[] { "7", "30" });
            Assert.Contains("30+", buckets.Labels);
            Refused(new ActivityBucketRequest(Connection, "A") { Buckets = buckets, NoActivityAction = NoActivityAction.SetValue, NoActivityValue = "30+" },
                "-NoActivityValue '30+' is a bucket: users without any known activity would look like users active 30+ days ago. Choose a word such as 'Never'.");
            new ActivityBucketRequest(Connection, "A") { Buckets = buckets, NoActivityAction = NoActivityAction.SetValue, NoActivityValue = "365+" }.Validate();
        }
    }
}
