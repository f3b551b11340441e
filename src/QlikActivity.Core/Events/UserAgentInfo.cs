namespace QlikActivity.Core.Events
{
    /// <summary>Browser and operating system read from a user-agent string; null parts are unknown.</summary>
    public sealed class UserAgentInfo
    {
        public static readonly UserAgentInfo Unknown = new UserAgentInfo(null, null, null, null);

        public UserAgentInfo(string? browserName, string? browserMajorVersion, string? osName, string? osVersion)
        {
            BrowserName = browserName;
            BrowserMajorVersion = browserMajorVersion;
            OsName = osName;
            OsVersion = osVersion;
        }

        public string? BrowserName { get; }
        public string? BrowserMajorVersion { get; }
        public string? OsName { get; }
        public string? OsVersion { get; }
    }
}
