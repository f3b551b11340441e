using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Xunit;

namespace QlikActivity.Tests.Module
{
    public class ManifestTests
    {
        private readonly string _text = File.ReadAllText(Repository.ManifestPath);

        [Fact]
        public void Exports_are_explicit_cmdlets_only()
        {
            var manifest = Repository.Manifest;
            Assert.NotEmpty(manifest.CmdletsToExport);
            Assert.DoesNotContain(manifest.CmdletsToExport, n => n.Contains('*') || n.Contains('?'));
            Assert.Equal(manifest.CmdletsToExport.Count, manifest.CmdletsToExport.Distinct(StringComparer.OrdinalIgnoreCase).Count());
            foreach (var key in new[] { "FunctionsToExport", "VariablesToExport", "AliasesToExport" })
            {
                Assert.Matches(new Regex(@"(?m)^\s*" + key + @"\s*=\s*@\(\s*\)"), _text);
            }

            Assert.DoesNotMatch(new Regex(@"(?m)^\s*DscResourcesToExport"), _text);
        }

        [Fact]
        public void Runs_in_both_editions_from_Windows_PowerShell_5_1()
        {
            var manifest = Repository.Manifest;
            Assert.Equal(new[] { "Desktop", "Core" }, manifest.CompatiblePSEditions);
            Assert.Equal("5.1", manifest.PowerShellVersion);
            Assert.Equal("QlikActivity.psm1", manifest.RootModule);
        }

        [Fact]
        public void Formats_and_types_are_listed_and_exist()
        {
            var manifest = Repository.Manifest;
            Assert.Equal(new[] { "QlikActivity.format.ps1xml" }, manifest.FormatsToProcess);
            Assert.Equal(new[] { "QlikActivity.types.ps1xml" }, manifest.TypesToProcess);
            foreach (var file in manifest.FormatsToProcess.Concat(manifest.TypesToProcess))
            {
                Assert.True(File.Exists(Path.Combine(Repository.ModuleSource, file)), file);
            }
        }

        [Fact]
        public void Gallery_metadata_is_complete()
        {
            var manifest = Repository.Manifest;
            Assert.True(Uri.IsWellFormedUriString(manifest.ProjectUri, UriKind.Absolute));
            Assert.True(Uri.IsWellFormedUriString(manifest.LicenseUri, UriKind.Absolute));
            Assert.False(string.IsNullOrWhiteSpace(manifest.ReleaseNotes));
            Assert.False(string.IsNullOrWhiteSpace(manifest.Description));
            Assert.True(Guid.TryParse(manifest.Guid, out _));
            Assert.Contains("Qlik", manifest.Tags);
            Assert.DoesNotContain(manifest.Tags, t => t.Contains(' '));
        }

        [Fact]
        public void Assemblies_take_their_version_from_the_manifest()
        {
            var version = Version.Parse(Repository.Manifest.ModuleVersion);
            foreach (var assembly in new[] { Repository.ModuleAssembly, typeof(QlikActivity.Core.IOperationHost).Assembly })
            {
                var name = assembly.GetName();
                Assert.Equal(version.Major, name.Version!.Major);
                Assert.Equal(version.Minor, name.Version.Minor);
                Assert.Equal(version.Build, name.Version.Build);
                var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
                Assert.StartsWith(Repository.Manifest.ModuleVersion, informational);
            }
        }

        [Fact]
        public void Loader_picks_the_build_for_each_edition_in_5_1_syntax()
        {
            string psm1 = File.ReadAllText(Path.Combine(Repository.ModuleSource, "QlikActivity.psm1"));
            Assert.Contains("'net8.0'", psm1);
            Assert.Contains("'netstandard2.0'", psm1);
            Assert.Contains("PSEdition", psm1);
            // PowerShell 7-only syntax would break the import in Windows PowerShell 5.1.
            Assert.DoesNotMatch(new Regex(@"\?\?|\?\.|\|\|\s|&&|\bclean\s*\{|-Parallel"), psm1);
        }
    }
}
