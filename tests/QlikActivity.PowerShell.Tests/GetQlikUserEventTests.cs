using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using QlikActivity.PowerShell.Tests.Fixtures;
using Xunit;

namespace QlikActivity.PowerShell.Tests
{
    /// <summary>Get-QlikUserEvent in a live runspace over a journal written by the module's own writer, which stays open as a listener's would.</summary>
    public sealed class GetQlikUserEventTests
    {
        private static string[] Users(RunResult r) => r.Output.Select(o => (string)o.Properties["UserFull"].Value).ToArray();

        [Fact]
        public void Streams_events_newest_last_and_filters_while_the_writer_holds_the_journal()
        {
            using var session = ModuleSession.Start();
            using var journal = new JournalScenario(session);

            var all = session.Run("Get-QlikUserEvent -JournalPath $args[0]", journal.JournalPath);
            Assert.Null(all.Terminated);
            Assert.Empty(all.Errors);
            Assert.Equal(JournalScenario.EventCount, all.Output.Count);
            Assert.All(all.Output, o => Assert.Equal("UserEvent", o.BaseObject.GetType().Name));
            var times = all.Output.Select(o => (DateTime)o.Properties["ReceivedAt"].Value).ToArray();
            Assert.Equal(times.OrderBy(t => t), times);
            Assert.Equal("Sales dashboard", all.Output[0].Properties["AppName"].Value);
            Assert.Equal("Chrome", all.Output[0].Properties["BrowserName"].Value);

            // -Last: the newest N, still oldest first.
            Assert.Equal(new[] { "LAB\\anna", "LAB\\carl" }, Users(session.Run("Get-QlikUserEvent $args[0] -Last 2", journal.JournalPath)));
            // Wildcards, case-insensitive, on directory and user.
            Assert.Equal(new[] { "CORP\\bob", "CORP\\bob" }, Users(session.Run("Get-QlikUserEvent $args[0] -UserDirectory 'co*'", journal.JournalPath)));
            Assert.Equal(4, session.Run("Get-QlikUserEvent $args[0] -UserId 'AN?A' -UserDirectory lab", journal.JournalPath).Output.Count);
            // Event types by name, apps by id, time window.
            var starts = session.Run("Get-QlikUserEvent $args[0] -EventType SessionStart", journal.JournalPath);
            Assert.Equal(new[] { "LAB\\anna", "CORP\\bob", "LAB\\anna" }, Users(starts));
            var finance = session.Run("Get-QlikUserEvent $args[0] -AppId $args[1] -EventType ConnectionOpen, SessionStart", journal.JournalPath, JournalScenario.Finance);
            Assert.Equal(new[] { "LAB\\anna", "LAB\\carl" }, Users(finance));
            var recent = session.Run("Get-QlikUserEvent $args[0] -Since $now.AddMinutes(-95) -Until $now.AddMinutes(-5)", journal.JournalPath);
            Assert.Equal(new[] { "CORP\\bob", "CORP\\bob", "LAB\\anna" }, Users(recent));
            // A local time (Get-Date) is converted: the last 15 minutes hold anna's start and carl's open.
            Assert.Equal(2, session.Run("Get-QlikUserEvent $args[0] -Since (Get-Date).AddMinutes(-15)", journal.JournalPath).Output.Count);

            // The writer keeps writing; the next query sees it.
            var more = session.Run(@"$e = [QlikActivity.Core.UserEvent]@{ ReceivedAt = [datetime]::UtcNow; Host = 'sense1'; EventType = 'SessionStop'; Command = 'Stop session'; UserDirectory = 'LAB'; UserId = 'dora' }
                $null = $journal.Append($e); $null = $journal.Flush([timespan]::FromSeconds(30))
                Get-QlikUserEvent $args[0] -Last 1", journal.JournalPath);
            Assert.Equal(new[] { "LAB\\dora" }, Users(more));
        }

        [Fact]
        public void Relative_and_home_paths_resolve_against_the_PowerShell_location()
        {
            using var session = ModuleSession.Start();
            using var journal = new JournalScenario(session);

            // Relative to the runspace's location, not the process's working directory.
            var relative = session.Run("Set-Location $args[0]; Get-QlikUserEvent events.journal -Last 1; Get-QlikUserSession ./events.journal -Active; Get-QlikAppActivity .\\events.journal",
                journal.Folder);
            Assert.Null(relative.Terminated);
            Assert.Empty(relative.Errors);
            Assert.Equal(1 + 2 + 2, relative.Output.Count);

            // ~ is the home folder.
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            string name = ".qlikactivity-test-" + Guid.NewGuid().ToString("N").Substring(0, 8) + ".journal";
            try
            {
                session.Run("$journal.Dispose(); $global:journal = $null");
                File.Copy(journal.JournalPath, Path.Combine(home, name));
                var tilde = session.Run($"Get-QlikUserEvent ~/{name} -Last 3");
                Assert.Null(tilde.Terminated);
                Assert.Equal(3, tilde.Output.Count);
            }
            finally
            {
                File.Delete(Path.Combine(home, name));
            }

            // Files from Get-ChildItem bind by FullName.
            var piped = session.Run("Get-ChildItem -Path $args[0] -Filter *.journal | Get-QlikUserEvent -Last 1", journal.Folder);
            Assert.Equal(new[] { "LAB\\carl" }, Users(piped));
        }

        [Fact]
        public void A_missing_journal_is_an_ObjectNotFound_error_naming_the_full_path()
        {
            using var session = ModuleSession.Start();
            string folder = Path.GetTempPath();
            var result = session.Run("Set-Location $args[0]; try { Get-QlikUserEvent no-such.journal -ErrorAction Stop } catch { $_ }", folder);
            var record = Assert.IsType<ErrorRecord>(Assert.Single(result.Output).BaseObject);
            Assert.Equal("JournalNotFound,QlikActivity.Commands.GetQlikUserEventCommand", record.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, record.CategoryInfo.Category);
            string full = Path.Combine(folder, "no-such.journal");
            Assert.Equal(full, record.TargetObject);
            Assert.Contains(full, record.Exception.Message, StringComparison.Ordinal);
            Assert.Contains("Start-QlikEventListener -JournalPath", record.Exception.Message, StringComparison.Ordinal);

            // A file that is not a journal.
            string notJournal = Path.Combine(folder, "not-a-journal-" + Guid.NewGuid().ToString("N") + ".journal");
            File.WriteAllText(notJournal, "hello");
            try
            {
                var bad = session.Run("Get-QlikUserSession $args[0]", notJournal);
                Assert.NotNull(bad.TerminatingRecord);
                Assert.Equal(ErrorCategory.InvalidData, bad.TerminatingRecord!.CategoryInfo.Category);
                Assert.Empty(bad.Output);
            }
            finally
            {
                File.Delete(notJournal);
            }
        }

        [Fact]
        public void Parameters_validate_and_EventType_completes()
        {
            using var session = ModuleSession.Start();
            var last = session.Run("Get-QlikUserEvent x.journal -Last 0");
            Assert.Equal("ParameterArgumentValidationError,QlikActivity.Commands.GetQlikUserEventCommand", last.TerminatingRecord!.FullyQualifiedErrorId);
            var type = session.Run("Get-QlikUserEvent x.journal -EventType Login");
            Assert.NotNull(type.TerminatingRecord);
            Assert.Equal(ErrorCategory.InvalidArgument, type.TerminatingRecord!.CategoryInfo.Category);

            var completion = session.Run("(TabExpansion2 -inputScript 'Get-QlikUserEvent x.journal -EventType Session' -cursorColumn 46).CompletionMatches.CompletionText");
            Assert.Equal(new[] { "SessionStart", "SessionStop" }, completion.Output.Select(o => o.ToString()).OrderBy(s => s));
        }

        [Fact]
        public void The_default_view_keeps_time_type_and_user_at_80()
        {
            using var session = ModuleSession.Start();
            using var journal = new JournalScenario(session);
            session.Run("$events = @(Get-QlikUserEvent $args[0])", journal.JournalPath);
            foreach (int width in new[] { 80, 120 })
            {
                var lines = JournalViews.Lines(session.Render("$events", width), width);
                Assert.Matches(@"^ReceivedAt\s+EventType\s+User\b", lines[0]);
                Assert.Contains(lines, l => l.Contains("ConnectionOpen", StringComparison.Ordinal) && l.Contains("LAB\\carl", StringComparison.Ordinal));
            }
        }

        [Fact]
        public void Help_is_written() =>
            HelpAssert.HasWrittenHelp("Get-QlikUserEvent", "JournalPath", "Since", "Until", "UserDirectory", "UserId", "EventType", "AppId", "Last");
    }
}
