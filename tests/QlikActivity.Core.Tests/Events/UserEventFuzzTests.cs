using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;
using QlikActivity.Core.Events;
using Xunit;
using static QlikActivity.Core.Tests.Events.ListenerHarness;

namespace QlikActivity.Core.Tests.Events
{
    /// <summary>
    /// Random and mutated datagrams, with valid ones in between: nothing throws, every datagram is
    /// counted once, and every valid event comes out.
    /// </summary>
    // A million datagrams each: half a minute of soak, not a unit test. They run with the integration
    // tests (CI runs all), so the unit tests stay under a minute (docs/testing.md, "Test categories").
    [Trait("Category", "Integration")]
    public class UserEventFuzzTests
    {
        private const int MaxBytes = 4096;

        private static readonly string[] Templates =
        {
            "/qseow-proxy-session/;qs{0}.corp;Start session;CORP;m{1};AppAccess;/app/0b8b3c5e-2f4a-4d7e-9c1b-6a5d4e3f2a10?reloaduri=x;Start session for user 'CORP\\m{1}' UserAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0.0.0'",
            "/qseow-proxy-connection/;qs{0}.corp;Close connection;CORP;m{1};AppAccess;/hub/;Websocket connection Closed for session; UserAgent: Mozilla/5.0",
            "/proxy-session/;qs{0};Stop session;LAB;m{1};;;Stop session for user 'LAB\\m{1}'",
            "/proxy-user-event/;qs{0};Proxy;/hub/;Start session for user 'LAB\\m{1}'",
            "QSEOW-PROXY-CONNECTION;qs{0};Open connection;ÜNİCODE;m{1}😀;AppAccess;/app/x;msg",
        };

        /// <summary>The datagrams: every fifth is valid with a unique user "valid{n}"; the rest are random or mutated.</summary>
        private static IEnumerable<(byte[] Bytes, string? ValidUser)> Datagrams(int count, int seed)
        {
            var random = new Random(seed);
            for (int n = 0; n < count; n++)
            {
                if (n % 5 == 0)
                {
                    string user = "valid" + n;
                    yield return (Encoding.UTF8.GetBytes(string.Format(Templates[random.Next(Templates.Length)], n % 7, n).Replace("m" + n, user)), user);
                    continue;
                }

                byte[] bytes;
                switch (random.Next(6))
                {
                    case 0:
                        bytes = new byte[random.Next(0, 300)];
                        random.NextBytes(bytes);
                        break;
                    case 1:
                        bytes = Encoding.UTF8.GetBytes(RandomFields(random));
                        break;
                    case 4 when random.Next(50) == 0:
                        // A user id longer than any real one (hostile: it would be held by every queued event).
                        bytes = Encoding.UTF8.GetBytes("/qseow-proxy-session/;h;Start session;D;" + new string('u', random.Next(UserEventParser.MaxNameChars + 1, 1000)) + ";o;c;m");
                        break;
                    case 5 when random.Next(50) == 0:
                        bytes = new byte[MaxBytes + random.Next(1, 2000)];
                        Encoding.UTF8.GetBytes("/qseow-proxy-session/;h;Start session;D;u;o;c;").CopyTo(bytes, 0);
                        bytes.AsSpan(50).Fill((byte)'x');
                        break;
                    default:
                        bytes = Mutate(Encoding.UTF8.GetBytes(string.Format(Templates[random.Next(Templates.Length)], n % 7, "mut" + n)), random);
                        break;
                }

                yield return (bytes, null);
            }
        }

        private static string RandomFields(Random random)
        {
            string[] parts = { "/qseow-proxy-session/", "/qseow-proxy-connection/", "/proxy-user-event/", "Start session", "Stop session", "Open connection", "", ";", ";;", "CORP", "u", "'", "\\", "/app/", "UserAgent:", "é", "\u0000", " " };
            var sb = new StringBuilder();
            int pieces = random.Next(1, 14);
            for (int i = 0; i < pieces; i++)
            {
                sb.Append(parts[random.Next(parts.Length)]);
                if (random.Next(2) == 0)
                {
                    sb.Append(';');
                }
            }

            return sb.ToString();
        }

        private static byte[] Mutate(byte[] bytes, Random random)
        {
            var list = bytes.ToList();
            int mutations = random.Next(1, 4);
            for (int m = 0; m < mutations && list.Count > 0; m++)
            {
                int at = random.Next(list.Count);
                switch (random.Next(6))
                {
                    case 0: list[at] = (byte)random.Next(256); break;              // flip a byte (maybe invalid UTF-8)
                    case 1: list.RemoveRange(at, list.Count - at); break;         // truncate
                    case 2: list.Insert(at, (byte)';'); break;                    // extra separator
                    case 3: list.RemoveAt(at); break;                             // lose a byte (maybe a separator)
                    case 4: list.Insert(at, 0xC3); break;                         // half a character
                    default:
                        int sep = list.IndexOf((byte)';');
                        if (sep >= 0) list.RemoveRange(0, sep);                   // lose the prefix
                        break;
                }
            }

            return list.ToArray();
        }

