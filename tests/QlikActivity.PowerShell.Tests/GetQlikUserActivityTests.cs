using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using QlikActivity.PowerShell.Tests.Fixtures;
using Xunit;

namespace QlikActivity.PowerShell.Tests
{
    /// <summary>Get-QlikUserActivity in a live runspace against the QRS simulator.</summary>
    public sealed class GetQlikUserActivityTests : IClassFixture<SimulatorFixture>
    {
        private readonly SimulatorFixture _sim;

        public GetQlikUserActivityTests(SimulatorFixture sim) => _sim = sim;

        private ModuleSession Connected(int width = 120)
        {
            var session = ModuleSession.Start(width);
            var connect = session.Run($"$connection = Connect-QlikSense {_sim.ConnectArguments}");
            Assert.Null(connect.Terminated);
            return session;
        }

        [Fact]
        public void Emits_one_UserActivity_per_user_with_progress()
        {
            using var session = Connected();
            var result = session.Run("Get-QlikUserActivity");
            Assert.Null(result.Terminated);
            Assert.Empty(result.Errors);
            Assert.Equal(_sim.Sim.Store.Users().Count, result.Output.Count);
            Assert.All(result.Output, o => Assert.Equal("QlikActivity.Core.Activity.UserActivity", o.BaseObject.GetType().FullName));
            Assert.Equal(result.Output.Count, result.Output.Select(o => o.Properties["Id"].Value).Distinct().Count());
            Assert.NotEmpty(result.Progress);
        }

        [Fact]
        public void Parameters_filter_and_shape_the_result()
        {
            using var session = Connected();
            var all = session.Run("Get-QlikUserActivity -AsOf '2024-11-15'");
            string directory = (string)all.Output[0].Properties["UserDirectory"].Value;

            var byDirectory = session.Run("Get-QlikUserActivity -UserDirectory $args[0] -Connection $connection", directory);
            Assert.NotEmpty(byDirectory.Output);
            Assert.All(byDirectory.Output, o => Assert.Equal(directory, (string)o.Properties["UserDirectory"].Value, ignoreCase: true));
            Assert.True(byDirectory.Output.Count < all.Output.Count);

            var licensed = session.Run("Get-QlikUserActivity -LicensedOnly");
            Assert.All(licensed.Output, o => Assert.True((bool)o.Properties["HasLicenseRecord"].Value));
            Assert.True(licensed.Output.Count <= all.Output.Count);

            // The license type by position, as a name (tab completion offers the same names).
            var professional = session.Run("Get-QlikUserActivity Professional -LicensedOnly");
            Assert.NotEmpty(professional.Output);
            Assert.True(professional.Output.Count < licensed.Output.Count);

            // Buckets as one comma-separated string; the bucket is one of them or beyond the last.
            var bucketed = session.Run("Get-QlikUserActivity -Bucket '7,30' -LicensedOnly -AsOf '2024-11-15'");
            Assert.All(bucketed.Output, o => Assert.Contains(o.Properties["Bucket"].Value?.ToString(), new[] { "7", "30", "30+", "never" }));
        }

        [Fact]
        public void AsOf_counts_days_up_to_that_date()
        {
            using var session = Connected();
            var now = session.Run("Get-QlikUserActivity -LicensedOnly -AsOf '2024-11-15' | Select-Object -First 1");
            var later = session.Run("Get-QlikUserActivity -LicensedOnly -AsOf '2024-12-15' | Select-Object -First 1");
            Assert.Equal(now.Output[0].Properties["Id"].Value, later.Output[0].Properties["Id"].Value);
            Assert.Equal(
                (int)now.Output[0].Properties["DaysInactive"].Value + 30,
                (int)later.Output[0].Properties["DaysInactive"].Value);
        }

        [Fact]
        public void Select_First_stops_the_pipeline_without_an_error()
        {
            using var session = Connected();
            var result = session.Run("Get-QlikUserActivity | Select-Object -First 3");
            Assert.Null(result.Terminated);
            Assert.Empty(result.Errors);
            Assert.Equal(3, result.Output.Count);
        }

        [Fact]
        public void The_connection_binds_from_a_variable_and_from_an_object_by_property_name()
        {
            using var session = ModuleSession.Start();
            session.Run($"$c = Connect-QlikSense {_sim.ConnectArguments}; Disconnect-QlikSense; $c = Connect-QlikSense {_sim.ConnectArguments}");
            var given = session.Run("@(Get-QlikUserActivity -Connection $c).Count");
            Assert.Equal(_sim.Sim.Store.Users().Count, (int)given.Output.Single().BaseObject);
        }

        [Fact]
        public void Without_a_connection_the_error_says_to_connect_first()
        {
            using var session = ModuleSession.Start();
            var result = session.Run("Get-QlikUserActivity");
            var record = result.TerminatingRecord;
            Assert.NotNull(record);
            Assert.Equal("QlikNotConnected,QlikActivity.Commands.GetQlikUserActivityCommand", record!.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidOperation, record.CategoryInfo.Category);
            Assert.Contains("Connect-QlikSense", record.Exception.Message, StringComparison.Ordinal);

            var caught = session.Run("try { Get-QlikUserActivity -ErrorAction Stop; 'not reached' } catch { $_.FullyQualifiedErrorId }");
            Assert.Equal(new object[] { record.FullyQualifiedErrorId }, caught.Output.Select(o => o.BaseObject));
        }

