using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using QlikActivity.Core.Destinations.Mqtt;
using Xunit;

namespace QlikActivity.Core.Tests.Destinations.Mqtt
{
    /// <summary>
    /// The JSON must be what Butler SOS 15 publishes (see the peer's recorded output): these
    /// fixtures are our own events, checked for the peer's keys, order, escaping and omissions.
    /// </summary>
    public class UserEventMqttPayloadTests
    {
        internal static string Json(UserEvent e)
        {
            using var buffer = new PooledBufferWriter(64);
            using var writer = new Utf8JsonWriter(buffer, UserEventMqttPayload.WriterOptions);
            UserEventMqttPayload.Write(writer, e);
            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }

        internal static UserEvent SessionStartWithApp() => new UserEvent
        {
            MessageType = "qseow-proxy-session",
            Host = "qs-central.corp.example",
            EventType = UserEventType.SessionStart,
            Command = "Start session",
            UserDirectory = "CORP",
            UserId = "jdoe",
            Origin = "AppAccess",
            Context = "/app/0c6a0a5e-8f1e-4b3d-9a57-1b2c3d4e5f60?reloaduri=x",
            AppId = Guid.Parse("0c6a0a5e-8f1e-4b3d-9a57-1b2c3d4e5f60"),
            Message = "Start session for user 'CORP\\jdoe' UserAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edg/124.0'",
            BrowserName = "Edge",
            BrowserMajorVersion = "124",
            OsName = "Windows",
            OsVersion = "10",
        };

        [Fact]
        public void Session_start_with_app_and_user_agent_has_every_key_in_butler_order()
        {
            Assert.Equal(
                "{\"messageType\":\"qseow-proxy-session\",\"host\":\"qs-central.corp.example\",\"command\":\"Start session\"," +
                "\"userDir\":\"CORP\",\"userId\":\"jdoe\",\"origin\":\"AppAccess\"," +
                "\"context\":\"/app/0c6a0a5e-8f1e-4b3d-9a57-1b2c3d4e5f60?reloaduri=x\"," +
                "\"message\":\"Start session for user 'CORP\\\\jdoe' UserAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edg/124.0'\"," +
                "\"tags\":{},\"appId\":\"0c6a0a5e-8f1e-4b3d-9a57-1b2c3d4e5f60\",\"appName\":\"<unknown app name>\"," +
                "\"uaBrowserName\":\"Edge\",\"uaBrowserMajorVersion\":\"124\",\"uaOsName\":\"Windows\",\"uaOsVersion\":\"10\"}",
                Json(SessionStartWithApp()));
        }

        [Fact]
        public void A_resolved_app_name_replaces_the_unknown_marker()
        {
            var e = SessionStartWithApp();
            e.AppName = "Sales \"EMEA\"";
            Assert.Contains("\"appId\":\"0c6a0a5e-8f1e-4b3d-9a57-1b2c3d4e5f60\",\"appName\":\"Sales \\\"EMEA\\\"\",\"uaBrowserName\"", Json(e));
        }

        [Fact]
        public void Close_connection_without_app_or_os_version_leaves_those_keys_out()
        {
            var e = new UserEvent
            {
                MessageType = "qseow-proxy-connection",
                Host = "qs2",
                EventType = UserEventType.ConnectionClose,
                Command = "Close connection",
                UserDirectory = "CORP",
                UserId = "mk",
                Origin = "AppAccess",
                Context = "/hub/",
                Message = "Websocket connection Closed",
                BrowserName = "Firefox",
                BrowserMajorVersion = "125",
                OsName = "Linux",
            };
            Assert.Equal(
                "{\"messageType\":\"qseow-proxy-connection\",\"host\":\"qs2\",\"command\":\"Close connection\",\"userDir\":\"CORP\"," +
                "\"userId\":\"mk\",\"origin\":\"AppAccess\",\"context\":\"/hub/\",\"message\":\"Websocket connection Closed\",\"tags\":{}," +
                "\"uaBrowserName\":\"Firefox\",\"uaBrowserMajorVersion\":\"125\",\"uaOsName\":\"Linux\"}",
                Json(e));
        }

        [Fact]
        public void Stop_session_with_empty_fields_keeps_them_as_empty_strings_and_ends_after_tags()
        {
            var e = new UserEvent
            {
                MessageType = "qseow-proxy-session",
                Host = "qs1",
                EventType = UserEventType.SessionStop,
                Command = "Stop session",
                UserDirectory = "",
                UserId = "",
                Message = "Stop session for user 'X\\y'",
            };
            Assert.Equal(
                "{\"messageType\":\"qseow-proxy-session\",\"host\":\"qs1\",\"command\":\"Stop session\",\"userDir\":\"\",\"userId\":\"\"," +
                "\"origin\":\"\",\"context\":\"\",\"message\":\"Stop session for user 'X\\\\y'\",\"tags\":{}}",
                Json(e));
        }

        [Fact]
        public void Tags_from_the_listener_are_an_object_of_strings()
        {
            var e = SessionStartWithApp();
            e.Tags = new Dictionary<string, string> { ["env"] = "prod", ["site"] = "Zürich" };
            string json = Json(e);
            Assert.Contains("\"message\":", json);
            Assert.Contains("'\",\"tags\":{\"env\":\"prod\",\"site\":\"Zürich\"},\"appId\":", json);
        }

        [Fact]
        public void Escapes_like_json_stringify_quotes_backslashes_and_controls_only()
        {
            var e = new UserEvent
            {
                MessageType = "qseow-proxy-connection",
                EventType = UserEventType.ConnectionOpen,
                Command = "Open connection",
                Message = "a\"b\\c\td\ne <&> 'q' é 中",
            };
            Assert.Contains("\"message\":\"a\\\"b\\\\c\\td\\ne <&> 'q' é 中\"", Json(e));
        }

        [Theory]
        [InlineData(UserEventType.SessionStart, "qseow-proxy-session")]
        [InlineData(UserEventType.SessionStop, "qseow-proxy-session")]
        [InlineData(UserEventType.ConnectionOpen, "qseow-proxy-connection")]
        [InlineData(UserEventType.ConnectionClose, "qseow-proxy-connection")]
        public void A_missing_message_type_is_derived_from_the_event_type(UserEventType type, string expected)
        {
            var e = new UserEvent { EventType = type };
            Assert.StartsWith("{\"messageType\":\"" + expected + "\",\"host\":\"\"", Json(e));
        }

        [Fact]
        public void The_payload_is_valid_json_that_reads_back()
        {
            using var doc = JsonDocument.Parse(Json(SessionStartWithApp()));
            var root = doc.RootElement;
            Assert.Equal("CORP", root.GetProperty("userDir").GetString());
            Assert.Equal("Start session for user 'CORP\\jdoe' UserAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edg/124.0'", root.GetProperty("message").GetString());
            Assert.Equal(JsonValueKind.Object, root.GetProperty("tags").ValueKind);
        }

        [Fact]
        public void The_device_type_is_one_extra_key_after_butler_sos_keys()
        {
            UserEvent e = SessionStartWithApp();
            string without = Json(e);
            Assert.DoesNotContain("uaDeviceType", without);

            e.DeviceType = "mobile";
            string with = Json(e);
            Assert.EndsWith(",\"uaDeviceType\":\"mobile\"}", with);
            Assert.Equal(without.Substring(0, without.Length - 1) + ",\"uaDeviceType\":\"mobile\"}", with);
        }
    }
}
