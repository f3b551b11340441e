using System;
using System.Linq;
using System.Text;
using QlikActivity.Core.Events;
using Xunit;

namespace QlikActivity.Core.Tests.Events
{
    public class UserEventParserTests
    {
        private static readonly DateTime At = new DateTime(2025, 3, 4, 5, 6, 7, DateTimeKind.Utc);
        private const string Chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36";
        private const string App = "0b8b3c5e-2f4a-4d7e-9c1b-6a5d4e3f2a10";

        private static UserEventParseResult Parse(string datagram) => new UserEventParser().Parse(datagram, At, "10.0.0.7");

        private static UserEvent Accept(string datagram)
        {
            var result = Parse(datagram);
            Assert.True(result.IsEvent, result.ToString());
            Assert.Equal(RejectReason.None, result.Reason);
            return result.Event!;
        }

        [Fact]
        public void Current_session_start_gives_every_field()
        {
            var e = Accept($"/qseow-proxy-session/;qs-node2.corp.example;Start session;CORP;maria;AppAccess;/app/{App}?reloaduri=https%3a%2f%2fqs%2fsense%2fapp%2f0b8b;Start session for user 'CORP\\maria' UserAgent: '{Chrome}'");
            Assert.Equal(At, e.ReceivedAt);
            Assert.Equal("10.0.0.7", e.Source);
            Assert.Equal("qs-node2.corp.example", e.Host);
            Assert.Equal(UserEventType.SessionStart, e.EventType);
            Assert.Equal("Start session", e.Command);
            Assert.Equal("CORP", e.UserDirectory);
            Assert.Equal("maria", e.UserId);
            Assert.Equal("CORP\\maria", e.UserFull);
            Assert.Equal("AppAccess", e.Origin);
            Assert.StartsWith($"/app/{App}?reloaduri=", e.Context);
            Assert.Equal(Guid.Parse(App), e.AppId);
            Assert.Equal($"Start session for user 'CORP\\maria' UserAgent: '{Chrome}'", e.Message);
            Assert.Equal(Chrome, e.UserAgent);
            Assert.Empty(e.Tags);
        }

        [Fact]
        public void The_message_keeps_its_semicolons()
        {
            var e = Accept($"/qseow-proxy-connection/;qs1;Open connection;CORP;li;AppAccess;/app/{App};Websocket connection Opened for session; retried; twice UserAgent: '{Chrome}'");
            Assert.Equal(UserEventType.ConnectionOpen, e.EventType);
            Assert.Equal($"Websocket connection Opened for session; retried; twice UserAgent: '{Chrome}'", e.Message);
            Assert.Equal(Chrome, e.UserAgent);
        }

        [Theory]
        [InlineData("Start session", UserEventType.SessionStart)]
        [InlineData("Stop session", UserEventType.SessionStop)]
        [InlineData("Open connection", UserEventType.ConnectionOpen)]
        [InlineData("Close connection", UserEventType.ConnectionClose)]
        [InlineData("start SESSION", UserEventType.SessionStart)]
        [InlineData(" Close connection ", UserEventType.ConnectionClose)]
        public void Every_command_maps_to_its_type_and_is_kept_as_sent(string command, UserEventType type)
        {
            var e = Accept($"/qseow-proxy-session/;qs1;{command};CORP;li;;;text");
            Assert.Equal(type, e.EventType);
            Assert.Equal(command, e.Command);
        }

        [Theory]
        [InlineData("/qseow-proxy-session/")]
        [InlineData("/qseow-proxy-connection/")]
        [InlineData("/proxy-session/")]
        [InlineData("/proxy-connection/")]
        [InlineData("/QSEOW-PROXY-SESSION/")]
        [InlineData("qseow-proxy-connection")]
        [InlineData("Proxy-Session")]
        [InlineData(" /qseow-proxy-session/ ")]
        [InlineData("\uFEFF/qseow-proxy-session/")]
        public void Every_known_prefix_is_accepted(string prefix)
        {
            var e = Accept($"{prefix};qs3;Stop session;CORP;ahmed;;;Stop session for user 'CORP\\ahmed'");
            Assert.Equal("ahmed", e.UserId);
            Assert.Equal(UserEventType.SessionStop, e.EventType);
        }

