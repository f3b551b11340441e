namespace QlikActivity.Core.Events
{
    /// <summary>Browser, operating system and device type read from a user-agent string; null parts are unknown.</summary>
    public sealed class UserAgentInfo
    {
        public static readonly UserAgentInfo Unknown = new UserAgentInfo(null, null, null, null);

        public UserAgentInfo(string? browserName, string? browserMajorVersion, string? osName, string? osVersion)
            : this(browserName, null, browserMajorVersion, osName, osVersion, null)
        {
        }

        public UserAgentInfo(string? browserName, string? browserVersion, string? browserMajorVersion, string? osName, string? osVersion, string? deviceType)
        {
            BrowserName = browserName;
            BrowserVersion = browserVersion;
            BrowserMajorVersion = browserMajorVersion;
            OsName = osName;
            OsVersion = osVersion;
            DeviceType = deviceType;
        }

        public string? BrowserName { get; }

        /// <summary>The whole browser version as Bowser reports it (e.g. <c>120.0.0.0</c>).</summary>
        public string? BrowserVersion { get; }

        /// <summary>The browser version up to its first dot (e.g. <c>120</c>).</summary>
        public string? BrowserMajorVersion { get; }

        public string? OsName { get; }

        public string? OsVersion { get; }

        /// <summary><c>desktop</c>, <c>mobile</c>, <c>tablet</c>, <c>tv</c> or <c>bot</c> (Bowser's platform type).</summary>
        public string? DeviceType { get; }
    }
}
