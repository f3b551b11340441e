using System;
using System.Collections.Generic;
using System.Linq;

namespace QlikActivity.Core.Destinations.InfluxDb
{
    /// <summary>
    /// How a <see cref="UserEvent"/> becomes an InfluxDB point, in the shape Butler SOS writes, so existing
    /// Grafana dashboards keep working. No I/O.
    /// </summary>
    /// <remarks>
    /// Butler SOS (ptarmiganlabs/butler-sos, <c>src/lib/influxdb/v1/user-events.js</c>, <c>storeUserEventV1</c>,
    /// and <c>postUserEventToInfluxdb</c> in <c>src/lib/post-to-influxdb.js</c> before it) writes measurement
    /// <c>user_events</c> with tags <c>host</c>, <c>event_action</c> (the Proxy's command as sent, e.g.
    /// <c>Start session</c>, <c>Stop session</c>, <c>Open connection</c>, <c>Close connection</c>),
    /// <c>userFull</c> (<c>DIR\id</c>), <c>userDirectory</c>, <c>userId</c>, <c>origin</c>, then when known
    /// <c>appId</c>, <c>appName</c>, <c>uaBrowserName</c>, <c>uaBrowserMajorVersion</c>, <c>uaOsName</c>,
    /// <c>uaOsVersion</c>, then the configured tags; and string fields <c>userFull</c>, <c>userId</c>, plus
    /// <c>appId</c> and <c>appName</c> when known. (Its newer v2/v3 writers rename the app fields
    /// <c>appId_field</c>/<c>appName_field</c>; the v1 names are kept here for both APIs.) Butler SOS has no
    /// <c>context</c>, <c>command</c> or <c>message</c> field on user events: those belong to its log events.
    /// Unlike Butler SOS, an event with an empty origin or user is written (without the empty tags) rather
    /// than skipped, and <c>userFull</c> is left out when the directory or the id is empty.
    /// </remarks>
    internal sealed class UserEventPointFormat
    {
        /// <summary>Tag keys the point always owns; custom tags cannot replace them.</summary>
        public static readonly IReadOnlyList<string> BuiltInTagKeys = new[]
        {
            "host", "event_action", "userFull", "userDirectory", "userId", "origin", "appId", "appName",
            "uaBrowserName", "uaBrowserMajorVersion", "uaOsName", "uaOsVersion",
        };

        private static readonly HashSet<string> BuiltIn = new HashSet<string>(BuiltInTagKeys, StringComparer.Ordinal);

        private readonly string _measurement;
        private readonly KeyValuePair<string, string>[] _destinationTags;
        private readonly HashSet<string> _destinationTagKeys;

        public UserEventPointFormat(string measurement, IEnumerable<KeyValuePair<string, string>>? destinationTags)
        {
            if (string.IsNullOrWhiteSpace(measurement))
            {
                throw new ArgumentException("A measurement name must not be empty.", nameof(measurement));
            }

            _measurement = measurement;
            _destinationTags = (destinationTags ?? Enumerable.Empty<KeyValuePair<string, string>>()).ToArray();
            foreach (var tag in _destinationTags)
            {
                if (IsBuiltIn(tag.Key))
                {
                    throw new ArgumentException($"The tag '{tag.Key}' is written by every user event and cannot be replaced.", nameof(destinationTags));
                }
            }

            _destinationTagKeys = new HashSet<string>(_destinationTags.Select(t => t.Key), StringComparer.Ordinal);
        }

        public string Measurement => _measurement;

        public static bool IsBuiltIn(string tagKey) => BuiltIn.Contains(tagKey);

        /// <summary>Writes one point. Custom tags come last: the event's own (from the listener), then this destination's, which win on a clash.</summary>
        public void Write(LineProtocolWriter writer, UserEvent e, long timestamp)
        {
            bool hasUser = e.UserDirectory.Length > 0 && e.UserId.Length > 0;
            writer.BeginPoint(_measurement);
            writer.Tag("host", e.Host);
            writer.Tag("event_action", e.Command);
            if (hasUser)
            {
                writer.Tag("userFull", e.UserDirectory, e.UserId);
            }

            writer.Tag("userDirectory", e.UserDirectory);
            writer.Tag("userId", e.UserId);
            writer.Tag("origin", e.Origin);
            if (e.AppId is Guid appId)
            {
                writer.Tag("appId", appId);
            }

            writer.Tag("appName", e.AppName);
            writer.Tag("uaBrowserName", e.BrowserName);
            writer.Tag("uaBrowserMajorVersion", e.BrowserMajorVersion);
            writer.Tag("uaOsName", e.OsName);
            writer.Tag("uaOsVersion", e.OsVersion);
            if (e.Tags.Count > 0)
            {
                foreach (var tag in e.Tags)
                {
                    if (!BuiltIn.Contains(tag.Key) && !_destinationTagKeys.Contains(tag.Key))
                    {
                        writer.Tag(tag.Key, tag.Value);
                    }
                }
            }

            for (int i = 0; i < _destinationTags.Length; i++)
            {
                writer.Tag(_destinationTags[i].Key, _destinationTags[i].Value);
            }

            if (hasUser)
            {
                writer.StringField("userFull", e.UserDirectory, e.UserId);
            }
            else
            {
                writer.StringField("userFull", "");
            }

            writer.StringField("userId", e.UserId);
            if (e.AppId is Guid id)
            {
                writer.StringField("appId", id);
            }

            if (!string.IsNullOrEmpty(e.AppName))
            {
                writer.StringField("appName", e.AppName);
            }

            writer.EndPoint(timestamp);
        }
    }
}
