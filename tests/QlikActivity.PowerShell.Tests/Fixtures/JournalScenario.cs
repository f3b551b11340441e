using System;
using System.IO;
using Xunit;

namespace QlikActivity.PowerShell.Tests.Fixtures
{
    /// <summary>
    /// A journal written in the session as the listener writes it (EventJournal, the module's own
    /// writer), with times relative to now so -Active means something. The writer stays open in
    /// <c>$journal</c>, as a running listener would hold it, until the session ends or the test closes it.
    /// <list type="bullet">
    /// <item>LAB\anna on sense1: start on Sales 120 min ago, opens Finance at 110, stop at 100 (Chrome on Windows).</item>
    /// <item>LAB\anna on sense1 again: start 10 min ago (online).</item>
    /// <item>CORP\bob on sense2: start 90 min ago, opens Sales at 80 (timed out at 30 min, online at 120).</item>
    /// <item>LAB\carl on sense1: opens Finance 3 min ago without a start seen (online).</item>
    /// </list>
    /// </summary>
    public sealed class JournalScenario : IDisposable
    {
        public static readonly Guid Sales = Guid.Parse("5f0c2b0e-8a7d-4c1e-9a53-1b9b2f6f0d11");
        public static readonly Guid Finance = Guid.Parse("7a1d3c4e-2b6f-4d8a-9c0e-3f5a7b9d1e22");
        public const int EventCount = 7;

        private readonly ModuleSession _session;

        /// <summary>Writes the scenario in <paramref name="session"/>; <c>$journal</c> holds the open writer, <c>$now</c> the time events count back from.</summary>
        public JournalScenario(ModuleSession session, Guid? sales = null, Guid? finance = null)
        {
            _session = session;
            SalesId = sales ?? Sales;
            FinanceId = finance ?? Finance;
            Folder = Path.Combine(Path.GetTempPath(), "qlikactivity-ps-journal-" + Guid.NewGuid().ToString("N").Substring(0, 12));
            Directory.CreateDirectory(Folder);
            JournalPath = System.IO.Path.Combine(Folder, "events.journal");
            Write();
        }

        public Guid SalesId { get; }
        public Guid FinanceId { get; }
        public string Folder { get; }

        /// <summary>The journal file's full path.</summary>
        public string JournalPath { get; }

        public const string Chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

        private void Write()
        {
            var result = _session.Run(@"
$opts = [QlikActivity.Core.Journal.EventJournalOptions]::new($args[0])
$opts.RetentionDays = 0
$global:journal = [QlikActivity.Core.Journal.EventJournal]::Open($opts)
$n = [datetime]::UtcNow; $global:now = $n.AddTicks(-($n.Ticks % 10000)) # the journal keeps milliseconds
$sales = [guid]$args[1]; $finance = [guid]$args[2]; $chrome = $args[3]
function Add-TestEvent($minutesAgo, $type, $user, $directory, $proxy, $app, $appName) {
    $command = @{ SessionStart = 'Start session'; SessionStop = 'Stop session'; ConnectionOpen = 'Open connection'; ConnectionClose = 'Close connection' }[$type]
    $e = [QlikActivity.Core.UserEvent]@{
        ReceivedAt = $now.AddMinutes(-$minutesAgo); Host = $proxy; EventType = $type; Command = $command
        MessageType = if ($type -like 'Session*') { '/qseow-proxy-session/' } else { '/qseow-proxy-connection/' }
        UserDirectory = $directory; UserId = $user; Origin = 'AppAccess'
        Context = if ($app) { ""/app/$app"" } else { '/hub/' }; Message = ""$command for user '$directory\$user'""
        UserAgent = $chrome; BrowserName = 'Chrome'; BrowserMajorVersion = '120'; OsName = 'Windows'; OsVersion = '10'
        Source = '10.0.0.7'
    }
    if ($app) { $e.AppId = $app }
    if ($appName) { $e.AppName = $appName }
    if ($journal.Append($e) -eq 0) { throw 'not journaled' }
}
Add-TestEvent 120 SessionStart anna LAB sense1 $sales 'Sales dashboard'
Add-TestEvent 110 ConnectionOpen anna LAB sense1 $finance $null
Add-TestEvent 100 SessionStop anna LAB sense1 $null $null
Add-TestEvent 90 SessionStart bob CORP sense2 $null $null
Add-TestEvent 80 ConnectionOpen bob CORP sense2 $sales $null
Add-TestEvent 10 SessionStart anna LAB sense1 $null $null
Add-TestEvent 3 ConnectionOpen carl LAB sense1 $finance $null
if (-not $journal.Flush([timespan]::FromSeconds(60))) { throw 'not flushed' }
", JournalPath, SalesId.ToString(), FinanceId.ToString(), Chrome);
            Assert.Null(result.Terminated);
            Assert.Empty(result.Errors);
        }

        /// <summary>Closes the writer, as stopping the listener does.</summary>
        public void CloseWriter() => _session.Run("if ($journal) { $journal.Dispose(); $global:journal = $null }");

        public void Dispose()
        {
            CloseWriter();
            try
            {
                Directory.Delete(Folder, recursive: true);
            }
            catch (IOException)
            {
                // Still open in a failed test's session; the temp folder is cleaned by the OS.
            }
        }
    }
}
