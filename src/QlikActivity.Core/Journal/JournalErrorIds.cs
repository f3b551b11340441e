namespace QlikActivity.Core.Journal
{
    /// <summary>The ErrorIds of the event journal (writing and reading), one per cause.</summary>
    public static class JournalErrorIds
    {
        public const string PathEmpty = "JournalPathEmpty";
        public const string OptionOutOfRange = "JournalOptionOutOfRange";
        public const string NativeLibraryNotLoaded = "JournalNativeLibraryNotLoaded";
        public const string FolderNotCreated = "JournalFolderNotCreated";
        public const string InUse = "JournalInUse";
        public const string NotOpened = "JournalNotOpened";
        public const string NotFound = "JournalNotFound";
        public const string NotAJournal = "NotAJournal";
        public const string SessionTimeoutOutOfRange = "SessionTimeoutOutOfRange";
        public const string DaysOutOfRange = "DaysOutOfRange";
    }
}
