using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Destinations.Webhooks;
using Xunit;
using static QlikActivity.Core.Tests.Destinations.TestSecrets;

namespace QlikActivity.Core.Tests.Destinations.Webhooks
{
    /// <summary>
    /// Issue 11 item 9: directory, user and host come from unauthenticated datagrams. Rendered into a Slack or
    /// Teams message they must stay text: no link, mention, formatting or line break of the sender's choosing,
    /// no control characters, and a bounded length.
    /// </summary>
    public class WebhookInjectionTests
    {
        private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

        private const string Phish = "[Reset your password](https://evil.example/reset)";
        private const string Mentions = "<!channel> <!here> <@U123> <#C42|general>";
        private const string Markup = "*bold* _it_ ~strike~ `code` **B** <b>html</b> &amp; {{DATE(2017-02-14T06:08:00Z)}}";
        private const string Controls = "a\r\nb\tc\u0007d\u001be\u0085f\u2028g\u202Eh\u200Bi";

        private static UserEvent Hostile()
        {
            var e = SampleEvents.SessionStart();
            e.UserDirectory = Phish;
            e.UserId = Mentions + " " + Markup + " " + Controls + " " + new string('x', 100_000);
            e.Host = "<https://evil.example/login|sense1.lab.local> evil.example/login https://evil.example";
            e.AppName = "Sales](https://evil.example) *urgent*\n# Heading";
            e.BrowserName = "<!everyone>";
            return e;
        }

        private static async Task<RecordedRequest> PostAsync(WebhookFormat format, UserEvent e)
        {
            await using var server = await RecordingHttpServer.StartAsync();
            var d = new WebhookDestination(new WebhookDestinationOptions
            {
                Url = Secure(server.Url("/hook/SECRET").AbsoluteUri),
                Format = format,
                MaxRetryDelay = TimeSpan.FromMilliseconds(100),
            });
            await d.StartAsync(CancellationToken.None);
            Assert.True(d.TryEnqueue(e));
            await d.StopAsync(Wait);
            Assert.Equal(1, d.GetStatistics().Sent);
            return Assert.Single(server.Requests);
        }

        private static void AssertNoControlCharacters(string text)
        {
            foreach (char c in text)
            {
                Assert.False(char.IsControl(c) && c != '\n', $"control character U+{(int)c:X4} in the message");
                var category = char.GetUnicodeCategory(c);
                Assert.False(
                    category == System.Globalization.UnicodeCategory.Format
                    || category == System.Globalization.UnicodeCategory.LineSeparator
                    || category == System.Globalization.UnicodeCategory.ParagraphSeparator,
                    $"invisible or line-breaking character U+{(int)c:X4} in the message");
            }
        }

        /// <summary>The parts of a Slack mrkdwn line that are not inside a code span (where Slack renders nothing).</summary>
        private static string OutsideCodeSpans(string line)
        {
            var parts = line.Split('`');
            Assert.True(parts.Length % 2 == 1, "unbalanced code spans: " + line);
            return string.Concat(parts.Where((_, i) => i % 2 == 0));
        }

        [Fact]
        public async Task A_hostile_datagram_in_a_slack_message_is_text_in_code_spans_without_links_mentions_or_line_breaks()
        {
            var request = await PostAsync(WebhookFormat.Slack, Hostile());
            string text = JsonDocument.Parse(request.Body).RootElement.GetProperty("text").GetString()!;

            Assert.DoesNotContain('\n', text); // one event, one line: no forged second line
            AssertNoControlCharacters(text);
            Assert.InRange(text.Length, 1, 2000);
            Assert.InRange(request.Body.Length, 1, 4000);

            // Slack mentions, links and channel references all start with '<': none may survive.
            Assert.DoesNotContain('<', text);
            Assert.DoesNotContain('>', text);
            Assert.DoesNotContain("://", text);

            // Outside code spans only our own words and markup remain: the one bold action and the icon.
            string outside = OutsideCodeSpans(text);
            Assert.Equal(":large_green_circle: *Start session*  on  · app  ·  · 2024-11-15 17:28:03 UTC", outside);

            // The values are still readable, escaped as Slack asks (& < > as entities).
            Assert.Contains("`[Reset your password](https[:]//evil.example/reset)\\&lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt;", text);
            Assert.Contains("*bold* _it_ ~strike~ 'code' **B** &lt;b&gt;html&lt;/b&gt; &amp;amp;", text);
            Assert.Contains("a b c d e f ghi xxx", text); // line breaks and controls become one space, invisible format characters go
            Assert.Contains("x…`", text);
        }

        [Fact]
        public async Task A_hostile_datagram_in_a_teams_card_never_reaches_markdown_and_is_capped()
        {
            var request = await PostAsync(WebhookFormat.Teams, Hostile());
            Assert.InRange(request.Body.Length, 1, 6000);
            var card = JsonDocument.Parse(request.Body).RootElement.GetProperty("attachments")[0].GetProperty("content");

            var markdown = new List<string>(); // TextBlock texts and fact titles/values: Teams renders markdown in them
            var plain = new List<string>();    // TextRun texts: no markdown at all
            Walk(card.GetProperty("body"), markdown, plain);

            Assert.All(markdown, m => Assert.Contains(m, new[] { "User", "Server", "App", "Client", "Time" }));
            string values = string.Join("\n", plain);
            AssertNoControlCharacters(values.Replace("\n", ""));
            Assert.DoesNotContain("://", values);
            Assert.Contains(plain, p => p.StartsWith("[Reset your password](https[:]//evil.example/reset)\\<!channel>", StringComparison.Ordinal));
            Assert.All(plain, p => Assert.InRange(p.Length, 0, 300));
            Assert.Contains(plain, p => p.EndsWith("x…", StringComparison.Ordinal));
            Assert.DoesNotContain("{{", values);
        }

        private static void Walk(JsonElement element, List<string> markdown, List<string> plain)
        {
            if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item, markdown, plain);
                }

                return;
            }

            if (element.ValueKind != JsonValueKind.Object)
            {
                return;
            }

            string? type = element.TryGetProperty("type", out var t) ? t.GetString() : null;
            if (type == "TextBlock")
            {
                markdown.Add(element.GetProperty("text").GetString()!);
            }
            else if (type == "TextRun")
            {
                plain.Add(element.GetProperty("text").GetString()!);
            }
            else if (type == "FactSet")
            {
                foreach (var fact in element.GetProperty("facts").EnumerateArray())
                {
                    markdown.Add(fact.GetProperty("title").GetString()!);
                    markdown.Add(fact.GetProperty("value").GetString()!);
                }
            }

            foreach (var property in element.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.Array || property.Value.ValueKind == JsonValueKind.Object)
                {
                    Walk(property.Value, markdown, plain);
                }
            }
        }

        [Fact]
        public async Task The_json_format_keeps_the_data_exact_and_json_escapes_control_characters()
        {
            var e = Hostile();
            var request = await PostAsync(WebhookFormat.Json, e);
            foreach (byte b in request.Body)
            {
                Assert.False(b < 0x20, $"raw control byte 0x{b:X2} in the JSON body");
            }

            var sent = JsonDocument.Parse(request.Body).RootElement[0];
            Assert.Equal(e.UserId, sent.GetProperty("userId").GetString());
            Assert.Equal(e.UserDirectory, sent.GetProperty("userDir").GetString());
            Assert.Equal(e.Host, sent.GetProperty("host").GetString());
        }
    }
}
