namespace QlikActivity.Core.Events
{
    /// <summary>Reads browser and OS from a user-agent string. (Placeholder: the real parser is being written.)</summary>
    public static class UserAgentParser
    {
        public static UserAgentInfo Parse(string? userAgent) => UserAgentInfo.Unknown;
    }
}
