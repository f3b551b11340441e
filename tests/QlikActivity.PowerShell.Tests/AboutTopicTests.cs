using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using QlikActivity.PowerShell.Tests.Fixtures;
using Xunit;

namespace QlikActivity.PowerShell.Tests
{
    /// <summary>about_QlikActivity (issue 9, section 2, item 10): every parameter it names exists on the cmdlet it names it with.</summary>
    public sealed class AboutTopicTests
    {
        // A command name as typed: Verb-Noun, or a program whose switches are not ours.
        private static readonly Regex Command = new Regex(@"(?<![\w-])(?:[A-Z][a-z]+-[A-Z][A-Za-z]+|pwsh|powershell(?:\.exe)?)(?![\w-])");

        // A parameter as typed: one dash then a capital (ctrl-q's --options have two).
        private static readonly Regex Parameter = new Regex(@"(?<![\w-])-([A-Z][A-Za-z]+)(?![\w-])");

        [Fact]
        public void Every_parameter_named_in_about_QlikActivity_exists_on_its_cmdlet()
        {
            string about = File.ReadAllText(Path.Combine(Path.GetDirectoryName(ModuleSession.ModuleManifest)!, "en-US", "about_QlikActivity.help.txt"));
            using var session = ModuleSession.Start();
            var parameters = session.Run("Get-Command -Module QlikActivity | ForEach-Object { $c = $_.Name; $_.Parameters.Keys | ForEach-Object { \"$c|$_\" }; $_.Parameters.Values | ForEach-Object { $p = $_.Name; $_.Aliases | ForEach-Object { \"$c|$_\" } } }")
                .Output.Select(o => o.ToString().Split('|')).ToLookup(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
            Assert.True(parameters.Count >= 11, "the module's cmdlets were not found");

            var mentions = Mentions(about).ToList();
            Assert.Contains(mentions, m => m.Cmdlets.Contains("Set-QlikActivityBucket") && m.Parameter == "BatchSleep");
            var wrong = mentions
                .Where(m => m.Cmdlets.Count > 0 && !m.Cmdlets.Any(c => parameters[c].Contains(m.Parameter, StringComparer.OrdinalIgnoreCase)))
                .Select(m => $"-{m.Parameter} (with {string.Join(" or ", m.Cmdlets)}): {m.Line.Trim()}")
                .Distinct()
                .ToList();
            Assert.True(wrong.Count == 0, "about_QlikActivity names parameters its cmdlets do not have:\n" + string.Join("\n", wrong));

            // Nothing is left unchecked: every parameter is tied to one of our cmdlets or to another command.
            var loose = mentions.Where(m => m.Cmdlets.Count == 0 && !m.OtherCommand).Select(m => m.Line.Trim()).Distinct().ToList();
            Assert.True(loose.Count == 0, "parameters named without a cmdlet in their line or section:\n" + string.Join("\n", loose));
        }

        [Fact]
        public void The_ctrl_q_table_maps_each_option_to_the_parameter_Set_QlikActivityBucket_documents()
        {
            string docs = Path.Combine(ModuleSession.RepositoryRoot, "docs", "en-US");
            var cmdletTable = CtrlQRows(File.ReadAllText(Path.Combine(docs, "Set-QlikActivityBucket.md")), onlySetQlikActivityBucket: true);
            var aboutTable = CtrlQRows(File.ReadAllText(Path.Combine(docs, "about_QlikActivity.md")));
            Assert.Contains("--update-batch-sleep", cmdletTable.Keys);
            using var session = ModuleSession.Start();
            var own = session.Run("(Get-Command Set-QlikActivityBucket).Parameters.Keys").Output.Select(o => o.ToString()).ToHashSet(StringComparer.OrdinalIgnoreCase);
            // The options Set-QlikActivityBucket itself takes over (connection options belong to Connect-QlikSense).
            foreach (var (option, parameters) in cmdletTable.Where(r => r.Value.Count > 0 && r.Value.All(own.Contains)))
            {
                Assert.True(aboutTable.TryGetValue(option, out var about), $"about_QlikActivity does not map ctrl-q's {option}");
                Assert.True(parameters.All(about.Contains),
                    $"ctrl-q's {option}: Set-QlikActivityBucket's help maps it to {string.Join(", ", parameters)}, about_QlikActivity to {(about.Count == 0 ? "nothing" : string.Join(", ", about))}");
            }
        }

        /// <summary>The rows of a "| ctrl-q option | ours |" table: the option and the parameters its counterpart names.</summary>
        private static Dictionary<string, List<string>> CtrlQRows(string markdown, bool onlySetQlikActivityBucket = false) =>
            markdown.Replace("\r", "").Split('\n')
                .Select(l => Regex.Match(l, @"^\|\s*`(--[a-z-]+)`[^|]*\|(.*)\|\s*$"))
                .Where(m => m.Success && (!onlySetQlikActivityBucket || !Regex.IsMatch(m.Groups[2].Value, @"\w-Qlik") || m.Groups[2].Value.Contains("Set-QlikActivityBucket", StringComparison.Ordinal)))
                .GroupBy(m => m.Groups[1].Value)
                .ToDictionary(g => g.Key, g => Parameter.Matches(g.First().Groups[2].Value.Replace("`", " ")).Cast<Match>().Select(p => p.Groups[1].Value).ToList());

        private sealed record Mention(string Parameter, IReadOnlyList<string> Cmdlets, bool OtherCommand, string Line);

        /// <summary>
        /// Each -Parameter with the command it belongs to: the nearest command before it on its line (or
        /// on the line a backtick continues); without one, the QlikActivity cmdlets named in its section.
        /// </summary>
        private static IEnumerable<Mention> Mentions(string text)
        {
            var lines = text.Replace("\r", "").Split('\n');
            // The QlikActivity cmdlets each section (an all-capitals heading) names anywhere in it.
            var section = new int[lines.Length];
            var sectionCmdlets = new List<List<string>> { new List<string>() };
            for (int i = 0; i < lines.Length; i++)
            {
                if (Regex.IsMatch(lines[i], @"^[A-Z][A-Z ,\-]+$"))
                {
                    sectionCmdlets.Add(new List<string>());
                }

                section[i] = sectionCmdlets.Count - 1;
                sectionCmdlets[section[i]].AddRange(Command.Matches(lines[i]).Cast<Match>().Select(m => m.Value).Where(IsOurs).Except(sectionCmdlets[section[i]]).Distinct());
            }

            string? carried = null;
            string? previousLast = null;
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i];
                var commands = Command.Matches(line).Cast<Match>().ToList();
                if (carried == null && Regex.IsMatch(line, @"^\s*-[A-Z]"))
                {
                    // A wrapped line that starts with a parameter continues the previous line's command.
                    carried = previousLast;
                }

                foreach (Match p in Parameter.Matches(line))
                {
                    var before = commands.LastOrDefault(c => c.Index < p.Index)?.Value ?? carried;
                    if (before == null)
                    {
                        yield return new Mention(p.Groups[1].Value, sectionCmdlets[section[i]].ToList(), false, line);
                    }
                    else
                    {
                        yield return new Mention(p.Groups[1].Value, IsOurs(before) ? new[] { before } : Array.Empty<string>(), !IsOurs(before), line);
                    }
                }

                // A line ending in a backtick continues the command on the next line.
                previousLast = commands.LastOrDefault()?.Value ?? carried;
                carried = line.TrimEnd().EndsWith("`", StringComparison.Ordinal) ? previousLast : null;
            }
        }

        private static bool IsOurs(string command) => command.Contains("-Qlik", StringComparison.Ordinal);
    }
}
