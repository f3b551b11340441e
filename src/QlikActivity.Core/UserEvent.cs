using System;
using System.Collections.Generic;

namespace QlikActivity.Core
{
    // In the Core root, not in Events: the listener (Events) hands it to the destinations
    // (Destinations) and the journal (Journal), and Events already depends on Destinations, so the
    // event they all share sits below all three, beside IOperationHost and OperationError.
    /// <summary>
    /// One session or connection event sent by the Qlik Sense Proxy over UDP
    /// (PowerShell type name <c>QlikActivity.Core.UserEvent</c>).
    /// </summary>
    public sealed class UserEvent
    {
        /// <summary>When the datagram arrived (UTC): the wire format carries no timestamp.</summary>
        public DateTime ReceivedAt { get; set; }

        /// <summary>The address the datagram came from.</summary>
        public string Source { get; set; } = "";

        /// <summary>
        /// The datagram's prefix in lower case without slashes, as Butler SOS reports it (e.g. <c>qseow-proxy-session</c>),
        /// whatever the command says.
        /// </summary>
        public string MessageType { get; set; } = "";

        /// <summary>The Sense server that logged the event.</summary>
        public string Host { get; set; } = "";

        public UserEventType EventType { get; set; }

        /// <summary>The command as sent, e.g. <c>Start session</c>.</summary>
        public string Command { get; set; } = "";

        public string UserDirectory { get; set; } = "";

        public string UserId { get; set; } = "";

        /// <summary><c>USERDIRECTORY\USERID</c>, the form admins type.</summary>
        public string UserFull => UserDirectory + "\\" + UserId;

        public string Origin { get; set; } = "";

        public string Context { get; set; } = "";

        /// <summary>The app GUID after <c>/app/</c> in <see cref="Context"/>, if any.</summary>
        public Guid? AppId { get; set; }

        /// <summary>The app's name, when the listener resolves it through the QRS.</summary>
        public string? AppName { get; set; }

        public string Message { get; set; } = "";

        public string? UserAgent { get; set; }

        public string? BrowserName { get; set; }

        public string? BrowserMajorVersion { get; set; }

        public string? OsName { get; set; }

        public string? OsVersion { get; set; }

        /// <summary><c>desktop</c>, <c>mobile</c>, <c>tablet</c>, <c>tv</c> or <c>bot</c>, from the user agent (Bowser's platform type).</summary>
        public string? DeviceType { get; set; }

        /// <summary>
        /// Custom tags added by the listener (<c>-Tag</c>), forwarded to destinations. Always an
        /// <see cref="EventTags"/>, whoever sets it, so their text is <c>key=value; …</c> everywhere.
        /// </summary>
        public IReadOnlyDictionary<string, string> Tags
        {
            get => _tags;
            set => _tags = value as EventTags ?? (value == null ? EventTags.None : new EventTags(value));
        }

        /// <summary>The event's id in the listener's journal; 0 when there is none or it could not be journaled. Destinations advance their journal position with it.</summary>
        internal long JournalId { get; set; }

        public override string ToString() => $"{ReceivedAt:o} {Host} {Command} {UserFull}";

        private EventTags _tags = EventTags.None;
        private int _estimatedBytes;

        /// <summary>
        /// About how much memory the event holds on its own, for the destinations' byte bounds: the object,
        /// its message and its context. Host, directory, user, origin, user agent and the other short
        /// fields come from the parser's bounded caches (shared by many events), so they are not counted
        /// per event. Computed once, when the first destination queues the event.
        /// </summary>
        internal int EstimatedBytes
        {
            get
            {
                int bytes = _estimatedBytes;
                if (bytes == 0)
                {
                    bytes = 200 + Text(Message) + Text(Context);
                    _estimatedBytes = bytes;
                }

                return bytes;
            }
        }

        // A .NET string: header and length (about 24 bytes) and two bytes a char.
        private static int Text(string? value) => value == null ? 0 : 24 + (2 * value.Length);
    }
}
