using System;
using System.IO;

namespace QlikActivity.HelpBuilder
{
    /// <summary>
    /// <c>help &lt;docsDir&gt; &lt;outDir&gt;...</c>: markdown help to MAML (in every output folder) and about topics (in the first).
    /// Packing the module is QlikActivity.ModulePackager's job.
    /// </summary>
    internal static class Program
    {
        private static int Main(string[] args)
        {
            try
            {
                switch (args.Length > 0 ? args[0] : "")
                {
                    case "help" when args.Length >= 3:
                        // About topics go to the first folder (beside the manifest, where Get-Help finds them);
                        // the cmdlet help goes to every folder.
                        for (int i = 2; i < args.Length; i++)
                        {
                            var result = HelpGenerator.Generate(args[1], args[i], includeAboutTopics: i == 2);
                            if (i == 2)
                            {
                                // MSBuild shows lines in this shape as build warnings pointing at the page.
                                foreach (var warning in result.Warnings)
                                {
                                    Console.WriteLine($"{Path.Combine(args[1], warning)}".Replace(".md: ", ".md : warning QAHELP1: "));
                                }

                                Console.WriteLine($"help: {result.Pages.Count} cmdlet pages, {result.AboutPaths.Count} about topics -> {result.MamlPath}");
                            }
                        }

                        return 0;
                    default:
                        Console.Error.WriteLine("usage: QlikActivity.HelpBuilder help <docsDir> <outDir> [<outDir>...]");
                        return 2;
                }
            }
            catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException or System.Xml.XmlException)
            {
                Console.Error.WriteLine("error QAHELP2: " + ex.Message);
                return 1;
            }
        }
    }
}
