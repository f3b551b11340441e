using System;
using System.IO;
using System.Linq;
using QlikActivity.PowerShell.Tests.Fixtures;
using Xunit;

namespace QlikActivity.PowerShell.Tests
{
    /// <summary>What the built manifest promises (as the Gallery shows it) exists in the repository.</summary>
    public sealed class ModuleManifestTests
    {
        [Fact]
        public void The_license_the_manifest_links_to_is_in_the_repository()
        {
            using var session = ModuleSession.Start();
            var result = session.Run("(Import-PowerShellDataFile -LiteralPath $args[0]).PrivateData.PSData.LicenseUri", ModuleSession.ModuleManifest);
            Assert.Empty(result.Errors);
            string uri = result.Output.Single().ToString();
            const string Blob = "/blob/main/";
            int at = uri.IndexOf(Blob, StringComparison.Ordinal);
            Assert.True(at > 0, $"LicenseUri '{uri}' does not point at a file on main");
            string file = Path.Combine(ModuleSession.RepositoryRoot, uri.Substring(at + Blob.Length));
            Assert.True(File.Exists(file), $"LicenseUri '{uri}' names {file}, which does not exist");
            Assert.Contains("MIT License", File.ReadAllText(file), StringComparison.Ordinal);
        }
    }
}
