using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Destinations;
using QlikActivity.Core.Journal;
using QlikActivity.Core.Tests.Journal;
using Xunit;

namespace QlikActivity.Core.Tests.Destinations
{
    /// <summary>Delivery from the journal: a destination's position, replay after a restart, and overflow of the memory queue into the journal.</summary>
    public class JournalReplayTests : JournalTestBase
    {
        private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

        /// <summary>A real queued destination whose sender can be held closed (a destination that is down).</summary>
        private sealed class GatedDestination : QueuedDestination
        {
            private volatile TaskCompletionSource<bool> _gate = Open();

            public GatedDestination(string name, int capacity, int batchSize = 50)
                : base(name, new DestinationQueueOptions { QueueCapacity = capacity, BatchSize = batchSize, BatchInterval = TimeSpan.FromMilliseconds(5), MaxAttempts = 0 })
            {
            }

            public ConcurrentQueue<string> Delivered { get; } = new ConcurrentQueue<string>();

            public void Close() => _gate = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

            public void Reopen() => _gate.TrySetResult(true);

            protected override async Task SendBatchAsync(IReadOnlyList<UserEvent> batch, CancellationToken cancellationToken)
            {
                await _gate.Task.WaitAsync(cancellationToken);
                foreach (var e in batch)
                {
                    Delivered.Enqueue(e.UserId);
                }
            }

            private static TaskCompletionSource<bool> Open()
            {
                var open = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                open.SetResult(true);
                return open;
            }
        }

        private static string User(int i) => "u" + i.ToString("D5");

        // As the listener does: into the journal first, then to the destination.
        private static bool Feed(EventJournal journal, QueuedDestination destination, int i)
        {
            var e = Event(UserEventType.ConnectionOpen, T0.AddMilliseconds(i), user: User(i));
            e.JournalId = journal.Append(e);
            Assert.NotEqual(0, e.JournalId);
            return destination.TryEnqueue(e);
        }

        private static async Task WaitForAsync(Func<bool> condition, Func<string> what)
        {
            var deadline = DateTime.UtcNow + Patience;
            while (!condition())
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException("waited in vain: " + what());
                }

