using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using System.Text.RegularExpressions;
using Xunit;

namespace QlikActivity.Tests.Module
{
    /// <summary>
    /// A reader finds a type by its namespace: the namespace is the folder it lives in, and every
    /// cmdlet is in QlikActivity.Commands.
    /// </summary>
    public class NamespaceTests
    {
        // Files (a path without .cs also covers its partial files) whose namespace is not their folder's, each with its reason.
        private static readonly Dictionary<string, string> Exceptions = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            // Compiler attributes netstandard2.0 lacks: the compiler looks for them by their System.* names.
            ["src/QlikActivity.Core/Polyfills.cs"] = "polyfills",
        };

        [Theory]
        [InlineData("src/QlikActivity", "QlikActivity")]
        [InlineData("src/QlikActivity.Core", "QlikActivity.Core")]
        public void Every_source_file_declares_its_folders_namespace(string project, string rootNamespace)
        {
            string root = Path.Combine(Repository.Root, project);
            var wrong = new List<string>();
            foreach (string file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(Repository.Root, file).Replace('\\', '/');
                if (relative.Contains("/obj/") || relative.Contains("/bin/") || Exceptions.Keys.Any(e => relative == e || relative.StartsWith(e + ".", StringComparison.Ordinal)))
                {
                    continue;
                }

                string folder = Path.GetRelativePath(root, Path.GetDirectoryName(file)!).Replace('\\', '/');
                string expected = folder == "." ? rootNamespace : rootNamespace + "." + folder.Replace('/', '.');
                var declared = Regex.Matches(File.ReadAllText(file), @"^\s*namespace\s+([\w.]+)", RegexOptions.Multiline)
                    .Select(m => m.Groups[1].Value)
                    .ToList();
                if (declared.Count == 0 || declared.Any(d => d != expected))
                {
                    wrong.Add($"{relative}: {string.Join(", ", declared)} (expected {expected})");
                }
            }

            Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
        }

        [Fact]
        public void Every_cmdlet_is_in_QlikActivity_Commands()
        {
            var cmdlets = Repository.ModuleAssembly.GetTypes()
                .Where(t => t.GetCustomAttribute<CmdletAttribute>() != null)
                .ToList();
            Assert.NotEmpty(cmdlets);
            Assert.All(cmdlets, t => Assert.Equal("QlikActivity.Commands", t.Namespace));
        }
    }
}
