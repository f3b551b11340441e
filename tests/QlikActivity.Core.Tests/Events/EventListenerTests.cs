using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Events;
using Xunit;
using static QlikActivity.Core.Tests.Events.ListenerHarness;

namespace QlikActivity.Core.Tests.Events
{
    public class EventListenerTests
    {
        [Theory]
        [InlineData("127.0.0.1")]
        [InlineData("::1")]
        public void Events_sent_over_loopback_come_out_in_order_with_the_sender_address(string address)
        {
            var options = Options(address);
            options.Count = 50;
            var (events, stats, host) = Run(options, async (_, to, _) =>
            {
                using var socket = Sender(to);
                for (int i = 0; i < 50; i++)
                {
                    Send(socket, Datagram("user" + i));
                }

                await Task.CompletedTask;
            });

            Assert.Equal(Enumerable.Range(0, 50).Select(i => "user" + i), events.Select(e => e.UserId));
            Assert.All(events, e => Assert.Equal(address, e.Source));
            Assert.All(events, e => Assert.Equal(DateTimeKind.Utc, e.ReceivedAt.Kind));
            Assert.Equal(50, stats.Received);
            Assert.Equal(50, stats.Emitted);
            Assert.Equal(50, stats.Written);
            Assert.Equal(address, stats.Address);
            Assert.True(stats.Port > 0);
            Assert.Contains(host.Verbose, v => v.StartsWith("Listener stopped", StringComparison.Ordinal) && v.Contains("emitted 50"));
        }

        [Fact]
        public void On_an_IPv6_socket_IPv4_senders_are_seen_and_allowed_as_IPv4()
        {
            // A dual-mode socket reports IPv4 senders as ::ffff:a.b.c.d; the listener shows and checks them as a.b.c.d.
            var options = Options("::ffff:127.0.0.1");
            options.AllowedSources = new[] { "127.0.0.0/8" };
            options.Count = 3;
            var (events, stats, _) = Run(options, async (_, to, _) =>
            {
                Assert.Equal(AddressFamily.InterNetworkV6, to.AddressFamily);
                using var socket = Sender(new IPEndPoint(IPAddress.Loopback, to.Port));
                for (int i = 0; i < 3; i++)
                {
                    Send(socket, Datagram("v4user" + i));
                }

                await Task.CompletedTask;
            });

            Assert.Equal(3, events.Count);
            Assert.All(events, e => Assert.Equal("127.0.0.1", e.Source));
            Assert.Equal(0, stats.DroppedSource);
        }

        [Fact]
        public void Rejected_excluded_and_filtered_datagrams_are_counted_not_emitted()
        {
            var options = Options();
            options.ExcludeUsers = new[] { "CORP\\svc_*", "sa_*" };
            options.EventTypes = new[] { UserEventType.SessionStart, UserEventType.SessionStop };
            options.Tags = new Dictionary<string, string> { ["env"] = "PROD" };
            options.Count = 2;
            var (events, stats, host) = Run(options, async (_, to, _) =>
            {
                using var socket = Sender(to);
                Send(socket, "garbage");
                Send(socket, "/qseow-proxy-session/;qs1;Start session;CORP");
                Send(socket, "/qseow-proxy-session/;qs1;Start session;;;AppAccess;/hub/;x");
                Send(socket, "/qseow-proxy-session/;qs1;Reboot;CORP;x;o;c;m");
                socket.Send(new byte[] { 0x2F, 0xFF, 0xFE });
                Send(socket, Datagram("svc_reload"));
                Send(socket, Datagram("sa_scheduler", directory: "INTERNAL"));
                Send(socket, Datagram("anna", UserEventType.ConnectionOpen));
                Send(socket, Datagram("anna"));
                Send(socket, Datagram("ben", UserEventType.SessionStop));
                await Task.CompletedTask;
            });

            Assert.Equal(new[] { "anna", "ben" }, events.Select(e => e.UserId));
            Assert.All(events, e => Assert.Equal("PROD", e.Tags["env"]));
            Assert.All(events, e => Assert.Equal("env=PROD", e.Tags.ToString())); // as Export-Csv writes it
            Assert.Equal(10, stats.Received);
            Assert.Equal(5, stats.Rejected);
            Assert.Equal(1, stats.RejectedByReason["UnknownPrefix"]);
            Assert.Equal(1, stats.RejectedByReason["TooFewFields"]);
            Assert.Equal(1, stats.RejectedByReason["EmptyUser"]);
            Assert.Equal(1, stats.RejectedByReason["UnknownCommand"]);
            Assert.Equal(1, stats.RejectedByReason["InvalidUtf8"]);
            Assert.Equal(0, stats.RejectedByReason["Oversize"]);
            Assert.Equal(3, stats.Excluded);
            Assert.Equal(2, stats.Emitted);
            Assert.Contains(host.Debug, d => d.Contains("TooFewFields"));
        }

