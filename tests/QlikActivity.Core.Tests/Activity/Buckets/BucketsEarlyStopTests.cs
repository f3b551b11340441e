using System;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Activity;
using QlikActivity.Core.Qrs;
using QlikActivity.Core.Tests.Qrs;
using Xunit;
using Xunit.Abstractions;

namespace QlikActivity.Core.Tests.Activity.Buckets
{
    /// <summary>
    /// Issue 11, items 1-3: a bucket run whose server dies, freezes or restarts, whose writes get
    /// no answer after they were applied, or whose write throws something unexpected. The run
    /// must end promptly (counted in requests sent after the fault, not in seconds), with a
    /// summary that adds up and one error that says why.
    /// </summary>
    [Trait("Category", "Integration")]
    public class BucketsEarlyStopTests
    {
        private const int Writers = 4;
        private const int Retries = 3;

        private readonly ITestOutputHelper _output;

        public BucketsEarlyStopTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public async Task A_server_killed_mid_run_stops_the_writes_with_one_error_and_a_whole_summary()
        {
            var site = await BucketSite.StartAsync(configure: (o, _) => o.MaximumRetryCount = Retries);
            try
            {
                const int Users = 2000;
                for (int i = 0; i < Users; i++)
                {
                    site.AddUser("LAB", "user" + i, ("professional", i % 400));
                }

                // Answers paced, so the kill at 10% lands while most users are still to be written.
                site.Sim.Faults.Latency = TimeSpan.FromMilliseconds(10);
                var client = site.Connection.Client;
                QrsRequestCounts? atKill = null;
                var host = new ScriptedHost();
                host.OnProgress = p =>
                {
                    if (atKill == null && p.ActivityId == ActivityBucketWriter.ProgressActivityId && p.PercentComplete >= 10)
                    {
                        // Counted from the start of the kill: requests sent while the server shuts down count as after it.
                        atKill = client.RequestCounts.Snapshot();
                        site.Sim.DisposeAsync().AsTask().GetAwaiter().GetResult();
                    }
                };
                var request = site.Request();
                request.ThrottleLimit = Writers;

                var stopped = Assert.Throws<ActivityBucketStoppedException>(() => ActivityBucketWriter.Run(host, request));

                Assert.NotNull(atKill);
                long sentAfterKill = client.RequestCounts.Since(atKill!).Total;
                _output.WriteLine($"requests after the kill: {sentAfterKill}; {stopped.Summary}");
                // Each writer and the reader may finish what it held (its retries, one read-back);
                // nothing new starts. Before: every remaining batch was read and retried (over 280 requests).
                Assert.InRange(sentAfterKill, 0, (Writers + 1) * (Retries + 1) * 2);

                Assert.Equal(ActivityErrorIds.ServerStoppedAnswering, stopped.ErrorId);
                Assert.Equal(OperationErrorCategory.ConnectionError, stopped.Category);
                Assert.Contains("stopped answering", stopped.Message);
                Assert.Contains("not written", stopped.Message);
                Assert.IsAssignableFrom<QrsException>(stopped.InnerException);

                var s = stopped.Summary;
                Assert.True(s.ServerStoppedAnswering);
                Assert.False(s.Succeeded);
                Assert.Equal(Users, s.UsersInScope);
                Assert.Equal(s.UsersInScope, s.Updated + s.Unchanged + s.Skipped + s.Failed + s.Unknown + s.NotWritten);
                Assert.True(s.Updated >= Users / 10, $"the kill came after 10%: {s}");
                Assert.True(s.NotWritten > Users / 2, $"most users were never started: {s}");
                Assert.True(s.Requests.Total > 0);
                // The users whose requests got no answer are told by the one error, not one error each.
                Assert.DoesNotContain(host.Inner.Errors, e => e.Exception is QrsException q && q.IsTransportFailure
                    || e.Exception.Message.Contains("Cannot reach", StringComparison.Ordinal));
                Assert.Equal(0, host.WritesAfterStop);
            }
            finally
            {
                site.Connection.Dispose();
            }
        }