        [Fact]
        public void A_closed_connection_is_refused_with_an_error_record()
        {
            using var session = Connected();
            var result = session.Run("Disconnect-QlikSense -Connection $connection; Get-QlikUserActivity -Connection $connection");
            var record = result.TerminatingRecord;
            Assert.NotNull(record);
            Assert.EndsWith(",QlikActivity.Commands.GetQlikUserActivityCommand", record!.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.NotEqual(ErrorCategory.NotSpecified, record.CategoryInfo.Category);
        }

        [Theory]
        [InlineData("-LicenseType Bogus", "CannotConvertArgumentNoMessage", ErrorCategory.InvalidArgument)]
        [InlineData("-UserDirectory ''", "ParameterArgumentValidationError", ErrorCategory.InvalidData)]
        [InlineData("-Bucket @()", "ParameterArgumentValidationError", ErrorCategory.InvalidData)]
        [InlineData("-Connection 'text'", "CannotConvertArgumentNoMessage", ErrorCategory.InvalidArgument)]
        public void Bad_arguments_are_binding_errors(string arguments, string errorId, ErrorCategory category)
        {
            using var session = Connected();
            var result = session.Run($"Get-QlikUserActivity {arguments}");
            var record = result.TerminatingRecord;
            Assert.NotNull(record);
            Assert.StartsWith(errorId + ",", record!.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal(category, record.CategoryInfo.Category);
        }

        [Fact]
        public void A_bad_bucket_list_is_an_explained_error()
        {
            using var session = Connected();
            var result = session.Run("Get-QlikUserActivity -Bucket '7,abc'");
            var record = result.TerminatingRecord;
            Assert.NotNull(record);
            Assert.EndsWith(",QlikActivity.Commands.GetQlikUserActivityCommand", record!.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal(ErrorCategory.InvalidArgument, record.CategoryInfo.Category);
            Assert.Contains("abc", record.Exception.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Stop_mid_run_returns_promptly_as_Ctrl_C()
        {
            using var session = Connected();
            // Every response now takes ten minutes: only cancellation can end the run.
            _sim.Sim.Faults.Latency = TimeSpan.FromMinutes(10);
            try
            {
                // Stopped once the run has had a second to send its first, never-answered request.
                var started = System.Diagnostics.Stopwatch.StartNew();
                var result = session.RunAndStop("Get-QlikUserActivity", _ => started.Elapsed > TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
                Assert.IsType<PipelineStoppedException>(result.Terminated);
                Assert.Empty(result.Output);
            }
            finally
            {
                _sim.Sim.Faults.Latency = TimeSpan.Zero;
            }

            // The session is usable afterwards.
            var again = session.Run("@(Get-QlikUserActivity).Count");
            Assert.Equal(_sim.Sim.Store.Users().Count, (int)again.Output.Single().BaseObject);
        }

        [Fact]
        public void Output_round_trips_through_Export_Csv_and_ConvertTo_Json()
        {
            using var session = Connected();
            string csv = Path.Combine(_sim.CertificateDirectory, "activity.csv");
            var result = session.Run($"Get-QlikUserActivity | Export-Csv -LiteralPath '{csv}' -NoTypeInformation; @(Import-Csv -LiteralPath '{csv}')");
            Assert.Equal(_sim.Sim.Store.Users().Count, result.Output.Count);
            Assert.All(result.Output, o => Assert.False(string.IsNullOrEmpty(o.Properties["UserId"].Value as string)));

            var json = session.Run("Get-QlikUserActivity | ConvertTo-Json -Depth 3 | ConvertFrom-Json");
            Assert.Equal(_sim.Sim.Store.Users().Count, json.Output.Count);
        }

        [Fact]
        public void The_default_view_keeps_who_and_how_long_inactive_at_80_and_120_columns()
        {
            using var session = Connected();
            foreach (int width in new[] { 80, 120 })
            {
                session.Host.Width = width;
                string table = session.Render("Get-QlikUserActivity -LicensedOnly | Select-Object -First 5", width);
                string header = ConnectQlikSenseTests.HeaderLine(table);
                foreach (var column in new[] { "UserDirectory", "UserId", "DaysInactive" })
                {
                    Assert.Contains(column, header, StringComparison.Ordinal);
                }

                Assert.All(ConnectQlikSenseTests.Lines(table), l => Assert.True(l.Length <= width, $"wider than {width}: {l}"));
            }

            string wide = session.Render("Get-QlikUserActivity -LicensedOnly | Select-Object -First 5", 120);
            Assert.Contains("Bucket", ConnectQlikSenseTests.HeaderLine(wide), StringComparison.Ordinal);
            Assert.Contains("LastActivity", ConnectQlikSenseTests.HeaderLine(wide), StringComparison.Ordinal);
        }

        [Fact]
        public void Help_comes_from_the_built_maml_with_examples()
        {
            HelpAssert.HasWrittenHelp("Get-QlikUserActivity", "LicenseType", "UserDirectory", "Bucket", "AsOf", "LicensedOnly");
        }
    }
}
