using System;
using System.Text;

namespace QlikActivity.Core.Events
{
    /// <summary>
    /// Reads the datagrams that the Qlik Sense Proxy's log4net UdpAppender sends:
    /// <c>/qseow-proxy-session/;HOST;COMMAND;DIR;USER;ORIGIN;CONTEXT;MESSAGE</c> (and
    /// <c>/qseow-proxy-connection/</c>, the older <c>/proxy-session/</c> and <c>/proxy-connection/</c>,
    /// prefixes without slashes or in other case) and <c>/proxy-user-event/;HOST;SUBSYSTEM;CONTEXT;MESSAGE</c>.
    /// Bad input gives a <see cref="RejectReason"/>, never an exception.
    /// </summary>
    /// <remarks>
    /// One instance per thread: it reuses a decode buffer and caches repeated fields and
    /// user-agent lookups (bounded), so the same few hosts, users and browsers cost no allocation.
    /// </remarks>
    public sealed partial class UserEventParser
    {
        /// <summary>The default largest datagram accepted; real events are well under 4 KiB.</summary>
        public const int DefaultMaxDatagramBytes = 4 * 1024;

        /// <summary>The longest host, user directory or user id accepted (longer is rejected as <see cref="RejectReason.FieldTooLong"/>).</summary>
        public const int MaxNameChars = 256;

        /// <summary>The longest message kept; a longer one is cut here (and counted as truncated).</summary>
        public const int MaxMessageChars = 2048;

        /// <summary>The largest UDP payload there is.</summary>
        public const int MaxUdpPayload = 65535;

        private const string StartSession = "Start session";
        private const string StopSession = "Stop session";
        private const string OpenConnection = "Open connection";
        private const string CloseConnection = "Close connection";

        private static readonly UTF8Encoding StrictUtf8 = new UTF8Encoding(false, false);

        private readonly SpanCache<bool> _fields = new SpanCache<bool>(512, 128);
        private readonly SpanCache<Guid?> _contexts = new SpanCache<Guid?>(256, 512);
        private readonly SpanCache<UserAgentInfo> _userAgents = new SpanCache<UserAgentInfo>(256, 1024);
        private char[] _chars = new char[1024];

        public UserEventParser()
            : this(DefaultMaxDatagramBytes)
        {
        }

        public UserEventParser(int maxDatagramBytes)
        {
            if (maxDatagramBytes < 64 || maxDatagramBytes > MaxUdpPayload)
            {
                throw new ArgumentOutOfRangeException(nameof(maxDatagramBytes), maxDatagramBytes, "between 64 and 65535 bytes");
            }

            MaxDatagramBytes = maxDatagramBytes;
        }

        /// <summary>Longer datagrams are rejected as <see cref="RejectReason.Oversize"/>.</summary>
        public int MaxDatagramBytes { get; }

        /// <summary>Parses text (encoded to UTF-8 first, as it would travel).</summary>
        public UserEventParseResult Parse(string datagram, DateTime receivedAt, string source) =>
            Parse(StrictUtf8.GetBytes(datagram ?? ""), receivedAt, source);

