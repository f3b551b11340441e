using System;
using System.Collections.Generic;
using System.IO;
using QlikActivity.Core.Events;
using QlikActivity.Core.Journal;
using Xunit;

namespace QlikActivity.Core.Tests.Journal
{
    /// <summary>A temp folder per test, and events made by the real parser from wire-format datagrams.</summary>
    public abstract class JournalTestBase : IDisposable
    {
        public const string Chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
        public const string Safari = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15";
        public static readonly DateTime T0 = new DateTime(2026, 11, 2, 8, 0, 0, DateTimeKind.Utc);

        private readonly List<EventJournal> _journals = new List<EventJournal>();

        protected JournalTestBase()
        {
            Folder = Path.Combine(Path.GetTempPath(), "qlikactivity-journal-" + Guid.NewGuid().ToString("N").Substring(0, 12));
            Directory.CreateDirectory(Folder);
            JournalPath = Path.Combine(Folder, "events.journal");
        }

        protected string Folder { get; }
        protected string JournalPath { get; }
        protected List<JournalFault> Faults { get; } = new List<JournalFault>();

        protected EventJournalOptions Options(Action<EventJournalOptions>? change = null)
        {
            var options = new EventJournalOptions(JournalPath)
            {
                RetentionDays = 0,
                MaxSizeBytes = 0,
                OnFault = f => { lock (Faults) { Faults.Add(f); } },
            };
            change?.Invoke(options);
            return options;
        }

        protected EventJournal OpenJournal(Action<EventJournalOptions>? change = null)
        {
            var journal = EventJournal.Open(Options(change));
            _journals.Add(journal);
            return journal;
        }

        protected static void Flush(EventJournal journal) => Assert.True(journal.Flush(TimeSpan.FromSeconds(60)), "The journal did not write its queue within 60 s.");

        public static UserEvent Event(UserEventType type, DateTime at, string user = "anna", string directory = "LAB", string host = "sense1.lab.local",
            Guid? app = null, string? agent = Chrome, string source = "10.0.0.7")
        {
            string command = type switch
            {
                UserEventType.SessionStart => "Start session",
                UserEventType.SessionStop => "Stop session",
                UserEventType.ConnectionOpen => "Open connection",
                _ => "Close connection",
            };
            string prefix = type == UserEventType.SessionStart || type == UserEventType.SessionStop ? "/qseow-proxy-session/" : "/qseow-proxy-connection/";
            string context = app is Guid id ? $"/app/{id:D}" : "/hub/";
            string message = $"{command} for user '{directory}\\{user}'" + (agent == null ? "" : $" UserAgent: '{agent}'");
            var result = new UserEventParser().Parse($"{prefix};{host};{command};{directory};{user};AppAccess;{context};{message}", at, source);
            Assert.True(result.IsEvent, result.ToString());
            return result.Event!;
        }

        public void Dispose()
        {
            foreach (var journal in _journals)
            {
                journal.Dispose();
            }

            try
            {
                Directory.Delete(Folder, recursive: true);
            }
            catch (IOException)
            {
                // A reader left open by a failed assertion; the temp folder is cleaned by the OS.
            }

            GC.SuppressFinalize(this);
        }
    }
}