        [Fact]
        public void A_session_prefix_with_a_connection_command_follows_the_command()
        {
            Assert.Equal(UserEventType.ConnectionClose, Accept("/qseow-proxy-session/;qs1;Close connection;CORP;li;AppAccess;/hub/;x").EventType);
        }

        [Theory]
        [InlineData("/qseow-proxy-connection/", "Start session", "qseow-proxy-connection")]
        [InlineData("/qseow-proxy-session/", "Close connection", "qseow-proxy-session")]
        [InlineData("/QSEOW-PROXY-SESSION/", "Start session", "qseow-proxy-session")]
        [InlineData("qseow-proxy-connection", "Open connection", "qseow-proxy-connection")]
        [InlineData("/proxy-session/", "Open connection", "proxy-session")]
        [InlineData("/Proxy-Connection/", "Stop session", "proxy-connection")]
        public void The_message_type_is_the_prefix_in_lower_case_whatever_the_command(string prefix, string command, string messageType)
        {
            // Butler SOS: msg[0].toLowerCase() without its slashes; the command does not change it.
            var e = Accept($"{prefix};qs1;{command};CORP;li;AppAccess;/hub/;x");
            Assert.Equal(messageType, e.MessageType);
        }

        [Fact]
        public void The_proxy_user_event_form_has_its_own_message_type()
        {
            Assert.Equal("proxy-user-event", Accept("/proxy-user-event/;qs1;Proxy;/hub/;Start session for user 'LAB\\docs'").MessageType);
        }

        // Datagrams and what Butler SOS 15.0.1 published for them (messageType and the ua* keys of its MQTT payload).
        [Theory]
        [InlineData(
            "/qseow-proxy-session/;sense1.lab.local;Start session;LAB;anna;AppAccess;/app/e7af59a0-c243-480d-9571-08727551a66f;Start session for user 'LAB\\anna' UserAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36'",
            "qseow-proxy-session", "Chrome", "120", "Windows", "NT 10.0")]
        [InlineData(
            "/qseow-proxy-connection/;sense1.lab.local;Open connection;LAB;anna;AppAccess;/app/e7af59a0-c243-480d-9571-08727551a66f;Websocket connection Opened for session; with semicolons; UserAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15'",
            "qseow-proxy-connection", "Safari", "17", "macOS", "10.15.7")]
        [InlineData(
            "/qseow-proxy-connection/;sense1.lab.local;Close connection;LAB;anna;AppAccess;/hub/;Websocket connection Closed for session UserAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0'",
            "qseow-proxy-connection", "Firefox", "121", "Linux", null)]
        [InlineData("/QSEOW-PROXY-SESSION/;sense1.lab.local;Start session;LAB;uppercaseprefix;AppAccess;/hub/;msg", "qseow-proxy-session", null, null, null, null)]
        [InlineData("qseow-proxy-session;sense1.lab.local;Start session;LAB;noslashes;AppAccess;/hub/;msg", "qseow-proxy-session", null, null, null, null)]
        public void Agrees_with_Butler_SOS_15_output_for_the_wire_samples(string datagram, string messageType, string? browser, string? major, string? os, string? osVersion)
        {
            var e = Accept(datagram);
            Assert.Equal(messageType, e.MessageType);
            Assert.Equal(browser, e.BrowserName);
            Assert.Equal(major, e.BrowserMajorVersion);
            Assert.Equal(os, e.OsName);
            Assert.Equal(osVersion, e.OsVersion);
        }

