using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Xml.Linq;
using QlikActivity.HelpBuilder;
using QlikActivity.ModulePackager;
using Xunit;

namespace QlikActivity.Tests.Module
{
    /// <summary>The zip and the .nupkg that build.ps1 -Task Package produces, from a module laid out as the build does.</summary>
    public sealed class PackageTests : IDisposable
    {
        private readonly string _root = Repository.TempDirectory();
        private readonly ModulePackage.Result _package;

        public PackageTests()
        {
            // Lay out a module as LayOutModule does: manifest, loader, views, one lib folder, help.
            string module = Path.Combine(_root, "QlikActivity");
            Directory.CreateDirectory(Path.Combine(module, "lib", "net8.0"));
            foreach (var file in Directory.GetFiles(Repository.ModuleSource))
            {
                File.Copy(file, Path.Combine(module, Path.GetFileName(file)));
            }

            string bin = Path.GetDirectoryName(Repository.ModuleAssembly.Location)!;
            foreach (var name in new[] { "QlikActivity.dll", "QlikActivity.Core.dll", "QlikActivity.pdb" })
            {
                File.Copy(Path.Combine(bin, name), Path.Combine(module, "lib", "net8.0", name));
            }

            HelpGenerator.Generate(Repository.Docs, Path.Combine(module, "en-US"));
            _package = ModulePackage.Create(module, Path.Combine(_root, "out"));
        }

        public void Dispose() => Directory.Delete(_root, recursive: true);

        [Fact]
        public void Files_are_named_for_the_manifest_version()
        {
            string version = Repository.Manifest.ModuleVersion;
            Assert.Equal($"QlikActivity-{version}.zip", Path.GetFileName(_package.ZipPath));
            Assert.Equal($"QlikActivity.{version}.nupkg", Path.GetFileName(_package.NupkgPath));
        }

        [Fact]
        public void Nupkg_has_the_nuspec_and_the_manifest_at_its_root()
        {
            using var zip = ZipFile.OpenRead(_package.NupkgPath);
            var names = zip.Entries.Select(e => e.FullName).ToList();
            Assert.Contains("QlikActivity.nuspec", names);
            Assert.Contains("QlikActivity.psd1", names);
            Assert.Contains("QlikActivity.psm1", names);
            Assert.Contains("QlikActivity.format.ps1xml", names);
            Assert.Contains("QlikActivity.types.ps1xml", names);
            Assert.Contains("lib/net8.0/QlikActivity.dll", names);
            Assert.Contains("en-US/QlikActivity.dll-Help.xml", names);
            Assert.Contains("[Content_Types].xml", names);
            Assert.Contains("_rels/.rels", names);
            Assert.Contains(names, n => n.StartsWith("package/services/metadata/core-properties/", StringComparison.Ordinal) && n.EndsWith(".psmdcp", StringComparison.Ordinal));
            Assert.DoesNotContain(names, n => n.EndsWith(".pdb", StringComparison.Ordinal));
            Assert.DoesNotContain(names, n => n.Contains('\\'));
        }

        [Fact]
        public void Nuspec_fields_come_from_the_manifest()
        {
            var manifest = Repository.Manifest;
            using var zip = ZipFile.OpenRead(_package.NupkgPath);
            using var stream = zip.GetEntry("QlikActivity.nuspec")!.Open();
            var nuspec = XDocument.Load(stream);
            XNamespace ns = "http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd";
            var metadata = nuspec.Root!.Element(ns + "metadata")!;
            Assert.Equal("QlikActivity", (string?)metadata.Element(ns + "id"));
            Assert.Equal(manifest.ModuleVersion, (string?)metadata.Element(ns + "version"));
            Assert.Equal(manifest.Description, (string?)metadata.Element(ns + "description"));
            Assert.Equal(manifest.Author, (string?)metadata.Element(ns + "authors"));
            Assert.Equal(manifest.ProjectUri, (string?)metadata.Element(ns + "projectUrl"));
            Assert.Equal(manifest.LicenseUri, (string?)metadata.Element(ns + "licenseUrl"));
            Assert.Equal(manifest.ReleaseNotes, (string?)metadata.Element(ns + "releaseNotes"));
            var tags = ((string)metadata.Element(ns + "tags")!).Split(' ');
            Assert.Contains("PSModule", tags);
            Assert.Contains("PSEdition_Desktop", tags);
            Assert.Contains("PSEdition_Core", tags);
            Assert.Contains("PSIncludes_Cmdlet", tags);
            foreach (var tag in manifest.Tags)
            {
                Assert.Contains(tag, tags);
            }

            foreach (var cmdlet in manifest.CmdletsToExport)
            {
                Assert.Contains("PSCmdlet_" + cmdlet, tags);
                Assert.Contains("PSCommand_" + cmdlet, tags);
            }
        }

        [Fact]
        public void Opc_parts_point_at_the_nuspec_and_declare_every_extension()
        {
            using var zip = ZipFile.OpenRead(_package.NupkgPath);
            XDocument Read(string name)
            {
                using var s = zip.GetEntry(name)!.Open();
                return XDocument.Load(s);
            }

            var rels = Read("_rels/.rels");
            var targets = rels.Root!.Elements().Select(e => (string?)e.Attribute("Target")).ToList();
            Assert.Contains("/QlikActivity.nuspec", targets);
            Assert.All(targets.Skip(1), t => Assert.NotNull(zip.GetEntry(t!.TrimStart('/'))));

            var extensions = Read("[Content_Types].xml").Root!.Elements().Select(e => (string?)e.Attribute("Extension")).ToHashSet();
            foreach (var entry in zip.Entries.Where(e => e.FullName != "[Content_Types].xml"))
            {
                string extension = Path.GetExtension(entry.Name).TrimStart('.');
                Assert.True(extension.Length == 0 || extensions.Contains(extension), $"[Content_Types].xml lacks '{extension}' ({entry.FullName}).");
            }
        }

        [Fact]
        public void Zip_unpacks_to_a_QlikActivity_folder_for_a_module_path()
        {
            using var zip = ZipFile.OpenRead(_package.ZipPath);
            Assert.All(zip.Entries, e => Assert.StartsWith("QlikActivity/", e.FullName));
            Assert.NotNull(zip.GetEntry("QlikActivity/QlikActivity.psd1"));
            Assert.NotNull(zip.GetEntry("QlikActivity/lib/net8.0/QlikActivity.dll"));
        }

        [Fact]
        public void Packing_twice_gives_the_same_bytes()
        {
            byte[] first = File.ReadAllBytes(_package.NupkgPath);
            var again = ModulePackage.Create(Path.Combine(_root, "QlikActivity"), Path.Combine(_root, "out2"));
            Assert.Equal(first, File.ReadAllBytes(again.NupkgPath));
        }
    }
}
