using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace QlikActivity.HelpBuilder
{
    /// <summary>
    /// Turns an <c>about_*.md</c> page into the plain-text <c>about_*.help.txt</c> that Get-Help shows:
    /// headings in capitals at the margin, text wrapped at 80 columns and indented, code and tables kept
    /// as written (tables re-aligned into columns).
    /// </summary>
    internal static class AboutTopicWriter
    {
        private const int Width = 80;

        public static string Convert(string markdown)
        {
            var lines = markdown.Replace("\r\n", "\n").Split('\n').ToList();
            // platyPS about pages may carry front matter too.
            int start = 0;
            if (lines.Count > 0 && lines[0].Trim() == "---")
            {
                int end = lines.FindIndex(1, l => l.Trim() == "---");
                start = end < 0 ? 0 : end + 1;
            }

            var output = new StringBuilder();
            var body = new List<string>();
            int bodyIndent = 4;

            void FlushBody()
            {
                foreach (var block in PlatyPsMarkdown.ParseBlocks(body))
                {
                    if (block.IsCode)
                    {
                        foreach (var codeLine in block.Text.Split('\n'))
                        {
                            output.Append(' ', bodyIndent + 4).Append(codeLine.TrimEnd()).Append('\n');
                        }
                    }
                    else if (block.Text.StartsWith('|'))
                    {
                        foreach (var row in Table(block.Text))
                        {
                            output.Append(' ', bodyIndent).Append(row.TrimEnd()).Append('\n');
                        }
                    }
                    else
                    {
                        var m = Regex.Match(block.Text, @"^([-*+]|\d+\.)\s+");
                        if (m.Success)
                        {
                            string marker = m.Groups[1].Value.Length == 1 && "-*+".Contains(m.Groups[1].Value[0]) ? "-" : m.Groups[1].Value;
                            Wrap(output, Plain(block.Text.Substring(m.Length)), bodyIndent, marker + " ");
                        }
                        else
                        {
                            Wrap(output, Plain(block.Text), bodyIndent, "");
                        }
                    }

                    output.Append('\n');
                }

                body.Clear();
            }

            bool inFence = false;
            for (int i = start; i < lines.Count; i++)
            {
                string line = lines[i];
                if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
                {
                    inFence = !inFence;
                }

                if (!inFence && line.StartsWith("# ", StringComparison.Ordinal))
                {
                    FlushBody();
                    output.Append("TOPIC\n").Append(' ', 4).Append(line.Substring(2).Trim()).Append("\n\n");
                }
                else if (!inFence && line.StartsWith("## ", StringComparison.Ordinal))
                {
                    FlushBody();
                    output.Append(line.Substring(3).Trim().ToUpperInvariant()).Append('\n');
                    bodyIndent = 4;
                }
                else if (!inFence && line.StartsWith("### ", StringComparison.Ordinal))
                {
                    FlushBody();
                    output.Append(' ', 2).Append(Plain(line.Substring(4).Trim())).Append('\n');
                    bodyIndent = 4;
                }
                else
                {
                    body.Add(line);
                }
            }

            FlushBody();
            return output.ToString().TrimEnd() + "\n";
        }

        /// <summary>Drops markdown emphasis and turns [text](link) into "text (link)".</summary>
        private static string Plain(string text)
        {
            text = Regex.Replace(text, @"\[([^\]]+)\]\(([^)]+)\)", m =>
                m.Groups[2].Value.EndsWith(".md", StringComparison.OrdinalIgnoreCase) ? m.Groups[1].Value : $"{m.Groups[1].Value} ({m.Groups[2].Value})");
            text = Regex.Replace(text, @"\*\*([^*]+)\*\*", "$1");
            text = text.Replace("`", "");
            return text;
        }

        private static void Wrap(StringBuilder output, string text, int indent, string marker)
        {
            var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var line = new StringBuilder();
            string firstPrefix = new string(' ', indent) + marker;
            string nextPrefix = new string(' ', indent + marker.Length);
            string prefix = firstPrefix;
            foreach (var word in words)
            {
                if (line.Length > 0 && prefix.Length + line.Length + 1 + word.Length > Width)
                {
                    output.Append(prefix).Append(line).Append('\n');
                    line.Clear();
                    prefix = nextPrefix;
                }

                if (line.Length > 0)
                {
                    line.Append(' ');
                }

                line.Append(word);
            }

            if (line.Length > 0)
            {
                output.Append(prefix).Append(line).Append('\n');
            }
        }

        /// <summary>Re-aligns a markdown table into padded columns; the |---| rule becomes dashes.</summary>
        private static IEnumerable<string> Table(string table)
        {
            var rows = table.Split('\n')
                .Select(r => r.Trim().Trim('|').Split('|').Select(c => Plain(c.Trim().Replace("`", ""))).ToArray())
                .ToList();
            int columns = rows.Max(r => r.Length);
            var widths = new int[columns];
            foreach (var row in rows.Where(r => !IsRule(r)))
            {
                for (int c = 0; c < row.Length; c++)
                {
                    widths[c] = Math.Max(widths[c], row[c].Length);
                }
            }

            foreach (var row in rows)
            {
                if (IsRule(row))
                {
                    yield return string.Join("  ", widths.Select(w => new string('-', w)));
                    continue;
                }

                yield return string.Join("  ", Enumerable.Range(0, columns).Select(c => (c < row.Length ? row[c] : "").PadRight(widths[c])));
            }
        }

        private static bool IsRule(string[] row) => row.All(c => Regex.IsMatch(c, @"^:?-{3,}:?$"));
    }
}
