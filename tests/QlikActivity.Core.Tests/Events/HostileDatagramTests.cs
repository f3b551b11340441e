using System;
using System.Linq;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;
using QlikActivity.Core.Events;
using Xunit;

namespace QlikActivity.Core.Tests.Events
{
    /// <summary>
    /// Hostile datagrams on a real socket (issue 11, item 6): what one datagram can make the listener
    /// hold is bounded: the datagram's size, each name's length, the message's length, each counted.
    /// </summary>
    public class HostileDatagramTests
    {
        private static string Session(string host, string directory, string user, string message) =>
            $"/qseow-proxy-session/;{host};Start session;{directory};{user};AppAccess;/hub/;{message}";

        [Fact]
        public void Oversize_datagrams_and_long_names_are_rejected_and_long_messages_cut_each_counted()
        {
            string longName = new string('x', UserEventParser.MaxNameChars + 1);
            string fullName = new string('n', UserEventParser.MaxNameChars);
            string longMessage = "Start session for user 'CORP\\m' " + new string('z', 3000);
            var hostile = new[]
            {
                Session("qs1", "CORP", "big", "pad " + new string('p', 4200)), // over the 4 KiB default
                Session(longName, "CORP", "h", "m"),
                Session("qs1", longName, "d", "m"),
                Session("qs1", "CORP", longName, "m"),
            };
            var options = ListenerHarness.Options();
            options.Count = 2;

            var (events, stats, _) = ListenerHarness.Run(options, async (listener, to, h) =>
            {
                using var socket = ListenerHarness.Sender(to);
                foreach (var datagram in hostile)
                {
                    ListenerHarness.Send(socket, datagram);
                }

                // The two that are accepted come last: the listener stops after them.
                ListenerHarness.Send(socket, Session("qs1", "CORP", fullName, "Start session"));
                ListenerHarness.Send(socket, Session("qs1", "CORP", "m", longMessage));
                await Task.CompletedTask;
            });

            Assert.Equal(1, stats.RejectedByReason["Oversize"]);
            Assert.Equal(3, stats.RejectedByReason["FieldTooLong"]);
            Assert.Equal(4, stats.Rejected);
            Assert.Equal(2, stats.Parsed);
            Assert.Equal(1, stats.Truncated);
            Assert.Equal(fullName, events[0].UserId);
            Assert.Equal(UserEventParser.MaxMessageChars, events[1].Message.Length);
            Assert.StartsWith("Start session for user 'CORP\\m' zzz", events[1].Message, StringComparison.Ordinal);
            Assert.Contains("messages truncated 1", stats.ToSummaryLine(), StringComparison.Ordinal);
        }

        [Fact]
        public void The_largest_datagram_is_a_setting_with_a_checked_range()
        {
            string big = Session("qs1", "CORP", "big", "Start session " + new string('p', 4200));
            var options = ListenerHarness.Options();
            options.Count = 1;
            options.MaxDatagramBytes = 8192;
            var (events, stats, _) = ListenerHarness.Run(options, async (listener, to, h) =>
            {
                using var socket = ListenerHarness.Sender(to);
                ListenerHarness.Send(socket, big);
                await Task.CompletedTask;
            });
            Assert.Single(events);
            Assert.Equal(0, stats.Rejected);

            foreach (int bad in new[] { 100, 65536 })
            {
                var invalid = ListenerHarness.Options();
                invalid.MaxDatagramBytes = bad;
                var ex = Assert.Throws<QlikActivityException>(() => new EventListener(invalid).Listen(new RecordingHost()).GetEnumerator().MoveNext());
                Assert.Equal("InvalidListenerOption", ex.ErrorId);
                Assert.Contains(bad.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message);
            }
        }

        [Fact]
        public void A_message_is_never_cut_between_the_halves_of_a_surrogate_pair()
        {
            // 2,047 characters, then an emoji whose halves would sit at 2,047 and 2,048.
            string message = "Start session " + new string('a', UserEventParser.MaxMessageChars - 1 - 14) + "\U0001F600" + "tail";
            var result = new UserEventParser().Parse(Session("qs1", "CORP", "u", message), DateTime.UtcNow, "127.0.0.1");
            Assert.True(result.MessageTruncated);
            Assert.Equal(UserEventParser.MaxMessageChars - 1, result.Event!.Message.Length);
            Assert.False(char.IsHighSurrogate(result.Event.Message[result.Event.Message.Length - 1]));
        }
    }
}