        [Fact]
        public void Datagrams_from_a_sender_not_allowed_are_counted_and_dropped()
        {
            var options = Options();
            options.AllowedSources = new[] { "10.0.0.0/8", "::1" };
            var (events, stats, host) = Run(options, async (listener, to, h) =>
            {
                using var socket = Sender(to);
                for (int i = 0; i < 20; i++)
                {
                    Send(socket, Datagram("intruder" + i));
                }

                await WaitFor(() => listener.GetStatistics().DroppedSource == 20, "20 dropped");
                h.Cancel();
            });

            Assert.Empty(events);
            Assert.Equal(20, stats.Received);
            Assert.Equal(20, stats.DroppedSource);
            Assert.Equal(0, stats.Parsed);
            Assert.Contains(host.Debug, d => d.Contains("127.0.0.1") && d.Contains("AllowedSource"));
            Assert.DoesNotContain(host.Warnings, w => w.Contains("No -AllowedSource"));
        }

        [Fact]
        public void Without_allowed_sources_it_warns_once_that_anyone_can_inject()
        {
            var options = Options();
            options.AllowedSources = Array.Empty<string>();
            options.Count = 1;
            var (_, _, host) = Run(options, async (_, to, _) =>
            {
                using var socket = Sender(to);
                Send(socket, Datagram("anna"));
                await Task.CompletedTask;
            });
            Assert.Single(host.Warnings, w => w.Contains("No -AllowedSource") && w.Contains("inject"));
        }

        [Fact]
        public void Destinations_are_started_fed_and_stopped_and_a_full_one_counts_drops()
        {
            var roomy = new RecordingDestination("roomy");
            var tiny = new RecordingDestination("tiny", capacity: 3);
            var options = Options();
            options.Destinations = new[] { roomy, tiny };
            options.DestinationDrainTimeout = TimeSpan.FromSeconds(2);
            options.Count = 10;
            var (events, stats, _) = Run(options, async (_, to, _) =>
            {
                Assert.True(roomy.Started && tiny.Started);
                using var socket = Sender(to);
                for (int i = 0; i < 10; i++)
                {
                    Send(socket, Datagram("u" + i));
                }

                await Task.CompletedTask;
            });

            Assert.Equal(10, events.Count);
            Assert.Equal(events.Select(e => e.UserId), roomy.Events.Select(e => e.UserId));
            Assert.Equal(3, tiny.Events.Count);
            Assert.Equal(7, stats.DestinationDropped);
            Assert.Equal(TimeSpan.FromSeconds(2), roomy.StoppedWith);
            Assert.Equal(TimeSpan.FromSeconds(2), tiny.StoppedWith);
            Assert.Equal(new[] { "roomy", "tiny" }, stats.Destinations.Select(d => d.Name));
            Assert.Equal(7, stats.Destinations[1].Dropped);
        }

