using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace QlikActivity.HelpBuilder
{
    /// <summary>
    /// Reads a cmdlet page in platyPS markdown layout: YAML front matter, <c># Name</c>, then
    /// <c>## SYNOPSIS</c>, <c>## SYNTAX</c>, <c>## DESCRIPTION</c>, <c>## EXAMPLES</c>,
    /// <c>## PARAMETERS</c> (each <c>### -Name</c> with a ```yaml block), <c>## INPUTS</c>,
    /// <c>## OUTPUTS</c>, <c>## NOTES</c>, <c>## RELATED LINKS</c>.
    /// </summary>
    internal static class PlatyPsMarkdown
    {
        /// <summary>A block of the page: a paragraph, a list item or a fenced code block.</summary>
        internal sealed record Block(string Text, bool IsCode, string Language);

        private sealed class Section
        {
            public string Heading = "";
            public List<string> Lines = new();
            public List<Section> Children = new();
        }

        public static CommandHelpPage Parse(string markdown, string sourceFile, List<string> warnings)
        {
            var page = new CommandHelpPage { SourceFile = sourceFile };
            var lines = markdown.Replace("\r\n", "\n").Split('\n').ToList();
            int start = ReadFrontMatter(lines, page.FrontMatter);

            // Split into # / ## / ### sections, ignoring headings inside code fences.
            Section? h1 = null;
            Section? h2 = null;
            Section? h3 = null;
            var preamble = new Section();
            bool inFence = false;
            for (int i = start; i < lines.Count; i++)
            {
                string line = lines[i];
                if (IsFence(line))
                {
                    inFence = !inFence;
                }

                if (!inFence && line.StartsWith("# ", StringComparison.Ordinal) && h1 == null)
                {
                    h1 = new Section { Heading = line.Substring(2).Trim() };
                    h2 = h3 = null;
                    continue;
                }

                if (!inFence && line.StartsWith("## ", StringComparison.Ordinal) && h1 != null)
                {
                    h2 = new Section { Heading = line.Substring(3).Trim() };
                    h1.Children.Add(h2);
                    h3 = null;
                    continue;
                }

                if (!inFence && line.StartsWith("### ", StringComparison.Ordinal) && h2 != null)
                {
                    h3 = new Section { Heading = line.Substring(4).Trim() };
                    h2.Children.Add(h3);
                    continue;
                }

                (h3 ?? h2 ?? h1 ?? preamble).Lines.Add(line);
            }

            if (h1 == null)
            {
                throw new FormatException($"{sourceFile}: no '# Verb-Noun' heading.");
            }

            page.Name = h1.Heading;
            var sections = h1.Children.ToDictionary(s => s.Heading.ToUpperInvariant(), s => s, StringComparer.Ordinal);

            Section? Get(string name)
            {
                sections.TryGetValue(name, out var s);
                if (s == null)
                {
                    warnings.Add($"{sourceFile}: missing section '## {name}'.");
                }

                return s;
            }

            if (Get("SYNOPSIS") is { } synopsis)
            {
                page.Synopsis.AddRange(Paragraphs(synopsis.Lines));
            }

            if (Get("SYNTAX") is { } syntax)
            {
                // One parameter set may be written without a ### heading.
                page.SyntaxLines.AddRange(ParseBlocks(syntax.Lines).Where(b => b.IsCode).Select(b => b.Text));
                foreach (var set in syntax.Children)
                {
                    string setName = Regex.Replace(set.Heading, @"\s*\(Default\)\s*$", "", RegexOptions.IgnoreCase).Trim();
                    if (setName == "__AllParameterSets")
                    {
                        page.SyntaxLines.AddRange(ParseBlocks(set.Lines).Where(b => b.IsCode).Select(b => b.Text));
                        continue;
                    }

                    bool isDefault = set.Heading.TrimEnd().EndsWith("(Default)", StringComparison.OrdinalIgnoreCase);
                    if (isDefault)
                    {
                        page.ParameterSets.Insert(0, setName);
                    }
                    else
                    {
                        page.ParameterSets.Add(setName);
                    }

                    page.SyntaxLines.AddRange(ParseBlocks(set.Lines).Where(b => b.IsCode).Select(b => b.Text));
                }
            }

            if (Get("DESCRIPTION") is { } description)
            {
                page.Description.AddRange(Paragraphs(description.Lines));
            }

            if (Get("EXAMPLES") is { } examples)
            {
                foreach (var ex in examples.Children)
                {
                    var example = new HelpExample { Title = ex.Heading };
                    bool seenCode = false;
                    foreach (var block in ParseBlocks(ex.Lines))
                    {
                        if (block.IsCode)
                        {
                            example.Code.Add(block.Text);
                            seenCode = true;
                        }
                        else if (seenCode)
                        {
                            example.Remarks.Add(block.Text);
                        }
                        else
                        {
                            example.Introduction.Add(block.Text);
                        }
                    }

                    page.Examples.Add(example);
                }
            }

            if (Get("PARAMETERS") is { } parameters)
            {
                foreach (var p in parameters.Children)
                {
                    if (!p.Heading.StartsWith('-'))
                    {
                        continue; // "### CommonParameters"
                    }

                    page.Parameters.Add(ParseParameter(p, sourceFile, warnings));
                }
            }

            if (Get("INPUTS") is { } inputs)
            {
                page.Inputs.AddRange(TypeEntries(inputs));
            }

            if (Get("OUTPUTS") is { } outputs)
            {
                page.Outputs.AddRange(TypeEntries(outputs));
            }

            if (sections.TryGetValue("NOTES", out var notes))
            {
                page.Notes.AddRange(Paragraphs(notes.Lines.Concat(notes.Children.SelectMany(c => new[] { c.Heading }.Concat(c.Lines)))));
            }

            if (sections.TryGetValue("RELATED LINKS", out var links))
            {
                foreach (Match m in Regex.Matches(string.Join("\n", links.Lines), @"\[([^\]]+)\]\(([^)]*)\)"))
                {
                    string uri = m.Groups[2].Value.Trim();
                    page.RelatedLinks.Add(new HelpLink
                    {
                        Text = m.Groups[1].Value.Trim(),
                        // Links to sibling .md pages mean nothing to Get-Help -Online: keep only absolute URIs.
                        Uri = Uri.TryCreate(uri, UriKind.Absolute, out _) ? uri : "",
                    });
                }
            }

            return page;
        }

        private static HelpParameter ParseParameter(Section section, string sourceFile, List<string> warnings)
        {
            var parameter = new HelpParameter { Name = section.Heading.TrimStart('-').Trim() };
            bool firstYaml = true;
            foreach (var block in ParseBlocks(section.Lines))
            {
                if (block.IsCode && block.Language.Equals("yaml", StringComparison.OrdinalIgnoreCase))
                {
                    ReadParameterYaml(parameter, block.Text, firstYaml);
                    firstYaml = false;
                }
                else if (!block.IsCode)
                {
                    parameter.Description.Add(block.Text);
                }
            }

            if (!parameter.HasMetadata)
            {
                warnings.Add($"{sourceFile}: parameter -{parameter.Name} has no ```yaml metadata block.");
            }

            if (parameter.Description.Count == 0)
            {
                warnings.Add($"{sourceFile}: parameter -{parameter.Name} has no description.");
            }

            return parameter;
        }

        /// <summary>platyPS writes one yaml block per distinct set of attributes; the first gives Required/Position.</summary>
        private static void ReadParameterYaml(HelpParameter parameter, string yaml, bool first)
        {
            parameter.HasMetadata = true;
            foreach (var raw in yaml.Split('\n'))
            {
                int colon = raw.IndexOf(':');
                if (colon <= 0)
                {
                    continue;
                }

                string key = raw.Substring(0, colon).Trim().ToLowerInvariant();
                string value = raw.Substring(colon + 1).Trim();
                switch (key)
                {
                    case "type" when first:
                        parameter.Type = value;
                        break;
                    case "parameter sets":
                        foreach (var set in SplitList(value))
                        {
                            if (!parameter.ParameterSets.Contains(set))
                            {
                                parameter.ParameterSets.Add(set);
                            }
                        }

                        break;
                    case "aliases" when first:
                        parameter.Aliases.AddRange(SplitList(value));
                        break;
                    case "accepted values" when first:
                        parameter.AcceptedValues.AddRange(SplitList(value));
                        break;
                    case "required" when first:
                        parameter.Required = value.StartsWith("True", StringComparison.OrdinalIgnoreCase);
                        break;
                    case "position" when first:
                        parameter.Position = value.Length == 0 ? "Named" : value;
                        break;
                    case "default value" when first:
                        parameter.DefaultValue = value.Length == 0 ? "None" : value;
                        break;
                    case "accept pipeline input" when first:
                        parameter.PipelineInput = value.Length == 0 ? "False" : value;
                        break;
                    case "accept wildcard characters" when first:
                        parameter.Globbing = value.StartsWith("True", StringComparison.OrdinalIgnoreCase);
                        break;
                }
            }
        }

        private static IEnumerable<string> SplitList(string value) =>
            value.Split(',').Select(s => s.Trim()).Where(s => s.Length > 0);

        private static IEnumerable<HelpTypeEntry> TypeEntries(Section section)
        {
            foreach (var child in section.Children)
            {
                var entry = new HelpTypeEntry { TypeName = child.Heading };
                entry.Description.AddRange(Paragraphs(child.Lines));
                yield return entry;
            }

            // Some pages write "None" as a bare paragraph instead of a ### heading.
            if (section.Children.Count == 0)
            {
                foreach (var p in Paragraphs(section.Lines))
                {
                    yield return new HelpTypeEntry { TypeName = p };
                }
            }
        }

        private static int ReadFrontMatter(List<string> lines, Dictionary<string, string> frontMatter)
        {
            int i = 0;
            while (i < lines.Count && lines[i].Trim().Length == 0)
            {
                i++;
            }

            if (i >= lines.Count || lines[i].Trim() != "---")
            {
                return 0;
            }

            for (int j = i + 1; j < lines.Count; j++)
            {
                if (lines[j].Trim() == "---")
                {
                    return j + 1;
                }

                int colon = lines[j].IndexOf(':');
                if (colon > 0)
                {
                    frontMatter[lines[j].Substring(0, colon).Trim()] = lines[j].Substring(colon + 1).Trim();
                }
            }

            return 0;
        }

        private static bool IsFence(string line) => line.TrimStart().StartsWith("```", StringComparison.Ordinal);

        /// <summary>Paragraph texts only (code blocks become paragraphs too, kept verbatim).</summary>
        internal static IEnumerable<string> Paragraphs(IEnumerable<string> lines) => ParseBlocks(lines).Select(b => b.Text);

        /// <summary>
        /// Splits lines into paragraphs (joined with spaces), list items (one block each) and fenced
        /// code blocks (kept verbatim).
        /// </summary>
        internal static List<Block> ParseBlocks(IEnumerable<string> lines)
        {
            var blocks = new List<Block>();
            var text = new StringBuilder();
            var code = new List<string>();
            string? language = null;
            bool inTable = false;

            void FlushText()
            {
                inTable = false;
                if (text.Length > 0)
                {
                    blocks.Add(new Block(text.ToString().Trim(), false, ""));
                    text.Clear();
                }
            }

            foreach (var line in lines)
            {
                if (language != null)
                {
                    if (IsFence(line))
                    {
                        blocks.Add(new Block(string.Join("\n", code), true, language));
                        code.Clear();
                        language = null;
                    }
                    else
                    {
                        code.Add(line);
                    }

                    continue;
                }

                if (IsFence(line))
                {
                    FlushText();
                    language = line.Trim().Substring(3).Trim();
                    continue;
                }

                string trimmed = line.Trim();
                if (trimmed.Length == 0)
                {
                    FlushText();
                    continue;
                }

                // A table stays one block, a row per line; a list item starts its own block.
                if (trimmed.StartsWith('|'))
                {
                    if (!inTable)
                    {
                        FlushText();
                        inTable = true;
                    }
                    else
                    {
                        text.Append('\n');
                    }

                    text.Append(trimmed);
                    continue;
                }

                if (inTable || Regex.IsMatch(trimmed, @"^([-*+]|\d+\.)\s+"))
                {
                    FlushText();
                }

                if (text.Length > 0)
                {
                    text.Append(' ');
                }

                text.Append(trimmed);
            }

            if (language != null)
            {
                blocks.Add(new Block(string.Join("\n", code), true, language));
            }

            FlushText();
            return blocks;
        }
    }
}