        [Fact]
        public void Empty_origin_and_context_are_empty_strings()
        {
            var e = Accept("/qseow-proxy-session/;qs1;Stop session;CORP;li;;;Stop session for user 'CORP\\li'");
            Assert.Equal("", e.Origin);
            Assert.Equal("", e.Context);
            Assert.Null(e.AppId);
            Assert.Null(e.UserAgent);
        }

        [Fact]
        public void An_empty_message_is_allowed_but_the_eighth_field_is_not_optional()
        {
            Assert.Equal("", Accept("/qseow-proxy-session/;qs1;Start session;CORP;li;o;c;").Message);
            var result = Parse("/qseow-proxy-session/;qs1;Start session;CORP;li;o;c");
            Assert.Equal(RejectReason.TooFewFields, result.Reason);
            Assert.Contains("7 fields", result.Detail);
        }

        [Fact]
        public void A_trailing_line_break_is_not_part_of_the_message()
        {
            Assert.Equal("bye", Accept("/qseow-proxy-session/;qs1;Stop session;CORP;li;;;bye\r\n").Message);
        }

        [Theory]
        [InlineData("/app/" + App, true)]
        [InlineData("/app/" + App + "/sheet/7d1b2a3c-aaaa-bbbb-cccc-0123456789ab/state/analysis", true)]
        [InlineData("/app/" + App + "?reloaduri=x", true)]
        [InlineData("/sense/app/" + App, true)]
        [InlineData("https://qs.corp.example/vp/sense/app/" + App + "/overview", true)]
        [InlineData("/APP/" + App, true)]
        [InlineData("/app/not-a-guid?x=1", false)]
        [InlineData("/app/" + App + "0", false)]
        [InlineData("/app/0b8b3c5e-2f4a-4d7e-9c1b-6a5d4e3f2a1", false)]
        [InlineData("/hub/", false)]
        [InlineData("", false)]
        public void The_app_id_is_the_guid_after_app(string context, bool hasApp)
        {
            var e = Accept($"/qseow-proxy-connection/;qs1;Open connection;CORP;li;AppAccess;{context};m");
            Assert.Equal(context, e.Context);
            Assert.Equal(hasApp ? Guid.Parse(App) : (Guid?)null, e.AppId);
        }

        [Fact]
        public void A_later_app_segment_is_found_when_the_first_is_not_a_guid()
        {
            Assert.Equal(Guid.Parse(App), Accept($"/qseow-proxy-connection/;qs1;Open connection;CORP;li;o;/app/x/app/{App};m").AppId);
        }

        [Theory]
        [InlineData("UserAgent: 'Mozilla/5.0 (X11; Linux x86_64)'", "Mozilla/5.0 (X11; Linux x86_64)")]
        [InlineData("UserAgent: Mozilla/5.0 (X11; Linux x86_64)", "Mozilla/5.0 (X11; Linux x86_64)")]
        [InlineData("Closed UserAgent:   \"Opera/9.80\"  ", "Opera/9.80")]
        [InlineData("userAgent: 'Edg/120'", "Edg/120")]
        [InlineData("UserAgent: 'half quoted", "half quoted")]
        [InlineData("UserAgent: ''", null)]
        [InlineData("UserAgent:", null)]
        [InlineData("no agent here", null)]
        public void The_user_agent_follows_UserAgent_with_or_without_quotes(string message, string? expected)
        {
            Assert.Equal(expected, Accept($"/qseow-proxy-session/;qs1;Start session;CORP;li;o;c;{message}").UserAgent);
        }

        [Fact]
        public void The_user_agent_parser_fills_browser_and_os_and_is_asked_once_per_agent()
        {
            var parser = new UserEventParser();
            string datagram = $"/qseow-proxy-session/;qs1;Start session;CORP;li;o;c;UserAgent: '{Chrome}'";
            var first = parser.Parse(datagram, At, "s").Event!;
            var second = parser.Parse(datagram, At, "s").Event!;
            var expected = UserAgentParser.Parse(Chrome);
            Assert.Equal(expected.BrowserName, first.BrowserName);
            Assert.Equal(expected.BrowserMajorVersion, first.BrowserMajorVersion);
            Assert.Equal(expected.OsName, first.OsName);
            Assert.Equal(expected.OsVersion, first.OsVersion);
            Assert.Equal("desktop", first.DeviceType);
            // The cached agent is the same string instance: no second parse, no second allocation.
            Assert.Same(first.UserAgent, second.UserAgent);
        }