        /// <summary>Parses one datagram as received.</summary>
        public UserEventParseResult Parse(ReadOnlySpan<byte> datagram, DateTime receivedAt, string source)
        {
            if (datagram.Length > MaxDatagramBytes)
            {
                return UserEventParseResult.Rejected(RejectReason.Oversize, $"{datagram.Length} bytes, more than the {MaxDatagramBytes} accepted");
            }

            if (datagram.Length == 0)
            {
                return UserEventParseResult.Rejected(RejectReason.TooFewFields, "empty datagram");
            }

            if (_chars.Length < datagram.Length)
            {
                _chars = new char[Math.Max(datagram.Length, _chars.Length * 2)];
            }

            if (!Utf8Text.TryDecode(datagram, _chars, out int length, out int errorOffset))
            {
                return UserEventParseResult.Rejected(RejectReason.InvalidUtf8, $"invalid UTF-8 at byte {errorOffset}");
            }

            ReadOnlySpan<char> text = _chars.AsSpan(0, length);
            if (text.Length > 0 && text[0] == '\uFEFF')
            {
                text = text.Slice(1);
            }

            // A conversion pattern ending in %newline adds a line break: it is not part of the message.
            while (text.Length > 0 && (text[text.Length - 1] == '\n' || text[text.Length - 1] == '\r'))
            {
                text = text.Slice(0, text.Length - 1);
            }

            int separator = text.IndexOf(';');
            ReadOnlySpan<char> prefix = separator < 0 ? text : text.Slice(0, separator);
            var format = ReadPrefix(prefix, out string messageType);
            if (format == Format.Unknown)
            {
                return UserEventParseResult.Rejected(RejectReason.UnknownPrefix, $"unknown prefix '{Shorten(prefix)}'");
            }

            ReadOnlySpan<char> rest = separator < 0 ? ReadOnlySpan<char>.Empty : text.Slice(separator + 1);
            if (separator < 0)
            {
                return TooFewFields(1, format);
            }

            UserEventParseResult result = format == Format.UserEventMessage
                ? ParseMessageForm(rest, receivedAt, source)
                : ParseFieldForm(rest, receivedAt, source);
            if (result.Event != null)
            {
                result.Event.MessageType = messageType;
            }

            return result;
        }

        private UserEventParseResult ParseFieldForm(ReadOnlySpan<char> rest, DateTime receivedAt, string source)
        {
            // HOST;COMMAND;DIR;USER;ORIGIN;CONTEXT;MESSAGE — the message may hold ';', so only six more splits.
            if (!NextField(ref rest, out var host)) return TooFewFields(2, Format.Session);
            if (!NextField(ref rest, out var command)) return TooFewFields(3, Format.Session);
            if (!NextField(ref rest, out var directory)) return TooFewFields(4, Format.Session);
            if (!NextField(ref rest, out var userId)) return TooFewFields(5, Format.Session);
            if (!NextField(ref rest, out var origin)) return TooFewFields(6, Format.Session);
            if (!NextField(ref rest, out var context)) return TooFewFields(7, Format.Session);
            var message = rest;

            if (!TryReadCommand(command, out var type, out string? canonical))
            {
                return UserEventParseResult.Rejected(RejectReason.UnknownCommand, $"unknown command '{Shorten(command)}'");
            }

            if (IsBlank(directory) || IsBlank(userId))
            {
                return UserEventParseResult.Rejected(RejectReason.EmptyUser, IsBlank(userId) ? "no user id" : "no user directory");
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
                Command = command.SequenceEqual(canonical.AsSpan()) ? canonical : ToText(command),
                UserDirectory = Intern(directory),
                UserId = Intern(userId),
                Origin = Intern(origin),
                Message = message.Length == 0 ? "" : ToText(message),
            };
            SetContext(e, context);
            SetUserAgent(e, message);
            return UserEventParseResult.Accepted(e, truncated);
        }

        // Hostile datagrams must not make long names: each is held by every queued event and every cache.
        private static UserEventParseResult? TooLong(ReadOnlySpan<char> host, ReadOnlySpan<char> directory, ReadOnlySpan<char> userId)
        {
            string? field = host.Length > MaxNameChars ? "host"
                : directory.Length > MaxNameChars ? "user directory"
                : userId.Length > MaxNameChars ? "user id"
                : null;
            if (field == null)
            {
                return null;
            }

            int length = field == "host" ? host.Length : field == "user directory" ? directory.Length : userId.Length;
            return UserEventParseResult.Rejected(RejectReason.FieldTooLong, $"a {field} of {length} characters, more than the {MaxNameChars} accepted");
        }

        // Cuts a message longer than MaxMessageChars, never between the halves of a surrogate pair.
        private static bool Cap(ref ReadOnlySpan<char> message)
        {
            if (message.Length <= MaxMessageChars)
            {
                return false;
            }

            int cut = char.IsHighSurrogate(message[MaxMessageChars - 1]) ? MaxMessageChars - 1 : MaxMessageChars;
            message = message.Slice(0, cut);
            return true;
        }

