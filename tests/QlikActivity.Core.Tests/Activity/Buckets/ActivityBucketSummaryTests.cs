using System;
using System.Net.Http;
using QlikActivity.Core.Activity;
using QlikActivity.Core.Qrs;
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

        [Fact]
        public void Each_status_is_counted_in_its_own_column()
        {
            var summary = new ActivityBucketSummary();
            summary.Count(ActivityBucketStatus.Updated);
            summary.Count(ActivityBucketStatus.Unchanged);
            summary.Count(ActivityBucketStatus.Unchanged);
            summary.Count(ActivityBucketStatus.Skipped);
            summary.Count(ActivityBucketStatus.Skipped);
            summary.Count(ActivityBucketStatus.Skipped);
            summary.Count(ActivityBucketStatus.Failed);
            summary.Count(ActivityBucketStatus.Unknown);
            summary.Count(ActivityBucketStatus.Unknown);
            summary.Count(ActivityBucketStatus.WhatIf);
            Assert.Equal((1, 2, 3, 1, 2, 1), (summary.Updated, summary.Unchanged, summary.Skipped, summary.Failed, summary.Unknown, summary.NotWritten));
            Assert.Equal(1 + 1 + 2 + 1, summary.WouldUpdate);
        }

        [Fact]
        public void A_run_succeeded_only_without_failures_unknowns_or_a_stop()
        {
            Assert.True(new ActivityBucketSummary { Updated = 3, Skipped = 1, NotWritten = 2 }.Succeeded);
            Assert.False(new ActivityBucketSummary { Failed = 1 }.Succeeded);
            Assert.False(new ActivityBucketSummary { Unknown = 1 }.Succeeded);
            Assert.False(new ActivityBucketSummary { Cancelled = true }.Succeeded);
            Assert.False(new ActivityBucketSummary { ServerStoppedAnswering = true }.Succeeded);
        }

        [Fact]
        public void The_summary_reads_as_one_line_with_its_stops()
        {
            var summary = new ActivityBucketSummary
            {
                PropertyName = "Activity",
                UsersInScope = 21,
                Updated = 1,
                Unchanged = 2,
                Skipped = 3,
                Failed = 4,
                Unknown = 5,
                NotWritten = 6,
                DefinitionAction = CustomPropertyDefinitionAction.Replaced,
                Requests = new RequestCounts { Get = 7, Put = 8, Post = 9, Delete = 10, Retries = 11 },
                Duration = TimeSpan.FromMilliseconds(2500),
            };
            Assert.Equal(34, summary.Requests.Total);
            Assert.Equal(
                // The seconds are written in the current culture, as PowerShell shows them.
                $"Activity: 21 users, 1 updated, 2 unchanged, 3 skipped, 4 failed, 5 unknown, 6 not written; definition Replaced; 34 requests (GET 7, PUT 8, POST 9, DELETE 10) in {2.5:0.0} s",
                summary.ToString());
            summary.Cancelled = true;
            Assert.EndsWith(" s; stopped by Ctrl+C", summary.ToString());
            summary.Cancelled = false;
            summary.ServerStoppedAnswering = true;
            Assert.EndsWith(" s; stopped: the server stopped answering", summary.ToString());
        }

        [Fact]
        public void Request_counts_are_copied_from_the_client_per_method()
        {
            var counts = new QrsRequestCounts();
            counts.Count(HttpMethod.Get);
            counts.Count(HttpMethod.Get);
            counts.Count(HttpMethod.Put);
            counts.Count(HttpMethod.Put);
            counts.Count(HttpMethod.Put);
            counts.Count(HttpMethod.Post);
            counts.Count(HttpMethod.Delete);
            counts.Count(HttpMethod.Delete);
            counts.Count(HttpMethod.Delete);
            counts.Count(HttpMethod.Delete);
            counts.CountRetry();
            var copy = RequestCounts.From(counts);
            Assert.Equal((2L, 3L, 1L, 4L, 1L), (copy.Get, copy.Put, copy.Post, copy.Delete, copy.Retries));
            Assert.Equal(10, copy.Total);
            Assert.Equal("GET 2, PUT 3, POST 1, DELETE 4", copy.ToString());
        }
    }
}
