namespace QlikActivity.Core.Events
{
    /// <summary>The ErrorIds of the event listener and the event sender, one per cause.</summary>
    public static class EventErrorIds
    {
        public const string InvalidListenerOption = "InvalidListenerOption";
        public const string InvalidListenerAddress = "InvalidListenerAddress";
        public const string PortInUse = "PortInUse";
        public const string AddressNotAvailable = "AddressNotAvailable";
        public const string PortAccessDenied = "PortAccessDenied";
        public const string ListenFailed = "ListenFailed";
        public const string ListenerFailed = "ListenerFailed";
        public const string InvalidAllowedSource = "InvalidAllowedSource";
        public const string AllowedSourceNotResolved = "AllowedSourceNotResolved";
        public const string InvalidUserPattern = "InvalidUserPattern";
        public const string InvalidPort = "InvalidPort";
        public const string InvalidCount = "InvalidCount";
        public const string InvalidServer = "InvalidServer";
        public const string ServerNotResolved = "ServerNotResolved";
        public const string InvalidUserEventField = "InvalidUserEventField";
        public const string SendFailed = "SendFailed";
    }
}
