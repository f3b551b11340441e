using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;
using QlikActivity.HelpBuilder;
using Xunit;

namespace QlikActivity.Tests.HelpBuilder
{
    public class PlatyPsMarkdownTests
    {
        private const string Page = """
            ---
            external help file: QlikActivity.dll-Help.xml
            Module Name: QlikActivity
            online version:
            schema: 2.0.0
            ---

            # Get-QlikThing

            ## SYNOPSIS
            Gets things.

            ## SYNTAX

            ### ByName (Default)
            ```
            Get-QlikThing [-Name] <String[]> [-Force] [<CommonParameters>]
            ```

            ### ById
            ```
            Get-QlikThing -Id <Guid> [<CommonParameters>]
            ```

            ## DESCRIPTION
            The first paragraph
            continues here.

            - a list item
            - another one

            ## EXAMPLES

            ### Example 1: By name
            ```powershell
            Get-QlikThing -Name a
            ```

            Gets the thing named a.

            ### Example 2
            ```powershell
            Get-QlikThing -Id 5b0c6f7e-4f0e-4d3a-9a55-2f7f1c8e6a11
            ```

            Gets one thing; the header ## SYNOPSIS inside text is not a heading.

            ## PARAMETERS

            ### -Name
            Names to find.

            ```yaml
            Type: String[]
            Parameter Sets: ByName
            Aliases: N, ThingName
            Accepted values: a, b

            Required: True
            Position: 0
            Default value: None
            Accept pipeline input: True (ByPropertyName)
            Accept wildcard characters: True
            ```

            ### -Id
            The id.

            ```yaml
            Type: Guid
            Parameter Sets: ById
            Aliases:

            Required: True
            Position: Named
            Default value: None
            Accept pipeline input: False
            Accept wildcard characters: False
            ```

            ### -Force
            Does it anyway.

            ```yaml
            Type: SwitchParameter
            Parameter Sets: (All)
            Aliases:

            Required: False
            Position: Named
            Default value: False
            Accept pipeline input: False
            Accept wildcard characters: False
            ```

            ### CommonParameters
            This cmdlet supports the common parameters.

            ## INPUTS

            ### System.String[]
            Names.

            ## OUTPUTS

            ### QlikActivity.Thing
            One per thing.

            ## NOTES
            A note.

            ## RELATED LINKS

            [Set-QlikThing](Set-QlikThing.md)
            [Online](https://example.org/things)
            """;

        private static CommandHelpPage Parse(List<string>? warnings = null) =>
            PlatyPsMarkdown.Parse(Page, "Get-QlikThing.md", warnings ?? new List<string>());

        [Fact]
        public void Reads_every_section()
        {
            var warnings = new List<string>();
            var page = Parse(warnings);
            Assert.Empty(warnings);
            Assert.Equal("Get-QlikThing", page.Name);
            Assert.Equal("Get", page.Verb);
            Assert.Equal("QlikThing", page.Noun);
            Assert.Equal("QlikActivity", page.FrontMatter["Module Name"]);
            Assert.Equal(new[] { "Gets things." }, page.Synopsis);
            Assert.Equal(new[] { "ByName", "ById" }, page.ParameterSets);
            Assert.Equal(new[] { "The first paragraph continues here.", "- a list item", "- another one" }, page.Description);
            Assert.Equal(2, page.Examples.Count);
            Assert.Equal("Example 1: By name", page.Examples[0].Title);
            Assert.Equal(new[] { "Get-QlikThing -Name a" }, page.Examples[0].Code);
            Assert.Equal(new[] { "Gets the thing named a." }, page.Examples[0].Remarks);
            Assert.Equal(new[] { "Name", "Id", "Force" }, page.Parameters.Select(p => p.Name));
            Assert.Equal("System.String[]", page.Inputs.Single().TypeName);
            Assert.Equal("QlikActivity.Thing", page.Outputs.Single().TypeName);
            Assert.Equal(new[] { "A note." }, page.Notes);
            Assert.Equal(new[] { "", "https://example.org/things" }, page.RelatedLinks.Select(l => l.Uri));
        }

