using System;
using System.Collections.Generic;
using System.Linq;
using QlikActivity.Core.Activity;
using Xunit;

namespace QlikActivity.Core.Tests.Activity.Buckets
{
    /// <summary>The adaptive write limit fed with synthetic latencies and refusals: its decisions, no clocks.</summary>
    public sealed class WriteConcurrencyTests
    {
        private static readonly TimeSpan Ms40 = TimeSpan.FromMilliseconds(40);

        /// <summary>Feeds one window's worth of writes of the given latency; returns the decision of the last one.</summary>
        private static ConcurrencyDecision Window(WriteConcurrency c, TimeSpan latency)
        {
            int n = Math.Max(WriteConcurrency.MinimumWindow, c.Limit);
            var decision = ConcurrencyDecision.None;
            for (int i = 0; i < n; i++)
            {
                decision = c.Record(latency, false);
                Assert.True(i == n - 1 || decision == ConcurrencyDecision.None, "decides once per window");
            }

            return decision;
        }

        [Fact]
        public void Starts_at_one_and_doubles_while_latency_holds_up_to_the_default_ceiling()
        {
            var c = new WriteConcurrency(WriteConcurrency.DefaultCeiling);
            Assert.Equal(1, c.Limit);
            var limits = new List<int>();
            for (int w = 0; w < 6; w++)
            {
                Window(c, Ms40);
                limits.Add(c.Limit);
            }

            Assert.Equal(new[] { 2, 4, 8, 16, 16, 16 }, limits);
            Assert.Equal(16, c.PeakLimit);
        }

        [Theory]
        [InlineData(1)]
        [InlineData(3)]
        [InlineData(5)]
        public void Never_goes_past_the_given_ceiling(int ceiling)
        {
            var c = new WriteConcurrency(ceiling);
            for (int i = 0; i < 500; i++)
            {
                c.Record(Ms40, false);
                Assert.InRange(c.Limit, 1, ceiling);
            }

            Assert.Equal(ceiling, c.Limit);
            Assert.Equal(ceiling, c.PeakLimit);
        }

        [Fact]
        public void A_refusal_halves_the_limit_once_per_round_of_writes_in_flight()
        {
            var c = new WriteConcurrency(16, initial: 8);
            Assert.Equal(ConcurrencyDecision.BackOff, c.Record(Ms40, true));
            Assert.Equal(4, c.Limit);

            // The other writers that were in flight see the same overload: not halved again for them.
            for (int i = 0; i < 4; i++)
            {
                Assert.Equal(ConcurrencyDecision.None, c.Record(Ms40, true));
                Assert.Equal(4, c.Limit);
            }

            Assert.Equal(ConcurrencyDecision.BackOff, c.Record(Ms40, true));
            Assert.Equal(2, c.Limit);
            for (int i = 0; i < 10; i++)
            {
                c.Record(Ms40, true);
            }

            Assert.True(c.Limit >= 1);
        }

        [Fact]
        public void After_a_refusal_it_grows_by_one_not_by_doubling()
        {
            var c = new WriteConcurrency(16, initial: 8);
            c.Record(Ms40, true);
            Assert.Equal(4, c.Limit);
            Assert.Equal(ConcurrencyDecision.Grow, Window(c, Ms40));
            Assert.Equal(5, c.Limit);
            Assert.Equal(ConcurrencyDecision.Grow, Window(c, Ms40));
            Assert.Equal(6, c.Limit);
        }

        [Fact]
        public void Latency_growth_past_the_backoff_ratio_shrinks_and_moderate_growth_holds()
        {
            var c = new WriteConcurrency(16, initial: 8);
            Window(c, Ms40); // baseline 40 ms, grows to 16
            Assert.Equal(16, c.Limit);
            Assert.Equal(ConcurrencyDecision.Shrink, Window(c, TimeSpan.FromMilliseconds(40 * 3)));
            Assert.Equal(12, c.Limit);
            Assert.Equal(ConcurrencyDecision.Hold, Window(c, TimeSpan.FromMilliseconds(40 * 2)));
            Assert.Equal(12, c.Limit);
        }

