using System;
using System.Linq;
using QlikActivity.PowerShell.Tests.Fixtures;
using Xunit;

namespace QlikActivity.PowerShell.Tests
{
    /// <summary>Get-Help -Full in a runspace reads the built MAML (out/QlikActivity/.../en-US), not generated syntax.</summary>
    internal static class HelpAssert
    {
        public static void HasWrittenHelp(string command, params string[] parameters)
        {
            using var session = ModuleSession.Start();
            var help = session.Run($"Get-Help -Name {command} -Full");
            Assert.Null(help.Terminated);
            var page = Assert.Single(help.Output);
            string synopsis = page.Properties["Synopsis"].Value?.ToString()?.Trim() ?? "";
            Assert.False(string.IsNullOrEmpty(synopsis));
            Assert.False(synopsis.StartsWith(command + " ", StringComparison.Ordinal), $"{command} shows generated syntax, not its MAML: {synopsis}");

            var examples = session.Run($"@((Get-Help -Name {command} -Full).examples.example).Count");
            Assert.True((int)examples.Output.Single().BaseObject >= 2, $"{command} needs two examples");
            var code = session.Run($"(Get-Help -Name {command} -Full).examples.example | ForEach-Object {{ $_.code }}");
            Assert.All(code.Output, c => Assert.Contains(command, c.ToString(), StringComparison.OrdinalIgnoreCase));

            foreach (var parameter in parameters)
            {
                var description = session.Run($"(Get-Help -Name {command} -Parameter {parameter}).description | Out-String");
                Assert.Null(description.Terminated);
                Assert.False(string.IsNullOrWhiteSpace(description.Text), $"{command} -{parameter} has no description");
            }

            string text = session.Render($"Get-Help -Name {command} -Full", 120);
            Assert.Contains("EXAMPLE 1", text, StringComparison.OrdinalIgnoreCase);
        }
    }
}
