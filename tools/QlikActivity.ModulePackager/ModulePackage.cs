using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;

namespace QlikActivity.ModulePackager
{
    /// <summary>
    /// Packs a laid-out module folder into <c>QlikActivity-&lt;version&gt;.zip</c> (a QlikActivity/ folder
    /// to unzip into a PSModulePath directory) and <c>QlikActivity.&lt;version&gt;.nupkg</c> in the shape
    /// Publish-Module writes, which Install-Module and Install-PSResource accept from a local repository:
    /// the .nuspec and the module files at the root, plus the OPC parts <c>[Content_Types].xml</c>,
    /// <c>_rels/.rels</c> and the core-properties part.
    /// </summary>
    internal static class ModulePackage
    {
        private static readonly XNamespace NuspecNs = "http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd";

        // Fixed entry times keep the packages byte-identical from one build to the next.
        private static readonly DateTimeOffset EntryTime = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public sealed record Result(string ZipPath, string NupkgPath, string Version);

        public static Result Create(string moduleDir, string outDir)
        {
            moduleDir = Path.GetFullPath(moduleDir);
            string moduleName = new DirectoryInfo(moduleDir).Name;
            string manifestPath = Path.Combine(moduleDir, moduleName + ".psd1");
            if (!File.Exists(manifestPath))
            {
                throw new FileNotFoundException($"No module manifest at {manifestPath}: build the module first.", manifestPath);
            }

            var manifest = ModuleManifest.Load(manifestPath);
            string version = manifest.ModuleVersion;
            var files = ModuleFiles(moduleDir);
            Directory.CreateDirectory(outDir);

            string zipPath = Path.Combine(outDir, $"{moduleName}-{version}.zip");
            using (var zip = OpenNew(zipPath))
            {
                foreach (var (relative, full) in files)
                {
                    AddFile(zip, moduleName + "/" + relative, full);
                }
            }

            string nupkgPath = Path.Combine(outDir, $"{moduleName}.{version}.nupkg");
            using (var nupkg = OpenNew(nupkgPath))
            {
                // Same id for the same version: the core-properties part name is stable across builds.
                string corePropsName = "package/services/metadata/core-properties/" + StableId(moduleName + version) + ".psmdcp";
                AddText(nupkg, "_rels/.rels", Rels(moduleName, corePropsName));
                AddText(nupkg, moduleName + ".nuspec", Nuspec(moduleName, manifest).ToString());
                foreach (var (relative, full) in files)
                {
                    AddFile(nupkg, relative, full);
                }

                AddText(nupkg, corePropsName, CoreProperties(moduleName, manifest));
                AddText(nupkg, "[Content_Types].xml", ContentTypes(files.Select(f => f.Relative)));
            }

            return new Result(zipPath, nupkgPath, version);
        }

        /// <summary>What ships: everything laid out except debug symbols.</summary>
        private static List<(string Relative, string Full)> ModuleFiles(string moduleDir) =>
            Directory.EnumerateFiles(moduleDir, "*", SearchOption.AllDirectories)
                .Where(f => !f.EndsWith(".pdb", StringComparison.OrdinalIgnoreCase))
                .Select(f => (Relative: Path.GetRelativePath(moduleDir, f).Replace('\\', '/'), Full: f))
                .OrderBy(f => f.Relative, StringComparer.Ordinal)
                .ToList();

        internal static XDocument Nuspec(string id, ModuleManifest manifest)
        {
            // Publish-Module adds these tags; galleries and Find-Module -Command/-Tag search on them.
            var tags = new List<string>(manifest.Tags) { "PSModule" };
            foreach (var edition in manifest.CompatiblePSEditions)
            {
                tags.Add("PSEdition_" + edition);
            }

            if (manifest.CmdletsToExport.Count > 0)
            {
                tags.Add("PSIncludes_Cmdlet");
            }

            foreach (var cmdlet in manifest.CmdletsToExport)
            {
                tags.Add("PSCmdlet_" + cmdlet);
                tags.Add("PSCommand_" + cmdlet);
            }

            var metadata = new XElement(NuspecNs + "metadata",
                new XElement(NuspecNs + "id", id),
                new XElement(NuspecNs + "version", manifest.ModuleVersion),
                new XElement(NuspecNs + "authors", manifest.Author),
                new XElement(NuspecNs + "owners", manifest.CompanyName.Length > 0 ? manifest.CompanyName : manifest.Author),
                new XElement(NuspecNs + "requireLicenseAcceptance", "false"));
            if (manifest.LicenseUri.Length > 0)
            {
                metadata.Add(new XElement(NuspecNs + "licenseUrl", manifest.LicenseUri));
            }

            if (manifest.ProjectUri.Length > 0)
            {
                metadata.Add(new XElement(NuspecNs + "projectUrl", manifest.ProjectUri));
            }

            metadata.Add(
                new XElement(NuspecNs + "description", manifest.Description),
                new XElement(NuspecNs + "releaseNotes", manifest.ReleaseNotes),
                new XElement(NuspecNs + "copyright", manifest.Copyright),
                new XElement(NuspecNs + "tags", string.Join(" ", tags.Select(t => t.Replace(' ', '_')).Distinct(StringComparer.OrdinalIgnoreCase))));
            return new XDocument(new XDeclaration("1.0", "utf-8", null), new XElement(NuspecNs + "package", metadata));
        }

