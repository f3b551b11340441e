using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using QlikActivity.Core.Destinations.Webhooks;
using Xunit;

namespace QlikActivity.Core.Tests.Destinations.Webhooks
{
    public class WebhookMessageFormatTests
    {
        private static JsonElement Build(IWebhookMessageFormat format, params UserEvent[] events)
        {
            using var stream = new MemoryStream();
            format.Write(stream, events, 0, events.Length);
            using var doc = JsonDocument.Parse(stream.ToArray());
            return doc.RootElement.Clone();
        }

        [Fact]
        public void A_slack_message_says_who_what_where_which_app_and_client_one_line_per_event()
        {
            var message = Build(new SlackMessageFormat(), SampleEvents.SessionStart(), SampleEvents.SessionStop("bob", 1000));
            Assert.Equal(new[] { "text" }, message.EnumerateObject().Select(p => p.Name).ToArray());
            var lines = message.GetProperty("text").GetString()!.Split('\n');
            Assert.Equal(2, lines.Length);
            Assert.Equal(
                ":large_green_circle: *Start session* `LAB\\anna` on `sense1.lab.local` · app `Sales, \"2024\" (e7af59a0-c243-480d-9571-08727551a66f)` · `Chrome 120 on Windows NT 10.0` · 2024-11-15 17:28:03 UTC",
                lines[0]);
            Assert.Equal(":red_circle: *Stop session* `LAB\\bob` on `sense1.lab.local` · 2024-11-15 17:28:04 UTC", lines[1]);
        }

        [Fact]
        public void Slack_control_characters_are_escaped()
        {
            var e = SampleEvents.SessionStop("<!channel> & co`");
            string text = Build(new SlackMessageFormat(), e).GetProperty("text").GetString()!;
            Assert.Contains("`LAB\\&lt;!channel&gt; &amp; co'`", text);
            Assert.DoesNotContain("<!channel>", text);
        }

        [Fact]
        public void A_teams_message_is_an_adaptive_card_with_a_title_and_facts_per_event()
        {
            var message = Build(new TeamsMessageFormat(), SampleEvents.SessionStart(), SampleEvents.ConnectionClose("bob"));
            Assert.Equal("message", message.GetProperty("type").GetString());
            var attachment = Assert.Single(message.GetProperty("attachments").EnumerateArray());
            Assert.Equal("application/vnd.microsoft.card.adaptive", attachment.GetProperty("contentType").GetString());
            var card = attachment.GetProperty("content");
            Assert.Equal("AdaptiveCard", card.GetProperty("type").GetString());
            Assert.Equal("1.4", card.GetProperty("version").GetString());
            var body = card.GetProperty("body").EnumerateArray().ToArray();
            Assert.Equal(new[] { "RichTextBlock", "Container", "RichTextBlock", "Container" }, body.Select(b => b.GetProperty("type").GetString()).ToArray());
            Assert.Equal("Start session: LAB\\anna", string.Concat(body[0].GetProperty("inlines").EnumerateArray().Select(r => r.GetProperty("text").GetString())));
            Assert.False(body[0].TryGetProperty("separator", out _));
            Assert.True(body[2].GetProperty("separator").GetBoolean());
            var facts = Facts(body[1]);
            Assert.Equal("LAB\\anna", facts["User"]);
            Assert.Equal("sense1.lab.local", facts["Server"]);
            Assert.Equal("Sales, \"2024\" (e7af59a0-c243-480d-9571-08727551a66f)", facts["App"]);
            Assert.Equal("Chrome 120 on Windows NT 10.0", facts["Client"]);
            Assert.Equal("2024-11-15 17:28:03 UTC", facts["Time"]);
            Assert.Equal(new[] { "User", "Server", "Client", "Time" }, Facts(body[3]).Keys.ToArray());
        }

        /// <summary>The rows of a Teams event: a title column (TextBlock) and a value column (RichTextBlock of one TextRun).</summary>
        private static System.Collections.Generic.Dictionary<string, string> Facts(JsonElement container) =>
            container.GetProperty("items").EnumerateArray().ToDictionary(
                row => row.GetProperty("columns")[0].GetProperty("items")[0].GetProperty("text").GetString()!,
                row =>
                {
                    var run = Assert.Single(row.GetProperty("columns")[1].GetProperty("items")[0].GetProperty("inlines").EnumerateArray());
                    Assert.Equal("TextRun", run.GetProperty("type").GetString());
                    return run.GetProperty("text").GetString()!;
                });

        [Fact]
        public void The_json_body_is_an_array_of_events_with_the_mqtt_payload_keys()
        {
            var e = SampleEvents.SessionStart().WithTags(("qs_env", "dev"));
            var array = Build(new UserEventJsonFormat(), e, SampleEvents.SessionStop());
            Assert.Equal(JsonValueKind.Array, array.ValueKind);
            var first = array[0];
            Assert.Equal("2024-11-15T17:28:03.548Z", first.GetProperty("timestamp").GetString());
            Assert.Equal("SessionStart", first.GetProperty("eventType").GetString());
            Assert.Equal("qseow-proxy-session", first.GetProperty("messageType").GetString());
            Assert.Equal("sense1.lab.local", first.GetProperty("host").GetString());
            Assert.Equal("Start session", first.GetProperty("command").GetString());
            Assert.Equal("LAB", first.GetProperty("userDir").GetString());
            Assert.Equal("anna", first.GetProperty("userId").GetString());
            Assert.Equal("LAB\\anna", first.GetProperty("userFull").GetString());
            Assert.Equal("AppAccess", first.GetProperty("origin").GetString());
            Assert.Equal(e.Context, first.GetProperty("context").GetString());
            Assert.Equal(e.Message, first.GetProperty("message").GetString());
            Assert.Equal("dev", first.GetProperty("tags").GetProperty("qs_env").GetString());
            Assert.Equal(SampleEvents.AppId.ToString(), first.GetProperty("appId").GetString());
            Assert.Equal("Sales, \"2024\"", first.GetProperty("appName").GetString());
            Assert.Equal("Chrome", first.GetProperty("uaBrowserName").GetString());
            Assert.Equal("120", first.GetProperty("uaBrowserMajorVersion").GetString());
            Assert.Equal("Windows", first.GetProperty("uaOsName").GetString());
            Assert.Equal("NT 10.0", first.GetProperty("uaOsVersion").GetString());
            Assert.False(array[1].TryGetProperty("appId", out _));
            Assert.False(array[1].TryGetProperty("uaBrowserName", out _));
        }

        [Fact]
        public void Non_ascii_text_stays_readable_utf8()
        {
            using var stream = new MemoryStream();
            new UserEventJsonFormat().Write(stream, new[] { SampleEvents.SessionStop("Jürgen 日本") }, 0, 1);
            Assert.Contains("\"userId\":\"Jürgen 日本\"", Encoding.UTF8.GetString(stream.ToArray()));
        }

        [Fact]
        public void The_device_type_is_in_the_json_body_and_after_the_client_in_text()
        {
            UserEvent start = SampleEvents.SessionStart();
            start.DeviceType = "mobile";

            var array = Build(new UserEventJsonFormat(), start, SampleEvents.SessionStop());
            Assert.Equal("mobile", array[0].GetProperty("uaDeviceType").GetString());
            Assert.False(array[1].TryGetProperty("uaDeviceType", out _));

            var slack = Build(new SlackMessageFormat(), start).GetProperty("text").GetString();
            Assert.Contains(" · `Chrome 120 on Windows NT 10.0 (mobile)` · ", slack);
        }
    }
}
