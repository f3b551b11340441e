using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using QlikActivity.HelpBuilder;
using Xunit;

namespace QlikActivity.Tests.Module
{
    /// <summary>
    /// Every exported cmdlet has a docs/en-US page in platyPS layout, and the MAML built from the
    /// pages (what Get-Help reads) describes every cmdlet and every public parameter.
    /// </summary>
    public sealed class HelpTests : IDisposable
    {
        private static readonly XNamespace Maml = MamlWriter.Maml;
        private static readonly XNamespace Command = MamlWriter.Command;
        private static readonly XNamespace Dev = MamlWriter.Dev;

        private readonly string _out = Repository.TempDirectory();
        private readonly Lazy<HelpGenerator.Result> _help;

        public HelpTests()
        {
            _help = new Lazy<HelpGenerator.Result>(() => HelpGenerator.Generate(Repository.Docs, _out));
        }

        public void Dispose() => Directory.Delete(_out, recursive: true);

        public static IEnumerable<object[]> ExportedCmdlets() => ModuleCmdletTests.ExportedCmdlets();

        private static CommandHelpPage Page(string name)
        {
            string path = Path.Combine(Repository.Docs, name + ".md");
            Assert.True(File.Exists(path), $"{name} has no help page docs/en-US/{name}.md.");
            return PlatyPsMarkdown.Parse(File.ReadAllText(path), name + ".md", new List<string>());
        }

        /// <summary>Parameters Get-Help should describe: the cmdlet's own, plus WhatIf/Confirm when it supports ShouldProcess.</summary>
        private static IReadOnlyList<string> PublicParameters(CmdletMetadata cmdlet)
        {
            var names = cmdlet.Parameters.Select(p => p.Name).ToList();
            if (cmdlet.SupportsShouldProcess)
            {
                names.Add("WhatIf");
                names.Add("Confirm");
            }

            return names;
        }

        [Theory]
        [MemberData(nameof(ExportedCmdlets))]
        public void Page_follows_the_platyPS_layout(string name)
        {
            string text = File.ReadAllText(Path.Combine(Repository.Docs, name + ".md"));
            var page = Page(name);
            Assert.Contains("external help file: QlikActivity.dll-Help.xml", text);
            Assert.Contains("Module Name: QlikActivity", text);
            Assert.Equal(name, page.Name);
            Assert.NotEmpty(page.Synopsis);
            Assert.NotEmpty(page.SyntaxLines);
            Assert.All(page.SyntaxLines, line => Assert.StartsWith(name, line.Trim()));
            Assert.NotEmpty(page.Description);
            Assert.NotEmpty(page.Outputs);
            foreach (var heading in new[] { "## SYNOPSIS", "## SYNTAX", "## DESCRIPTION", "## EXAMPLES", "## PARAMETERS", "## INPUTS", "## OUTPUTS", "## NOTES" })
            {
                Assert.Contains("\n" + heading, text.Replace("\r\n", "\n"));
            }
        }

        [Theory]
        [MemberData(nameof(ExportedCmdlets))]
        public void Page_has_at_least_two_examples_with_code_and_an_explanation(string name)
        {
            var page = Page(name);
            Assert.True(page.Examples.Count >= 2, $"{name}.md has {page.Examples.Count} example(s); two or more are required.");
            foreach (var example in page.Examples)
            {
                Assert.True(example.Code.Any(c => c.Contains(name) || c.Contains("Qlik")), $"{name}.md '{example.Title}' has no PowerShell code using the module.");
                Assert.True(example.Introduction.Concat(example.Remarks).Any(r => r.Length > 10), $"{name}.md '{example.Title}' has no sentence explaining it.");
            }
        }

        [Theory]
        [MemberData(nameof(ExportedCmdlets))]
        public void Page_documents_every_parameter_and_no_other(string name)
        {
            var cmdlet = ModuleCmdletTests.Find(name);
            var page = Page(name);
            var documented = page.Parameters.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
            var expected = PublicParameters(cmdlet);
            var missing = expected.Where(p => !documented.ContainsKey(p)).ToList();
            var stale = documented.Keys.Where(d => !expected.Contains(d, StringComparer.OrdinalIgnoreCase)).ToList();
            Assert.True(missing.Count == 0, $"{name}.md does not document: -{string.Join(", -", missing)}");
            Assert.True(stale.Count == 0, $"{name}.md documents parameters the cmdlet does not have: -{string.Join(", -", stale)}");
            foreach (var parameter in page.Parameters)
            {
                Assert.True(parameter.HasMetadata, $"{name}.md -{parameter.Name} has no ```yaml block.");
                Assert.True(parameter.Description.Count > 0, $"{name}.md -{parameter.Name} has no description.");
                Assert.False(string.IsNullOrWhiteSpace(parameter.Type), $"{name}.md -{parameter.Name} has no Type.");
            }

            foreach (var p in cmdlet.Parameters)
            {
                Assert.True(documented[p.Name].Required == p.Mandatory || p.ParameterAttributes.Count > 1,
                    $"{name}.md -{p.Name} says Required: {documented[p.Name].Required}, the cmdlet says Mandatory = {p.Mandatory}.");
            }
        }

