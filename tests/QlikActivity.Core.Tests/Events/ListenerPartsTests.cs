using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using QlikActivity.Core.Destinations;
using QlikActivity.Core.Events;
using Xunit;
using static QlikActivity.Core.Tests.Events.ListenerHarness;

namespace QlikActivity.Core.Tests.Events
{
    /// <summary>The listener's parts that need no socket: options, statistics text, the pipeline hand-off.</summary>
    public class ListenerPartsTests
    {
        [Theory]
        [InlineData("Port=70000", "70000")]
        [InlineData("Port=-1", "between 1 and 65535")]
        [InlineData("ReceiveBufferSize=1000", "at least 4096")]
        [InlineData("QueueCapacity=8", "at least 16")]
        [InlineData("PipelineCapacity=0", "pipeline capacity")]
        [InlineData("Count=0", "-Count")]
        [InlineData("Timeout=0", "-Timeout")]
        public void Options_out_of_range_are_named_by_Validate_and_stop_the_listener_before_it_binds(string setting, string named)
        {
            var options = Options();
            var (name, value) = (setting.Split('=')[0], int.Parse(setting.Split('=')[1], CultureInfo.InvariantCulture));
            switch (name)
            {
                case "Port": options.Port = value; break;
                case "ReceiveBufferSize": options.ReceiveBufferSize = value; break;
                case "QueueCapacity": options.QueueCapacity = value; break;
                case "PipelineCapacity": options.PipelineCapacity = value; break;
                case "Count": options.Count = value; break;
                case "Timeout": options.Timeout = TimeSpan.FromSeconds(value); break;
                default: throw new ArgumentException(setting);
            }

            var ex = Assert.Throws<QlikActivityException>(() => options.Validate());
            Assert.Equal("InvalidListenerOption", ex.ErrorId);
            Assert.Equal(OperationErrorCategory.InvalidArgument, ex.Category);
            Assert.Contains(named, ex.Message);

            var listener = new EventListener(options);
            var host = new RecordingHost();
            var fromListener = Assert.Throws<QlikActivityException>(() => listener.Listen(host).ToList());
            Assert.Equal("InvalidListenerOption", fromListener.ErrorId);
            Assert.True(listener.Listening.IsFaulted);
            Assert.Empty(host.Warnings);
        }

        [Fact]
        public void Default_and_test_options_are_valid()
        {
            new EventListenerOptions().Validate();
            Options().Validate();
        }

        [Fact]
        public void The_summary_line_names_every_counter_in_the_invariant_culture()
        {
            var statistics = new ListenerStatistics
            {
                Duration = TimeSpan.FromSeconds(3725),
                Received = 1234567,
                Parsed = 1200000,
                Emitted = 1100000,
                EventsPerSecond = 295.3,
                Excluded = 100000,
                Rejected = 30000,
                RejectedByReason = new Dictionary<string, long> { ["UnknownPrefix"] = 29999, ["Oversize"] = 1, ["EmptyUser"] = 0 },
                DroppedSource = 4000,
                DroppedQueueFull = 567,
                QueueBacklog = 12,
                PipelineBacklog = 34,
                PipelineDropped = 56,
                KernelDropped = 7,
                DiscardedAtStop = 8,
                Truncated = 3,
                DestinationDropped = 9,
                Destinations = new[] { new DestinationStatistics { Name = "mqtt", Sent = 1099990, Dropped = 9, QueueDepth = 1 } },
                IsFinal = true,
            };

            var previous = CultureInfo.CurrentCulture;
            try
            {
                // A culture with other separators must not change the line.
                CultureInfo.CurrentCulture = new CultureInfo("de-DE");
                Assert.Equal(
                    "Listener stopped after 01:02:05: received 1,234,567, parsed 1,200,000, emitted 1,100,000 (295.3/s), excluded 100,000, "
                    + "rejected 30,000 (UnknownPrefix 29,999, Oversize 1), dropped 4,000 (not allowed source) + 567 (queue full), queue 12, "
                    + "pipeline backlog 34, pipeline dropped 56, dropped by the kernel before reading 7, discarded at stop 8, messages truncated 3, destination dropped 9; "
                    + "mqtt: sent 1,099,990, dropped 9, queued 1.",
                    statistics.ToSummaryLine());
            }
            finally
            {
                CultureInfo.CurrentCulture = previous;
            }
        }