        [Fact]
        public void NoEvents_forwards_and_counts_but_writes_nothing()
        {
            var destination = new RecordingDestination("d");
            var options = Options();
            options.Destinations = new[] { destination };
            options.WriteEvents = false;
            options.Count = 5;
            var (events, stats, _) = Run(options, async (_, to, _) =>
            {
                using var socket = Sender(to);
                for (int i = 0; i < 5; i++)
                {
                    Send(socket, Datagram("u" + i));
                }

                await Task.CompletedTask;
            });

            Assert.Empty(events);
            Assert.Equal(5, destination.Events.Count);
            Assert.Equal(5, stats.Emitted);
            Assert.Equal(0, stats.Written);
            Assert.Equal(0, stats.PipelineDropped);
        }

        [Fact]
        public void A_slow_pipeline_never_stalls_the_socket_its_overflow_is_counted()
        {
            var options = Options();
            options.PipelineCapacity = 16;
            var host = new RecordingHost();
            var listener = new EventListener(options);
            var sender = Task.Run(async () =>
            {
                using var socket = Sender(await listener.Listening);
                for (int i = 0; i < 300; i++)
                {
                    Send(socket, Datagram("u" + i));
                    if (i % 50 == 49)
                    {
                        await WaitFor(() => listener.GetStatistics().Received == i + 1, "the receive to keep up");
                    }
                }
            });

            int written = 0;
            foreach (var e in listener.Listen(host))
            {
                if (written++ == 0)
                {
                    // The consumer sits on its first event while all the rest arrive.
                    WaitFor(() => listener.GetStatistics().Parsed == 300, "all 300 parsed").GetAwaiter().GetResult();
                    host.Cancel();
                }
            }

            sender.GetAwaiter().GetResult();
            var stats = listener.Statistics!;
            AssertBalanced(stats);
            Assert.Equal(300, stats.Received);
            Assert.Equal(300, stats.Emitted);
            Assert.Equal(0, stats.DroppedQueueFull);
            Assert.Equal(written, stats.Written);
            Assert.True(stats.PipelineDropped >= 300 - 16 - 1, $"pipeline dropped {stats.PipelineDropped}");
            Assert.Equal(300, stats.Written + stats.PipelineDropped);
        }

        [Fact]
        public async Task Timeout_ends_an_idle_listener_when_its_clock_says_so_and_not_before()
        {
            // The listener's clock moves only when the test moves it: the run must end at 1 s on that clock,
            // be still listening at 0.9 s, and write its statistics line at each interval passed.
            var clock = new TestClock();
            var options = Options();
            options.Timeout = TimeSpan.FromSeconds(1);
            options.StatisticsInterval = TimeSpan.FromMilliseconds(200);
            options.Clock = clock;
            var host = new RecordingHost();
            var listener = new EventListener(options);
            var run = Task.Run(() =>
            {
                var events = listener.Listen(host).ToList();
                return events;
            });
            await listener.Listening;
            int StatisticsLines() => host.Verbose.ToArray().Count(v => v != null && v.StartsWith("Listener after", StringComparison.Ordinal));

            clock.Advance(TimeSpan.FromMilliseconds(200));
            await WaitFor(() => StatisticsLines() == 1, "the statistics line at 0.2 s");
            clock.Advance(TimeSpan.FromMilliseconds(700));
            await WaitFor(() => StatisticsLines() == 2, "the statistics line at 0.9 s");
            Assert.False(run.IsCompleted, "the listener stopped before its timeout");
            Assert.Null(listener.Statistics);

            clock.Advance(TimeSpan.FromMilliseconds(100));
            Assert.True(run.Wait(Patience), "the listener did not stop at its timeout");
            Assert.Empty(run.Result);
            var stats = listener.Statistics!;
            Assert.Equal(TimeSpan.FromSeconds(1), stats.Duration);
            Assert.Equal(2, StatisticsLines());
            Assert.Contains(host.Verbose, v => v.StartsWith("Listener stopped", StringComparison.Ordinal));
        }

