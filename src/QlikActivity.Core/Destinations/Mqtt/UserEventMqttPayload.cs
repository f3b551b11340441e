using System.Text.Encodings.Web;
using System.Text.Json;

namespace QlikActivity.Core.Destinations.Mqtt
{
    /// <summary>
    /// The JSON an MQTT consumer of Butler SOS 15 already reads: the same keys in the same order,
    /// <c>tags</c> always present (empty when there are none), <c>appId</c>/<c>appName</c> only when the
    /// context names an app, and each <c>ua*</c> key only when the user agent told it.
    /// </summary>
    internal static class UserEventMqttPayload
    {
        /// <summary>Butler SOS's name for an app it could not resolve.</summary>
        public const string UnknownAppName = "<unknown app name>";

        /// <summary>
        /// JSON.stringify escapes neither quotes-as-HTML nor non-ASCII; the relaxed encoder matches
        /// that for everything a Proxy event carries.
        /// </summary>
        public static readonly JsonWriterOptions WriterOptions = new JsonWriterOptions
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            Indented = false,
            SkipValidation = true,
        };

        private static readonly JsonEncodedText MessageType = JsonEncodedText.Encode("messageType");
        private static readonly JsonEncodedText Host = JsonEncodedText.Encode("host");
        private static readonly JsonEncodedText Command = JsonEncodedText.Encode("command");
        private static readonly JsonEncodedText UserDir = JsonEncodedText.Encode("userDir");
        private static readonly JsonEncodedText UserId = JsonEncodedText.Encode("userId");
        private static readonly JsonEncodedText Origin = JsonEncodedText.Encode("origin");
        private static readonly JsonEncodedText Context = JsonEncodedText.Encode("context");
        private static readonly JsonEncodedText Message = JsonEncodedText.Encode("message");
        private static readonly JsonEncodedText Tags = JsonEncodedText.Encode("tags");
        private static readonly JsonEncodedText AppId = JsonEncodedText.Encode("appId");
        private static readonly JsonEncodedText AppName = JsonEncodedText.Encode("appName");
        private static readonly JsonEncodedText UaBrowserName = JsonEncodedText.Encode("uaBrowserName");
        private static readonly JsonEncodedText UaBrowserMajorVersion = JsonEncodedText.Encode("uaBrowserMajorVersion");
        private static readonly JsonEncodedText UaOsName = JsonEncodedText.Encode("uaOsName");
        private static readonly JsonEncodedText UaOsVersion = JsonEncodedText.Encode("uaOsVersion");
        private static readonly JsonEncodedText UaDeviceType = JsonEncodedText.Encode("uaDeviceType");

        private static readonly JsonEncodedText SessionMessageType = JsonEncodedText.Encode("qseow-proxy-session");
        private static readonly JsonEncodedText ConnectionMessageType = JsonEncodedText.Encode("qseow-proxy-connection");

        /// <summary>Writes one event as a complete JSON object and flushes the writer.</summary>
        public static void Write(Utf8JsonWriter writer, UserEvent e)
        {
            writer.WriteStartObject();
            if (string.IsNullOrEmpty(e.MessageType))
            {
                // Events built without a datagram (e.g. by a test or a script) still get the current prefix.
                writer.WriteString(MessageType, IsSession(e.EventType) ? SessionMessageType : ConnectionMessageType);
            }
            else
            {
                writer.WriteString(MessageType, e.MessageType);
            }

            writer.WriteString(Host, e.Host ?? "");
            writer.WriteString(Command, e.Command ?? "");
            writer.WriteString(UserDir, e.UserDirectory ?? "");
            writer.WriteString(UserId, e.UserId ?? "");
            writer.WriteString(Origin, e.Origin ?? "");
            writer.WriteString(Context, e.Context ?? "");
            writer.WriteString(Message, e.Message ?? "");

            writer.WriteStartObject(Tags);
            if (e.Tags != null)
            {
                foreach (var tag in e.Tags)
                {
                    writer.WriteString(tag.Key, tag.Value ?? "");
                }
            }

            writer.WriteEndObject();

            if (e.AppId is { } appId)
            {
                writer.WriteString(AppId, appId.ToString("D"));
                writer.WriteString(AppName, string.IsNullOrEmpty(e.AppName) ? UnknownAppName : e.AppName);
            }
            else if (!string.IsNullOrEmpty(e.AppName))
            {
                writer.WriteString(AppName, e.AppName);
            }

            WriteIfPresent(writer, UaBrowserName, e.BrowserName);
            WriteIfPresent(writer, UaBrowserMajorVersion, e.BrowserMajorVersion);
            WriteIfPresent(writer, UaOsName, e.OsName);
            WriteIfPresent(writer, UaOsVersion, e.OsVersion);

            // Our one addition, last so Butler SOS's keys keep their order: desktop, mobile, tablet, tv or bot.
            WriteIfPresent(writer, UaDeviceType, e.DeviceType);
            writer.WriteEndObject();
            writer.Flush();
        }

        /// <summary>The message type Butler SOS reports for an event that came without one.</summary>
        public static string DefaultMessageType(UserEventType type) =>
            IsSession(type) ? "qseow-proxy-session" : "qseow-proxy-connection";

        private static bool IsSession(UserEventType type) =>
            type == UserEventType.SessionStart || type == UserEventType.SessionStop;

        private static void WriteIfPresent(Utf8JsonWriter writer, JsonEncodedText key, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                writer.WriteString(key, value);
            }
        }
    }
}
