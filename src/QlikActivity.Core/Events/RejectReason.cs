namespace QlikActivity.Core.Events
{
    /// <summary>Why a datagram did not become a <see cref="UserEvent"/>.</summary>
    public enum RejectReason
    {
        /// <summary>Not rejected.</summary>
        None = 0,
        /// <summary>The first field is not a user-event prefix such as <c>/qseow-proxy-session/</c>.</summary>
        UnknownPrefix,
        /// <summary>Fewer fields than the format has (8, or 5 for <c>/proxy-user-event/</c>), or an empty datagram.</summary>
        TooFewFields,
        /// <summary>No user directory or user id.</summary>
        EmptyUser,
        /// <summary>A command other than Start session, Stop session, Open connection, Close connection.</summary>
        UnknownCommand,
        /// <summary>Longer than the largest datagram the listener accepts.</summary>
        Oversize,
        /// <summary>Not valid UTF-8.</summary>
        InvalidUtf8,
        /// <summary>A host, user directory or user id longer than <see cref="UserEventParser.MaxNameChars"/> characters.</summary>
        FieldTooLong,
    }
}