        private static bool NextField(ref ReadOnlySpan<char> rest, out ReadOnlySpan<char> field)
        {
            int i = rest.IndexOf(';');
            if (i < 0)
            {
                field = default;
                return false;
            }

            field = rest.Slice(0, i);
            rest = rest.Slice(i + 1);
            return true;
        }

        private static UserEventParseResult TooFewFields(int found, Format format) =>
            UserEventParseResult.Rejected(
                RejectReason.TooFewFields,
                format == Format.UserEventMessage
                    ? $"{found} fields; /proxy-user-event/ has 5 (prefix;host;subsystem;context;message)"
                    : $"{found} fields; the format has 8 (prefix;host;command;directory;user;origin;context;message)");

        private enum Format
        {
            Unknown,
            Session,
            Connection,
            UserEventMessage,
        }

        // Butler SOS's messageType is the prefix in lower case without its slashes, whatever the command says.
        private const string QseowSessionType = "qseow-proxy-session";
        private const string QseowConnectionType = "qseow-proxy-connection";
        private const string SessionType = "proxy-session";
        private const string ConnectionType = "proxy-connection";
        private const string UserEventMessageType = "proxy-user-event";

        private static Format ReadPrefix(ReadOnlySpan<char> prefix, out string messageType)
        {
            prefix = prefix.Trim();
            while (prefix.Length > 0 && prefix[0] == '/') prefix = prefix.Slice(1);
            while (prefix.Length > 0 && prefix[prefix.Length - 1] == '/') prefix = prefix.Slice(0, prefix.Length - 1);

            messageType = EqualsIgnoreCase(prefix, QseowSessionType) ? QseowSessionType
                : EqualsIgnoreCase(prefix, QseowConnectionType) ? QseowConnectionType
                : EqualsIgnoreCase(prefix, SessionType) ? SessionType
                : EqualsIgnoreCase(prefix, ConnectionType) ? ConnectionType
                : EqualsIgnoreCase(prefix, UserEventMessageType) ? UserEventMessageType
                : "";

            switch (messageType)
            {
                case QseowSessionType:
                case SessionType:
                    return Format.Session;
                case QseowConnectionType:
                case ConnectionType:
                    return Format.Connection;
                case UserEventMessageType:
                    return Format.UserEventMessage;
                default:
                    return Format.Unknown;
            }
        }

        internal static bool TryReadCommand(ReadOnlySpan<char> command, out UserEventType type, out string canonical)
        {
            var c = command.Trim();
            if (EqualsIgnoreCase(c, StartSession)) { type = UserEventType.SessionStart; canonical = StartSession; return true; }
            if (EqualsIgnoreCase(c, StopSession)) { type = UserEventType.SessionStop; canonical = StopSession; return true; }
            if (EqualsIgnoreCase(c, OpenConnection)) { type = UserEventType.ConnectionOpen; canonical = OpenConnection; return true; }
            if (EqualsIgnoreCase(c, CloseConnection)) { type = UserEventType.ConnectionClose; canonical = CloseConnection; return true; }
            type = default;
            canonical = "";
            return false;
        }

        /// <summary>The canonical command text of an event type, e.g. <c>Start session</c>.</summary>
        public static string CommandOf(UserEventType type) => type switch
        {
            UserEventType.SessionStart => StartSession,
            UserEventType.SessionStop => StopSession,
            UserEventType.ConnectionOpen => OpenConnection,
            _ => CloseConnection,
        };

        private void SetContext(UserEvent e, ReadOnlySpan<char> context)
        {
            if (context.IsEmpty)
            {
                e.Context = "";
                return;
            }

            if (_contexts.TryGet(context, out string cached, out Guid? appId, out int slot))
            {
                e.Context = cached;
                e.AppId = appId;
                return;
            }

            e.Context = ToText(context);
            e.AppId = FindAppId(context);
            _contexts.Store(slot, e.Context, e.AppId);
        }

