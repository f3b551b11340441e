using System;
using System.Linq;
using QlikActivity.PowerShell.Tests.Fixtures;
using Xunit;

namespace QlikActivity.PowerShell.Tests
{
    /// <summary>Get-QlikAppActivity in a live runspace: the journal alone, and with the QRS simulator's app list.</summary>
    public sealed class GetQlikAppActivityTests : IClassFixture<SimulatorFixture>
    {
        private readonly SimulatorFixture _sim;

        public GetQlikAppActivityTests(SimulatorFixture sim) => _sim = sim;

        [Fact]
        public void From_the_journal_alone_each_app_has_last_opened_users_sessions_and_the_journal_start()
        {
            using var session = ModuleSession.Start();
            using var journal = new JournalScenario(session);
            var result = session.Run("Get-QlikAppActivity -JournalPath $args[0]", journal.JournalPath);
            Assert.Null(result.Terminated);
            Assert.Empty(result.Errors);
            // Least recently opened first: Sales last at -80 (bob), Finance at -3 (carl).
            Assert.Equal(new object[] { JournalScenario.Sales, JournalScenario.Finance }, result.Output.Select(o => o.Properties["AppId"].Value));
            var sales = result.Output[0];
            Assert.Equal("Sales dashboard", sales.Properties["AppName"].Value);
            Assert.Equal(2, sales.Properties["DistinctUsers"].Value);
            Assert.Equal(2L, sales.Properties["Sessions"].Value);
            Assert.Null(sales.Properties["InRepository"].Value);
            var start = session.Run("$now.AddMinutes(-120)");
            Assert.All(result.Output, o => Assert.Equal(Assert.Single(start.Output).BaseObject, o.Properties["JournalStartsAt"].Value));

            // Both were opened within the last day, and the journal is only two hours old: a warning says so.
            var notOpened = session.Run("Get-QlikAppActivity $args[0] -NotOpenedInDays 1", journal.JournalPath);
            Assert.Empty(notOpened.Output);
            var warning = Assert.Single(notOpened.Warnings);
            Assert.Contains("hours ago", warning.Message, StringComparison.Ordinal);
            Assert.Contains("only known since then", warning.Message, StringComparison.Ordinal);
            // 0 days: everything opened before now.
            Assert.Equal(2, session.Run("Get-QlikAppActivity $args[0] -NotOpenedInDays 0", journal.JournalPath).Output.Count);
        }

        [Fact]
        public void With_a_connection_every_repository_app_is_listed_with_its_name_and_never_opened_ones_first()
        {
            Guid sales = _sim.Sim.Store.AddApp("Sales (repository name)", null);
            using var session = ModuleSession.Start();
            using var journal = new JournalScenario(session, sales: sales);
            var connect = session.Run($"$connection = Connect-QlikSense {_sim.ConnectArguments}");
            Assert.Null(connect.Terminated);
            var repositoryApps = _sim.Sim.Store.Entities("app");

            // The default connection is used when -Connection is omitted; the same with it.
            foreach (var script in new[] { "Get-QlikAppActivity $args[0]", "Get-QlikAppActivity $args[0] -Connection $connection" })
            {
                var result = session.Run(script, journal.JournalPath);
                Assert.Null(result.Terminated);
                Assert.Empty(result.Errors);
                Assert.Equal(repositoryApps.Count + 1, result.Output.Count);

                var neverOpened = result.Output.Where(o => o.Properties["LastOpened"].Value == null).ToList();
                Assert.Equal(repositoryApps.Count - 1, neverOpened.Count);
                Assert.All(neverOpened, o => Assert.True((bool)o.Properties["InRepository"].Value));
                Assert.All(neverOpened, o => Assert.False(string.IsNullOrEmpty((string)o.Properties["AppName"].Value)));
                // Never opened first, then by last opened.
                Assert.Equal(new object[] { sales, JournalScenario.Finance }, result.Output.Skip(neverOpened.Count).Select(o => o.Properties["AppId"].Value));

                var opened = result.Output[neverOpened.Count];
                Assert.Equal("Sales (repository name)", opened.Properties["AppName"].Value);
                Assert.True((bool)opened.Properties["InRepository"].Value);
                Assert.False((bool)result.Output.Last().Properties["InRepository"].Value);
            }
        }

        [Fact]
        public void The_default_view_keeps_app_and_last_opened_at_80_and_adds_the_journal_start_at_120()
        {
            using var session = ModuleSession.Start();
            using var journal = new JournalScenario(session);
            session.Run("$apps = @(Get-QlikAppActivity $args[0]); $apps += [QlikActivity.Core.Journal.AppActivity]@{ AppId = [guid]::NewGuid(); AppName = 'Nobody opens this one'; JournalStartsAt = $apps[0].JournalStartsAt }", journal.JournalPath);
            var at80 = JournalViews.Lines(session.Render("$apps", 80), 80);
            Assert.Matches(@"^App\s+LastOpened\s+Users\s+Sessions\s*$", at80[0]);
            Assert.Matches(@"^Sales dashboard\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+2\s+2$", at80[2]);
            Assert.Matches(@"^Nobody opens this one\s+never\s+0\s+0$", at80[4]);

            var at120 = JournalViews.Lines(session.Render("$apps", 120), 120);
            Assert.Matches(@"^App\s+LastOpened\s+Users\s+Sessions\s+Stream\s+JournalStarts\s*$", at120[0]);
            Assert.Matches(@"\s\d{4}-\d\d-\d\d$", at120[2]);
        }

        [Fact]
        public void Help_is_written() =>
            HelpAssert.HasWrittenHelp("Get-QlikAppActivity", "JournalPath", "Connection", "NotOpenedInDays");
    }
}