        [Fact]
        public void The_summary_line_names_the_journal_and_each_destination_replay()
        {
            var statistics = new ListenerStatistics
            {
                Duration = TimeSpan.FromSeconds(61),
                Received = 5,
                Parsed = 5,
                Emitted = 5,
                EventsPerSecond = 0.08,
                Journaled = 1234,
                Destinations = new[]
                {
                    new DestinationStatistics { Name = "influx", Sent = 3, QueueDepth = 1, InFlight = 1, Replayed = 2 },
                    new DestinationStatistics { Name = "slack", Sent = 5, Deferred = 1001 },
                    new DestinationStatistics { Name = "mqtt", Sent = 5 },
                },
            };

            // A journal with no NotJournaled yet reads as 0; destinations show their drop total even when it is 0;
            // queued is the queue and what is in flight; the replay part only where something was replayed or deferred.
            Assert.Equal(
                "Listener after 00:01:01: received 5, parsed 5, emitted 5 (0.1/s), excluded 0, rejected 0, dropped 0 (not allowed source) + 0 (queue full), "
                + "queue 0, pipeline backlog 0, pipeline dropped 0, journaled 1,234, not journaled 0, destination dropped 0; "
                + "influx: sent 3, dropped 0, queued 2, replayed from the journal 2, left in the journal 0; "
                + "slack: sent 5, dropped 0, queued 0, replayed from the journal 0, left in the journal 1,001; "
                + "mqtt: sent 5, dropped 0, queued 0.",
                statistics.ToSummaryLine());

            statistics.NotJournaled = 7;
            statistics.KernelDropped = 0;
            statistics.Destinations = DestinationStatisticsList.None;
            Assert.EndsWith("pipeline dropped 0, dropped by the kernel before reading 0, journaled 1,234, not journaled 7.", statistics.ToSummaryLine(), StringComparison.Ordinal);
        }

        [Fact]
        public void New_statistics_hold_nothing()
        {
            var statistics = new ListenerStatistics();
            Assert.Equal("", statistics.Address);
            Assert.Empty(statistics.RejectedByReason);
            Assert.Same(DestinationStatisticsList.None, statistics.Destinations);
            Assert.Null(statistics.KernelDropped);
            Assert.Null(statistics.Journaled);
            Assert.Null(statistics.NotJournaled);
            Assert.Null(statistics.JournalPath);
            Assert.False(statistics.IsFinal);
            Assert.Equal("Received 0, parsed 0, rejected 0, excluded 0, emitted 0, dropped 0, destination dropped 0", statistics.ToString());
        }

        [Fact]
        public void The_brief_form_adds_both_kinds_of_drop()
        {
            var statistics = new ListenerStatistics { Received = 20, Parsed = 12, Rejected = 3, Excluded = 2, Emitted = 10, DroppedSource = 4, DroppedQueueFull = 1, DestinationDropped = 6 };
            Assert.Equal("Received 20, parsed 12, rejected 3, excluded 2, emitted 10, dropped 5, destination dropped 6", statistics.ToString());
        }

        [Fact]
        public void A_running_summary_leaves_out_what_did_not_happen()
        {
            var statistics = new ListenerStatistics { Duration = TimeSpan.FromSeconds(5), Received = 3, Parsed = 3, Emitted = 3, EventsPerSecond = 0.6 };
            Assert.Equal(
                "Listener after 00:00:05: received 3, parsed 3, emitted 3 (0.6/s), excluded 0, rejected 0, dropped 0 (not allowed source) + 0 (queue full), "
                + "queue 0, pipeline backlog 0, pipeline dropped 0.",
                statistics.ToSummaryLine());
        }

        [Fact]
        public void The_pipeline_queue_keeps_its_capacity_counts_the_overflow_and_what_is_left_at_stop()
        {
            var signal = new ConsumerSignal();
            var queue = new PipelineQueue(3, signal);
            for (int i = 0; i < 5; i++)
            {
                queue.Add(new UserEvent { UserId = "u" + i });
            }

            Assert.True(queue.TryTake(out var first));
            Assert.Equal("u0", first.UserId);

            // The caller took one: there is room for one more, not two.
            queue.Add(new UserEvent { UserId = "u5" });
            queue.Add(new UserEvent { UserId = "u6" });

            var running = new ListenerStatistics();
            queue.CopyCountersTo(running);
            Assert.Equal(1, running.Written);
            Assert.Equal(3, running.PipelineDropped);
            Assert.Equal(3, running.PipelineBacklog);

            queue.DiscardRest();
            Assert.True(queue.IsEmpty);
            Assert.False(queue.TryTake(out _));
            var final = new ListenerStatistics();
            queue.CopyCountersTo(final);
            Assert.Equal(1, final.Written);
            Assert.Equal(6, final.PipelineDropped);
            Assert.Equal(0, final.PipelineBacklog);

            // Emitted = Written + PipelineDropped once nothing waits: 7 offered, 1 + 6 accounted for.
            Assert.Equal(7, final.Written + final.PipelineDropped);
        }

        [Fact]
        public void Notes_are_kept_up_to_ten_per_interval()
        {
            var notes = new ListenerNotes();
            for (int i = 0; i < 25; i++)
            {
                notes.Add("note " + i);
            }

            Assert.False(notes.HasRoom);
            var host = new RecordingHost();
            notes.WriteTo(host);
            Assert.Equal(Enumerable.Range(0, ListenerNotes.PerInterval).Select(i => "note " + i), host.Debug);

            notes.StartInterval();
            Assert.True(notes.HasRoom);
            notes.Add("next interval");
            notes.WriteTo(host);
            Assert.Equal("next interval", host.Debug.Last());
        }
    }
}
