using System;
using System.Linq;
using QlikActivity.PowerShell.Tests.Fixtures;
using Xunit;

namespace QlikActivity.PowerShell.Tests
{
    /// <summary>Disconnect-QlikSense in a live runspace against the QRS simulator.</summary>
    public sealed class DisconnectQlikSenseTests : IClassFixture<SimulatorFixture>
    {
        private readonly SimulatorFixture _sim;

        public DisconnectQlikSenseTests(SimulatorFixture sim) => _sim = sim;

        [Fact]
        public void Without_arguments_it_closes_and_forgets_the_default_connection()
        {
            using var session = ModuleSession.Start();
            session.Run($"$c = Connect-QlikSense {_sim.ConnectArguments}");
            var result = session.Run("Disconnect-QlikSense -Verbose; $c.IsOpen");
            Assert.Null(result.Terminated);
            Assert.False((bool)result.Output.Single().BaseObject);
            Assert.Contains(result.Verbose, v => v.Message.Contains("localhost", StringComparison.Ordinal));

            var after = session.Run("Get-QlikUserActivity");
            Assert.StartsWith("QlikNotConnected,", after.TerminatingRecord?.FullyQualifiedErrorId ?? "", StringComparison.Ordinal);
        }

        [Fact]
        public void A_piped_connection_is_closed_and_the_default_is_left_alone()
        {
            using var session = ModuleSession.Start();
            session.Run($"$second = Connect-QlikSense {_sim.ConnectArguments}; $default = Connect-QlikSense {_sim.ConnectArguments}");
            var result = session.Run("$second | Disconnect-QlikSense -PassThru");
            Assert.Null(result.Terminated);
            var passed = Assert.Single(result.Output);
            Assert.False((bool)passed.Properties["IsOpen"].Value);

            var still = session.Run("$default.IsOpen; @(Get-QlikUserActivity).Count");
            Assert.True((bool)still.Output[0].BaseObject);
            Assert.True((int)still.Output[1].BaseObject >= SimulatorFixture.Users);
        }

        [Fact]
        public void By_position_and_without_PassThru_it_writes_nothing()
        {
            using var session = ModuleSession.Start();
            session.Run($"$c = Connect-QlikSense {_sim.ConnectArguments}");
            var result = session.Run("Disconnect-QlikSense $c; $c.IsOpen");
            Assert.Equal(new object[] { false }, result.Output.Select(o => o.BaseObject));
        }

        [Fact]
        public void Closing_twice_or_with_no_connection_is_not_an_error()
        {
            using var session = ModuleSession.Start();
            var none = session.Run("Disconnect-QlikSense -Verbose -ErrorAction Stop");
            Assert.Null(none.Terminated);
            Assert.Empty(none.Errors);
            Assert.Contains(none.Verbose, v => v.Message.Contains("No connection", StringComparison.Ordinal));

            var twice = session.Run($"$c = Connect-QlikSense {_sim.ConnectArguments}; $c | Disconnect-QlikSense; $c | Disconnect-QlikSense -ErrorAction Stop");
            Assert.Null(twice.Terminated);
            Assert.Empty(twice.Errors);
        }

        [Fact]
        public void A_wrong_object_from_the_pipeline_is_a_binding_error()
        {
            using var session = ModuleSession.Start();
            var result = session.Run("'not a connection' | Disconnect-QlikSense");
            var record = Assert.Single(result.Errors);
            Assert.StartsWith("InputObjectNotBound,", record.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal(System.Management.Automation.ErrorCategory.InvalidArgument, record.CategoryInfo.Category);
            Assert.Equal("not a connection", record.TargetObject);
        }

        [Fact]
        public void Help_comes_from_the_built_maml_with_examples()
        {
            HelpAssert.HasWrittenHelp("Disconnect-QlikSense", "Connection", "PassThru");
        }
    }
}
