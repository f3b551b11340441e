using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace QlikActivity.Core.Destinations.Webhooks
{
    /// <summary>
    /// The generic webhook body: always a JSON array of events (one request per batch; <c>-BatchSize 1</c>
    /// gives one event per request, still in an array). Each event carries the keys of Butler SOS's MQTT
    /// payload (<c>messageType</c>, <c>host</c>, <c>command</c>, <c>userDir</c>, <c>userId</c>, <c>origin</c>,
    /// <c>context</c>, <c>message</c>, <c>tags</c>, <c>appId</c>, <c>appName</c>, <c>uaBrowserName</c>,
    /// <c>uaBrowserMajorVersion</c>, <c>uaOsName</c>, <c>uaOsVersion</c>) so one consumer can read both, plus
    /// <c>timestamp</c> (ISO 8601 UTC), <c>eventType</c>, <c>userFull</c>, <c>source</c> and <c>uaDeviceType</c>. Unknown app and
    /// user-agent keys are left out.
    /// </summary>
    internal sealed class UserEventJsonFormat : IWebhookMessageFormat
    {
        public int MaxBytes => int.MaxValue;

        public void Write(Stream output, IReadOnlyList<UserEvent> batch, int start, int count)
        {
            using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            json.WriteStartArray();
            for (int i = start; i < start + count; i++)
            {
                WriteEvent(json, batch[i]);
            }

            json.WriteEndArray();
        }

        internal static void WriteEvent(Utf8JsonWriter json, UserEvent e)
        {
            var utc = e.ReceivedAt.Kind == DateTimeKind.Local ? e.ReceivedAt.ToUniversalTime() : e.ReceivedAt;
            json.WriteStartObject();
            json.WriteString("timestamp", utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            json.WriteString("eventType", e.EventType.ToString());
            json.WriteString("messageType", e.MessageType);
            json.WriteString("host", e.Host);
            json.WriteString("command", e.Command);
            json.WriteString("userDir", e.UserDirectory);
            json.WriteString("userId", e.UserId);
            json.WriteString("userFull", e.UserDirectory.Length > 0 && e.UserId.Length > 0 ? e.UserFull : "");
            json.WriteString("origin", e.Origin);
            json.WriteString("context", e.Context);
            json.WriteString("message", e.Message);
            json.WriteString("source", e.Source);
            json.WriteStartObject("tags");
            foreach (var tag in e.Tags)
            {
                json.WriteString(tag.Key, tag.Value);
            }

            json.WriteEndObject();
            if (e.AppId is Guid appId)
            {
                json.WriteString("appId", appId.ToString());
            }

            WriteIfKnown(json, "appName", e.AppName);
            WriteIfKnown(json, "uaBrowserName", e.BrowserName);
            WriteIfKnown(json, "uaBrowserMajorVersion", e.BrowserMajorVersion);
            WriteIfKnown(json, "uaOsName", e.OsName);
            WriteIfKnown(json, "uaOsVersion", e.OsVersion);
            WriteIfKnown(json, "uaDeviceType", e.DeviceType);
            json.WriteEndObject();
        }

        private static void WriteIfKnown(Utf8JsonWriter json, string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                json.WriteString(name, value);
            }
        }
    }
}
