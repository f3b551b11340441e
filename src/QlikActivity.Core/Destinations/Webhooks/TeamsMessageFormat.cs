using System.Collections.Generic;
using System.IO;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace QlikActivity.Core.Destinations.Webhooks
{
    /// <summary>
    /// A Microsoft Teams message carrying an Adaptive Card (a title and rows of facts per event). This envelope,
    /// <c>{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","content":{...}}]}</c>,
    /// is what Teams incoming webhooks take for Adaptive Cards and what the Workflows "post to a channel when a
    /// webhook request is received" template takes too, so it keeps working after Microsoft retires the
    /// Office 365 connectors (learn.microsoft.com, "Create an Incoming Webhook", "Send Adaptive Cards using an
    /// Incoming Webhook"). Teams takes at most about 28 KB per message, so a longer batch is split.
    /// </summary>
    internal sealed class TeamsMessageFormat : IWebhookMessageFormat
    {
        public int MaxBytes => 25_000;

        public void Write(Stream output, IReadOnlyList<UserEvent> batch, int start, int count)
        {
            using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            json.WriteStartObject();
            json.WriteString("type", "message");
            json.WriteStartArray("attachments");
            json.WriteStartObject();
            json.WriteString("contentType", "application/vnd.microsoft.card.adaptive");
            json.WriteNull("contentUrl");
            json.WriteStartObject("content");
            json.WriteString("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
            json.WriteString("type", "AdaptiveCard");
            json.WriteString("version", "1.4");
            json.WriteStartArray("body");
            for (int i = start; i < start + count; i++)
            {
                WriteEvent(json, batch[i], separator: i > start);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        // Teams renders markdown (links, bold, lists) in TextBlock texts and in FactSet titles and values, and
        // has no reliable escape. Text from the event therefore goes only into TextRuns, which render no markdown
        // (adaptivecards.io schema, TextRun.text: "Markdown is not supported"); markdown elements hold our own
        // words only. The facts are rows of two columns instead of a FactSet for that reason.
        private static void WriteEvent(Utf8JsonWriter json, UserEvent e, bool separator)
        {
            json.WriteStartObject();
            json.WriteString("type", "RichTextBlock");
            if (separator)
            {
                json.WriteBoolean("separator", true);
            }

            json.WriteStartArray("inlines");
            Run(json, UserEventText.Action(e) + ": ", bold: true);
            Run(json, UserEventText.User(e), bold: true);
            json.WriteEndArray();
            json.WriteEndObject();

            json.WriteStartObject();
            json.WriteString("type", "Container");
            json.WriteString("spacing", "Small");
            json.WriteStartArray("items");
            Fact(json, "User", UserEventText.User(e));
            Fact(json, "Server", UserEventText.Server(e));
            if (UserEventText.App(e) is string app)
            {
                Fact(json, "App", app);
            }

            if (UserEventText.Client(e) is string client)
            {
                Fact(json, "Client", client);
            }

            Fact(json, "Time", UserEventText.Time(e));
            json.WriteEndArray();
            json.WriteEndObject();
        }

        private static void Fact(Utf8JsonWriter json, string title, string value)
        {
            json.WriteStartObject();
            json.WriteString("type", "ColumnSet");
            json.WriteString("spacing", "None");
            json.WriteStartArray("columns");

            json.WriteStartObject();
            json.WriteString("type", "Column");
            json.WriteString("width", "70px");
            json.WriteStartArray("items");
            json.WriteStartObject();
            json.WriteString("type", "TextBlock");
            json.WriteString("text", title);
            json.WriteString("weight", "Bolder");
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();

            json.WriteStartObject();
            json.WriteString("type", "Column");
            json.WriteString("width", "stretch");
            json.WriteStartArray("items");
            json.WriteStartObject();
            json.WriteString("type", "RichTextBlock");
            json.WriteStartArray("inlines");
            Run(json, value, bold: false);
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();

            json.WriteEndArray();
            json.WriteEndObject();
        }

        private static void Run(Utf8JsonWriter json, string text, bool bold)
        {
            json.WriteStartObject();
            json.WriteString("type", "TextRun");
            json.WriteString("text", text);
            if (bold)
            {
                json.WriteString("weight", "Bolder");
            }

            json.WriteEndObject();
        }
    }
}
