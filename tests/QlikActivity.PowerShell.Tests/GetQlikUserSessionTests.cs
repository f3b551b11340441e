using System;
using System.Linq;
using System.Management.Automation;
using QlikActivity.PowerShell.Tests.Fixtures;
using Xunit;

namespace QlikActivity.PowerShell.Tests
{
    /// <summary>Get-QlikUserSession in a live runspace over a journal the module's writer holds open.</summary>
    public sealed class GetQlikUserSessionTests
    {
        private static string[] Users(RunResult r) => r.Output.Select(o => (string)o.Properties["UserFull"].Value).ToArray();

        [Fact]
        public void Sessions_pair_start_and_stop_with_apps_duration_and_browser()
        {
            using var session = ModuleSession.Start();
            using var journal = new JournalScenario(session);
            var result = session.Run("Get-QlikUserSession -JournalPath $args[0]", journal.JournalPath);
            Assert.Null(result.Terminated);
            Assert.Empty(result.Errors);
            Assert.Equal(new[] { "LAB\\anna", "CORP\\bob", "LAB\\anna", "LAB\\carl" }, Users(result));
            Assert.All(result.Output, o => Assert.Equal("UserSession", o.BaseObject.GetType().Name));

            var first = result.Output[0];
            Assert.Equal("Stopped", first.Properties["State"].Value.ToString());
            Assert.Equal(TimeSpan.FromMinutes(20), first.Properties["Duration"].Value);
            Assert.Equal("sense1", first.Properties["ProxyHost"].Value);
            Assert.Equal("Chrome", first.Properties["BrowserName"].Value);
            Assert.Equal("Windows", first.Properties["OsName"].Value);
            var apps = session.Run("(Get-QlikUserSession $args[0] -UserId anna)[0].Apps | ForEach-Object { $_.ToString() }", journal.JournalPath);
            Assert.Equal(new[] { "Sales dashboard", JournalScenario.Finance.ToString() }, apps.Output.Select(o => o.ToString()));

            Assert.Equal("TimedOut", result.Output[1].Properties["State"].Value.ToString());
            Assert.Equal(TimeSpan.FromMinutes(10), result.Output[1].Properties["Duration"].Value);
            Assert.False((bool)result.Output[3].Properties["StartSeen"].Value);

            // -Since / -Until on the start; wildcards on the user.
            Assert.Equal(new[] { "CORP\\bob", "LAB\\anna" },
                Users(session.Run("Get-QlikUserSession $args[0] -Since $now.AddMinutes(-100) -Until $now.AddMinutes(-5)", journal.JournalPath)));
            Assert.Equal(new[] { "LAB\\anna", "LAB\\anna" }, Users(session.Run("Get-QlikUserSession $args[0] -UserId A* -UserDirectory l?b", journal.JournalPath)));
        }

        [Fact]
        public void Active_lists_who_is_online_within_the_session_timeout()
        {
            using var session = ModuleSession.Start();
            using var journal = new JournalScenario(session);
            var active = session.Run("Get-QlikUserSession $args[0] -Active", journal.JournalPath);
            Assert.Null(active.Terminated);
            Assert.Equal(new[] { "LAB\\anna", "LAB\\carl" }, Users(active));
            Assert.All(active.Output, o => Assert.Equal("Active", o.Properties["State"].Value.ToString()));

            // A number is minutes; text and TimeSpans work too.
            Assert.Equal(new[] { "CORP\\bob", "LAB\\anna", "LAB\\carl" }, Users(session.Run("Get-QlikUserSession $args[0] -Active -SessionTimeout 120", journal.JournalPath)));
            Assert.Equal(new[] { "LAB\\carl" }, Users(session.Run("Get-QlikUserSession $args[0] -Active -SessionTimeout 5", journal.JournalPath)));
            Assert.Equal(new[] { "LAB\\carl" }, Users(session.Run("Get-QlikUserSession $args[0] -Active -SessionTimeout '00:05:00'", journal.JournalPath)));
            Assert.Equal(3, session.Run("Get-QlikUserSession $args[0] -Active -SessionTimeout (New-TimeSpan -Hours 2)", journal.JournalPath).Output.Count);
            // The timeout also decides the state of sessions in the history.
            var history = session.Run("Get-QlikUserSession $args[0] -SessionTimeout 120", journal.JournalPath);
            Assert.Equal("Active", history.Output[1].Properties["State"].Value.ToString());

            var zero = session.Run("Get-QlikUserSession $args[0] -Active -SessionTimeout 0", journal.JournalPath);
            Assert.Equal("SessionTimeoutOutOfRange,QlikActivity.Commands.GetQlikUserSessionCommand", zero.TerminatingRecord!.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, zero.TerminatingRecord.CategoryInfo.Category);
        }

