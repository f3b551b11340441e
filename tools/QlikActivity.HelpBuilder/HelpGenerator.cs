using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml;

namespace QlikActivity.HelpBuilder
{
    /// <summary>Reads a docs/&lt;culture&gt; folder and writes the MAML file and about topics Get-Help reads.</summary>
    internal static class HelpGenerator
    {
        public const string MamlFileName = "QlikActivity.dll-Help.xml";

        public sealed record Result(string MamlPath, IReadOnlyList<string> AboutPaths, IReadOnlyList<CommandHelpPage> Pages, IReadOnlyList<string> Warnings);

        public static IReadOnlyList<CommandHelpPage> ReadPages(string docsDir, List<string> warnings) =>
            Directory.EnumerateFiles(docsDir, "*.md")
                .Where(f => !Path.GetFileName(f).StartsWith("about_", StringComparison.OrdinalIgnoreCase))
                .OrderBy(f => f, StringComparer.Ordinal)
                .Select(f => PlatyPsMarkdown.Parse(File.ReadAllText(f), Path.GetFileName(f), warnings))
                .ToList();

        public static Result Generate(string docsDir, string outDir, bool includeAboutTopics = true)
        {
            var warnings = new List<string>();
            var pages = ReadPages(docsDir, warnings);
            Directory.CreateDirectory(outDir);

            string mamlPath = Path.Combine(outDir, MamlFileName);
            var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false), NewLineChars = "\n" };
            using (var writer = XmlWriter.Create(mamlPath, settings))
            {
                MamlWriter.Write(pages).Save(writer);
            }

            var aboutPaths = new List<string>();
            var aboutPages = includeAboutTopics ? Directory.EnumerateFiles(docsDir, "about_*.md") : Enumerable.Empty<string>();
            foreach (var about in aboutPages.OrderBy(f => f, StringComparer.Ordinal))
            {
                string target = Path.Combine(outDir, Path.GetFileNameWithoutExtension(about) + ".help.txt");
                File.WriteAllText(target, AboutTopicWriter.Convert(File.ReadAllText(about)), new UTF8Encoding(false));
                aboutPaths.Add(target);
            }

            return new Result(mamlPath, aboutPaths, pages, warnings);
        }
    }
}