        [Fact]
        public void Repeated_fields_are_shared_strings()
        {
            var parser = new UserEventParser();
            var a = parser.Parse("/qseow-proxy-session/;qs1;Start session;CORP;li;AppAccess;/hub/;m1", At, "s").Event!;
            var b = parser.Parse("/qseow-proxy-session/;qs1;Start session;CORP;li;AppAccess;/hub/;m2", At, "s").Event!;
            Assert.Same(a.Host, b.Host);
            Assert.Same(a.UserId, b.UserId);
            Assert.Same(a.Context, b.Context);
            Assert.Equal("m2", b.Message);
        }

        [Theory]
        [InlineData("/proxy-user-event/;qs1;Proxy;/hub/;Start session for user 'CORP\\docs'", UserEventType.SessionStart, "CORP", "docs")]
        [InlineData("/proxy-user-event/;qs1;Proxy;/hub/;Stop session for user 'CORP\\docs'", UserEventType.SessionStop, "CORP", "docs")]
        [InlineData("proxy-user-event;qs1;Proxy;/app/" + App + ";Websocket connection Opened for session for user 'CORP\\docs'", UserEventType.ConnectionOpen, "CORP", "docs")]
        [InlineData("/proxy-user-event/;qs1;Proxy;/hub/;Closing connection UserDirectory=CORP; UserId=docs", UserEventType.ConnectionClose, "CORP", "docs")]
        public void The_proxy_user_event_form_reads_user_and_command_from_the_message(string datagram, UserEventType type, string directory, string userId)
        {
            var e = Accept(datagram);
            Assert.Equal(type, e.EventType);
            Assert.Equal(directory, e.UserDirectory);
            Assert.Equal(userId, e.UserId);
            Assert.Equal("qs1", e.Host);
            Assert.Equal("Proxy", e.Origin);
            Assert.Equal(UserEventParser.CommandOf(type), e.Command);
        }

        [Fact]
        public void The_proxy_user_event_form_keeps_context_and_app()
        {
            var e = Accept($"/proxy-user-event/;qs1;Proxy;/app/{App};Start session for user 'CORP\\docs' UserAgent: 'X/1'");
            Assert.Equal(Guid.Parse(App), e.AppId);
            Assert.Equal("X/1", e.UserAgent);
        }

        [Theory]
        [InlineData("/unknown-message-type/;qs1;Start session;CORP;li;o;c;m", RejectReason.UnknownPrefix)]
        [InlineData(";qs1;Start session;CORP;li;o;c;m", RejectReason.UnknownPrefix)]
        [InlineData("incomplete", RejectReason.UnknownPrefix)]
        [InlineData("/qseow-proxy/;1;2025-01-01;x;WARN;qs1;Audit.Proxy;u;m;e;d;u;c;r;o;c", RejectReason.UnknownPrefix)]
        [InlineData("qs1;Start session;CORP;li", RejectReason.UnknownPrefix)]
        [InlineData("/qseow-proxy-session/", RejectReason.TooFewFields)]
        [InlineData("/qseow-proxy-session/;qs1", RejectReason.TooFewFields)]
        [InlineData("/qseow-proxy-session/;qs1;Start session;CORP;li;o", RejectReason.TooFewFields)]
        [InlineData("/proxy-user-event/;qs1;Proxy", RejectReason.TooFewFields)]
        [InlineData("", RejectReason.TooFewFields)]
        [InlineData("/qseow-proxy-session/;qs1;Start session;;;AppAccess;/hub/;empty user", RejectReason.EmptyUser)]
        [InlineData("/qseow-proxy-session/;qs1;Start session;CORP;;AppAccess;/hub/;m", RejectReason.EmptyUser)]
        [InlineData("/qseow-proxy-session/;qs1;Start session; ;li;AppAccess;/hub/;m", RejectReason.EmptyUser)]
        [InlineData("/proxy-user-event/;qs1;Proxy;/hub/;Start session for user 'nodirectory'", RejectReason.EmptyUser)]
        [InlineData("/proxy-user-event/;qs1;Proxy;/hub/;Start session", RejectReason.EmptyUser)]
        [InlineData("/qseow-proxy-session/;qs1;Restart session;CORP;li;o;c;m", RejectReason.UnknownCommand)]
        [InlineData("/qseow-proxy-session/;qs1;;CORP;li;o;c;m", RejectReason.UnknownCommand)]
        [InlineData("/proxy-user-event/;qs1;Proxy;/hub/;Something else for user 'CORP\\li'", RejectReason.UnknownCommand)]
        public void Anything_else_is_rejected_with_a_reason(string datagram, RejectReason reason)
        {
            var result = Parse(datagram);
            Assert.False(result.IsEvent);
            Assert.Null(result.Event);
            Assert.Equal(reason, result.Reason);
            Assert.False(string.IsNullOrEmpty(result.Detail));
        }

