using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Destinations;
using Xunit;

namespace QlikActivity.Core.Tests.Destinations
{
    public class QueuedDestinationTests
    {
        private sealed class ScriptedDestination : QueuedDestination
        {
            public ScriptedDestination(DestinationQueueOptions options) : base("scripted", options) { }

            public ConcurrentQueue<UserEvent> Delivered { get; } = new();
            public int FailuresLeft;
            public bool Permanent;
            public TaskCompletionSource<bool>? Gate;

            protected override async Task SendBatchAsync(IReadOnlyList<UserEvent> batch, CancellationToken cancellationToken)
            {
                if (Gate != null)
                {
                    await Gate.Task.WaitAsync(cancellationToken);
                }

                if (Interlocked.Decrement(ref FailuresLeft) >= 0)
                {
                    throw new DestinationException("broker said no", retryable: !Permanent, retryAfter: TimeSpan.FromMilliseconds(1));
                }

                foreach (var e in batch)
                {
                    Delivered.Enqueue(e);
                }
            }
        }

        private static UserEvent Event(int i) => new UserEvent { UserId = "u" + i, UserDirectory = "LAB" };

        [Fact]
        public async Task Retries_until_delivered_and_counts_every_event()
        {
            var d = new ScriptedDestination(new DestinationQueueOptions { BatchSize = 10, BatchInterval = TimeSpan.FromMilliseconds(5) }) { FailuresLeft = 2 };
            await d.StartAsync(CancellationToken.None);
            for (int i = 0; i < 25; i++)
            {
                Assert.True(d.TryEnqueue(Event(i)));
            }

            await d.StopAsync(TimeSpan.FromSeconds(30));
            var s = d.GetStatistics();
            Assert.Equal(25, d.Delivered.Count);
            Assert.Equal(25, s.Sent);
            Assert.Equal(2, s.Failed);
            Assert.Equal(2, s.Retried);
            Assert.Equal(0, s.Dropped);
            Assert.Equal("broker said no", s.LastError);
        }

        [Fact]
        public async Task A_full_queue_drops_new_events_and_counts_them()
        {
            var d = new ScriptedDestination(new DestinationQueueOptions { QueueCapacity = 5, BatchSize = 1 }) { Gate = new TaskCompletionSource<bool>() };
            await d.StartAsync(CancellationToken.None);
            int accepted = 0;
            for (int i = 0; i < 50; i++)
            {
                if (d.TryEnqueue(Event(i)))
                {
                    accepted++;
                }
            }

            d.Gate.SetResult(true);
            await d.StopAsync(TimeSpan.FromSeconds(30));
            var s = d.GetStatistics();
            Assert.Equal(50, s.Enqueued);
            Assert.Equal(50 - accepted, s.Dropped);
            Assert.Equal(accepted, s.Sent);
            Assert.Equal(s.Enqueued, s.Sent + s.Dropped + s.QueueDepth + s.InFlight);
        }

        [Fact]
        public async Task A_permanent_failure_drops_the_batch_without_retrying()
        {
            var d = new ScriptedDestination(new DestinationQueueOptions { BatchSize = 100, BatchInterval = TimeSpan.FromMilliseconds(50) }) { FailuresLeft = 1, Permanent = true };
            await d.StartAsync(CancellationToken.None);
            for (int i = 0; i < 3; i++)
            {
                d.TryEnqueue(Event(i));
            }

            await d.StopAsync(TimeSpan.FromSeconds(30));
            var s = d.GetStatistics();
            Assert.Equal(0, s.Retried);
            Assert.Equal(3, s.Sent + s.Dropped);
            Assert.True(s.Dropped >= 1);
        }

        [Fact]
        public async Task Stop_with_a_dead_destination_returns_and_counts_the_rest_as_dropped()
        {
            var d = new ScriptedDestination(new DestinationQueueOptions { BatchSize = 2, MaxAttempts = 0 }) { Gate = new TaskCompletionSource<bool>() };
            await d.StartAsync(CancellationToken.None);
            for (int i = 0; i < 10; i++)
            {
                d.TryEnqueue(Event(i));
            }

            await d.StopAsync(TimeSpan.FromMilliseconds(200));
            var s = d.GetStatistics();
            Assert.Equal(10, s.Dropped);
            Assert.Equal(0, s.Sent);
            Assert.Equal(0, s.QueueDepth + s.InFlight);
        }
    }
}
