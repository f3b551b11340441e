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
    /// <c>uaOsVersion</c>, then our extra <c>uaDeviceType</c> (desktop, mobile, tablet, tv, bot; Butler SOS writes none),
    /// then the configured tags; and string fields <c>userFull</c>, <c>userId</c>, plus
    /// <c>appId</c> and <c>appName</c> when known. (Its newer v2/v3 writers rename the app fields
    /// <c>appId_field</c>/<c>appName_field</c>; the v1 names are kept here for both APIs.) Butler SOS has no
    /// <c>context</c>, <c>command</c> or <c>message</c> field on user events: those belong to its log events.
    /// Unlike Butler SOS, an event with an empty origin or user is written (without the empty tags) rather
    /// than skipped, and <c>userFull</c> is left out when the directory or the id is empty.
    /// Tags are written sorted by key, as the line protocol reference advises: influxd then need not sort
    /// and rebuild each series key itself.
    /// </remarks>
    internal sealed class UserEventPointFormat
    {
        /// <summary>Tag keys the point always owns; custom tags cannot replace them.</summary>
        public static readonly IReadOnlyList<string> BuiltInTagKeys = new[]
        {
            "host", "event_action", "userFull", "userDirectory", "userId", "origin", "appId", "appName",
            "uaBrowserName", "uaBrowserMajorVersion", "uaOsName", "uaOsVersion", "uaDeviceType",
        };

        private static readonly HashSet<string> BuiltIn = new HashSet<string>(BuiltInTagKeys, StringComparer.Ordinal);

        private static readonly IReadOnlyDictionary<string, string> NoTags = new Dictionary<string, string>();

        private readonly string _measurement;
        private readonly KeyValuePair<string, string>[] _destinationTags;
        private readonly HashSet<string> _destinationTagKeys;

        // The listener hands every event the same tag dictionary, so the merged order is worked out once.
        private IReadOnlyDictionary<string, string>? _planFor;
        private Tag[] _plan;

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
            _plan = Plan(NoTags);
            _planFor = NoTags;
        }

        private enum Source
        {
            Host,
            EventAction,
            UserFull,
            UserDirectory,
            UserId,
            Origin,
            AppId,
            AppName,
            BrowserName,
            BrowserMajorVersion,
            OsName,
            OsVersion,
            DeviceType,
            Custom,
        }

        public string Measurement => _measurement;

        public static bool IsBuiltIn(string tagKey) => BuiltIn.Contains(tagKey);

        /// <summary>Writes one point. Custom tags are the event's own (from the listener) and this destination's, which win on a clash.</summary>
        public void Write(LineProtocolWriter writer, UserEvent e, long timestamp)
        {
            bool hasUser = e.UserDirectory.Length > 0 && e.UserId.Length > 0;
            var tags = e.Tags.Count == 0 ? NoTags : e.Tags;
            if (!ReferenceEquals(tags, _planFor))
            {
                _plan = Plan(tags);
                _planFor = tags;
            }

            writer.BeginPoint(_measurement);
            foreach (var tag in _plan)
            {
                switch (tag.Source)
                {
                    case Source.Host: writer.Tag(tag.Key, e.Host); break;
                    case Source.EventAction: writer.Tag(tag.Key, e.Command); break;
                    case Source.UserFull:
                        if (hasUser)
                        {
                            writer.Tag(tag.Key, e.UserDirectory, e.UserId);
                        }

                        break;
                    case Source.UserDirectory: writer.Tag(tag.Key, e.UserDirectory); break;
                    case Source.UserId: writer.Tag(tag.Key, e.UserId); break;
                    case Source.Origin: writer.Tag(tag.Key, e.Origin); break;
                    case Source.AppId:
                        if (e.AppId is Guid appId)
                        {
                            writer.Tag(tag.Key, appId);
                        }

                        break;
                    case Source.AppName: writer.Tag(tag.Key, e.AppName); break;
                    case Source.BrowserName: writer.Tag(tag.Key, e.BrowserName); break;
                    case Source.BrowserMajorVersion: writer.Tag(tag.Key, e.BrowserMajorVersion); break;
                    case Source.OsName: writer.Tag(tag.Key, e.OsName); break;
                    case Source.OsVersion: writer.Tag(tag.Key, e.OsVersion); break;
                    case Source.DeviceType: writer.Tag(tag.Key, e.DeviceType); break;
                    default: writer.Tag(tag.Key, tag.Value); break;
                }
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

        // Built-in, event and destination tags in one list, sorted by key as Go's bytes.Compare sorts them.
        private Tag[] Plan(IReadOnlyDictionary<string, string> eventTags)
        {
            var plan = new List<Tag>();
            for (int i = 0; i < BuiltInTagKeys.Count; i++)
            {
                plan.Add(new Tag((Source)i, BuiltInTagKeys[i], null));
            }

            foreach (var tag in eventTags)
            {
                if (!BuiltIn.Contains(tag.Key) && !_destinationTagKeys.Contains(tag.Key))
                {
                    plan.Add(new Tag(Source.Custom, tag.Key, tag.Value));
                }
            }

            foreach (var tag in _destinationTags)
            {
                plan.Add(new Tag(Source.Custom, tag.Key, tag.Value));
            }

            // Ordinal on UTF-16 matches byte order on UTF-8 except across surrogates; keys are ASCII in practice.
            return plan.OrderBy(t => t.Key, StringComparer.Ordinal).ToArray();
        }

        private readonly struct Tag
        {
            public Tag(Source source, string key, string? value)
            {
                Source = source;
                Key = key;
                Value = value;
            }

            public Source Source { get; }
            public string Key { get; }
            public string? Value { get; }
        }
    }
}
