using System;

namespace QlikActivity.Core.Events
{
    /// <summary>A test datagram that <c>Send-QlikUserEvent</c> sent (PowerShell type name <c>QlikActivity.Core.Events.SentUserEvent</c>).</summary>
    public sealed class SentUserEvent
    {
        public DateTime SentAt { get; set; }

        /// <summary>The server as given.</summary>
        public string Server { get; set; } = "";

        /// <summary>The address it was sent to.</summary>
        public string Address { get; set; } = "";

        public int Port { get; set; }

        public UserEventType EventType { get; set; }

        public string UserDirectory { get; set; } = "";

        public string UserId { get; set; } = "";

        /// <summary>The datagram text, exactly as sent (UTF-8).</summary>
        public string Datagram { get; set; } = "";

        public int Bytes { get; set; }

        public override string ToString() => $"{Address}:{Port} {Datagram}";
    }
}