                await Task.Delay(10);
            }
        }

        private static void AssertBalanced(DestinationStatistics s) =>
            Assert.Equal(s.Enqueued + s.Replayed, s.Sent + s.Dropped + s.Deferred + s.QueueDepth + s.InFlight);

        [Fact]
        public async Task A_destination_new_to_the_journal_starts_at_its_end()
        {
            var journal = OpenJournal();
            for (int i = 0; i < 30; i++)
            {
                journal.Append(Event(UserEventType.ConnectionOpen, T0.AddSeconds(i), user: User(i)));
            }

            Flush(journal);
            var d = new GatedDestination("new", capacity: 100);
            ((IJournaledDestination)d).UseJournal(journal);
            Assert.False(d.Replay!.Resumed);
            Assert.Equal(30, d.Replay.StartPosition);
            await d.StartAsync(CancellationToken.None);
            Assert.True(Feed(journal, d, 30));
            await WaitForAsync(() => d.Delivered.Count == 1, () => $"{d.Delivered.Count} delivered");
            await d.StopAsync(Patience);

            Assert.Equal(new[] { User(30) }, d.Delivered.ToArray());
            Assert.Equal(0, d.GetStatistics().Replayed);
            Flush(journal);
            Assert.Equal(31, journal.GetPosition(d.JournalKey));
        }

        [Fact]
        public async Task A_restart_resumes_after_the_saved_position_in_order_before_new_events()
        {
            var journal = OpenJournal();
            for (int i = 0; i < 100; i++)
            {
                journal.Append(Event(UserEventType.ConnectionOpen, T0.AddSeconds(i), user: User(i)));
            }

            // The last run delivered the first 40 (ids 1..40).
            journal.AdvancePosition("resuming", 40);
            Flush(journal);

            var d = new GatedDestination("resuming", capacity: 1000, batchSize: 7);
            ((IJournaledDestination)d).UseJournal(journal);
            Assert.True(d.Replay!.Resumed);
            Assert.Equal(60, d.Replay.Backlog);
            await d.StartAsync(CancellationToken.None);
            for (int i = 100; i < 120; i++)
            {
                Assert.True(Feed(journal, d, i));
            }

            await WaitForAsync(() => d.Delivered.Count >= 80, () => $"{d.Delivered.Count} delivered");
            await d.StopAsync(Patience);

            Assert.Equal(Enumerable.Range(40, 80).Select(User), d.Delivered.ToArray());
            var s = d.GetStatistics();
            Assert.Equal(60, s.Replayed);
            Assert.Equal(20, s.Enqueued);
            Assert.Equal(80, s.Sent);
            Assert.Equal(0, s.Dropped);
            AssertBalanced(s);
            Flush(journal);
            Assert.Equal(120, journal.GetPosition("resuming"));
        }

        [Fact]
        public async Task An_outage_longer_than_the_memory_queue_is_delivered_from_the_journal_in_order()
        {
            var journal = OpenJournal();
            var d = new GatedDestination("overflow", capacity: 10, batchSize: 5);
            ((IJournaledDestination)d).UseJournal(journal);
            await d.StartAsync(CancellationToken.None);
            d.Close();
            for (int i = 0; i < 300; i++)
            {
                // Never refused: what the queue cannot hold stays in the journal.
                Assert.True(Feed(journal, d, i));
            }

            var down = d.GetStatistics();
            Assert.True(down.Deferred >= 300 - 10 - 5, $"deferred {down.Deferred}");
            Assert.Equal(0, down.Dropped);
            AssertBalanced(down);

            d.Reopen();
            // Events keep coming while it catches up; they queue behind the journal's share.
            for (int i = 300; i < 400; i++)
            {
                Assert.True(Feed(journal, d, i));
                if (i % 10 == 0)
                {
                    await Task.Delay(1);
                }
            }

            await WaitForAsync(() => d.Delivered.Count >= 400, () => $"{d.Delivered.Count} delivered, {d.GetStatistics().Deferred} deferred, {d.GetStatistics().Replayed} replayed");
            await d.StopAsync(Patience);

            Assert.Equal(Enumerable.Range(0, 400).Select(User), d.Delivered.ToArray());
            var s = d.GetStatistics();
            Assert.Equal(400, s.Enqueued);
            Assert.Equal(400, s.Sent);
            Assert.Equal(s.Deferred, s.Replayed);
            Assert.True(s.Replayed > 0);
            Assert.Equal(0, s.Dropped);
            AssertBalanced(s);
        }

        [Fact]
        public void Replay_reads_only_what_was_deferred_not_what_the_listener_has_yet_to_offer()
        {
            // The listener appends to the journal before it offers the event to the destination; replay
            // must not deliver an event in that gap, or the event would arrive again from the memory queue
            // (the race behind a Sent count of 410 for 400 events).
            var journal = OpenJournal();
            using var replay = new JournalReplay(journal, "gap", _ => true);
            long first = journal.Append(Event(UserEventType.ConnectionOpen, T0, user: User(1)));
            Assert.Equal(JournalReplay.Outcome.Deferred, replay.TryDefer(first, queueFull: true));
            long second = journal.Append(Event(UserEventType.ConnectionOpen, T0.AddSeconds(1), user: User(2)));
            Flush(journal);

            var events = replay.Next(queueEmpty: true, max: 10, out long through);
            Assert.Equal(new[] { User(1) }, events!.Select(e => e.UserId));
            Assert.Equal(first, through);
            replay.Delivered(through);

            // Offered now: still deferred, so it comes from the journal, once.
            Assert.Equal(JournalReplay.Outcome.Deferred, replay.TryDefer(second, queueFull: false));
            events = replay.Next(queueEmpty: true, max: 10, out through);
            Assert.Equal(new[] { User(2) }, events!.Select(e => e.UserId));
            Assert.Equal(second, through);
            replay.Delivered(through);

            // Caught up: the memory queue is used again.
            Assert.Null(replay.Next(queueEmpty: true, max: 10, out _));
            Assert.False(replay.HasWork);
            long third = journal.Append(Event(UserEventType.ConnectionOpen, T0.AddSeconds(2), user: User(3)));
            Assert.Equal(JournalReplay.Outcome.UseQueue, replay.TryDefer(third, queueFull: false));
        }

        [Fact]
        public async Task What_is_undelivered_at_stop_stays_in_the_journal_for_the_next_run()
        {
            var journal = OpenJournal();
            var first = new GatedDestination("stopping", capacity: 1000);
            ((IJournaledDestination)first).UseJournal(journal);
            await first.StartAsync(CancellationToken.None);
            for (int i = 0; i < 20; i++)
            {
                Assert.True(Feed(journal, first, i));
            }

            await WaitForAsync(() => first.Delivered.Count == 20, () => $"{first.Delivered.Count} delivered");
            first.Close();
            for (int i = 20; i < 50; i++)
            {
                Assert.True(Feed(journal, first, i));
            }

            await first.StopAsync(TimeSpan.Zero);
            var stopped = first.GetStatistics();
            Assert.Equal(30, stopped.Deferred);
            Assert.Equal(0, stopped.Dropped);
            AssertBalanced(stopped);
            Flush(journal);
            Assert.Equal(20, journal.GetPosition("stopping"));

            var second = new GatedDestination("stopping", capacity: 1000);
            ((IJournaledDestination)second).UseJournal(journal);
            await second.StartAsync(CancellationToken.None);
            await WaitForAsync(() => second.Delivered.Count == 30, () => $"{second.Delivered.Count} delivered");
            await second.StopAsync(Patience);
            Assert.Equal(Enumerable.Range(20, 30).Select(User), second.Delivered.ToArray());
            Assert.Equal(30, second.GetStatistics().Replayed);
        }

        [Fact]
        public async Task Replay_skips_what_the_destination_filters_out_but_moves_past_it()
        {
            var journal = OpenJournal();
            for (int i = 0; i < 40; i++)
            {
                var type = i % 2 == 0 ? UserEventType.SessionStart : UserEventType.ConnectionOpen;
                journal.Append(Event(type, T0.AddSeconds(i), user: User(i)));
            }

            journal.AdvancePosition("starts", 0);
            Flush(journal);
            var d = new StartsOnly("starts");
            ((IJournaledDestination)d).UseJournal(journal);
            await d.StartAsync(CancellationToken.None);
            await WaitForAsync(() => d.Delivered.Count == 20, () => $"{d.Delivered.Count} delivered");
            await d.StopAsync(Patience);
            Assert.Equal(Enumerable.Range(0, 20).Select(i => User(i * 2)), d.Delivered.ToArray());
            Flush(journal);
            Assert.Equal(40, journal.GetPosition("starts"));
        }

        private sealed class StartsOnly : QueuedDestination
        {
            public StartsOnly(string name) : base(name, new DestinationQueueOptions { BatchSize = 3, BatchInterval = TimeSpan.Zero }) { }

            public ConcurrentQueue<string> Delivered { get; } = new ConcurrentQueue<string>();

            protected override bool Accepts(UserEvent userEvent) => userEvent.EventType == UserEventType.SessionStart;

            protected override Task SendBatchAsync(IReadOnlyList<UserEvent> batch, CancellationToken cancellationToken)
            {
                foreach (var e in batch)
                {
                    Delivered.Enqueue(e.UserId);
                }

                return Task.CompletedTask;
            }
        }
    }
}