        [Fact]
        public async Task A_server_that_goes_silent_mid_run_stops_the_writes_after_one_timeout_round()
        {
            TcpFaultProxy? proxy = null;
            await using var site = await BucketSite.StartAsync(configure: (o, sim) =>
            {
                proxy = new TcpFaultProxy(sim.Port);
                o.Port = proxy.Port;
                o.MaximumRetryCount = Retries;
                o.Timeout = TimeSpan.FromSeconds(1); // a short timeout, so the test waits little for what never answers
            });
            using var _ = proxy;
            const int Users = 1000;
            for (int i = 0; i < Users; i++)
            {
                site.AddUser("LAB", "user" + i, ("analyzer", i % 300));
            }

            // Answers paced, so the freeze at 10% lands while most users are still to be written (on a
            // quiet machine the writers would otherwise finish before the progress record is handled).
            site.Sim.Faults.Latency = TimeSpan.FromMilliseconds(10);
            var client = site.Connection.Client;
            QrsRequestCounts? atFreeze = null;
            var host = new ScriptedHost();
            host.OnProgress = p =>
            {
                if (atFreeze == null && p.ActivityId == ActivityBucketWriter.ProgressActivityId && p.PercentComplete >= 10)
                {
                    proxy!.Mode = ProxyMode.Silent;
                    atFreeze = client.RequestCounts.Snapshot();
                }
            };
            var request = site.Request();
            request.ThrottleLimit = Writers;
            request.PassThru = true;
            var results = new System.Collections.Generic.List<ActivityBucketResult>();

            var stopped = Assert.Throws<ActivityBucketStoppedException>(() => ActivityBucketWriter.Run(host, request, results.Add));

            // Timeouts are not retried: what was in flight times out once, a few read-backs, then nothing.
            // Before: each of the ~36 remaining batches waited out its own timeout, one after another.
            long sentAfterFreeze = client.RequestCounts.Since(atFreeze!).Total;
            _output.WriteLine($"requests after the freeze: {sentAfterFreeze}; {stopped.Summary}");
            Assert.InRange(sentAfterFreeze, 0, 3 * (Writers + 1));
            Assert.Equal(ActivityErrorIds.ServerStoppedAnswering, stopped.ErrorId);
            Assert.Contains("did not answer", stopped.Message);
            var s = stopped.Summary;
            Assert.Equal(s.UsersInScope, s.Updated + s.Unchanged + s.Skipped + s.Failed + s.Unknown + s.NotWritten);
            Assert.True(s.NotWritten > Users / 2, s.ToString());
            // A PUT that timed out may have been applied: it is never reported as failed. Only a batch
            // whose read timed out (nothing of it was sent) may be, before the run took the server as gone.
            Assert.All(results.Where(r => r.Status == ActivityBucketStatus.Failed),
                r => Assert.StartsWith("reading it before the write failed", r.Reason));
            Assert.Equal(s.Failed, results.Count(r => r.Status == ActivityBucketStatus.Failed));
        }

        [Fact]
        public async Task A_server_that_restarts_within_the_retry_window_is_ridden_through()
        {
            TcpFaultProxy? proxy = null;
            await using var site = await BucketSite.StartAsync(configure: (o, sim) =>
            {
                proxy = new TcpFaultProxy(sim.Port);
                o.Port = proxy.Port;
            });
            using var _ = proxy;
            for (int i = 0; i < 600; i++)
            {
                site.AddUser("LAB", "user" + i, ("professional", i % 200));
            }

            var expected = site.ExpectedValues();
            // Answers paced, so the restart at 20% happens while writes are still going on.
            site.Sim.Faults.Latency = TimeSpan.FromMilliseconds(10);
            long acceptedBefore = 0;
            bool restarted = false;
            var host = new ScriptedHost();
            host.OnProgress = p =>
            {
                if (!restarted && p.ActivityId == ActivityBucketWriter.ProgressActivityId && p.PercentComplete >= 20)
                {
                    restarted = true;
                    acceptedBefore = proxy!.Accepted;
                    proxy.Mode = ProxyMode.Refuse; // every open connection cut, new ones reset
                    Thread.Sleep(300);
                    proxy.Mode = ProxyMode.Forward;
                }
            };
            var request = site.Request();
            request.ThrottleLimit = Writers;

            var (_, summary) = BucketSite.Run(host, request);
            _output.WriteLine($"connections reset during the restart, then: {summary}");

            Assert.True(restarted);
            Assert.True(proxy!.Accepted > acceptedBefore, "the client reconnected after the restart");
            Assert.False(summary.ServerStoppedAnswering);
            Assert.True(summary.Requests.Retries > 0, "the restart cost retries");
            Assert.Empty(host.Inner.Errors);
            Assert.Equal(0, summary.Failed);
            Assert.Equal(0, summary.Unknown);
            Assert.True(summary.Succeeded);
            foreach (var (id, want) in expected)
            {
                Assert.Equal(want == null ? Array.Empty<string>() : new[] { want }, site.Values(id));
            }
        }

        [Fact]
        public async Task A_PUT_applied_whose_answer_never_comes_is_read_back_and_reported_updated()
        {
            await using var site = await BucketSite.StartAsync(configure: (o, _) => o.Timeout = TimeSpan.FromSeconds(1));
            var ids = Enumerable.Range(0, 3).Select(i => site.AddUser("LAB", "stall" + i, ("professional", 3))).ToList();
            site.Sim.Faults.ApplyThenStallRate = 1.0;
            var host = new RecordingHost();
            var request = site.Request();
            request.ThrottleLimit = 1;
            request.PassThru = true;

            var (results, summary) = BucketSite.Run(host, request);
            site.Sim.Faults.Clear();

            Assert.Equal(3, site.Sim.Requests.Count("PUT", "/qrs/user/", 0)); // each PUT applied, then cut off unanswered
            Assert.All(results, r => Assert.Equal(ActivityBucketStatus.Updated, r.Status));
            Assert.Equal(3, summary.Updated);
            Assert.Equal(0, summary.Failed);
            Assert.Equal(0, summary.Unknown);
            Assert.Empty(host.Errors);
            Assert.All(ids, id => Assert.Equal(new[] { "7" }, site.Values(id)));
        }

