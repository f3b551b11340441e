using System;
using System.IO;
using System.Linq;
using QlikActivity.PowerShell.Tests.Fixtures;
using Xunit;

namespace QlikActivity.PowerShell.Tests
{
    /// <summary>
    /// One meaning per property name across the module (issue 9, section 2, item 9): UserId is the
    /// login (as Qlik admins and the QMC use it), UserDirectory the directory, Id the user's
    /// repository GUID, on every output type that has them.
    /// </summary>
    public sealed class PropertyMeaningTests : IClassFixture<SimulatorFixture>
    {
        private const string AsOf = "2024-11-15";

        // What each shared name means, as its .NET type: a different type is a different meaning.
        private static readonly (string Name, string Type)[] Meanings =
        {
            ("UserId", "System.String"),
            ("UserDirectory", "System.String"),
            ("Id", "System.Guid"),
        };

        private readonly SimulatorFixture _sim;

        public PropertyMeaningTests(SimulatorFixture sim) => _sim = sim;

        [Fact]
        public void Every_output_type_uses_UserId_UserDirectory_and_Id_in_one_meaning()
        {
            using var session = ModuleSession.Start();
            // The output types every exported cmdlet declares, read from the built module as Get-Command shows them.
            var result = session.Run(
                "Get-Command -Module QlikActivity | ForEach-Object { $_.OutputType } | ForEach-Object { $_.Type } | Where-Object { $_ } | Sort-Object FullName -Unique | " +
                "ForEach-Object { $t = $_; $t.GetProperties() | ForEach-Object { '{0}|{1}|{2}' -f $t.FullName, $_.Name, $_.PropertyType.FullName } }");
            Assert.Null(result.Terminated);
            var properties = result.Output.Select(o => o.ToString().Split('|')).Select(p => (Type: p[0], Name: p[1], PropertyType: p[2])).ToList();
            Assert.Contains(properties, p => p.Type.EndsWith(".UserActivity", StringComparison.Ordinal));
            Assert.Contains(properties, p => p.Type.EndsWith(".ActivityBucketResult", StringComparison.Ordinal));

            foreach (var (name, type) in Meanings)
            {
                var clashes = properties.Where(p => p.Name == name && p.PropertyType != type).Select(p => $"{p.Type}.{p.Name} is {p.PropertyType}").ToList();
                Assert.True(clashes.Count == 0, $"{name} means {type} elsewhere in the module, but: {string.Join("; ", clashes)}");
            }
        }

        [Fact]
        public void A_bucket_result_names_the_same_user_as_its_UserActivity()
        {
            using var session = ModuleSession.Start();
            Assert.Null(session.Run($"Connect-QlikSense {_sim.ConnectArguments} | Out-Null").Terminated);
            var result = session.Run(
                $"$users = @(Get-QlikUserActivity -AsOf '{AsOf}'); " +
                "$results = @($users | Set-QlikActivityBucket -Name MeaningCheck -AsOf '" + AsOf + "' -PassThru -WhatIf | Where-Object { $_.PSObject.Properties['Status'] }); " +
                "foreach ($r in $results) { $u = $users | Where-Object Id -eq $r.Id; '{0}|{1}|{2}|{3}|{4}' -f $r.Id, $r.UserDirectory, $r.UserId, $u.UserDirectory, $u.UserId }");
            Assert.Null(result.Terminated);
            Assert.Empty(result.Errors);
            Assert.Equal(SimulatorFixture.Users, result.Output.Count);
            foreach (var line in result.Output.Select(o => o.ToString().Split('|')))
            {
                Assert.True(Guid.TryParse(line[0], out _), line[0]);
                Assert.Equal(line[3], line[1]);
                Assert.Equal(line[4], line[2]);
                Assert.False(Guid.TryParse(line[2], out _), $"UserId '{line[2]}' is a GUID, not the login");
            }
        }

        [Fact]
        public void Bucket_results_through_Export_Csv_keep_the_login_and_the_GUID_apart()
        {
            using var session = ModuleSession.Start();
            Assert.Null(session.Run($"Connect-QlikSense {_sim.ConnectArguments} | Out-Null").Terminated);
            string csv = Path.Combine(_sim.CertificateDirectory, "results-" + Guid.NewGuid().ToString("N") + ".csv");
            var result = session.Run(
                $"Set-QlikActivityBucket -Name MeaningCsv -AsOf '{AsOf}' -PassThru -WhatIf | Where-Object {{ $_.PSObject.Properties['Status'] }} | Export-Csv -LiteralPath $args[0] -NoTypeInformation; " +
                "$rows = @(Import-Csv -LiteralPath $args[0]); $rows.Count; " +
                // A CSV row's Id binds where a user's repository id is wanted, its UserId is the login a user event names.
                "$users = @(Get-QlikUserActivity -AsOf '" + AsOf + "'); @($rows | Where-Object { $r = $_; $users | Where-Object { [string]$_.Id -eq $r.Id -and $_.UserId -eq $r.UserId -and $_.UserDirectory -eq $r.UserDirectory } }).Count",
                csv);
            Assert.Null(result.Terminated);
            Assert.Empty(result.Errors);
            Assert.Equal(SimulatorFixture.Users, Convert.ToInt32(result.Output[0].BaseObject));
            Assert.Equal(SimulatorFixture.Users, Convert.ToInt32(result.Output[1].BaseObject));
        }
    }
}