        [Fact]
        public void Parameter_sets_keep_Active_apart_from_the_history_window()
        {
            using var session = ModuleSession.Start();
            var sets = session.Run("(Get-Command Get-QlikUserSession).ParameterSets | ForEach-Object { '{0}:{1}' -f $_.Name, $_.IsDefault }");
            Assert.Equal(new[] { "Active:False", "History:True" }, sets.Output.Select(o => o.ToString()).OrderBy(s => s));
            var both = session.Run("Get-QlikUserSession x.journal -Active -Since (Get-Date)");
            Assert.Equal("AmbiguousParameterSet,QlikActivity.Commands.GetQlikUserSessionCommand", both.TerminatingRecord!.FullyQualifiedErrorId);
            var output = session.Run("(Get-Command Get-QlikUserSession).OutputType.Name");
            Assert.Equal("QlikActivity.Core.Journal.UserSession", Assert.Single(output.Output).ToString());
        }

        [Fact]
        public void Users_online_pipe_into_Get_QlikUserEvent_by_property_name()
        {
            using var session = ModuleSession.Start();
            using var journal = new JournalScenario(session);
            var result = session.Run("Get-QlikUserSession $args[0] -Active | Get-QlikUserEvent -JournalPath $args[0] -Last 1", journal.JournalPath);
            Assert.Null(result.Terminated);
            Assert.Equal(new[] { "LAB\\anna", "LAB\\carl" }, Users(result));
            Assert.Equal(new[] { "SessionStart", "ConnectionOpen" }, result.Output.Select(o => o.Properties["EventType"].Value.ToString()));
        }

        [Fact]
        public void The_default_view_keeps_start_user_duration_and_state_at_80_and_adds_the_host_at_120()
        {
            using var session = ModuleSession.Start();
            using var journal = new JournalScenario(session);
            session.Run("$sessions = @(Get-QlikUserSession $args[0])", journal.JournalPath);
            var at80 = JournalViews.Lines(session.Render("$sessions", 80), 80);
            Assert.Matches(@"^Start\s+User\s+Duration\s+State\s+Apps\s*$", at80[0]);
            Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d LAB\\anna\s+00:20:00 Stopped\s+2$", at80[2]);

            var at120 = JournalViews.Lines(session.Render("$sessions", 120), 120);
            Assert.Matches(@"^Start\s+User\s+Duration\s+State\s+Apps\s+ProxyHost\s+Browser\s*$", at120[0]);
            Assert.Matches(@"Stopped\s+2 sense1\s+Chrome 120\s*$", at120[2]);
        }

        [Fact]
        public void UserDirectory_and_UserId_complete_from_the_journal()
        {
            using var session = ModuleSession.Start();
            using var journal = new JournalScenario(session);
            string[] Complete(string line) => session.Run("(TabExpansion2 -inputScript $args[0] -cursorColumn $args[0].Length).CompletionMatches.CompletionText", line)
                .Output.Select(o => o.ToString()!).OrderBy(x => x, StringComparer.Ordinal).ToArray();

            // Relative to the PowerShell location, as the cmdlet resolves it.
            session.Run("Set-Location $args[0]", journal.Folder);
            Assert.Equal(new[] { "CORP", "LAB" }, Complete("Get-QlikUserSession events.journal -UserDirectory "));
            Assert.Equal(new[] { "anna", "carl" }, Complete("Get-QlikUserSession events.journal -UserDirectory lab -UserId "));
            Assert.Equal(new[] { "anna", "bob", "carl" }, Complete("Get-QlikUserEvent -JournalPath ./events.journal -UserId "));
            Assert.Equal(new[] { "carl" }, Complete("Get-QlikUserEvent events.journal -UserId c"));
            // No journal: nothing offered, no error.
            Assert.DoesNotContain("LAB", Complete("Get-QlikUserSession nope.journal -UserDirectory "));
        }

        [Fact]
        public void Help_is_written() =>
            HelpAssert.HasWrittenHelp("Get-QlikUserSession", "JournalPath", "Since", "Until", "Active", "SessionTimeout", "UserDirectory", "UserId");
    }
}