        [Fact]
        public void Invalid_utf8_is_rejected_with_its_offset()
        {
            var bytes = Encoding.UTF8.GetBytes("/qseow-proxy-session/;qs1;Start session;CORP;li;o;c;caf").Concat(new byte[] { 0xC3, 0x28 }).ToArray();
            var result = new UserEventParser().Parse(bytes, At, "s");
            Assert.Equal(RejectReason.InvalidUtf8, result.Reason);
            Assert.Contains($"byte {bytes.Length - 2}", result.Detail);
        }

        [Fact]
        public void Non_ascii_text_survives()
        {
            var e = Accept("/qseow-proxy-session/;qs1;Start session;ÖRGANISATION;józsef😀;o;/hub/;Start session for user 'ÖRGANISATION\\józsef😀'");
            Assert.Equal("ÖRGANISATION", e.UserDirectory);
            Assert.Equal("józsef😀", e.UserId);
        }

        [Fact]
        public void Oversize_is_rejected_before_it_is_read()
        {
            var parser = new UserEventParser(1024);
            string big = "/qseow-proxy-session/;qs1;Start session;CORP;li;o;c;" + new string('x', 1000);
            var result = parser.Parse(big, At, "s");
            Assert.Equal(RejectReason.Oversize, result.Reason);
            Assert.Contains("1024", result.Detail);
            Assert.True(new UserEventParser(2048).Parse(big, At, "s").IsEvent);
        }

        [Fact]
        public void A_rejection_detail_never_repeats_a_long_datagram()
        {
            string prefix = "/" + new string('a', 500) + "/";
            var result = Parse(prefix + ";qs1;Start session;CORP;li;o;c;secret=hunter2");
            Assert.Equal(RejectReason.UnknownPrefix, result.Reason);
            Assert.True(result.Detail!.Length < 80);
            Assert.DoesNotContain("hunter2", result.Detail);
        }

        [Fact]
        public void A_parser_grows_its_buffer_for_a_long_datagram_and_stays_correct()
        {
            var parser = new UserEventParser(UserEventParser.MaxUdpPayload);
            string message = new string('m', 40_000);
            var result = parser.Parse($"/qseow-proxy-session/;qs1;Start session;CORP;li;o;c;{message}", At, "s");
            // Read whole (the buffer grew), kept up to the cap on a message's length.
            Assert.True(result.MessageTruncated);
            Assert.Equal(message.Substring(0, UserEventParser.MaxMessageChars), result.Event!.Message);
            Assert.Equal("x", parser.Parse("/qseow-proxy-session/;qs1;Start session;CORP;li;o;c;x", At, "s").Event!.Message);
        }
    }
}
