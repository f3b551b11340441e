using System;

namespace QlikActivity.Core.Events
{
    /// <summary>The <c>/proxy-user-event/</c> form, whose user and command are read from the message text.</summary>
    public sealed partial class UserEventParser
    {
        // /proxy-user-event/;HOST;SUBSYSTEM;CONTEXT;MESSAGE: the user and what happened are only in the message text.
        private UserEventParseResult ParseMessageForm(ReadOnlySpan<char> rest, DateTime receivedAt, string source)
        {
            if (!NextField(ref rest, out var host)) return TooFewFields(2, Format.UserEventMessage);
            if (!NextField(ref rest, out var subsystem)) return TooFewFields(3, Format.UserEventMessage);
            if (!NextField(ref rest, out var context)) return TooFewFields(4, Format.UserEventMessage);
            var message = rest;

            if (!TryReadCommandFromMessage(message, out var type, out string? command))
            {
                return UserEventParseResult.Rejected(RejectReason.UnknownCommand, "no session or connection command in the message");
            }

            if (!TryReadUserFromMessage(message, out var directory, out var userId))
            {
                return UserEventParseResult.Rejected(RejectReason.EmptyUser, "no 'DIRECTORY\\user' in the message");
            }

            if (TooLong(host, directory, userId) is { } tooLong)
            {
                return tooLong;
            }

            bool truncated = Cap(ref message);

            var e = new UserEvent
            {
                ReceivedAt = receivedAt,
                Source = source,
                Host = Intern(host),
                EventType = type,
                Command = command,
                UserDirectory = Intern(directory),
                UserId = Intern(userId),
                Origin = Intern(subsystem),
                Message = ToText(message),
            };
            SetContext(e, context);
            SetUserAgent(e, message);
            return UserEventParseResult.Accepted(e, truncated);
        }

        // The Proxy's own wording: "Start session for user 'DIR\user'", "Websocket connection Opened for session ...".
        private static bool TryReadCommandFromMessage(ReadOnlySpan<char> message, out UserEventType type, out string command)
        {
            if (Contains(message, StartSession)) { type = UserEventType.SessionStart; command = StartSession; return true; }
            if (Contains(message, StopSession)) { type = UserEventType.SessionStop; command = StopSession; return true; }
            if (Contains(message, "connection Opened") || Contains(message, OpenConnection) || Contains(message, "Opening connection"))
            {
                type = UserEventType.ConnectionOpen;
                command = OpenConnection;
                return true;
            }

            if (Contains(message, "connection Closed") || Contains(message, CloseConnection) || Contains(message, "Closing connection"))
            {
                type = UserEventType.ConnectionClose;
                command = CloseConnection;
                return true;
            }

            type = default;
            command = "";
            return false;
        }

        // "... user 'DIR\user' ..." or "UserDirectory=DIR; UserId=user".
        private static bool TryReadUserFromMessage(ReadOnlySpan<char> message, out ReadOnlySpan<char> directory, out ReadOnlySpan<char> userId)
        {
            directory = default;
            userId = default;
            int at = message.IndexOf("user '".AsSpan(), StringComparison.OrdinalIgnoreCase);
            if (at >= 0)
            {
                var quoted = message.Slice(at + 6);
                int end = quoted.IndexOf('\'');
                if (end > 0)
                {
                    var full = quoted.Slice(0, end);
                    int slash = full.IndexOf('\\');
                    if (slash > 0 && slash < full.Length - 1)
                    {
                        directory = full.Slice(0, slash).Trim();
                        userId = full.Slice(slash + 1).Trim();
                        return !directory.IsEmpty && !userId.IsEmpty;
                    }
                }
            }

            int d = message.IndexOf("UserDirectory=".AsSpan(), StringComparison.OrdinalIgnoreCase);
            int u = message.IndexOf("UserId=".AsSpan(), StringComparison.OrdinalIgnoreCase);
            if (d >= 0 && u >= 0)
            {
                directory = ValueUntilDelimiter(message.Slice(d + 14));
                userId = ValueUntilDelimiter(message.Slice(u + 7));
                return !directory.IsEmpty && !userId.IsEmpty;
            }

            return false;
        }

        private static ReadOnlySpan<char> ValueUntilDelimiter(ReadOnlySpan<char> s)
        {
            int end = s.IndexOfAny(';', ' ', ',');
            return (end < 0 ? s : s.Slice(0, end)).Trim();
        }
    }
}