        [Fact]
        public void Against_a_queueing_server_it_settles_at_or_a_little_above_its_capacity()
        {
            // A server serving 4 at once, 40 ms each: latency grows in proportion to the writes beyond 4.
            const int Capacity = 4;
            var c = new WriteConcurrency(16);
            var late = new List<int>();
            for (int i = 0; i < 2000; i++)
            {
                double ms = 40 * Math.Max(1.0, (double)c.Limit / Capacity);
                c.Record(TimeSpan.FromMilliseconds(ms), false);
                if (i >= 1000)
                {
                    late.Add(c.Limit);
                }
            }

            // Once settled: never starves the server (fewer than its capacity), never queues more than the back-off ratio allows.
            Assert.True(late.Min() >= Capacity, "settled at " + late.Min());
            Assert.True(late.Max() <= Capacity * WriteConcurrency.BackoffRatio, "settled at " + late.Max());
        }

        [Fact]
        public void Against_a_server_that_refuses_past_six_it_stays_near_six()
        {
            var c = new WriteConcurrency(16);
            bool backedOff = false;
            var limits = new List<int>();
            for (int i = 0; i < 3000; i++)
            {
                bool refused = c.Limit > 6;
                var decision = c.Record(Ms40, refused);
                backedOff |= decision == ConcurrencyDecision.BackOff;
                if (backedOff)
                {
                    limits.Add(c.Limit);
                }
            }

            Assert.True(backedOff);
            // AIMD saw-tooth: probes to 7, halves to 3, climbs again.
            Assert.InRange(limits.Max(), 6, 7);
            Assert.InRange(limits.Min(), 3, 3);
            Assert.True(limits.Average() >= 4.0, "mean limit " + limits.Average());
        }

        [Fact]
        public void At_one_write_at_a_time_a_slower_server_becomes_the_new_baseline()
        {
            var c = new WriteConcurrency(16, initial: 8);
            Window(c, Ms40);
            for (int w = 0; w < 20 && c.Limit > 1; w++)
            {
                Window(c, TimeSpan.FromMilliseconds(400));
            }

            Assert.Equal(1, c.Limit);
            Assert.Equal(40, c.BaselineMilliseconds);
            Assert.Equal(ConcurrencyDecision.Grow, Window(c, TimeSpan.FromMilliseconds(400)));
            Assert.Equal(400, c.BaselineMilliseconds);
            Assert.Equal(2, c.Limit);
            Assert.Equal(ConcurrencyDecision.Grow, Window(c, TimeSpan.FromMilliseconds(400)));
            Assert.Equal(3, c.Limit);
        }

        [Fact]
        public void A_fixed_start_at_the_ceiling_stays_there_while_latency_holds()
        {
            var c = new WriteConcurrency(4, initial: 4);
            for (int i = 0; i < 100; i++)
            {
                c.Record(Ms40, false);
                Assert.Equal(4, c.Limit);
            }
        }

