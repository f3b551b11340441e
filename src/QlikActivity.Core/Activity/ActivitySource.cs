namespace QlikActivity.Core.Activity
{
    /// <summary>Where a user's last activity was read from.</summary>
    public enum ActivitySource
    {
        /// <summary>No source shows any use.</summary>
        None,

        /// <summary>The license records of the repository (<c>lastUsed</c> / <c>latestActivity</c>).</summary>
        License,

        /// <summary>The user's latest event in the listener's event journal (session and connection events).</summary>
        Session,
    }
}
