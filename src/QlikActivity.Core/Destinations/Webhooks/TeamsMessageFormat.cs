using System.Collections.Generic;
using System.IO;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace QlikActivity.Core.Destinations.Webhooks
{
    /// <summary>
    /// A Microsoft Teams message carrying an Adaptive Card (a title and a fact set per event). This envelope,
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

        private static void WriteEvent(Utf8JsonWriter json, UserEvent e, bool separator)
        {
            json.WriteStartObject();
            json.WriteString("type", "TextBlock");
            json.WriteString("text", UserEventText.Action(e) + ": " + UserEventText.User(e));
            json.WriteString("weight", "Bolder");
            json.WriteBoolean("wrap", true);
            if (separator)
            {
                json.WriteBoolean("separator", true);
            }

            json.WriteEndObject();

            json.WriteStartObject();
            json.WriteString("type", "FactSet");
            json.WriteStartArray("facts");
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
            json.WriteString("title", title);
            json.WriteString("value", value);
            json.WriteEndObject();
        }
    }
}
