using System;
using System.Linq;
using System.Management.Automation;
using Xunit;

namespace QlikActivity.PowerShell.Tests.Fixtures
{
    /// <summary>The fixture itself: what later cmdlet tests rely on the host and session to record and answer.</summary>
    public sealed class ModuleSessionTests
    {
        private const string ShouldProcessFunction =
            "function Test-Change { [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')] param([string[]] $Name) " +
            "foreach ($n in $Name) { if ($PSCmdlet.ShouldProcess($n, 'Change')) { \"changed $n\" } } }; ";

        [Fact]
        public void The_built_module_is_imported_from_out()
        {
            using var session = ModuleSession.Start();
            var result = session.Run("(Get-Module -Name QlikActivity).ModuleBase; (Get-Command Connect-QlikSense).ImplementingType.Assembly.Location");
            Assert.Equal(System.IO.Path.GetDirectoryName(ModuleSession.ModuleManifest), result.Output[0].ToString());
            Assert.StartsWith(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(ModuleSession.ModuleManifest)!, "lib", "net8.0"), result.Output[1].ToString(), StringComparison.Ordinal);
        }

        [Fact]
        public void Confirm_prompts_are_answered_in_order_and_recorded()
        {
            using var session = ModuleSession.Start();
            session.Host.Answer("Yes", "No", "Yes to All");
            var result = session.Run(ShouldProcessFunction + "Test-Change -Name a, b, c, d -Confirm");
            Assert.Null(result.Terminated);
            Assert.Equal(new[] { "changed a", "changed c", "changed d" }, result.Output.Select(o => o.ToString()));
            Assert.Equal(3, session.Host.Text("Prompt").Count);
            Assert.Equal(0, session.Host.PendingAnswers);
        }

        [Fact]
        public void An_unexpected_prompt_fails_the_run()
        {
            using var session = ModuleSession.Start();
            var result = session.Run(ShouldProcessFunction + "Test-Change -Name a -Confirm");
            Assert.Empty(result.Output);
            Assert.NotNull(result.TerminatingRecord);
        }

        [Fact]
        public void WhatIf_text_host_warning_and_verbose_lines_are_recorded_not_printed()
        {
            using var session = ModuleSession.Start();
            var result = session.Run(ShouldProcessFunction + "Test-Change -Name a -WhatIf; Write-Host 'to the host'; Write-Warning 'careful'; Write-Verbose 'detail' -Verbose");
            Assert.Empty(result.Output);
            Assert.Contains(session.Host.Text("Host"), l => l.StartsWith("What if:", StringComparison.Ordinal) && l.Contains("\"Change\" on target \"a\"", StringComparison.Ordinal));
            Assert.Contains("to the host", session.Host.Text("Host"));
            Assert.Contains("careful", session.Host.Text("Warning"));
            Assert.Contains("detail", session.Host.Text("Verbose"));
            Assert.Equal("careful", Assert.Single(result.Warnings).Message);
        }

        [Fact]
        public void Render_lays_out_a_table_at_the_given_width()
        {
            using var session = ModuleSession.Start();
            const string Table = "[pscustomobject]@{ A = 'y' * 150; B = 'z' }";
            string narrow = session.Render(Table + " | Format-Table", 60);
            Assert.All(narrow.Replace("\r", "").Split('\n'), l => Assert.True(l.Length <= 60, l));
            Assert.DoesNotContain(new string('y', 150), narrow, StringComparison.Ordinal);
            string wide = session.Render(Table + " | Format-Table", 200);
            Assert.Contains(new string('y', 150), wide, StringComparison.Ordinal);
        }

        [Fact]
        public void Stop_ends_a_running_script_with_PipelineStoppedException()
        {
            using var session = ModuleSession.Start();
            var result = session.RunAndStop("Write-Host 'started'; 1; Start-Sleep -Seconds 600; 2", host => host.Text("Host").Contains("started"), TimeSpan.FromSeconds(30));
            Assert.IsType<PipelineStoppedException>(result.Terminated);
            Assert.Equal(new object[] { 1 }, result.Output.Select(o => o.BaseObject));
        }
    }
}
