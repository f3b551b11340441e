using System;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using QlikActivity.Core.Events;
using QlikActivity.Core.Log4Net;
using Xunit;

namespace QlikActivity.Core.Tests.Events
{
    public class UserEventSenderTests
    {
        [Theory]
        [InlineData(UserEventType.SessionStart, LogAppenderFormat.Current, "/qseow-proxy-session/")]
        [InlineData(UserEventType.SessionStop, LogAppenderFormat.Current, "/qseow-proxy-session/")]
        [InlineData(UserEventType.ConnectionOpen, LogAppenderFormat.Current, "/qseow-proxy-connection/")]
        [InlineData(UserEventType.ConnectionClose, LogAppenderFormat.Legacy, "/proxy-connection/")]
        public void Every_test_datagram_parses_back_to_what_was_asked(UserEventType type, LogAppenderFormat format, string prefix)
        {
            var request = new UserEventSendRequest { Server = "x", EventType = type, Format = format, UserDirectory = "LAB", UserId = "probe", Host = "qs9" };
            string datagram = UserEventSender.BuildDatagram(request);
            Assert.StartsWith(prefix + ";qs9;", datagram);
            var e = new UserEventParser().Parse(datagram, DateTime.UtcNow, "s").Event!;
            Assert.Equal(type, e.EventType);
            Assert.Equal("LAB\\probe", e.UserFull);
            Assert.Equal("qs9", e.Host);
            Assert.Equal(type == UserEventType.SessionStop ? null : UserEventSender.DefaultUserAgent, e.UserAgent);
        }

        [Theory]
        [InlineData("LA;B", "u")]
        [InlineData("LAB", "u;x")]
        [InlineData("LAB", "")]
        [InlineData("LAB", "a\nb")]
        public void Fields_that_would_break_the_format_are_refused_before_anything_is_sent(string directory, string userId)
        {
            var host = new RecordingHost();
            var ex = Assert.Throws<QlikActivityException>(() => UserEventSender.Send(host, new UserEventSendRequest { Server = "127.0.0.1", UserDirectory = directory, UserId = userId }).ToList());
            Assert.Equal("InvalidUserEventField", ex.ErrorId);
            Assert.Empty(host.ShouldProcessCalls);
        }

        [Fact]
        public void WhatIf_sends_nothing_the_first_datagram_to_arrive_is_the_sentinel_sent_after_it()
        {
            // A real socket listens where -WhatIf would have sent; a sentinel goes after the -WhatIf call.
            // UDP over loopback keeps the order of one sender's datagrams, so anything -WhatIf had sent would arrive first.
            using var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            receiver.ReceiveTimeout = 60_000;
            int port = ((IPEndPoint)receiver.LocalEndPoint!).Port;

            var host = new RecordingHost { AnswerShouldProcess = false };
            Assert.Empty(UserEventSender.Send(host, new UserEventSendRequest { Server = "127.0.0.1", Port = port, Count = 5 }));
            var call = Assert.Single(host.ShouldProcessCalls);
            Assert.Equal("127.0.0.1:" + port, call.Target);
            Assert.Contains("5 test user event", call.Action);

            var sent = UserEventSender.Send(new RecordingHost(), new UserEventSendRequest { Server = "127.0.0.1", Port = port, UserId = "sentinel" }).ToList();
            Assert.Single(sent);
            var buffer = new byte[65536];
            int length = receiver.Receive(buffer);
            var first = new UserEventParser().Parse(Encoding.UTF8.GetString(buffer, 0, length), DateTime.UtcNow, "s").Event!;
            Assert.Equal("sentinel", first.UserId);
            Assert.Equal(0, receiver.Available);
        }

        [Fact]
        public void An_unknown_server_is_an_explained_error()
        {
            var ex = Assert.Throws<QlikActivityException>(() => UserEventSender.Send(new RecordingHost(), new UserEventSendRequest { Server = "no-such-host.invalid" }).ToList());
            Assert.Equal("ServerNotResolved", ex.ErrorId);
        }
    }
}
