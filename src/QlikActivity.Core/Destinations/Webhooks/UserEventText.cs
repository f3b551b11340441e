using System;
using System.Globalization;

namespace QlikActivity.Core.Destinations.Webhooks
{
    /// <summary>The parts of a readable chat message about an event: who, what, which server, which app, which client.</summary>
    internal static class UserEventText
    {
        public static string Action(UserEvent e)
        {
            if (!string.IsNullOrWhiteSpace(e.Command))
            {
                return e.Command;
            }

            return e.EventType switch
            {
                UserEventType.SessionStart => "Start session",
                UserEventType.SessionStop => "Stop session",
                UserEventType.ConnectionOpen => "Open connection",
                _ => "Close connection",
            };
        }

        public static string User(UserEvent e)
        {
            if (e.UserDirectory.Length > 0 && e.UserId.Length > 0)
            {
                return e.UserFull;
            }

            return e.UserId.Length > 0 ? e.UserId : "(unknown user)";
        }

        public static string Server(UserEvent e) => e.Host.Length > 0 ? e.Host : "(unknown server)";

        /// <summary>The app's name, its id, or both; null when the event names no app.</summary>
        public static string? App(UserEvent e)
        {
            if (!string.IsNullOrEmpty(e.AppName) && e.AppId is Guid withName)
            {
                return $"{e.AppName} ({withName})";
            }

            if (!string.IsNullOrEmpty(e.AppName))
            {
                return e.AppName;
            }

            return e.AppId?.ToString();
        }

        /// <summary>e.g. <c>Chrome 120 on Windows NT 10.0 (desktop)</c>; null when unknown.</summary>
        public static string? Client(UserEvent e)
        {
            string browser = Join(e.BrowserName, e.BrowserMajorVersion);
            string os = Join(e.OsName, e.OsVersion);
            string client = browser.Length > 0 && os.Length > 0 ? browser + " on " + os : browser + os;
            if (!string.IsNullOrEmpty(e.DeviceType))
            {
                client = client.Length > 0 ? client + " (" + e.DeviceType + ")" : e.DeviceType!;
            }

            return client.Length > 0 ? client : null;
        }

        public static string Time(UserEvent e)
        {
            var utc = e.ReceivedAt.Kind == DateTimeKind.Local ? e.ReceivedAt.ToUniversalTime() : e.ReceivedAt;
            return utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";
        }

        private static string Join(string? a, string? b) =>
            string.IsNullOrEmpty(a) ? "" : string.IsNullOrEmpty(b) ? a! : a + " " + b;
    }
}