        private static string Rels(string id, string corePropsName)
        {
            XNamespace ns = "http://schemas.openxmlformats.org/package/2006/relationships";
            return new XDocument(new XDeclaration("1.0", "utf-8", null),
                new XElement(ns + "Relationships",
                    new XElement(ns + "Relationship",
                        new XAttribute("Type", "http://schemas.microsoft.com/packaging/2010/07/manifest"),
                        new XAttribute("Target", "/" + id + ".nuspec"),
                        new XAttribute("Id", string.Concat("R", StableId("manifest" + id).AsSpan(0, 16)))),
                    new XElement(ns + "Relationship",
                        new XAttribute("Type", "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"),
                        new XAttribute("Target", "/" + corePropsName),
                        new XAttribute("Id", string.Concat("R", StableId("core" + id).AsSpan(0, 16)))))).ToString();
        }

        private static string CoreProperties(string id, ModuleManifest manifest)
        {
            XNamespace ns = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties";
            XNamespace dc = "http://purl.org/dc/elements/1.1/";
            XNamespace dcterms = "http://purl.org/dc/terms/";
            XNamespace xsi = "http://www.w3.org/2001/XMLSchema-instance";
            return new XDocument(new XDeclaration("1.0", "utf-8", null),
                new XElement(ns + "coreProperties",
                    new XAttribute(XNamespace.Xmlns + "dc", dc),
                    new XAttribute(XNamespace.Xmlns + "dcterms", dcterms),
                    new XAttribute(XNamespace.Xmlns + "xsi", xsi),
                    new XElement(dc + "creator", manifest.Author),
                    new XElement(dc + "description", manifest.Description),
                    new XElement(dc + "identifier", id),
                    new XElement(ns + "version", manifest.ModuleVersion),
                    new XElement(ns + "keywords", string.Join(" ", manifest.Tags)),
                    new XElement(ns + "lastModifiedBy", "QlikActivity.ModulePackager"))).ToString();
        }

        private static string ContentTypes(IEnumerable<string> files)
        {
            XNamespace ns = "http://schemas.openxmlformats.org/package/2006/content-types";
            var types = new XElement(ns + "Types",
                new XElement(ns + "Default", new XAttribute("Extension", "rels"), new XAttribute("ContentType", "application/vnd.openxmlformats-package.relationships+xml")),
                new XElement(ns + "Default", new XAttribute("Extension", "psmdcp"), new XAttribute("ContentType", "application/vnd.openxmlformats-package.core-properties+xml")),
                new XElement(ns + "Default", new XAttribute("Extension", "nuspec"), new XAttribute("ContentType", "application/octet")));
            foreach (var extension in files.Select(Path.GetExtension).Where(e => !string.IsNullOrEmpty(e))
                         .Select(e => e!.TrimStart('.')).Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(e => e, StringComparer.Ordinal))
            {
                if (extension is "rels" or "psmdcp" or "nuspec")
                {
                    continue;
                }

                types.Add(new XElement(ns + "Default", new XAttribute("Extension", extension), new XAttribute("ContentType", "application/octet")));
            }

            return new XDocument(new XDeclaration("1.0", "utf-8", null), types).ToString();
        }

        private static ZipArchive OpenNew(string path)
        {
            if (File.Exists(path))
            {
                File.Delete(path);
            }

            return ZipFile.Open(path, ZipArchiveMode.Create);
        }

        private static void AddFile(ZipArchive zip, string entryName, string path)
        {
            var entry = zip.CreateEntry(entryName, CompressionLevel.Optimal);
            entry.LastWriteTime = EntryTime;
            using var target = entry.Open();
            using var source = File.OpenRead(path);
            source.CopyTo(target);
        }

        private static void AddText(ZipArchive zip, string entryName, string text)
        {
            var entry = zip.CreateEntry(entryName, CompressionLevel.Optimal);
            entry.LastWriteTime = EntryTime;
            using var target = entry.Open();
            var bytes = new UTF8Encoding(false).GetBytes(text.StartsWith("<?xml", StringComparison.Ordinal) ? text : "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" + text);
            target.Write(bytes, 0, bytes.Length);
        }

        private static string StableId(string seed)
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(seed));
            return Convert.ToHexString(hash, 0, 16).ToLowerInvariant();
        }
    }
}
