using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using QlikActivity.PowerShell.Tests.Fixtures;
using Xunit;

namespace QlikActivity.PowerShell.Tests
{
    /// <summary>
    /// Get-QlikUserActivity -JournalPath and Set-QlikActivityBucket with the journal as the Session
    /// source, in a live runspace against the QRS simulator: read with the journal and piped, read
    /// with the journal by the bucket run itself, and through a CSV file.
    /// </summary>
    public sealed class UserActivityFromJournalTests : IClassFixture<SimulatorFixture>
    {
        private const string AsOf = "2024-11-15";
        private readonly SimulatorFixture _sim;

        public UserActivityFromJournalTests(SimulatorFixture sim) => _sim = sim;

        [Fact]
        public void A_user_known_only_from_the_journal_gets_a_bucket_piped_read_or_from_CSV()
        {
            using var session = ModuleSession.Start();
            Assert.Null(session.Run($"$connection = Connect-QlikSense {_sim.ConnectArguments}").Terminated);
            var plain = session.Run($"Get-QlikUserActivity -AsOf '{AsOf}' | Where-Object Bucket -eq 'no record' | Select-Object -First 1");
            var user = Assert.Single(plain.Output);
            string directory = (string)user.Properties["UserDirectory"].Value;
            string userId = (string)user.Properties["UserId"].Value;
            Guid id = (Guid)user.Properties["Id"].Value;

            string folder = Path.Combine(Path.GetTempPath(), "qlikactivity-activity-journal-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Directory.CreateDirectory(folder);
            try
            {
                // The journal saw the user two days before the as-of date, in another letter case.
                var write = session.Run(@"
$j = [QlikActivity.Core.Journal.EventJournal]::Open([QlikActivity.Core.Journal.EventJournalOptions]::new((Join-Path $args[0] 'events.journal')))
$e = [QlikActivity.Core.UserEvent]@{ ReceivedAt = [datetime]::new(2024, 11, 13, 9, 30, 0, [DateTimeKind]::Utc); Host = 'sense1'; EventType = 'SessionStart'; Command = 'Start session'; UserDirectory = $args[1].ToLowerInvariant(); UserId = $args[2].ToUpperInvariant() }
$null = $j.Append($e); $null = $j.Flush([timespan]::FromSeconds(30)); $j.Dispose()", folder, directory, userId);
                Assert.Null(write.Terminated);
                Assert.Empty(write.Errors);

                // Relative to the PowerShell location.
                var read = session.Run($"Set-Location $args[0]; Get-QlikUserActivity -AsOf '{AsOf}' -JournalPath ./events.journal | Where-Object Id -eq $args[1]", folder, id);
                Assert.Null(read.Terminated);
                var merged = Assert.Single(read.Output);
                Assert.Equal("Session", merged.Properties["ActivitySource"].Value.ToString());
                Assert.Equal(2, merged.Properties["DaysInactive"].Value);
                Assert.Equal("7", merged.Properties["Bucket"].Value);
                Assert.False((bool)merged.Properties["HasLicenseRecord"].Value);
                Assert.Equal(new DateTime(2024, 11, 13, 9, 30, 0, DateTimeKind.Utc), merged.Properties["LastSessionEvent"].Value);

                // Piped: the bucket run takes the session event with the user.
                var piped = session.Run($"Get-QlikUserActivity -AsOf '{AsOf}' -JournalPath events.journal | Where-Object Id -eq $args[0] | Set-QlikActivityBucket -Name JournalPiped -AsOf '{AsOf}'", id);
                Assert.Null(piped.Terminated);
                Assert.Empty(piped.Errors);
                Assert.Equal(new[] { "7" }, Values(id, "JournalPiped"));

                // Read by the bucket run itself.
                var readByRun = session.Run($"Set-QlikActivityBucket -Name JournalRead -AsOf '{AsOf}' -JournalPath events.journal -UserDirectory $args[0]", directory);
                Assert.Null(readByRun.Terminated);
                Assert.Equal(new[] { "7" }, Values(id, "JournalRead"));
                // Without the journal the same user has no known activity: the default policy leaves no value.
                session.Run($"Set-QlikActivityBucket -Name JournalNone -AsOf '{AsOf}' -UserDirectory $args[0]", directory);
                Assert.Empty(Values(id, "JournalNone"));

                // Through a CSV file: LastSessionEvent binds by property name.
                var csv = session.Run($"Get-QlikUserActivity -AsOf '{AsOf}' -JournalPath events.journal | Where-Object Id -eq $args[0] | Export-Csv activity.csv -NoTypeInformation; Import-Csv activity.csv | Set-QlikActivityBucket -Name JournalCsv -AsOf '{AsOf}'", id);
                Assert.Null(csv.Terminated);
                Assert.Empty(csv.Errors);
                Assert.Contains("LastSessionEvent", File.ReadAllText(Path.Combine(folder, "activity.csv")), StringComparison.Ordinal);
                Assert.Equal(new[] { "7" }, Values(id, "JournalCsv"));

                // A missing journal stops the read before anything is written.
                long puts = _sim.Sim.Requests.Count("PUT");
                var missing = session.Run($"Set-QlikActivityBucket -Name JournalMissing -AsOf '{AsOf}' -JournalPath nope.journal");
                Assert.Equal("JournalNotFound", missing.TerminatingRecord!.FullyQualifiedErrorId.Split(',')[0]);
                Assert.Equal(puts, _sim.Sim.Requests.Count("PUT"));
            }
            finally
            {
                session.Run("Set-Location /");
                Directory.Delete(folder, recursive: true);
            }
        }

        private string[] Values(Guid userId, string property) =>
            (_sim.Sim.Store.User(userId)!["customProperties"] as JsonArray ?? new JsonArray())
                .OfType<JsonObject>()
                .Where(i => (string?)i["definition"]?["name"] == property)
                .Select(i => (string)i["value"]!)
                .ToArray();
    }
}
