using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace QlikActivity.Core.Destinations.Webhooks
{
    /// <summary>
    /// A Slack incoming-webhook message, <c>{"text": "..."}</c>, one line per event: who, what, which server,
    /// which app, which client, when. Slack's mrkdwn needs <c>&amp;</c>, <c>&lt;</c> and <c>&gt;</c> escaped
    /// (api.slack.com, "Formatting text for app surfaces") and has no other escape, so text from the event goes
    /// into code spans, cleaned by <see cref="UserEventText.Clean"/>; Slack cuts text beyond 40,000 characters, so a
    /// batch that would be longer is split.
    /// </summary>
    internal sealed class SlackMessageFormat : IWebhookMessageFormat
    {
        public int MaxBytes => 35_000;

        public void Write(Stream output, IReadOnlyList<UserEvent> batch, int start, int count)
        {
            var text = new StringBuilder();
            for (int i = start; i < start + count; i++)
            {
                if (text.Length > 0)
                {
                    text.Append('\n');
                }

                AppendLine(text, batch[i]);
            }

            using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            json.WriteStartObject();
            json.WriteString("text", text.ToString());
            json.WriteEndObject();
        }

        // Every part taken from the event sits in a code span, where Slack renders no bold, italics, strike,
        // link or mention; & < > are still escaped (Slack reads <!channel>, <@U123> and <url|text> even there)
        // and a backtick cannot close the span early. Only the icon, the action and the time are ours.
        internal static void AppendLine(StringBuilder text, UserEvent e)
        {
            text.Append(Icon(e.EventType)).Append(" *").Append(UserEventText.Action(e)).Append("* ");
            AppendCode(text, UserEventText.User(e));
            text.Append(" on ");
            AppendCode(text, UserEventText.Server(e));
            if (UserEventText.App(e) is string app)
            {
                text.Append(" · app ");
                AppendCode(text, app);
            }

            if (UserEventText.Client(e) is string client)
            {
                text.Append(" · ");
                AppendCode(text, client);
            }

            text.Append(" · ").Append(UserEventText.Time(e));
        }

        private static void AppendCode(StringBuilder text, string part) =>
            text.Append('`').Append(Escape(part).Replace('`', '\'')).Append('`');

        private static string Icon(UserEventType type) => type switch
        {
            UserEventType.SessionStart => ":large_green_circle:",
            UserEventType.SessionStop => ":red_circle:",
            UserEventType.ConnectionOpen => ":arrow_forward:",
            _ => ":black_square_for_stop:",
        };

        internal static string Escape(string text) =>
            text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace('\n', ' ').Replace('\r', ' ');
    }
}
