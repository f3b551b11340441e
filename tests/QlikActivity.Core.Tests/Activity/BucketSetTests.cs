using System;
using QlikActivity.Core.Activity;
using Xunit;

namespace QlikActivity.Core.Tests.Activity
{
    public class BucketSetTests
    {
        [Fact]
        public void The_default_is_the_usual_seven_buckets_plus_overflow()
        {
            Assert.Equal(new[] { 1, 7, 14, 30, 90, 180, 365 }, BucketSet.Default.Days);
            Assert.Equal("365+", BucketSet.Default.OverflowLabel);
            Assert.Equal(new[] { "1", "7", "14", "30", "90", "180", "365", "365+" }, BucketSet.Default.Labels);
        }

        [Theory]
        [InlineData("1,7,14,30,90,180,365")]
        [InlineData("1, 7, 14, 30, 90, 180, 365")]
        [InlineData("1 7 14 30 90 180 365")]
        [InlineData("1|7|14|30|90|180|365")]
        [InlineData("365,180|90 30|14;7;1")]
        [InlineData("1,7,14,30,90,180,365,365+")]
        public void Arrays_separated_strings_and_any_order_give_the_same_set(string elements)
        {
            // '|' separates the array's elements in this test.
            Assert.Equal(BucketSet.Default.Labels, BucketSet.Parse(elements.Split('|')).Labels);
        }

        [Fact]
        public void Labels_parse_back_to_the_same_set()
        {
            var set = BucketSet.Parse("3,10,45");
            Assert.Equal(set.Labels, BucketSet.Parse(set.Labels).Labels);
            Assert.Equal("3,10,45", set.ToString());
        }

        [Theory]
        [InlineData("1,seven,14", "'seven' is not a bucket")]
        [InlineData("1,7.5", "'7.5' is not a bucket")]
        [InlineData("0,7", "out of range")]
        [InlineData("-1,7", "'-1' is not a bucket")]
        [InlineData("1,7,7", "given twice")]
        [InlineData("1,7,99999999999", "'99999999999' is not a bucket")]
        [InlineData("1,7,40000", "out of range")]
        [InlineData("", "No buckets")]
        [InlineData(" , ", "No buckets")]
        [InlineData("1,30,7+", "overflow bucket is always the largest")]
        [InlineData("1,7,365++", "is not a bucket")]
        public void Invalid_buckets_are_explained_errors(string input, string expected)
        {
            var ex = Assert.Throws<QlikActivityException>(() => BucketSet.Parse(input));
            Assert.Equal(ActivityErrorIds.InvalidBucket, ex.ErrorId);
            Assert.Equal(OperationErrorCategory.InvalidArgument, ex.Category);
            Assert.Contains(expected, ex.Message);
        }

        [Fact]
        public void Nulls_are_no_buckets_and_the_limits_are_1_and_36525_days()
        {
            Assert.Contains("No buckets given", Assert.Throws<QlikActivityException>(() => BucketSet.Parse((string[]?)null)).Message);
            Assert.Equal(new[] { 7 }, BucketSet.Parse(new[] { null, "7", null }).Days);
            Assert.Equal(new[] { 1, 36525 }, BucketSet.Parse("36525,1").Days);
            Assert.Equal("36525+", BucketSet.Parse("36525").OverflowLabel);
            Assert.Equal("Bucket 36526 is out of range: buckets are 1 to 36525 days.",
                Assert.Throws<QlikActivityException>(() => BucketSet.Parse("36526")).Message);
            Assert.Equal("Bucket 0 is out of range: buckets are 1 to 36525 days.",
                Assert.Throws<QlikActivityException>(() => BucketSet.Parse("0")).Message);
        }

        [Fact]
        public void Error_messages_name_the_token_and_the_rule()
        {
            Assert.Equal("'x' is not a bucket: buckets are whole numbers of days, e.g. 1,7,14,30,90,180,365.",
                Assert.Throws<QlikActivityException>(() => BucketSet.Parse("x")).Message);
            Assert.Equal("Bucket 7 is given twice.", Assert.Throws<QlikActivityException>(() => BucketSet.Parse("7 7")).Message);
            Assert.Equal("No buckets given: pass whole numbers of days, e.g. 1,7,14,30,90,180,365.",
                Assert.Throws<QlikActivityException>(() => BucketSet.Parse("\t\r\n")).Message);
            Assert.Equal("'7+' is not a bucket: the overflow bucket is always the largest bucket plus '+', here 30+.",
                Assert.Throws<QlikActivityException>(() => BucketSet.Parse("7,30,7+")).Message);

            // The overflow label alone is not a bucket of days.
            Assert.Contains("No buckets given", Assert.Throws<QlikActivityException>(() => BucketSet.Parse("365+")).Message);
        }

        [Theory]
        [InlineData(-3, "1")]
        [InlineData(0, "1")]
        [InlineData(1, "1")]
        [InlineData(2, "7")]
        [InlineData(7, "7")]
        [InlineData(8, "14")]
        [InlineData(30, "30")]
        [InlineData(31, "90")]
        [InlineData(180, "180")]
        [InlineData(181, "365")]
        [InlineData(365, "365")]
        [InlineData(366, "365+")]
        [InlineData(100000, "365+")]
        public void Each_user_gets_the_smallest_bucket_at_least_its_days(int days, string bucket)
        {
            Assert.Equal(bucket, BucketSet.Default.Assign(days));
        }

        [Fact]
        public void A_single_bucket_still_has_its_overflow()
        {
            var set = BucketSet.Parse("30");
            Assert.Equal("30", set.Assign(30));
            Assert.Equal("30+", set.Assign(31));
        }
    }
}