        [Fact]
        public void A_million_datagrams_through_the_parser_never_throw_and_every_valid_one_is_read()
        {
            var parser = new UserEventParser(MaxBytes);
            var at = DateTime.UtcNow;
            var byReason = new long[8];
            int valid = 0;
            int total = 0;
            foreach (var (bytes, validUser) in Datagrams(1_000_000, 20250101))
            {
                total++;
                var result = parser.Parse(bytes, at, "10.0.0.1");
                byReason[(int)result.Reason]++;
                Assert.Equal(result.Event == null, result.Reason != RejectReason.None);
                if (validUser != null)
                {
                    Assert.True(result.IsEvent, $"valid datagram {total} rejected: {result}");
                    Assert.Equal(validUser, result.Event!.UserId.Replace("😀", ""));
                    valid++;
                }
                else if (!result.IsEvent)
                {
                    Assert.False(string.IsNullOrEmpty(result.Detail));
                }
            }

            Assert.Equal(1_000_000, total);
            Assert.Equal(200_000, valid);
            Assert.Equal(total, byReason.Sum());
            // The mix reaches every reason.
            foreach (RejectReason reason in Enum.GetValues(typeof(RejectReason)))
            {
                Assert.True(byReason[(int)reason] > 0, $"no datagram was {reason}");
            }
        }

        [Fact]
        public void A_million_datagrams_through_the_socket_add_up_exactly()
        {
            const int Total = 1_000_000;
            const int Window = 400;
            var datagrams = Datagrams(Total, 777).ToList();

            // What the same parser says of each datagram is what the listener must count.
            var oracle = new UserEventParser(MaxBytes);
            var expectedReasons = new Dictionary<RejectReason, long>();
            var expectedUsers = new List<string>();
            foreach (var (bytes, _) in datagrams)
            {
                var result = oracle.Parse(bytes, DateTime.UtcNow, "127.0.0.1");
                expectedReasons[result.Reason] = expectedReasons.GetValueOrDefault(result.Reason) + 1;
                if (result.IsEvent)
                {
                    expectedUsers.Add(result.Event!.UserFull);
                }
            }

            var options = Options();
            options.MaxDatagramBytes = MaxBytes;
            options.ReceiveBufferSize = 4 * 1024 * 1024;
            options.Timeout = TimeSpan.FromMinutes(3);
            var (events, stats, _) = Run(options, async (listener, to, host) =>
            {
                using var socket = Sender(to);
                int sent = 0;
                foreach (var (bytes, _) in datagrams)
                {
                    socket.Send(bytes);
                    sent++;
                    // Keep at most a window in flight, so a loaded machine's kernel buffer never overflows.
                    if (sent % (Window / 2) == 0)
                    {
                        int target = sent - Window / 2;
                        await WaitFor(() => listener.GetStatistics().Received >= target, $"{target} received");
                    }
                }

                await WaitFor(
                    () =>
                    {
                        var s = listener.GetStatistics();
                        // Written too: an event the caller has not taken at the cancel is counted as dropped, not written.
                        return s.Received == Total && s.Parsed + s.Rejected == Total && s.Written == s.Emitted;
                    },
                    "every datagram counted and every event taken");
                host.Cancel();
            });

            Assert.Equal(Total, stats.Received);
            Assert.Equal(0, stats.DroppedQueueFull);
            Assert.Equal(0, stats.DroppedSource);
            Assert.Equal(expectedReasons.GetValueOrDefault(RejectReason.None), stats.Parsed);
            foreach (RejectReason reason in Enum.GetValues(typeof(RejectReason)))
            {
                if (reason != RejectReason.None)
                {
                    Assert.Equal(expectedReasons.GetValueOrDefault(reason), stats.RejectedByReason[reason.ToString()]);
                }
            }

            Assert.Equal(stats.Parsed, stats.Emitted);
            Assert.Equal(stats.Emitted, stats.Written + stats.PipelineDropped);
            Assert.Equal(0, stats.PipelineDropped);
            Assert.Equal(expectedUsers, events.Select(e => e.UserFull));
            var validUsers = datagrams.Where(d => d.ValidUser != null).Select(d => d.ValidUser!).ToHashSet();
            Assert.Equal(validUsers.Count, events.Count(e => validUsers.Contains(e.UserId.Replace("😀", ""))));
        }
    }
}