        [Fact]
        public async Task A_PUT_applied_whose_connection_drops_is_reported_updated()
        {
            await using var site = await BucketSite.StartAsync();
            var ids = Enumerable.Range(0, 3).Select(i => site.AddUser("LAB", "drop" + i, ("professional", 3))).ToList();
            site.Sim.Faults.ApplyThenDropRate = 1.0;
            var host = new RecordingHost();
            var request = site.Request();
            request.ThrottleLimit = 1;

            var (_, summary) = BucketSite.Run(host, request);
            site.Sim.Faults.Clear();

            Assert.True(site.Sim.Requests.Count("PUT", "/qrs/user/", 0) >= 3);
            Assert.Equal(3, summary.Updated);
            Assert.Equal(0, summary.Failed + summary.Unknown);
            Assert.Empty(host.Errors);
            Assert.All(ids, id => Assert.Equal(new[] { "7" }, site.Values(id)));
        }

        [Fact]
        public async Task A_PUT_that_got_no_answer_and_cannot_be_read_back_is_unknown_not_failed()
        {
            await using var site = await BucketSite.StartAsync(configure: (o, _) =>
            {
                o.Timeout = TimeSpan.FromSeconds(1);
                o.MaximumRetryCount = Retries;
            });
            var id = site.AddUser("LAB", "unknown", ("professional", 3));
            site.Sim.Faults.ApplyThenStallRate = 1.0;
            using var applied = new CancellationTokenSource();
            // Once the PUT is applied (and stalls), the server drops everything: the read-back cannot tell.
            var watcher = Task.Run(async () =>
            {
                while (!applied.IsCancellationRequested)
                {
                    if (site.Values(id).SequenceEqual(new[] { "7" }))
                    {
                        site.Sim.Faults.DropRate = 1.0;
                        return;
                    }

                    await Task.Delay(5);
                }
            });
            var host = new RecordingHost();
            var request = site.Request();
            request.PassThru = true;

            var (results, summary) = BucketSite.Run(host, request);
            applied.Cancel();
            await watcher;
            site.Sim.Faults.Clear();

            var result = Assert.Single(results, r => r.Id == id);
            Assert.Equal(ActivityBucketStatus.Unknown, result.Status);
            Assert.Contains("may or may not", result.Reason);
            Assert.Equal(1, summary.Unknown);
            Assert.Equal(0, summary.Failed);
            Assert.False(summary.Succeeded);
            Assert.Equal(summary.UsersInScope, summary.Updated + summary.Unchanged + summary.Skipped + summary.Failed + summary.Unknown + summary.NotWritten);
            var error = Assert.Single(host.Errors);
            Assert.Equal(ActivityErrorIds.WriteUnknown, error.ErrorId);
            // It was in fact written: "Failed" would have told the admin otherwise.
            Assert.Equal(new[] { "7" }, site.Values(id));
        }

        [Fact]
        public async Task A_write_that_throws_something_unexpected_ends_the_run_even_during_a_batch_sleep()
        {
            int puts = 0;
            await using var site = await BucketSite.StartAsync(configure: (o, _) =>
                o.WrapHandler = inner => new ThrowOnPut(inner, () => Interlocked.Increment(ref puts) == 3));
            for (int i = 0; i < 20; i++)
            {
                site.AddUser("LAB", "batch" + i, ("professional", 3));
            }

            var host = new RecordingHost();
            var request = site.Request();
            request.ThrottleLimit = 1;
            request.BatchSize = 5;
            request.BatchSleep = TimeSpan.FromHours(1); // the producer waits for the batch, then sleeps: both waits must end

            var run = Task.Run(() => ActivityBucketWriter.Run(host, request));
            // A hang guard, not a timing assertion: before the fix this run never ended.
            Assert.Same(run, await Task.WhenAny(run, Task.Delay(TimeSpan.FromMinutes(2))));
            var stopped = await Assert.ThrowsAsync<ActivityBucketStoppedException>(() => run);

            Assert.Equal(ActivityErrorIds.Unexpected, stopped.ErrorId);
            Assert.IsType<InvalidOperationException>(stopped.InnerException);
            Assert.Contains("injected", stopped.Message);
            var s = stopped.Summary;
            Assert.Equal(20, s.UsersInScope);
            Assert.Equal(2, s.Updated);
            Assert.Equal(1, s.Unknown);
            Assert.Equal(17, s.NotWritten);
            Assert.Equal(0, s.Failed);
        }

        /// <summary>Throws a non-HTTP exception (as a bug would) on the PUT for which <paramref name="when"/> says so.</summary>
        private sealed class ThrowOnPut : DelegatingHandler
        {
            private readonly Func<bool> _when;

            public ThrowOnPut(HttpMessageHandler inner, Func<bool> when)
                : base(inner)
            {
                _when = when;
            }

            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                if (request.Method == HttpMethod.Put && _when())
                {
                    throw new InvalidOperationException("injected: not a request failure");
                }

                return base.SendAsync(request, cancellationToken);
            }
        }
    }
}
