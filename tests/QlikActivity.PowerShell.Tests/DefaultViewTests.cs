using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using QlikActivity.PowerShell.Tests.Fixtures;
using Xunit;

namespace QlikActivity.PowerShell.Tests
{
    /// <summary>
    /// The default table views (module/QlikActivity.format.ps1xml) as a console of 80 and 120 columns
    /// shows them: key columns read whole at 120, identity (who, what, result) at 80.
    /// </summary>
    public sealed class DefaultViewTests : IClassFixture<SimulatorFixture>
    {
        private readonly SimulatorFixture _sim;

        public DefaultViewTests(SimulatorFixture sim) => _sim = sim;

        private ModuleSession Connected()
        {
            var session = ModuleSession.Start(120);
            var connect = session.Run($"$connection = Connect-QlikSense {_sim.ConnectArguments}");
            Assert.Null(connect.Terminated);
            return session;
        }

        [Fact]
        public void UserActivity_keeps_user_days_bucket_and_license_types_whole()
        {
            using var session = Connected();
            // Every user, with "no record" users (the widest bucket) and users holding two license types.
            var users = session.Run("$users = @(Get-QlikUserActivity -AsOf '2024-11-15' -Bucket '7,30'); $users");
            Assert.Null(users.Terminated);
            Assert.Contains(users.Output, o => (string)o.Properties["Bucket"].Value == "no record");

            var expected = users.Output.Select(o => new Dictionary<string, string>
            {
                ["UserDirectory"] = (string)o.Properties["UserDirectory"].Value,
                ["UserId"] = (string)o.Properties["UserId"].Value,
                ["DaysInactive"] = o.Properties["DaysInactive"].Value?.ToString() ?? "",
                ["Bucket"] = (string)o.Properties["Bucket"].Value,
                ["LicenseTypes"] = string.Join(", ", ((System.Collections.IEnumerable)Unwrap(o.Properties["LicenseTypes"].Value)).Cast<object>()),
            }).ToList();

            var at80 = Table.Parse(session.Render("$users", 80), 80);
            at80.AssertCells(expected, "UserDirectory", "UserId", "DaysInactive", "Bucket");

            var at120 = Table.Parse(session.Render("$users", 120), 120);
            at120.AssertCells(expected, "UserDirectory", "UserId", "DaysInactive", "Bucket", "LicenseTypes");
            Assert.True(at120.HasColumn("LastActivity"), at120.Text);
        }

        [Fact]
        public void UserEvent_keeps_time_type_and_user_at_80_and_the_host_at_120()
        {
            using var session = ModuleSession.Start(120);
            const string Events = @"$events = @(
                [QlikActivity.Core.UserEvent]@{ ReceivedAt = [datetime]::UtcNow; Host = 'sense-node-02.corp.example.com'; EventType = 'SessionStart'; UserDirectory = 'CORPDIRECTORY'; UserId = 'anna.lindqvist-berg'; AppName = 'Sales dashboard' }
                [QlikActivity.Core.UserEvent]@{ ReceivedAt = [datetime]::UtcNow; Host = 'sense-central.example.com'; EventType = 'ConnectionClose'; UserDirectory = 'LAB'; UserId = 'svc_reload_monitor'; AppId = [guid]'5f0c2b0e-8a7d-4c1e-9a53-1b9b2f6f0d11' }
            ); $events";
            var created = session.Run(Events);
            Assert.Null(created.Terminated);

            var expected = created.Output.Select(o => new Dictionary<string, string>
            {
                ["EventType"] = o.Properties["EventType"].Value.ToString()!,
                ["User"] = (string)o.Properties["UserFull"].Value,
                ["Host"] = (string)o.Properties["Host"].Value,
            }).ToList();

            var at80 = Table.Parse(session.Render("$events", 80), 80);
            at80.AssertCells(expected, "EventType", "User");
            Assert.All(at80.Rows, r => Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ", r));

            var at120 = Table.Parse(session.Render("$events", 120), 120);
            at120.AssertCells(expected, "EventType", "User", "Host");
            Assert.Contains("Sales dashboard", at120.Rows[0], StringComparison.Ordinal);
        }