        [Fact]
        public void Reads_parameter_metadata()
        {
            var name = Parse().Parameters[0];
            Assert.Equal("String[]", name.Type);
            Assert.True(name.Required);
            Assert.Equal("0", name.Position);
            Assert.True(name.Globbing);
            Assert.Equal("True (ByPropertyName)", name.PipelineInput);
            Assert.Equal(new[] { "N", "ThingName" }, name.Aliases);
            Assert.Equal(new[] { "a", "b" }, name.AcceptedValues);
            Assert.Equal(new[] { "ByName" }, name.ParameterSets);
            Assert.True(Parse().Parameters[2].IsSwitch);
        }

        [Fact]
        public void A_single_parameter_set_gives_one_syntax_item_with_every_parameter()
        {
            string single = Page.Replace("### ByName (Default)", "### __AllParameterSets").Replace("### ById\n```\nGet-QlikThing -Id <Guid> [<CommonParameters>]\n```\n", "");
            var page = PlatyPsMarkdown.Parse(single, "x.md", new List<string>());
            Assert.Empty(page.ParameterSets);
            Assert.Single(page.SyntaxLines);
            var items = MamlWriter.Write(new[] { page }).Descendants(MamlWriter.Command + "syntaxItem").ToList();
            Assert.Single(items);
            Assert.Equal(3, items[0].Elements(MamlWriter.Command + "parameter").Count());
        }

        [Fact]
        public void Missing_sections_and_metadata_are_warned_about()
        {
            var warnings = new List<string>();
            PlatyPsMarkdown.Parse("# Get-QlikThing\n\n## SYNOPSIS\nx\n\n## PARAMETERS\n\n### -Name\n", "x.md", warnings);
            Assert.Contains(warnings, w => w.Contains("DESCRIPTION"));
            Assert.Contains(warnings, w => w.Contains("EXAMPLES"));
            Assert.Contains(warnings, w => w.Contains("-Name") && w.Contains("yaml"));
            Assert.Contains(warnings, w => w.Contains("-Name") && w.Contains("description"));
        }

        [Fact]
        public void MAML_has_one_syntax_item_per_parameter_set_with_its_parameters()
        {
            var doc = MamlWriter.Write(new[] { Parse() });
            XNamespace command = MamlWriter.Command;
            XNamespace maml = MamlWriter.Maml;
            var items = doc.Descendants(command + "syntaxItem").ToList();
            Assert.Equal(2, items.Count);
            Assert.Equal(new[] { "Name", "Force" }, items[0].Elements(command + "parameter").Select(p => (string)p.Element(maml + "name")!));
            Assert.Equal(new[] { "Id", "Force" }, items[1].Elements(command + "parameter").Select(p => (string)p.Element(maml + "name")!));

            var name = doc.Descendants(command + "parameters").Single().Elements().First();
            Assert.Equal("true", (string?)name.Attribute("required"));
            Assert.Equal("0", (string?)name.Attribute("position"));
            Assert.Equal("true", (string?)name.Attribute("globbing"));
            Assert.Equal("True (ByPropertyName)", (string?)name.Attribute("pipelineInput"));
            Assert.Equal("N, ThingName", (string?)name.Attribute("aliases"));
            Assert.Equal("String[]", (string?)name.Element(command + "parameterValue"));
            Assert.Equal(2, name.Element(command + "parameterValueGroup")!.Elements().Count());

            var force = doc.Descendants(command + "parameters").Single().Elements().Last();
            Assert.Null(force.Element(command + "parameterValue")); // a switch takes no value
            Assert.Equal("named", (string?)force.Attribute("position"));
        }

        [Fact]
        public void MAML_examples_keep_code_and_remarks()
        {
            var doc = MamlWriter.Write(new[] { Parse() });
            XNamespace command = MamlWriter.Command;
            XNamespace dev = MamlWriter.Dev;
            XNamespace maml = MamlWriter.Maml;
            var example = doc.Descendants(command + "example").First();
            Assert.Equal("-------------------------- Example 1: By name --------------------------", (string?)example.Element(maml + "title"));
            Assert.Equal("Get-QlikThing -Name a", (string?)example.Element(dev + "code"));
            Assert.Equal("Gets the thing named a.", example.Element(dev + "remarks")!.Element(maml + "para")!.Value);
            Assert.Equal("https://example.org/things", doc.Descendants(maml + "navigationLink").Last().Element(maml + "uri")!.Value);
        }
    }
}