        [Fact]
        public void Generated_MAML_is_valid_help_with_the_real_namespaces()
        {
            var doc = XDocument.Load(_help.Value.MamlPath);
            Assert.Equal(MamlWriter.Msh + "helpItems", doc.Root!.Name);
            Assert.Equal("maml", (string?)doc.Root.Attribute("schema"));
            Assert.Equal("http://schemas.microsoft.com/maml/2004/10", Maml.NamespaceName);
            Assert.Equal("http://schemas.microsoft.com/maml/dev/command/2004/10", Command.NamespaceName);
            Assert.Equal("http://schemas.microsoft.com/maml/dev/2004/10", Dev.NamespaceName);
            Assert.All(doc.Root.Elements(), e => Assert.Equal(Command + "command", e.Name));
        }

        [Theory]
        [MemberData(nameof(ExportedCmdlets))]
        public void Generated_MAML_describes_the_cmdlet_and_every_public_parameter(string name)
        {
            var cmdlet = ModuleCmdletTests.Find(name);
            var doc = XDocument.Load(_help.Value.MamlPath);
            var command = doc.Root!.Elements(Command + "command")
                .SingleOrDefault(c => (string?)c.Element(Command + "details")?.Element(Command + "name") == name);
            Assert.True(command != null, $"The MAML has no command:command for {name}.");

            string Text(XElement? description) =>
                string.Join(" ", description?.Elements(Maml + "para").Select(p => p.Value) ?? Array.Empty<string>()).Trim();

            Assert.NotEqual("", Text(command!.Element(Command + "details")!.Element(Maml + "description")));
            Assert.NotEqual("", Text(command.Element(Maml + "description")));
            Assert.Equal(cmdlet.Verb, (string?)command.Element(Command + "details")!.Element(Command + "verb"));
            Assert.Equal(cmdlet.Noun, (string?)command.Element(Command + "details")!.Element(Command + "noun"));

            var parameters = command.Element(Command + "parameters")!.Elements(Command + "parameter")
                .ToDictionary(p => (string)p.Element(Maml + "name")!, StringComparer.OrdinalIgnoreCase);
            foreach (var parameter in PublicParameters(cmdlet))
            {
                Assert.True(parameters.ContainsKey(parameter), $"MAML for {name} lacks -{parameter}.");
                Assert.NotEqual("", Text(parameters[parameter].Element(Maml + "description")));
            }

            var syntaxItems = command.Element(Command + "syntax")!.Elements(Command + "syntaxItem").ToList();
            Assert.NotEmpty(syntaxItems);
            Assert.All(syntaxItems, s => Assert.Equal(name, (string?)s.Element(Maml + "name")));

            var examples = command.Element(Command + "examples")!.Elements(Command + "example").ToList();
            Assert.True(examples.Count >= 2);
            Assert.All(examples, e => Assert.NotEqual("", ((string?)e.Element(Dev + "code") ?? "").Trim()));
            Assert.NotEmpty(command.Element(Command + "returnValues")!.Elements(Command + "returnValue"));
        }

        [Fact]
        public void About_topic_is_generated_with_the_sections_admins_look_for()
        {
            string path = Path.Combine(_out, "about_QlikActivity.help.txt");
            Assert.Contains(path, _help.Value.AboutPaths);
            string text = File.ReadAllText(path);
            Assert.StartsWith("TOPIC\n    about_QlikActivity", text);
            foreach (var section in new[] { "SHORT DESCRIPTION", "LONG DESCRIPTION", "LOG APPENDER", "FIREWALL", "SCHEDULED", "CTRL-Q", "BUTLER SOS", "SEE ALSO" })
            {
                Assert.Contains(section, text);
            }

            Assert.Contains("9997", text);
            Assert.DoesNotContain("```", text);
            Assert.All(text.Split('\n'), line => Assert.True(line.Length <= 120, "Line too long for a console: " + line));
        }

        [Fact]
        public void About_topic_maps_every_ctrl_q_option()
        {
            string text = File.ReadAllText(Path.Combine(Repository.Docs, "about_QlikActivity.md"));
            foreach (var option in new[]
            {
                "--host", "--port", "--virtual-proxy", "--secure", "--auth-type", "--auth-cert-file", "--auth-cert-key-file", "--auth-root-cert-file",
                "--jwt", "--auth-user-dir", "--auth-user-id", "--user-directory", "--license-type", "--custom-property-name", "--force",
                "--activity-buckets", "--update-batch-size", "--update-batch-sleep", "--update-user-sleep", "--dry-run", "--log-level",
            })
            {
                Assert.Contains("`" + option + "`", text);
            }

            foreach (var key in new[] { "serverHost", "portUserActivityEvents", "excludeUser", "tags", "sendToMQTT", "sendToInfluxdb", "sendToNewRelic", "mqttConfig" })
            {
                Assert.Contains(key, text);
            }
        }

        [Fact]
        public void About_topic_names_only_cmdlets_the_module_exports()
        {
            string text = File.ReadAllText(Path.Combine(Repository.Docs, "about_QlikActivity.md"));
            var named = System.Text.RegularExpressions.Regex.Matches(text, @"\b[A-Z][a-z]+-Qlik[A-Za-z]+\b").Select(m => m.Value).Distinct();
            Assert.All(named, n => Assert.Contains(n, Repository.Manifest.CmdletsToExport));
        }
    }
}
