using System;
using System.Linq;
using QlikActivity.PowerShell.Tests.Fixtures;
using Xunit;

namespace QlikActivity.PowerShell.Tests
{
    /// <summary>
    /// Every destination cmdlet that takes an address calls it -Uri (as Invoke-RestMethod does),
    /// with -Url as an alias, so a script written for one destination reads right for the others.
    /// </summary>
    public sealed class DestinationAddressTests
    {
        [Theory]
        [InlineData("New-QlikInfluxDbDestination")]
        [InlineData("New-QlikNewRelicDestination")]
        [InlineData("New-QlikWebhookDestination")]
        public void The_address_parameter_is_Uri_with_the_alias_Url(string command)
        {
            using var session = ModuleSession.Start();
            var result = session.Run("$p = (Get-Command $args[0]).Parameters; $p.ContainsKey('Uri'); $p['Uri'].Aliases -join ','; @($p.Keys) -contains 'Url'", command);
            Assert.Empty(result.Errors);
            Assert.True((bool)result.Output[0].BaseObject);
            Assert.Equal("Url", (string)result.Output[1].BaseObject);
            Assert.False((bool)result.Output[2].BaseObject);
        }

        [Fact]
        public void Both_names_bind_and_mean_the_same_address()
        {
            using var session = ModuleSession.Start();
            session.SetVariable("hook", new System.Net.NetworkCredential("", "https://hooks.example.com/services/T0/B0/x").SecurePassword);
            var result = session.Run(
                "New-QlikInfluxDbDestination -Uri http://127.0.0.1:8086 -Database qlik; " +
                "New-QlikInfluxDbDestination -Url http://127.0.0.1:8086 -Database qlik; " +
                "New-QlikWebhookDestination -Uri $hook; New-QlikWebhookDestination -Url $hook");
            Assert.Null(result.Terminated);
            Assert.Empty(result.Errors);
            Assert.Equal(4, result.Output.Count);
            Assert.Contains("127.0.0.1:8086", result.Property<string>(0, "Url"), StringComparison.Ordinal);
            Assert.Equal(result.Property<string>(0, "Url"), result.Property<string>(1, "Url"));
            Assert.Equal(result.Output[2].BaseObject.GetType(), result.Output[3].BaseObject.GetType());
        }

        [Fact]
        public void The_help_and_the_readme_use_Uri()
        {
            string readme = System.IO.File.ReadAllText(System.IO.Path.Combine(ModuleSession.RepositoryRoot, "README.md"));
            Assert.DoesNotContain("Destination -Url", readme, StringComparison.Ordinal);
            using var session = ModuleSession.Start();
            var help = session.Render("Get-Help New-QlikInfluxDbDestination -Full", 200);
            Assert.Contains("-Uri <Uri>", help, StringComparison.Ordinal);
            Assert.DoesNotContain("-Url ", help, StringComparison.Ordinal);
        }
    }
}