        /// <summary>The GUID after <c>/app/</c> (also in <c>/app/ID/sheet/...</c> or a full URL), if any.</summary>
        internal static Guid? FindAppId(ReadOnlySpan<char> context)
        {
            const int GuidLength = 36;
            int from = 0;
            while (true)
            {
                int at = context.Slice(from).IndexOf("/app/".AsSpan(), StringComparison.OrdinalIgnoreCase);
                if (at < 0)
                {
                    return null;
                }

                int start = from + at + 5;
                if (context.Length - start >= GuidLength)
                {
                    var candidate = context.Slice(start, GuidLength);
                    bool ends = context.Length == start + GuidLength || !IsGuidChar(context[start + GuidLength]);
                    if (ends && TryParseGuid(candidate, out var id))
                    {
                        return id;
                    }
                }

                from = start;
            }
        }

        private static bool IsGuidChar(char c) => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';

        private static bool TryParseGuid(ReadOnlySpan<char> text, out Guid id)
        {
#if NET8_0_OR_GREATER
            return Guid.TryParseExact(text, "D", out id);
#else
            return Guid.TryParseExact(ToText(text), "D", out id);
#endif
        }

        private void SetUserAgent(UserEvent e, ReadOnlySpan<char> message)
        {
            var ua = ExtractUserAgent(message);
            if (ua.IsEmpty)
            {
                return;
            }

            if (!_userAgents.TryGet(ua, out string text, out UserAgentInfo info, out int slot))
            {
                text = ToText(ua);
                info = UserAgentParser.Parse(text) ?? UserAgentInfo.Unknown;
                _userAgents.Store(slot, text, info);
            }

            e.UserAgent = text;
            e.BrowserName = info.BrowserName;
            e.BrowserMajorVersion = info.BrowserMajorVersion;
            e.OsName = info.OsName;
            e.OsVersion = info.OsVersion;
            e.DeviceType = info.DeviceType;
        }

        /// <summary>The text after <c>UserAgent:</c> in the message, without the quotes around it; empty if none.</summary>
        internal static ReadOnlySpan<char> ExtractUserAgent(ReadOnlySpan<char> message)
        {
            // The Proxy writes "UserAgent:" exactly: the fast ordinal search first, other case only as a fallback.
            int at = message.IndexOf("UserAgent:".AsSpan());
            if (at < 0 && message.IndexOf(':') >= 0)
            {
                at = message.IndexOf("UserAgent:".AsSpan(), StringComparison.OrdinalIgnoreCase);
            }

            if (at < 0)
            {
                return ReadOnlySpan<char>.Empty;
            }

            var ua = message.Slice(at + 10).Trim();
            if (ua.Length > 0 && (ua[0] == '\'' || ua[0] == '"'))
            {
                char quote = ua[0];
                ua = ua.Slice(1);
                if (ua.Length > 0 && ua[ua.Length - 1] == quote)
                {
                    ua = ua.Slice(0, ua.Length - 1);
                }
            }

            return ua.Trim();
        }

        private string Intern(ReadOnlySpan<char> field)
        {
            if (field.IsEmpty)
            {
                return "";
            }

            if (_fields.TryGet(field, out string s, out _, out int slot))
            {
                return s;
            }

            s = ToText(field);
            _fields.Store(slot, s, true);
            return s;
        }

        private static string ToText(ReadOnlySpan<char> s)
        {
#if NET8_0_OR_GREATER
            return new string(s);
#else
            return new string(s.ToArray());
#endif
        }

        private static bool IsBlank(ReadOnlySpan<char> s) => s.Trim().IsEmpty;

        private static bool EqualsIgnoreCase(ReadOnlySpan<char> a, string b) => a.Equals(b.AsSpan(), StringComparison.OrdinalIgnoreCase);

        private static bool Contains(ReadOnlySpan<char> text, string value) => text.IndexOf(value.AsSpan(), StringComparison.OrdinalIgnoreCase) >= 0;

        // Safe to show in a message: short, no control characters.
        private static string Shorten(ReadOnlySpan<char> s)
        {
            const int Max = 40;
            var chars = new char[Math.Min(s.Length, Max)];
            for (int i = 0; i < chars.Length; i++)
            {
                chars[i] = char.IsControl(s[i]) ? '?' : s[i];
            }

            return new string(chars) + (s.Length > Max ? "…" : "");
        }
    }
}
