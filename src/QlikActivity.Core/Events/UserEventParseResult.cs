namespace QlikActivity.Core.Events
{
    /// <summary>What <see cref="UserEventParser"/> made of one datagram: an event, or a reason it is not one.</summary>
    public readonly struct UserEventParseResult
    {
        private UserEventParseResult(UserEvent? userEvent, RejectReason reason, string? detail, bool messageTruncated = false)
        {
            Event = userEvent;
            Reason = reason;
            Detail = detail;
            MessageTruncated = messageTruncated;
        }

        /// <summary>The event; null when rejected.</summary>
        public UserEvent? Event { get; }

        /// <summary><see cref="RejectReason.None"/> when an event was read.</summary>
        public RejectReason Reason { get; }

        /// <summary>A short explanation of a rejection, safe to show (never the whole datagram).</summary>
        public string? Detail { get; }

        /// <summary>The event's message was longer than <see cref="UserEventParser.MaxMessageChars"/> and was cut there.</summary>
        public bool MessageTruncated { get; }

        public bool IsEvent => Event != null;

        internal static UserEventParseResult Accepted(UserEvent userEvent, bool messageTruncated = false) =>
            new UserEventParseResult(userEvent, RejectReason.None, null, messageTruncated);

        internal static UserEventParseResult Rejected(RejectReason reason, string detail) => new UserEventParseResult(null, reason, detail);

        public override string ToString() => IsEvent ? Event!.ToString() : Reason + ": " + Detail;
    }
}
