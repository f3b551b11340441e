using System;

namespace QlikActivity.Core.Journal
{
    /// <summary>
    /// Contexts and messages repeat but for the app id, the user agent and the user's name; the
    /// journal stores them once as templates with those parts replaced by markers and puts the
    /// parts back when reading. A text that already holds a marker character is kept verbatim
    /// (prefixed by <see cref="Verbatim"/>), so every text reads back exactly as received.
    /// </summary>
    internal static class JournalText
    {
        private const char AgentOrApp = '\u0001';
        private const char UserFull = '\u0002';
        private const char Verbatim = '\u0003';

        private static bool HasMarker(string? text) =>
            text != null && text.IndexOfAny(new[] { AgentOrApp, UserFull, Verbatim }) >= 0;

        public static string MessageTemplate(string message, string? userAgent, string userDirectory, string userId)
        {
            string userFull = userDirectory + "\\" + userId;
            if (HasMarker(message) || HasMarker(userAgent) || HasMarker(userFull))
            {
                return Verbatim + message;
            }

            string template = message;
            if (!string.IsNullOrEmpty(userAgent))
            {
                template = template.Replace(userAgent, AgentOrApp.ToString());
            }

            if (userDirectory.Length > 0 || userId.Length > 0)
            {
                template = template.Replace(userFull, UserFull.ToString());
            }

            return template;
        }

        public static string Message(string template, string? userAgent, string userDirectory, string userId)
        {
            if (template.Length > 0 && template[0] == Verbatim)
            {
                return template.Substring(1);
            }

            if (template.IndexOf(UserFull) >= 0)
            {
                template = template.Replace(UserFull.ToString(), userDirectory + "\\" + userId);
            }

            if (template.IndexOf(AgentOrApp) >= 0)
            {
                template = template.Replace(AgentOrApp.ToString(), userAgent ?? "");
            }

            return template;
        }

        public static string ContextTemplate(string context, Guid? appId)
        {
            if (HasMarker(context))
            {
                return Verbatim + context;
            }

            return appId is Guid id ? context.Replace(id.ToString("D"), AgentOrApp.ToString()) : context;
        }

        public static string Context(string template, Guid? appId)
        {
            if (template.Length > 0 && template[0] == Verbatim)
            {
                return template.Substring(1);
            }

            return appId is Guid id && template.IndexOf(AgentOrApp) >= 0 ? template.Replace(AgentOrApp.ToString(), id.ToString("D")) : template;
        }
    }
}
