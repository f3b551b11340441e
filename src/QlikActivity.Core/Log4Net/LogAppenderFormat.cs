namespace QlikActivity.Core.Log4Net
{
    /// <summary>Which datagram prefixes the Proxy's appenders send.</summary>
    public enum LogAppenderFormat
    {
        /// <summary><c>/qseow-proxy-session/</c> and <c>/qseow-proxy-connection/</c>, what Butler SOS reads today.</summary>
        Current,
        /// <summary><c>/proxy-session/</c> and <c>/proxy-connection/</c>, what older Butler versions read.</summary>
        Legacy,
    }
}
