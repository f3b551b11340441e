using System;
using System.Globalization;
using System.Text;

namespace QlikActivity.Core.Destinations.Webhooks
{
    /// <summary>
    /// The parts of a readable chat message about an event: who, what, which server, which app, which client.
    /// Directory, user, host and user agent come from unauthenticated datagrams (and app names from anyone who
    /// may name an app), so every part is <see cref="Clean"/>ed: one line, no control or invisible characters,
    /// no working link, bounded length. Each chat format then escapes what its own markup needs.
    /// </summary>
    internal static class UserEventText
    {
        /// <summary>Longest part shown, in characters; a longer one ends in "…".</summary>
        public const int MaxPartChars = 256;

        /// <summary>Our own words for the event type: the command text of a datagram is not shown.</summary>
        public static string Action(UserEvent e) => e.EventType switch
        {
            UserEventType.SessionStart => "Start session",
            UserEventType.SessionStop => "Stop session",
            UserEventType.ConnectionOpen => "Open connection",
            _ => "Close connection",
        };

        public static string User(UserEvent e)
        {
            if (e.UserDirectory.Length > 0 && e.UserId.Length > 0)
            {
                return Clean(e.UserFull);
            }

            return e.UserId.Length > 0 ? Clean(e.UserId) : "(unknown user)";
        }

        public static string Server(UserEvent e) => e.Host.Length > 0 ? Clean(e.Host) : "(unknown server)";

        /// <summary>The app's name, its id, or both; null when the event names no app.</summary>
        public static string? App(UserEvent e)
        {
            if (!string.IsNullOrEmpty(e.AppName) && e.AppId is Guid withName)
            {
                return Clean(e.AppName!, MaxPartChars - 39) + $" ({withName})";
            }

            if (!string.IsNullOrEmpty(e.AppName))
            {
                return Clean(e.AppName!);
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

            return client.Length > 0 ? Clean(client) : null;
        }

        /// <summary>
        /// Makes untrusted text safe to show as one line: control characters and line or paragraph separators
        /// become a space, invisible format characters (bidirectional overrides, zero-width spaces) are
        /// removed, runs of spaces shrink to one, <c>://</c> becomes <c>[:]//</c> so no renderer makes a link
        /// of it, <c>{{</c> becomes <c>{ {</c> (Adaptive Card template functions), and the result is cut to
        /// <paramref name="maxChars"/> characters ending in "…" (never inside a surrogate pair).
        /// </summary>
        public static string Clean(string text, int maxChars = MaxPartChars)
        {
            var sb = new StringBuilder(Math.Min(text.Length, maxChars + 8));
            bool space = false;
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                var category = CharUnicodeInfo.GetUnicodeCategory(c);
                if (category == UnicodeCategory.Format)
                {
                    continue;
                }

                if (char.IsWhiteSpace(c) || category == UnicodeCategory.Control)
                {
                    space = sb.Length > 0;
                    continue;
                }

                if (space || (c == '{' && sb.Length > 0 && sb[sb.Length - 1] == '{'))
                {
                    sb.Append(' ');
                    space = false;
                }

                sb.Append(c);
                if (sb.Length > maxChars + 8)
                {
                    break; // enough to cut; the rest of a hostile 64 KB value is never copied
                }
            }

            sb.Replace("://", "[:]//");
            if (sb.Length > maxChars)
            {
                int keep = maxChars - 1;
                if (char.IsHighSurrogate(sb[keep - 1]))
                {
                    keep--;
                }

                sb.Length = keep;
                sb.Append('…');
            }

            return sb.ToString();
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
