using System;
using System.Collections.Generic;

namespace QlikActivity.Core.Tests.Destinations
{
    /// <summary>User events as the listener would hand them to destinations (own data, shaped like the Proxy's).</summary>
    internal static class SampleEvents
    {
        public static readonly Guid AppId = Guid.Parse("e7af59a0-c243-480d-9571-08727551a66f");

        public static readonly DateTime Time = new(2024, 11, 15, 17, 28, 3, 548, DateTimeKind.Utc);

        public static UserEvent SessionStart(string userId = "anna", int offsetMs = 0) => new()
        {
            ReceivedAt = Time.AddMilliseconds(offsetMs),
            Source = "10.0.0.5:51234",
            MessageType = "qseow-proxy-session",
            Host = "sense1.lab.local",
            EventType = UserEventType.SessionStart,
            Command = "Start session",
            UserDirectory = "LAB",
            UserId = userId,
            Origin = "AppAccess",
            Context = "/app/" + AppId + "?reloaduri=https%3a%2f%2fsense1%2fsense%2fapp",
            AppId = AppId,
            AppName = "Sales, \"2024\"",
            Message = "Start session for user 'LAB\\" + userId + "' UserAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0.0.0'",
            UserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0.0.0",
            BrowserName = "Chrome",
            BrowserMajorVersion = "120",
            OsName = "Windows",
            OsVersion = "NT 10.0",
        };

        public static UserEvent SessionStop(string userId = "anna", int offsetMs = 0) => new()
        {
            ReceivedAt = Time.AddMilliseconds(offsetMs),
            MessageType = "qseow-proxy-session",
            Host = "sense1.lab.local",
            EventType = UserEventType.SessionStop,
            Command = "Stop session",
            UserDirectory = "LAB",
            UserId = userId,
            Origin = "",
            Context = "",
            Message = "Stop session for user 'LAB\\" + userId + "'",
        };

        public static UserEvent ConnectionOpen(string userId = "anna", int offsetMs = 0)
        {
            var e = SessionStart(userId, offsetMs);
            e.MessageType = "qseow-proxy-connection";
            e.EventType = UserEventType.ConnectionOpen;
            e.Command = "Open connection";
            return e;
        }

        public static UserEvent ConnectionClose(string userId = "anna", int offsetMs = 0)
        {
            var e = SessionStart(userId, offsetMs);
            e.MessageType = "qseow-proxy-connection";
            e.EventType = UserEventType.ConnectionClose;
            e.Command = "Close connection";
            e.AppId = null;
            e.AppName = null;
            e.Context = "/hub/";
            return e;
        }

        public static UserEvent WithTags(this UserEvent e, params (string Key, string Value)[] tags)
        {
            var d = new Dictionary<string, string>();
            foreach (var (k, v) in tags)
            {
                d[k] = v;
            }

            e.Tags = d;
            return e;
        }
    }
}
