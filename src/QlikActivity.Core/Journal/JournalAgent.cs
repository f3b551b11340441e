namespace QlikActivity.Core.Journal
{
    /// <summary>
    /// A user agent as the journal stores it once in its <c>agents</c> table: the text and what
    /// the parser read from it, so reading events back needs no second parse.
    /// </summary>
    internal sealed class JournalAgent
    {
        public JournalAgent(string text, string? browser, string? browserMajor, string? os, string? osVersion)
        {
            Text = text;
            Browser = browser;
            BrowserMajor = browserMajor;
            Os = os;
            OsVersion = osVersion;
        }

        public string Text { get; }

        public string? Browser { get; }

        public string? BrowserMajor { get; }

        public string? Os { get; }

        public string? OsVersion { get; }
    }
}
