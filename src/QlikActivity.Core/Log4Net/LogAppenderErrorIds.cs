namespace QlikActivity.Core.Log4Net
{
    /// <summary>The ErrorIds of writing a Proxy log appender file, one per cause.</summary>
    public static class LogAppenderErrorIds
    {
        public const string InvalidListenerAddress = "InvalidListenerAddress";
        public const string InvalidPort = "InvalidPort";
        public const string InvalidPath = "InvalidPath";
        public const string FolderNotFound = "FolderNotFound";
        public const string FileExists = "FileExists";
        public const string WriteFailed = "WriteFailed";
    }
}
