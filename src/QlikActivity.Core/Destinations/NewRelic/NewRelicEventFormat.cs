using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace QlikActivity.Core.Destinations.NewRelic
{
    /// <summary>
    /// How user events become New Relic custom events: a JSON array for the Event API. No I/O.
    /// </summary>
    /// <remarks>
    /// The attributes are Butler SOS's (ptarmiganlabs/butler-sos, <c>postUserEventToNewRelic</c> in
    /// <c>src/lib/post-to-new-relic.js</c>): <c>eventType</c> <c>qs_userEvent</c>, <c>timestamp</c> (ms since
    /// the epoch), <c>qs_host</c>, <c>qs_event_action</c> (the Proxy's command, e.g. <c>Start session</c>),
    /// <c>qs_userFull</c>, <c>qs_userDirectory</c>, <c>qs_userId</c>, <c>qs_origin</c>, then the custom tags
    /// under their own names. Added here when known: <c>qs_appId</c>, <c>qs_appName</c>,
    /// <c>qs_uaBrowserName</c>, <c>qs_uaBrowserMajorVersion</c>, <c>qs_uaOsName</c>, <c>qs_uaOsVersion</c>; and our
    /// extra <c>qs_uaDeviceType</c> (desktop, mobile, tablet, tv, bot), which Butler SOS does not send.
    /// String values are cut at 4,096 characters, the Event API's limit for an attribute value
    /// (docs.newrelic.com, "Data requirements and limits for custom event data").
    /// </remarks>
    internal sealed class NewRelicEventFormat
    {
        public const string EventTypeName = "qs_userEvent";

        public const int MaxValueLength = 4096;

        /// <summary>Attribute names every event owns; custom attributes cannot replace them.</summary>
        public static readonly IReadOnlyList<string> BuiltInAttributes = new[]
        {
            "eventType", "timestamp", "qs_host", "qs_event_action", "qs_userFull", "qs_userDirectory", "qs_userId", "qs_origin",
            "qs_appId", "qs_appName", "qs_uaBrowserName", "qs_uaBrowserMajorVersion", "qs_uaOsName", "qs_uaOsVersion",
            "qs_uaDeviceType",
        };

        private static readonly HashSet<string> BuiltIn = new HashSet<string>(BuiltInAttributes, StringComparer.Ordinal);

        private static readonly JsonWriterOptions WriterOptions = new JsonWriterOptions
        {
            // Names and values stay readable UTF-8; JSON's own escaping (quotes, backslashes, controls) still applies.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };

        private static readonly long UnixEpochTicks = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;

        private readonly KeyValuePair<string, string>[] _attributes;
        private readonly HashSet<string> _attributeNames;
        private readonly UserNameScrambler? _scrambler;

        public NewRelicEventFormat(IEnumerable<KeyValuePair<string, string>>? attributes, UserNameScrambler? scrambler)
        {
            _attributes = (attributes ?? Enumerable.Empty<KeyValuePair<string, string>>()).ToArray();
            foreach (var a in _attributes)
            {
                if (IsBuiltIn(a.Key))
                {
                    throw new ArgumentException($"The attribute '{a.Key}' is written by every user event and cannot be replaced.", nameof(attributes));
                }
            }

            _attributeNames = new HashSet<string>(_attributes.Select(a => a.Key), StringComparer.Ordinal);
            _scrambler = scrambler;
        }

        public static bool IsBuiltIn(string name) => BuiltIn.Contains(name);

        /// <summary>Writes <paramref name="count"/> events from <paramref name="start"/> as one JSON array.</summary>
        public void Write(Stream output, IReadOnlyList<UserEvent> batch, int start, int count)
        {
            using var json = new Utf8JsonWriter(output, WriterOptions);
            json.WriteStartArray();
            for (int i = start; i < start + count; i++)
            {
                WriteEvent(json, batch[i]);
            }

            json.WriteEndArray();
        }

        private void WriteEvent(Utf8JsonWriter json, UserEvent e)
        {
            bool hasUser = e.UserDirectory.Length > 0 && e.UserId.Length > 0;
            string userFull = hasUser ? e.UserFull : "";
            json.WriteStartObject();
            json.WriteString("eventType", EventTypeName);
            json.WriteNumber("timestamp", ToUnixMilliseconds(e.ReceivedAt));
            Write(json, "qs_host", e.Host);
            Write(json, "qs_event_action", e.Command);
            if (_scrambler != null)
            {
                Write(json, "qs_userFull", hasUser ? _scrambler.Scramble(userFull) : "");
                Write(json, "qs_userDirectory", e.UserDirectory.Length > 0 ? _scrambler.Scramble(e.UserDirectory) : "");
                Write(json, "qs_userId", e.UserId.Length > 0 ? _scrambler.Scramble(e.UserId) : "");
            }
            else
            {
                Write(json, "qs_userFull", userFull);
                Write(json, "qs_userDirectory", e.UserDirectory);
                Write(json, "qs_userId", e.UserId);
            }

            Write(json, "qs_origin", e.Origin);
            if (e.AppId is Guid appId)
            {
                json.WriteString("qs_appId", appId.ToString());
            }

            WriteIfKnown(json, "qs_appName", e.AppName);
            WriteIfKnown(json, "qs_uaBrowserName", e.BrowserName);
            WriteIfKnown(json, "qs_uaBrowserMajorVersion", e.BrowserMajorVersion);
            WriteIfKnown(json, "qs_uaOsName", e.OsName);
            WriteIfKnown(json, "qs_uaOsVersion", e.OsVersion);
            WriteIfKnown(json, "qs_uaDeviceType", e.DeviceType);
            foreach (var tag in e.Tags)
            {
                if (!BuiltIn.Contains(tag.Key) && !_attributeNames.Contains(tag.Key))
                {
                    Write(json, tag.Key, tag.Value);
                }
            }

            foreach (var a in _attributes)
            {
                Write(json, a.Key, a.Value);
            }

            json.WriteEndObject();
        }

        private static void WriteIfKnown(Utf8JsonWriter json, string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                Write(json, name, value);
            }
        }

        private static void Write(Utf8JsonWriter json, string name, string? value)
        {
            value ??= "";
            if (value.Length > MaxValueLength)
            {
                // Do not cut a surrogate pair in two.
                int cut = char.IsHighSurrogate(value[MaxValueLength - 1]) ? MaxValueLength - 1 : MaxValueLength;
                value = value.Substring(0, cut);
            }

            json.WriteString(name, value);
        }

        internal static long ToUnixMilliseconds(DateTime time)
        {
            if (time.Kind == DateTimeKind.Local)
            {
                time = time.ToUniversalTime();
            }

            return (time.Ticks - UnixEpochTicks) / TimeSpan.TicksPerMillisecond;
        }
    }
}