        [Fact]
        public void A_ceiling_below_one_is_refused()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new WriteConcurrency(0));
        }

        [Fact]
        public void The_progress_status_carries_the_rate_and_the_writes_at_once()
        {
            Assert.Equal("1,500 of 2,000 users written (1 failed), 150.0 writes/s, 4 at once",
                BucketWriteRun.ProgressStatus(1500, 2000, 1, TimeSpan.FromSeconds(10), 4));
            Assert.Equal("0 of 10 users written (0 failed), 0.0 writes/s, 1 at once",
                BucketWriteRun.ProgressStatus(0, 10, 0, TimeSpan.Zero, 1));
        }

        [Fact]
        public void The_peak_is_the_highest_limit_at_once_and_stays_after_a_back_off()
        {
            var c = new WriteConcurrency(16);
            Assert.Equal(ConcurrencyDecision.Grow, Window(c, Ms40));
            Assert.Equal(2, c.Limit);
            Assert.Equal(2, c.PeakLimit);
            Window(c, Ms40);
            Window(c, Ms40);
            Window(c, Ms40);
            Assert.Equal(16, c.PeakLimit);
            Assert.Equal(ConcurrencyDecision.BackOff, c.Record(Ms40, true));
            Assert.Equal(8, c.Limit);
            c.Record(Ms40, false);
            c.Record(Ms40, false);
            Assert.Equal(16, c.PeakLimit);
        }

        [Fact]
        public void A_back_off_starts_a_new_window()
        {
            var c = new WriteConcurrency(16, initial: 8);
            for (int i = 0; i < 5; i++)
            {
                Assert.Equal(ConcurrencyDecision.None, c.Record(TimeSpan.FromMilliseconds(400), false));
            }

            Assert.Equal(ConcurrencyDecision.BackOff, c.Record(Ms40, true));
            Assert.Equal(4, c.Limit);
            // A fresh window of 8 writes at 40 ms: the 400 ms writes before the back-off do not count.
            for (int i = 0; i < 7; i++)
            {
                Assert.Equal(ConcurrencyDecision.None, c.Record(Ms40, false));
            }

            Assert.Equal(ConcurrencyDecision.Grow, c.Record(Ms40, false));
            Assert.Equal(40, c.BaselineMilliseconds);
        }

        [Fact]
        public void A_refusal_after_a_round_of_answered_writes_halves_again()
        {
            var c = new WriteConcurrency(16, initial: 8);
            Assert.Equal(ConcurrencyDecision.BackOff, c.Record(Ms40, true));
            Assert.Equal(4, c.Limit);
            for (int i = 0; i < 4; i++)
            {
                c.Record(Ms40, false);
            }

            // Four writes have ended since: this refusal is new overload, not the same round.
            Assert.Equal(ConcurrencyDecision.BackOff, c.Record(Ms40, true));
            Assert.Equal(2, c.Limit);
        }

        [Fact]
        public void The_growth_and_back_off_ratios_are_inclusive_and_exclusive_as_documented()
        {
            // Exactly 1.5 times the baseline still grows.
            var c = new WriteConcurrency(32, initial: 4);
            Assert.Equal(ConcurrencyDecision.Grow, Window(c, Ms40));
            Assert.Equal(8, c.Limit);
            Assert.Equal(ConcurrencyDecision.Grow, Window(c, TimeSpan.FromMilliseconds(60)));
            Assert.Equal(16, c.Limit);

            // Exactly 2.5 times holds; above it shrinks.
            var d = new WriteConcurrency(32, initial: 4);
            Window(d, Ms40);
            Assert.Equal(ConcurrencyDecision.Hold, Window(d, TimeSpan.FromMilliseconds(100)));
            Assert.Equal(8, d.Limit);
            Assert.Equal(ConcurrencyDecision.Shrink, Window(d, TimeSpan.FromMilliseconds(101)));
            Assert.Equal(6, d.Limit);
        }

        [Fact]
        public void A_hold_ends_the_slow_start()
        {
            var c = new WriteConcurrency(32, initial: 4);
            Window(c, Ms40);
            Assert.Equal(8, c.Limit);
            Assert.Equal(ConcurrencyDecision.Hold, Window(c, TimeSpan.FromMilliseconds(80)));
            Assert.Equal(ConcurrencyDecision.Grow, Window(c, Ms40));
            Assert.Equal(9, c.Limit);
        }

        [Fact]
        public void At_the_ceiling_good_latency_holds()
        {
            var c = new WriteConcurrency(4, initial: 4);
            Assert.Equal(ConcurrencyDecision.Hold, Window(c, Ms40));
            Assert.Equal(4, c.Limit);
            Assert.Equal(4, c.PeakLimit);
            var refused = Assert.Throws<ArgumentOutOfRangeException>(() => new WriteConcurrency(0));
            Assert.Equal("ceiling", refused.ParamName);
            Assert.StartsWith("The ceiling is at least 1.", refused.Message);
        }
    }
}