        [Fact]
        public void Bucket_summary_under_WhatIf_shows_what_would_be_written_and_the_definition_action()
        {
            using var session = Connected();
            var run = session.Run("$summary = Set-QlikActivityBucket -Name 'ViewActivity' -WhatIf; $summary");
            Assert.Null(run.Terminated);
            Assert.Empty(run.Errors);
            var summary = run.Output.Single(o => o.TypeNames.Contains("QlikActivity.Core.Activity.ActivityBucketSummary"));
            Assert.True(summary.Properties["WouldUpdate"] != null, "the summary has no WouldUpdate count");
            int wouldUpdate = (int)summary.Properties["WouldUpdate"].Value;
            int notWritten = (int)summary.Properties["NotWritten"].Value;
            Assert.True(wouldUpdate > 0, "a -WhatIf run on a new property plans writes");
            Assert.Equal(notWritten, wouldUpdate);
            Assert.Equal(0, (int)summary.Properties["Updated"].Value);
            Assert.Equal(0, _sim.Sim.Requests.Count("PUT") + _sim.Sim.Requests.Count("POST"));

            var expected = new[]
            {
                new Dictionary<string, string>
                {
                    ["Property"] = "ViewActivity",
                    ["InScope"] = summary.Properties["UsersInScope"].Value.ToString()!,
                    ["WouldUpdate"] = wouldUpdate.ToString(),
                    ["Updated"] = "0",
                    ["NotWritten"] = notWritten.ToString(),
                    ["Failed"] = "0",
                    ["Unknown"] = "0",
                    ["Definition"] = "WhatIf",
                },
            };

            var at80 = Table.Parse(session.Render("$summary", 80), 80);
            at80.AssertCells(expected, "Property", "InScope", "WouldUpdate", "Updated", "NotWritten", "Failed", "Unknown");

            var at120 = Table.Parse(session.Render("$summary", 120), 120);
            at120.AssertCells(expected, "Property", "InScope", "WouldUpdate", "Updated", "NotWritten", "Failed", "Unknown", "Definition");
            Assert.True(at120.HasColumn("Requests") && at120.HasColumn("Duration"), at120.Text);
        }

        private static object Unwrap(object value) => value is System.Management.Automation.PSObject p ? p.BaseObject : value;

        /// <summary>
        /// A rendered table: its header line and one line per object. PowerShell underlines only the
        /// label, not the column, so cells are found as whole words in column order rather than by position.
        /// </summary>
        private sealed class Table
        {
            public string Text { get; private set; } = "";

            public string Header { get; private set; } = "";

            public List<string> Rows { get; } = new List<string>();

            public static Table Parse(string text, int width)
            {
                var lines = ConnectQlikSenseTests.Lines(text);
                Assert.All(lines, l => Assert.True(l.Length <= width, $"wider than {width}: {l}\n{text}"));
                int dashes = Array.FindIndex(lines, l => l.TrimStart().StartsWith("-", StringComparison.Ordinal));
                Assert.True(dashes > 0, "no table header in:\n" + text);
                // A label cut by a narrow console wraps onto a second header line: names are read from the first.
                var table = new Table { Text = text, Header = ConnectQlikSenseTests.HeaderLine(text) };
                table.Rows.AddRange(lines.Skip(dashes + 1).Where(l => l.Trim().Length > 0));
                return table;
            }

            public bool HasColumn(string name) => Regex.IsMatch(Header, $@"(?<!\S){Regex.Escape(name)}(?!\S)");

            /// <summary>
            /// The header names the columns in this order, and each row shows its object's values whole
            /// (not cut with "…"), as separate words, in the same order.
            /// </summary>
            public void AssertCells(IReadOnlyList<Dictionary<string, string>> expected, params string[] columns)
            {
                int from = 0;
                foreach (var column in columns)
                {
                    var match = new Regex($@"(?<!\S){Regex.Escape(column)}(?!\S)").Match(Header, from);
                    Assert.True(match.Success, $"no {column} column (in this order) in:\n{Text}");
                    from = match.Index + match.Length;
                }

                Assert.Equal(expected.Count, Rows.Count);
                for (int i = 0; i < expected.Count; i++)
                {
                    int at = 0;
                    foreach (var column in columns.Where(c => expected[i][c].Length > 0))
                    {
                        var match = new Regex($@"(?<!\S){Regex.Escape(expected[i][column])}(?!\S)").Match(Rows[i], at);
                        Assert.True(match.Success, $"row {i} {column}: '{expected[i][column]}' not shown whole in:\n{Text}");
                        at = match.Index + match.Length;
                    }
                }
            }
        }
    }
}