        [Fact]
        public void Cancellation_ends_the_listener_with_a_summary()
        {
            var host = new RecordingHost();
            var options = Options();
            options.Timeout = null;
            var listener = new EventListener(options);
            var canceller = Task.Run(async () =>
            {
                using var socket = Sender(await listener.Listening);
                Send(socket, Datagram("anna"));
                // Written, not Emitted: an emitted event can still be on its way to the caller's queue,
                // and what the caller has not taken at cancellation is counted, not yielded.
                await WaitFor(() => listener.GetStatistics().Written == 1, "one event taken by the caller");
                host.Cancel();
            });

            var events = listener.Listen(host).ToList();
            canceller.GetAwaiter().GetResult();
            Assert.Single(events);
            Assert.NotNull(listener.Statistics);
            AssertBalanced(listener.Statistics!);
        }

        [Fact]
        public void Count_stops_after_that_many_and_counts_what_came_after_as_discarded()
        {
            var options = Options();
            options.Count = 5;
            var listener = new EventListener(options);
            var host = new RecordingHost();
            var sender = Task.Run(async () =>
            {
                using var socket = Sender(await listener.Listening);
                for (int i = 0; i < 200; i++)
                {
                    Send(socket, Datagram("u" + i));
                }
            });

            var events = new List<UserEvent>();
            foreach (var e in listener.Listen(host))
            {
                events.Add(e);
                if (events.Count == 1)
                {
                    // Hold the pipeline so that more than five are surely received before the stop.
                    sender.Wait(Patience);
                    WaitFor(() => listener.GetStatistics().Received >= 100, "100 received").GetAwaiter().GetResult();
                }
            }

            var stats = listener.Statistics!;
            AssertBalanced(stats);
            Assert.Equal(new[] { "u0", "u1", "u2", "u3", "u4" }, events.Select(e => e.UserId));
            Assert.Equal(5, stats.Emitted);
            Assert.True(stats.DiscardedAtStop >= 95, stats.DiscardedAtStop.ToString());
        }

        [Fact]
        public void Dropping_the_enumeration_early_stops_the_listener_and_frees_the_port()
        {
            var options = Options();
            var listener = new EventListener(options);
            var host = new RecordingHost();
            var sender = Task.Run(async () =>
            {
                using var socket = Sender(await listener.Listening);
                for (int i = 0; i < 10; i++)
                {
                    Send(socket, Datagram("u" + i));
                }
            });

            // What Select-Object -First 2 does to the cmdlet's loop; the second is taken only once all ten
            // wait in the pipeline, so eight are surely left there when the enumeration is dropped.
            var first = new List<UserEvent>();
            foreach (var e in listener.Listen(host))
            {
                first.Add(e);
                if (first.Count == 1)
                {
                    sender.GetAwaiter().GetResult();
                    WaitFor(() => listener.GetStatistics().Emitted == 10, "all ten emitted").GetAwaiter().GetResult();
                }
                else
                {
                    break;
                }
            }

            Assert.Equal(new[] { "u0", "u1" }, first.Select(e => e.UserId));
            var stats = listener.Statistics!;
            AssertBalanced(stats);
            Assert.Equal(10, stats.Emitted);
            Assert.Equal(2, stats.Written);
            Assert.Equal(8, stats.PipelineDropped); // left in the pipeline at the stop: counted, not lost
            using var again = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            again.Bind(new IPEndPoint(IPAddress.Loopback, stats.Port));
        }

        [Fact]
        public void A_listener_runs_once()
        {
            var listener = new EventListener(Options());
            var host = new RecordingHost();
            listener.Listen(host);
            Assert.Throws<InvalidOperationException>(() => listener.Listen(host));
        }

        [Fact]
        public void A_port_in_use_is_an_explained_error()
        {
            using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var options = Options();
            options.Port = ((IPEndPoint)taken.LocalEndPoint!).Port;
            var listener = new EventListener(options);
            var ex = Assert.Throws<QlikActivityException>(() => listener.Listen(new RecordingHost()).ToList());
            Assert.Equal("PortInUse", ex.ErrorId);
            Assert.Contains(options.Port.ToString(), ex.Message);
            Assert.True(listener.Listening.IsFaulted);
        }

