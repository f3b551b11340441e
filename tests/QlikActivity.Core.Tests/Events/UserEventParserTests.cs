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

        private const string FieldForm = "the format has 8 (prefix;host;command;directory;user;origin;context;message)";
        private const string MessageForm = "/proxy-user-event/ has 5 (prefix;host;subsystem;context;message)";

        // The detail goes into the listener's notes ("Rejected a datagram from ...: reason, detail"): word for word.
        [Theory]
        [InlineData("", RejectReason.TooFewFields, "empty datagram")]
        [InlineData("/qseow-proxy-session/", RejectReason.TooFewFields, "1 fields; " + FieldForm)]
        [InlineData("/qseow-proxy-session/;qs1", RejectReason.TooFewFields, "2 fields; " + FieldForm)]
        [InlineData("/qseow-proxy-session/;qs1;Start session", RejectReason.TooFewFields, "3 fields; " + FieldForm)]
        [InlineData("/qseow-proxy-session/;qs1;Start session;CORP", RejectReason.TooFewFields, "4 fields; " + FieldForm)]
        [InlineData("/qseow-proxy-session/;qs1;Start session;CORP;li", RejectReason.TooFewFields, "5 fields; " + FieldForm)]
        [InlineData("/qseow-proxy-session/;qs1;Start session;CORP;li;o", RejectReason.TooFewFields, "6 fields; " + FieldForm)]
        [InlineData("/qseow-proxy-session/;qs1;Start session;CORP;li;o;c", RejectReason.TooFewFields, "7 fields; " + FieldForm)]
        [InlineData("/proxy-user-event/", RejectReason.TooFewFields, "1 fields; " + MessageForm)]
        [InlineData("/proxy-user-event/;qs1", RejectReason.TooFewFields, "2 fields; " + MessageForm)]
        [InlineData("/proxy-user-event/;qs1;Proxy", RejectReason.TooFewFields, "3 fields; " + MessageForm)]
        [InlineData("/proxy-user-event/;qs1;Proxy;/hub/", RejectReason.TooFewFields, "4 fields; " + MessageForm)]
        [InlineData("/qseow-proxy/;qs1;Start session;CORP;li;o;c;m", RejectReason.UnknownPrefix, "unknown prefix '/qseow-proxy/'")]
        [InlineData(" /x\t/ ;qs1", RejectReason.UnknownPrefix, "unknown prefix ' /x?/ '")]
        [InlineData("/qseow-proxy-session/;qs1;Restart session;CORP;li;o;c;m", RejectReason.UnknownCommand, "unknown command 'Restart session'")]
        [InlineData("/qseow-proxy-session/;qs1;Start session;CORP;;o;c;m", RejectReason.EmptyUser, "no user id")]
        [InlineData("/qseow-proxy-session/;qs1;Start session;;li;o;c;m", RejectReason.EmptyUser, "no user directory")]
        [InlineData("/qseow-proxy-session/;qs1;Start session;;;o;c;m", RejectReason.EmptyUser, "no user id")]
        [InlineData("/qseow-proxy-session/;qs1;Start session;CORP;\t ;o;c;m", RejectReason.EmptyUser, "no user id")]
        [InlineData("/proxy-user-event/;qs1;Proxy;/hub/;Restarted for user 'CORP\\li'", RejectReason.UnknownCommand, "no session or connection command in the message")]
        [InlineData("/proxy-user-event/;qs1;Proxy;/hub/;Start session for user 'nodirectory'", RejectReason.EmptyUser, "no 'DIRECTORY\\user' in the message")]
        public void Each_rejection_says_exactly_what_was_wrong(string datagram, RejectReason reason, string detail)
        {
            var result = Parse(datagram);
            Assert.Null(result.Event);
            Assert.Equal(reason, result.Reason);
            Assert.Equal(detail, result.Detail);
            Assert.Equal(reason + ": " + detail, result.ToString());
        }

        [Fact]
        public void A_long_unknown_prefix_or_command_is_shown_cut_to_40_characters()
        {
            string prefix = new string('p', 40);
            Assert.Equal($"unknown prefix '{prefix}'", Parse(prefix + ";qs1").Detail);
            Assert.Equal($"unknown prefix '{prefix}…'", Parse(prefix + "q;qs1").Detail);

            string command = "\u0001" + new string('c', 40);
            Assert.Equal($"unknown command '?{new string('c', 39)}…'", Parse($"/qseow-proxy-session/;qs1;{command};CORP;li;o;c;m").Detail);
        }

        [Fact]
        public void Names_of_256_characters_are_kept_and_257_are_rejected_naming_the_field()
        {
            string ok = new string('n', UserEventParser.MaxNameChars);
            string tooLong = ok + "n";

            var e = Accept($"/qseow-proxy-session/;{ok};Start session;{ok};{ok};o;c;m");
            Assert.Equal(ok, e.Host);
            Assert.Equal(ok, e.UserDirectory);
            Assert.Equal(ok, e.UserId);

            string Detail(string host, string directory, string user) => Parse($"/qseow-proxy-session/;{host};Start session;{directory};{user};o;c;m").Detail!;
            Assert.Equal("a host of 257 characters, more than the 256 accepted", Detail(tooLong, tooLong, tooLong));
            Assert.Equal("a user directory of 257 characters, more than the 256 accepted", Detail("qs1", tooLong, tooLong));
            Assert.Equal("a user id of 257 characters, more than the 256 accepted", Detail("qs1", "CORP", tooLong));
            Assert.Equal(RejectReason.FieldTooLong, Parse($"/proxy-user-event/;qs1;Proxy;/hub/;Start session for user 'CORP\\{tooLong}'").Reason);
            Assert.Equal(
                "a host of 257 characters, more than the 256 accepted",
                Parse($"/proxy-user-event/;{tooLong};Proxy;/hub/;Start session for user 'CORP\\li'").Detail);
        }

        [Fact]
        public void A_datagram_of_exactly_the_largest_size_is_read_and_one_byte_more_is_not()
        {
            var parser = new UserEventParser(1024);
            string head = "/qseow-proxy-session/;qs1;Start session;CORP;li;o;c;";
            string fits = head + new string('x', 1024 - head.Length);
            Assert.True(parser.Parse(fits, At, "s").IsEvent);

            var result = parser.Parse(fits + "x", At, "s");
            Assert.Equal(RejectReason.Oversize, result.Reason);
            Assert.Equal("1025 bytes, more than the 1024 accepted", result.Detail);
        }

        [Theory]
        [InlineData(63)]
        [InlineData(65536)]
        [InlineData(0)]
        public void The_largest_datagram_must_be_between_64_and_65535_bytes(int bytes)
        {
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new UserEventParser(bytes));
            Assert.Equal("maxDatagramBytes", ex.ParamName);
            Assert.Equal(bytes, ex.ActualValue);
            Assert.Equal(64, new UserEventParser(64).MaxDatagramBytes);
            Assert.Equal(65535, new UserEventParser(65535).MaxDatagramBytes);
            Assert.Equal(UserEventParser.DefaultMaxDatagramBytes, new UserEventParser().MaxDatagramBytes);
        }

        [Fact]
        public void A_message_is_cut_only_past_2048_characters_and_never_inside_a_surrogate_pair()
        {
            const string Head = "/qseow-proxy-session/;qs1;Start session;CORP;li;o;c;";
            var parser = new UserEventParser(UserEventParser.MaxUdpPayload);
            string exact = new string('m', UserEventParser.MaxMessageChars);
            var kept = parser.Parse(Head + exact, At, "s");
            Assert.False(kept.MessageTruncated);
            Assert.Equal(exact, kept.Event!.Message);

            var cut = parser.Parse(Head + exact + "n", At, "s");
            Assert.True(cut.MessageTruncated);
            Assert.Equal(exact, cut.Event!.Message);

            // An emoji whose high half is the 2,048th character: the pair is left out whole.
            string pair = new string('m', UserEventParser.MaxMessageChars - 1) + "\U0001F600";
            var surrogate = parser.Parse(Head + pair, At, "s");
            Assert.True(surrogate.MessageTruncated);
            Assert.Equal(new string('m', UserEventParser.MaxMessageChars - 1), surrogate.Event!.Message);

            // An emoji that ends at the 2,048th character stays.
            string whole = new string('m', UserEventParser.MaxMessageChars - 2) + "\U0001F600" + "tail";
            Assert.Equal(new string('m', UserEventParser.MaxMessageChars - 2) + "\U0001F600", parser.Parse(Head + whole, At, "s").Event!.Message);

            string longForm = "Start session for user 'CORP\\li' " + new string('z', 3000);
            var messageForm = parser.Parse("/proxy-user-event/;qs1;Proxy;/hub/;" + longForm, At, "s");
            Assert.True(messageForm.MessageTruncated);
            Assert.Equal(longForm.Substring(0, UserEventParser.MaxMessageChars), messageForm.Event!.Message);
        }

        [Theory]
        [InlineData("Websocket connection Opened for session for user 'CORP\\li'", UserEventType.ConnectionOpen)]
        [InlineData("Open connection for user 'CORP\\li'", UserEventType.ConnectionOpen)]
        [InlineData("Opening connection for user 'CORP\\li'", UserEventType.ConnectionOpen)]
        [InlineData("Websocket connection Closed for user 'CORP\\li'", UserEventType.ConnectionClose)]
        [InlineData("Close connection for user 'CORP\\li'", UserEventType.ConnectionClose)]
        [InlineData("Closing connection for user 'CORP\\li'", UserEventType.ConnectionClose)]
        [InlineData("STOP SESSION for user 'CORP\\li'", UserEventType.SessionStop)]
        [InlineData("start session for USER 'CORP\\li'", UserEventType.SessionStart)]
        public void The_proxy_user_event_form_knows_each_wording_of_the_Proxy(string message, UserEventType type)
        {
            var e = Accept("/proxy-user-event/;qs1;Proxy;/hub/;" + message);
            Assert.Equal(type, e.EventType);
            Assert.Equal(UserEventParser.CommandOf(type), e.Command);
            Assert.Equal("CORP", e.UserDirectory);
            Assert.Equal("li", e.UserId);
            Assert.Equal(message, e.Message);
            Assert.Equal("/hub/", e.Context);
            Assert.Equal("10.0.0.7", e.Source);
            Assert.Equal(At, e.ReceivedAt);
        }

        [Theory]
        [InlineData("Start session for user ' CORP \\ li '", "CORP", "li")]
        [InlineData("Start session for user 'CORP\\li\\x'", "CORP", "li\\x")]
        [InlineData("Start session for user 'nodir' UserDirectory=LAB; UserId=ann", "LAB", "ann")]
        [InlineData("Start session for user '\\li' UserDirectory=LAB UserId=ann", "LAB", "ann")]
        [InlineData("Start session for user 'CORP\\' UserDirectory=LAB,UserId=ann", "LAB", "ann")]
        [InlineData("Start session for user '' UserId=ann;UserDirectory=LAB", "LAB", "ann")]
        [InlineData("Start session userdirectory=LAB; userid=ann", "LAB", "ann")]
        [InlineData("Start session UserDirectory=LAB; UserId=ann", "LAB", "ann")]
        public void The_proxy_user_event_form_finds_the_user_in_either_wording(string message, string directory, string userId)
        {
            var e = Accept("/proxy-user-event/;qs1;Proxy;/hub/;" + message);
            Assert.Equal(directory, e.UserDirectory);
            Assert.Equal(userId, e.UserId);
        }

        [Theory]
        [InlineData("Start session for user 'CORP\\ '")]
        [InlineData("Start session for user ' \\li'")]
        [InlineData("Start session UserDirectory=; UserId=ann")]
        [InlineData("Start session UserDirectory=LAB; UserId=")]
        [InlineData("Start session UserDirectory=LAB")]
        [InlineData("Start session UserId=ann")]
        public void The_proxy_user_event_form_without_a_whole_user_is_rejected(string message)
        {
            Assert.Equal(RejectReason.EmptyUser, Parse("/proxy-user-event/;qs1;Proxy;/hub/;" + message).Reason);
        }

        [Fact]
        public void The_user_agent_is_found_in_other_case_even_after_an_earlier_colon()
        {
            Assert.Equal("X/1", Accept("/qseow-proxy-session/;qs1;Start session;CORP;li;o;c;:x useragent: 'X/1'").UserAgent);
            Assert.Equal("X/1", Accept("/qseow-proxy-session/;qs1;Start session;CORP;li;o;c;a:b USERAGENT:\"X/1\"").UserAgent);
            Assert.Equal("X/1", Accept("/qseow-proxy-session/;qs1;Start session;CORP;li;o;c;UserAgent:'X/1").UserAgent);
            Assert.Equal("'", Accept("/qseow-proxy-session/;qs1;Start session;CORP;li;o;c;UserAgent: \"'\"").UserAgent);
            Assert.Null(Accept("/qseow-proxy-session/;qs1;Start session;CORP;li;o;c;UserAgent: '").UserAgent);
            Assert.Null(Accept("/qseow-proxy-session/;qs1;Start session;CORP;li;o;c;user agent X/1").UserAgent);
        }

        [Fact]
        public void An_event_without_a_user_agent_has_no_browser()
        {
            var e = Accept("/qseow-proxy-session/;qs1;Start session;CORP;li;o;c;Start session for user 'CORP\\li'");
            Assert.Null(e.UserAgent);
            Assert.Null(e.BrowserName);
            Assert.Null(e.OsName);
            Assert.Null(e.DeviceType);

            var mobile = Accept("/qseow-proxy-session/;qs1;Start session;CORP;li;o;c;UserAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1'");
            Assert.Equal("Safari", mobile.BrowserName);
            Assert.Equal("17", mobile.BrowserMajorVersion);
            Assert.Equal("iOS", mobile.OsName);
            Assert.Equal("17.1", mobile.OsVersion);
            Assert.Equal("mobile", mobile.DeviceType);
        }

        [Fact]
        public void Line_breaks_at_the_end_go_and_a_byte_order_mark_only_at_the_start()
        {
            Assert.Equal("bye", Accept("/qseow-proxy-session/;qs1;Stop session;CORP;li;;;bye\n\r\n\r").Message);
            Assert.Equal("", Accept("/qseow-proxy-session/;qs1;Stop session;CORP;li;;;\r\n").Message);
            Assert.Equal("bye\r\nagain", Accept("/qseow-proxy-session/;qs1;Stop session;CORP;li;;;bye\r\nagain").Message);
            Assert.Equal(RejectReason.UnknownPrefix, Parse("x\uFEFF/qseow-proxy-session/;qs1;Stop session;CORP;li;;;m").Reason);
            Assert.Equal(RejectReason.UnknownPrefix, Parse("\uFEFF\uFEFF/qseow-proxy-session/;qs1;Stop session;CORP;li;;;m").Reason);
            Assert.Equal("unknown prefix ''", Parse("\r\n").Detail);
        }

        [Theory]
        [InlineData("//qseow-proxy-session//")]
        [InlineData("qseow-proxy-session/")]
        [InlineData("/proxy-connection")]
        public void Any_number_of_slashes_around_the_prefix_are_ignored(string prefix)
        {
            Assert.Equal(prefix.Trim('/'), Accept($"{prefix};qs1;Stop session;CORP;li;;;m").MessageType);
        }

        [Theory]
        [InlineData("/x/app/", null)]
        [InlineData("/app/" + App + "-", null)]
        [InlineData("/app/" + App + "g", null)]
        [InlineData("/app/" + App + "G", null)]
        [InlineData("/app/" + App + "/", App)]
        [InlineData("/app/" + App + ".", App)]
        [InlineData("/app/{" + App + "}", null)]
        [InlineData("/app//app/" + App, App)]
        public void The_app_id_must_be_a_whole_guid(string context, string? app)
        {
            Assert.Equal(app == null ? (Guid?)null : Guid.Parse(app), UserEventParser.FindAppId(context.AsSpan()));
        }

        [Fact]
        public void The_canonical_command_of_each_event_type()
        {
            Assert.Equal("Start session", UserEventParser.CommandOf(UserEventType.SessionStart));
            Assert.Equal("Stop session", UserEventParser.CommandOf(UserEventType.SessionStop));
            Assert.Equal("Open connection", UserEventParser.CommandOf(UserEventType.ConnectionOpen));
            Assert.Equal("Close connection", UserEventParser.CommandOf(UserEventType.ConnectionClose));
            Assert.False(UserEventParser.TryReadCommand("Start".AsSpan(), out _, out string canonical));
            Assert.Equal("", canonical);
        }

        [Fact]
        public void A_context_and_its_app_come_from_the_cache_the_second_time()
        {
            var parser = new UserEventParser();
            var first = parser.Parse($"/qseow-proxy-session/;qs1;Start session;CORP;li;o;/app/{App};m", At, "s").Event!;
            var second = parser.Parse($"/qseow-proxy-session/;qs1;Start session;CORP;li;o;/app/{App};m", At, "s").Event!;
            Assert.Same(first.Context, second.Context);
            Assert.Equal(Guid.Parse(App), second.AppId);

            var other = parser.Parse("/qseow-proxy-session/;qs1;Start session;CORP;li;o;/hub/;m", At, "s").Event!;
            Assert.Null(other.AppId);
            Assert.Equal("/hub/", other.Context);
        }

        // Tests below each pin behaviour a surviving mutant of the 18:01 Stryker run changed (docs/testing.md).
        [Fact]
        public void A_lone_surrogate_in_a_string_datagram_is_replaced_not_thrown()
        {
            var e = Accept("/qseow-proxy-session/;qs1;Start session;CORP;li;o;c;m\uD800");
            Assert.Equal("m\uFFFD", e.Message);
        }

        [Fact]
        public void A_null_string_datagram_is_an_empty_one()
        {
            var result = new UserEventParser().Parse((string)null!, At, "s");
            Assert.Equal(RejectReason.TooFewFields, result.Reason);
            Assert.Equal("empty datagram", result.Detail);
        }

        [Fact]
        public void An_out_of_range_limit_names_the_range()
        {
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new UserEventParser(63));
            Assert.Equal("maxDatagramBytes", ex.ParamName);
            Assert.StartsWith("between 64 and 65535 bytes", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void A_separator_first_is_an_empty_prefix()
        {
            Assert.Equal("unknown prefix ''", Parse(";qs1;Start session;CORP;li;o;c;m").Detail);
        }

        [Fact]
        public void A_too_long_user_directory_reports_its_own_length()
        {
            string directory = new string('d', 300);
            var result = Parse($"/qseow-proxy-session/;qs1;Start session;{directory};li;o;c;m");
            Assert.Equal("a user directory of 300 characters, more than the 256 accepted", result.Detail);
        }

        [Fact]
        public void A_known_command_is_the_shared_text_not_a_copy()
        {
            // One string for every event of a kind: a busy listener holds many queued events.
            Assert.Same("Start session", Accept("/qseow-proxy-session/;qs1;Start session;CORP;li;o;c;m").Command);
        }

        [Theory]
        [InlineData('9')]
        [InlineData('a')]
        [InlineData('z')]
        [InlineData('A')]
        [InlineData('Z')]
        [InlineData('0')]
        public void A_guid_followed_by_a_letter_or_digit_is_no_app_id(char next)
        {
            Assert.Null(Accept($"/qseow-proxy-session/;qs1;Start session;CORP;li;o;/app/{App}{next};m").AppId);
        }

        [Theory]
        [InlineData('/')]
        [InlineData('?')]
        [InlineData('`')]
        [InlineData('{')]
        [InlineData('@')]
        [InlineData('[')]
        [InlineData(':')]
        public void A_guid_followed_by_other_characters_is_the_app_id(char next)
        {
            Assert.Equal(Guid.Parse(App), Accept($"/qseow-proxy-session/;qs1;Start session;CORP;li;o;/app/{App}{next}x;m").AppId);
        }

        [Fact]
        public void The_exact_UserAgent_spelling_wins_over_an_earlier_other_case()
        {
            Assert.Equal("B/2", UserEventParser.ExtractUserAgent("useragent: A/1 UserAgent: B/2".AsSpan()).ToString());
        }

        [Fact]
        public void The_message_form_reads_names_at_the_start_of_the_message()
        {
            var quoted = Accept("/proxy-user-event/;qs1;Proxy;/hub/;user 'CORP\\docs' Start session");
            Assert.Equal("CORP", quoted.UserDirectory);
            Assert.Equal("docs", quoted.UserId);
            var directoryFirst = Accept("/proxy-user-event/;qs1;Proxy;/hub/;UserDirectory=CORP; UserId=docs; Start session");
            Assert.Equal("CORP", directoryFirst.UserDirectory);
            Assert.Equal("docs", directoryFirst.UserId);
            var idFirst = Accept("/proxy-user-event/;qs1;Proxy;/hub/;UserId=docs; UserDirectory=CORP; Start session");
            Assert.Equal("CORP", idFirst.UserDirectory);
            Assert.Equal("docs", idFirst.UserId);
        }
    }
}
