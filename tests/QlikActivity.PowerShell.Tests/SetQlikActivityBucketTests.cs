using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using QlikActivity.PowerShell.Tests.Fixtures;
using Xunit;

namespace QlikActivity.PowerShell.Tests
{
    /// <summary>Set-QlikActivityBucket in a live runspace against the QRS simulator.</summary>
    public sealed class SetQlikActivityBucketTests : IClassFixture<SimulatorFixture>
    {
        private const string AsOf = "2024-11-15";
        private static readonly string[] SummaryCounts = { "UsersInScope", "Updated", "Unchanged", "Skipped", "Failed", "NotWritten" };

        private readonly SimulatorFixture _sim;

        public SetQlikActivityBucketTests(SimulatorFixture sim) => _sim = sim;

        private ModuleSession Connected()
        {
            var session = ModuleSession.Start();
            var connect = session.Run($"$connection = Connect-QlikSense {_sim.ConnectArguments}");
            Assert.Null(connect.Terminated);
            return session;
        }

        // The -WhatIf summary of piping these users: the same counts prove the same values were bound.
        private long[] WhatIfCounts(ModuleSession session, string source, params object[] arguments)
        {
            long puts = _sim.Sim.Requests.Count("PUT");
            var result = session.Run($"{source} | Set-QlikActivityBucket -Name 'CsvBucket' -AsOf '{AsOf}' -WhatIf", arguments);
            Assert.Null(result.Terminated);
            Assert.Empty(result.Errors);
            Assert.Equal(puts, _sim.Sim.Requests.Count("PUT"));
            var summary = Assert.Single(result.Output);
            return SummaryCounts.Select(name => (long)(int)summary.Properties[name].Value).ToArray();
        }

        [Fact]
        public void Import_Csv_of_Get_QlikUserActivity_binds_by_property_name()
        {
            using var session = Connected();
            string csv = Path.Combine(_sim.CertificateDirectory, "activity.csv");
            var export = session.Run($"Get-QlikUserActivity -AsOf '{AsOf}' | Export-Csv -LiteralPath $args[0] -NoTypeInformation", csv);
            Assert.Null(export.Terminated);

            // License types are exported as names, not as the array's type name.
            string text = File.ReadAllText(csv);
            Assert.DoesNotContain("QlikActivity.Core.Activity.LicenseType", text);
            Assert.Contains("Professional", text);
            // The CSV holds the cases that did not bind: users without a record ("False", empty date).
            Assert.Contains("\"False\"", text);

            long[] direct = WhatIfCounts(session, $"Get-QlikUserActivity -AsOf '{AsOf}'");
            long[] fromCsv = WhatIfCounts(session, "Import-Csv -LiteralPath $args[0]", csv);
            Assert.Equal(SimulatorFixture.Users, direct[0]);
            Assert.Equal(direct, fromCsv);
        }

        [Fact]
        public void ConvertFrom_Json_of_Get_QlikUserActivity_binds_by_property_name()
        {
            using var session = Connected();
            var json = session.Run($"Get-QlikUserActivity -AsOf '{AsOf}' | ConvertTo-Json -Depth 3");
            Assert.Null(json.Terminated);
            string text = string.Concat(json.Output.Select(o => o.BaseObject as string));
            Assert.Matches(new Regex("\"LicenseTypes\":\\s*\\[\\s*\"Professional\""), text);
            Assert.DoesNotMatch(new Regex("\"LicenseTypes\":\\s*\\[\\s*\\d"), text);

            long[] direct = WhatIfCounts(session, $"Get-QlikUserActivity -AsOf '{AsOf}'");
            long[] fromJson = WhatIfCounts(session, "$args[0] | ConvertFrom-Json", text);
            Assert.Equal(direct, fromJson);
        }

        [Fact]
        public void Text_that_is_not_a_date_or_boolean_is_a_clear_binding_error()
        {
            using var session = Connected();
            var badDate = session.Run(
                "[pscustomobject]@{ Id = [guid]::NewGuid(); LastActivity = 'yesterday-ish'; HasLicenseRecord = 'True' } | Set-QlikActivityBucket -Name X -WhatIf");
            Assert.Contains("is not a date", badDate.TerminatingRecord?.ToString());

            var badBool = session.Run(
                "[pscustomobject]@{ Id = [guid]::NewGuid(); LastActivity = ''; HasLicenseRecord = 'maybe' } | Set-QlikActivityBucket -Name X -WhatIf");
            Assert.Contains("is not a boolean", badBool.TerminatingRecord?.ToString());
        }
    }
}
