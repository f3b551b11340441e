using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Destinations;
using QlikActivity.Core.Events;
using Xunit;

namespace QlikActivity.Core.Tests.Events
{
    /// <summary>Runs a real listener on the test thread while a sender works on another.</summary>
    internal static class ListenerHarness
    {
        public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

        public static string Datagram(string userId, UserEventType type = UserEventType.SessionStart, string directory = "CORP", string host = "qs1") =>
            $"/qseow-proxy-session/;{host};{UserEventParser.CommandOf(type)};{directory};{userId};AppAccess;/hub/;{UserEventParser.CommandOf(type)} for user '{directory}\\{userId}' UserAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0'";

        /// <summary>Options that never hang a test run: loopback, a free port, and a generous timeout.</summary>
        public static EventListenerOptions Options(string address = "127.0.0.1") => new EventListenerOptions
        {
            Address = address,
            Port = 0,
            Timeout = Patience,
            ReceiveBufferSize = 1024 * 1024,
            AllowedSources = new[] { "127.0.0.1", "::1" },
        };

        public static (List<UserEvent> Events, ListenerStatistics Statistics, RecordingHost Host) Run(
            EventListenerOptions options, Func<EventListener, IPEndPoint, RecordingHost, Task> send, RecordingHost? host = null)
        {
            host ??= new RecordingHost();
            var listener = new EventListener(options);
            var h = host;
            var sender = Task.Run(async () =>
            {
                var endPoint = await listener.Listening;
                await send(listener, endPoint, h);
            });
            var events = new List<UserEvent>();
            foreach (var e in listener.Listen(host))
            {
                events.Add(e);
            }

            Assert.True(sender.Wait(Patience), "the sender did not finish");
            sender.GetAwaiter().GetResult();
            Assert.False(host.WroteFromOtherThread, "Core wrote to the host from another thread");
            AssertBalanced(listener.Statistics!, options.WriteEvents);
            return (events, listener.Statistics!, host);
        }

        /// <summary>
        /// The counting invariants of a finished run: every datagram, every event and every event handed to a
        /// destination is accounted for once. <paramref name="writeEvents"/> false: nothing went to the pipeline.
        /// </summary>
        public static void AssertBalanced(ListenerStatistics s, bool writeEvents = true)
        {
            Assert.True(s.IsFinal);
            Assert.Equal(0, s.QueueBacklog);
            Assert.Equal(0, s.PipelineBacklog);
            Assert.Equal(s.Received, s.Parsed + s.Rejected + s.DroppedSource + s.DroppedQueueFull + s.DiscardedAtStop);
            Assert.Equal(s.Parsed, s.Excluded + s.Emitted);
            if (writeEvents)
            {
                // Each emitted event was written to the pipeline or counted as dropped there (full, or left at the stop).
                Assert.Equal(s.Emitted, s.Written + s.PipelineDropped);
            }
            else
            {
                Assert.Equal(0, s.Written);
                Assert.Equal(0, s.PipelineDropped);
            }

            long byReason = 0;
            foreach (var pair in s.RejectedByReason)
            {
                byReason += pair.Value;
            }

            Assert.Equal(s.Rejected, byReason);

            // Every destination accounts for each event it accepted, and the listener's total is theirs.
            long destinationDropped = 0;
            foreach (var d in s.Destinations)
            {
                Assert.Equal(0, d.QueueDepth);
                Assert.Equal(0, d.InFlight);
                // With a journal, events also come from it (Replayed) and are left there (Deferred); both 0 without.
                Assert.Equal(d.Enqueued + d.Replayed, d.Sent + d.Dropped + d.Deferred);
                Assert.True(d.Enqueued <= s.Emitted, $"{d.Name} accepted {d.Enqueued} of {s.Emitted} emitted");
                destinationDropped += d.Dropped;
            }

            Assert.Equal(destinationDropped, s.DestinationDropped);
            if (s.Journaled.HasValue)
            {
                Assert.Equal(s.Emitted, s.Journaled + s.NotJournaled);
            }
        }

        public static Socket Sender(IPEndPoint to)
        {
            var socket = new Socket(to.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            socket.Connect(to);
            return socket;
        }

        public static void Send(Socket socket, string text) => socket.Send(Encoding.UTF8.GetBytes(text));

        /// <summary>Waits (polling, generously) until the condition holds; fails the test otherwise.</summary>
        public static async Task WaitFor(Func<bool> condition, string what)
        {
            var deadline = DateTime.UtcNow + Patience;
            while (!condition())
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException("waited in vain for " + what);
                }

                await Task.Delay(5);
            }
        }
    }

    /// <summary>A destination with a small queue that records what it got.</summary>
    internal sealed class RecordingDestination : IEventDestination
    {
        private readonly int _capacity;
        private long _enqueued;
        private long _dropped;

        public RecordingDestination(string name, int capacity = int.MaxValue)
        {
            Name = name;
            _capacity = capacity;
        }

        public string Name { get; }

        public ConcurrentQueue<UserEvent> Events { get; } = new ConcurrentQueue<UserEvent>();

        public bool Started { get; private set; }

        public TimeSpan? StoppedWith { get; private set; }

        public Task StartAsync(CancellationToken cancellationToken)
        {
            Started = true;
            return Task.CompletedTask;
        }

        public bool TryEnqueue(UserEvent userEvent)
        {
            if (Events.Count >= _capacity)
            {
                Interlocked.Increment(ref _dropped);
                return false;
            }

            Interlocked.Increment(ref _enqueued);
            Events.Enqueue(userEvent);
            return true;
        }

        public Task StopAsync(TimeSpan drainTimeout)
        {
            StoppedWith = drainTimeout;
            return Task.CompletedTask;
        }

        public DestinationStatistics GetStatistics() => new DestinationStatistics
        {
            Name = Name,
            Enqueued = Interlocked.Read(ref _enqueued) + Interlocked.Read(ref _dropped),
            Sent = Interlocked.Read(ref _enqueued),
            Dropped = Interlocked.Read(ref _dropped),
        };

        public ValueTask DisposeAsync() => default;
    }
}
