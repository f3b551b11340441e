namespace QlikActivity.Core
{
    // Beside UserEvent in the Core root (see there): Events, Destinations and Journal all use it.
    /// <summary>What happened, as the Proxy's COMMAND field says it.</summary>
    public enum UserEventType
    {
        /// <summary><c>Start session</c></summary>
        SessionStart,
        /// <summary><c>Stop session</c></summary>
        SessionStop,
        /// <summary><c>Open connection</c></summary>
        ConnectionOpen,
        /// <summary><c>Close connection</c></summary>
        ConnectionClose,
    }
}
