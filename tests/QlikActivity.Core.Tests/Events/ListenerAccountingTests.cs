using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Destinations;
using QlikActivity.Core.Events;
using Xunit;
using static QlikActivity.Core.Tests.Events.ListenerHarness;

namespace QlikActivity.Core.Tests.Events
{
    /// <summary>
    /// Where events can go missing without a counter: excluded events reaching destinations, and datagrams
    /// that do not fit the intake queue. Each case is made to happen for certain, then counted exactly.
    /// </summary>
    public class ListenerAccountingTests
    {
        [Fact]
        public void Excluded_events_reach_no_destination_and_no_pipeline()
        {
            var destination = new RecordingDestination("d");
            var options = Options();
            options.ExcludeUsers = new[] { "CORP\\svc_*" };
            options.Destinations = new[] { destination };
            options.Count = 2;
            var (events, stats, _) = Run(options, async (_, to, _) =>
            {
                using var socket = Sender(to);
                Send(socket, Datagram("svc_reload"));
                Send(socket, Datagram("anna"));
                Send(socket, Datagram("svc_backup"));
                Send(socket, Datagram("ben"));
                await Task.CompletedTask;
            });

            Assert.Equal(new[] { "anna", "ben" }, events.Select(e => e.UserId));
            Assert.Equal(new[] { "anna", "ben" }, destination.Events.Select(e => e.UserId));
            Assert.Equal(2, stats.Excluded);
            Assert.Equal(2, stats.Emitted);
            Assert.Equal(2, stats.Destinations[0].Enqueued);
        }

        [Fact]
        public void Datagrams_that_find_the_intake_queue_full_are_counted_as_DroppedQueueFull()
        {
            // The parse worker hands each event to the destinations on its own thread: a destination that
            // blocks holds the worker, so the intake queue (16 datagrams) fills and the rest must be counted.
            const int Capacity = 16;
            const int Sent = 40;
            var gate = new BlockingDestination("gate");
            var options = Options();
            options.QueueCapacity = Capacity;
            options.Destinations = new[] { gate };
            long droppedWhileBlocked = -1;
            var (events, stats, _) = Run(options, async (listener, to, host) =>
            {
                using var socket = Sender(to);
                Send(socket, Datagram("u0"));
                await WaitFor(() => gate.Blocked, "the worker to block in the destination");
                for (int i = 1; i < Sent; i++)
                {
                    Send(socket, Datagram("u" + i));
                }

                await WaitFor(() => listener.GetStatistics().Received == Sent, "all datagrams received");
                droppedWhileBlocked = listener.GetStatistics().DroppedQueueFull;
                gate.Release();
                await WaitFor(() =>
                {
                    var s = listener.GetStatistics();
                    return s.QueueBacklog == 0 && s.Parsed > 0 && s.Written + s.PipelineDropped == s.Emitted;
                }, "the queue to be worked off and every event taken");
                host.Cancel();
            });

            // Sixteen fit the queue (u0, with the worker, still holds its place there); the other 24 did not.
            Assert.Equal(Sent - Capacity, droppedWhileBlocked);
            Assert.Equal(Sent, stats.Received);
            Assert.Equal(Sent - Capacity, stats.DroppedQueueFull);
            Assert.Equal(Capacity, stats.Parsed);
            Assert.Equal(Enumerable.Range(0, Capacity).Select(i => "u" + i), gate.Events.Select(e => e.UserId));
            Assert.Equal(Capacity, events.Count);
            Assert.Equal(0, stats.KernelDropped ?? 0);
        }

        /// <summary>A destination whose first TryEnqueue waits until the test releases it.</summary>
        private sealed class BlockingDestination : IEventDestination
        {
            private readonly ManualResetEventSlim _release = new ManualResetEventSlim();
            private int _blocked;

            public BlockingDestination(string name) => Name = name;

            public string Name { get; }

            public bool Blocked => Volatile.Read(ref _blocked) == 1;

            public ConcurrentQueue<UserEvent> Events { get; } = new ConcurrentQueue<UserEvent>();

            public void Release() => _release.Set();

            public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

            public bool TryEnqueue(UserEvent userEvent)
            {
                if (Interlocked.CompareExchange(ref _blocked, 1, 0) == 0)
                {
                    _release.Wait(Patience);
                }

                Events.Enqueue(userEvent);
                return true;
            }

            public Task StopAsync(TimeSpan drainTimeout)
            {
                _release.Set();
                return Task.CompletedTask;
            }

            public DestinationStatistics GetStatistics() => new DestinationStatistics
            {
                Name = Name,
                Enqueued = Events.Count,
                Sent = Events.Count,
            };

            public ValueTask DisposeAsync() => default;
        }
    }
}