        [Theory]
        [InlineData("not-an-address", "InvalidListenerAddress")]
        [InlineData("192.0.2.55", "AddressNotAvailable")]
        public void A_bad_address_is_an_explained_error(string address, string errorId)
        {
            var options = Options(address);
            var ex = Assert.Throws<QlikActivityException>(() => new EventListener(options).Listen(new RecordingHost()).ToList());
            Assert.Equal(errorId, ex.ErrorId);
        }

        [Fact]
        public void Asking_for_more_receive_buffer_than_the_kernel_allows_warns_naming_rmem_max()
        {
            bool linux = RuntimeInformation.IsOSPlatform(OSPlatform.Linux);
            int rmemMax = linux ? int.Parse(File.ReadAllText("/proc/sys/net/core/rmem_max").Trim()) : 64 * 1024 * 1024;
            int tooMuch = (int)Math.Min(1L << 30, (long)rmemMax * 2);

            var over = Buffer(tooMuch);
            var under = Buffer(Math.Max(65536, rmemMax / 2));

            if (linux && tooMuch > rmemMax)
            {
                Assert.Contains(over.Host.Warnings, w => w.Contains("net.core.rmem_max"));
                Assert.Equal(rmemMax, over.Granted);
            }

            Assert.DoesNotContain(under.Host.Warnings, w => w.Contains("receive buffer"));
            Assert.Equal(Math.Max(65536, rmemMax / 2), under.Granted);

            static (RecordingHost Host, int Granted) Buffer(int size)
            {
                var host = new RecordingHost();
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                int granted = UdpReceiver.SetReceiveBuffer(socket, size, host);
                return (host, granted);
            }
        }

        [Fact]
        public void The_default_buffer_on_this_machine_is_reported_as_granted()
        {
            var options = Options();
            options.ReceiveBufferSize = EventListenerOptions.DefaultReceiveBufferSize;
            options.Timeout = TimeSpan.FromMilliseconds(300);
            var (_, stats, host) = Run(options, (_, _, _) => Task.CompletedTask);
            Assert.Equal(EventListenerOptions.DefaultReceiveBufferSize, stats.ReceiveBufferRequested);
            Assert.True(stats.ReceiveBufferBytes > 0);
            bool warned = host.Warnings.Any(w => w.Contains("receive buffer"));
            Assert.Equal(stats.ReceiveBufferBytes < stats.ReceiveBufferRequested, warned);
        }

        [Fact]
        public void Send_QlikUserEvent_reaches_the_listener_end_to_end()
        {
            var app = Guid.NewGuid();
            var options = Options();
            options.Count = 3;
            var sent = new List<SentUserEvent>();
            var (events, _, _) = Run(options, (_, to, _) =>
            {
                var senderHost = new RecordingHost();
                sent.AddRange(UserEventSender.Send(senderHost, new UserEventSendRequest
                {
                    Server = "127.0.0.1",
                    Port = to.Port,
                    EventType = UserEventType.ConnectionOpen,
                    UserDirectory = "LAB",
                    UserId = "probe",
                    Host = "qs-test",
                    AppId = app,
                    Count = 3,
                }));
                Assert.Single(senderHost.ShouldProcessCalls);
                return Task.CompletedTask;
            });

            Assert.Equal(3, sent.Count);
            Assert.Equal(3, events.Count);
            Assert.All(events, e =>
            {
                Assert.Equal(UserEventType.ConnectionOpen, e.EventType);
                Assert.Equal("LAB\\probe", e.UserFull);
                Assert.Equal("qs-test", e.Host);
                Assert.Equal(app, e.AppId);
                Assert.Equal(UserEventSender.DefaultUserAgent, e.UserAgent);
            });
            Assert.Equal(sent.Select(s => s.Datagram), events.Select(e => "/qseow-proxy-connection/;qs-test;Open connection;LAB;probe;AppAccess;/app/" + app + ";" + e.Message));
            Assert.Contains("test 2 of 3", events[1].Message);
        }
    }
}
