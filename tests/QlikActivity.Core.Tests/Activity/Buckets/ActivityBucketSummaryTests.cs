using QlikActivity.Core.Activity;
using Xunit;

namespace QlikActivity.Core.Tests.Activity.Buckets
{
    /// <summary>The summary's counters: WouldUpdate is the plan, whatever stopped the writes.</summary>
    public class ActivityBucketSummaryTests
    {
        [Fact]
        public void WouldUpdate_counts_every_user_whose_value_differs_written_or_not()
        {
            var whatIf = new ActivityBucketSummary();
            for (int i = 0; i < 5; i++)
            {
                whatIf.Count(ActivityBucketStatus.WhatIf);
            }

            whatIf.Count(ActivityBucketStatus.Unchanged);
            whatIf.Count(ActivityBucketStatus.Skipped);
            Assert.Equal(0, whatIf.Updated);
            Assert.Equal(5, whatIf.NotWritten);
            Assert.Equal(5, whatIf.WouldUpdate);

            var real = new ActivityBucketSummary();
            real.Count(ActivityBucketStatus.Updated);
            real.Count(ActivityBucketStatus.Updated);
            real.Count(ActivityBucketStatus.Failed);
            real.Count(ActivityBucketStatus.WhatIf); // Ctrl+C before its turn
            real.Count(ActivityBucketStatus.Unchanged);
            Assert.Equal(4, real.WouldUpdate);
        }
    }
}
