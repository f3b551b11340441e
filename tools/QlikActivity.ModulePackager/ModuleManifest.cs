using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace QlikActivity.ModulePackager
{
    /// <summary>
    /// The few fields of a module manifest (.psd1) the package needs, read from its text: the
    /// manifest is the one source of the version, description, authors and tags.
    /// Handles 'single', "double" and @'here'@ strings and @( ... ) lists; not a full PowerShell parser.
    /// </summary>
    internal sealed class ModuleManifest
    {
        private readonly string _text;

        public ModuleManifest(string text)
        {
            // Whole-line comments only: '#' also appears inside URIs and strings.
            _text = string.Join("\n", text.Replace("\r\n", "\n").Split('\n').Where(l => !l.TrimStart().StartsWith('#')));
        }

        public static ModuleManifest Load(string path) => new ModuleManifest(File.ReadAllText(path));

        public string ModuleVersion => Required("ModuleVersion");
        public string Guid => GetString("GUID") ?? "";
        public string Author => GetString("Author") ?? "";
        public string CompanyName => GetString("CompanyName") ?? "";
        public string Copyright => GetString("Copyright") ?? "";
        public string Description => Required("Description");
        public string RootModule => GetString("RootModule") ?? "";
        public string PowerShellVersion => GetString("PowerShellVersion") ?? "";
        public string ProjectUri => GetString("ProjectUri") ?? "";
        public string LicenseUri => GetString("LicenseUri") ?? "";
        public string ReleaseNotes => GetString("ReleaseNotes") ?? "";
        public IReadOnlyList<string> Tags => GetList("Tags");
        public IReadOnlyList<string> CmdletsToExport => GetList("CmdletsToExport");
        public IReadOnlyList<string> CompatiblePSEditions => GetList("CompatiblePSEditions");
        public IReadOnlyList<string> FormatsToProcess => GetList("FormatsToProcess");
        public IReadOnlyList<string> TypesToProcess => GetList("TypesToProcess");

        private string Required(string key) =>
            GetString(key) ?? throw new FormatException($"The manifest has no {key}.");

        /// <summary>The string value of <paramref name="key"/>, or null when absent.</summary>
        public string? GetString(string key)
        {
            var here = Regex.Match(_text, @"(?m)^\s*" + key + @"\s*=\s*@'\n(.*?)\n'@", RegexOptions.Singleline | RegexOptions.IgnoreCase);
            if (here.Success)
            {
                return here.Groups[1].Value;
            }

            var single = Regex.Match(_text, @"(?m)^\s*" + key + @"\s*=\s*'((?:[^']|'')*)'", RegexOptions.IgnoreCase);
            if (single.Success)
            {
                return single.Groups[1].Value.Replace("''", "'");
            }

            var dbl = Regex.Match(_text, @"(?m)^\s*" + key + "\\s*=\\s*\"((?:[^\"`]|`.|\"\")*)\"", RegexOptions.IgnoreCase);
            return dbl.Success ? dbl.Groups[1].Value.Replace("\"\"", "\"") : null;
        }

        /// <summary>The strings of <c>Key = @( ... )</c> (or a single string), in order; empty when absent.</summary>
        public IReadOnlyList<string> GetList(string key)
        {
            var list = Regex.Match(_text, @"(?m)^\s*" + key + @"\s*=\s*@\((.*?)\)", RegexOptions.Singleline | RegexOptions.IgnoreCase);
            if (list.Success)
            {
                return Regex.Matches(list.Groups[1].Value, "'((?:[^']|'')*)'|\"([^\"]*)\"")
                    .Cast<Match>()
                    .Select(m => m.Groups[1].Success ? m.Groups[1].Value.Replace("''", "'") : m.Groups[2].Value)
                    .ToList();
            }

            var single = GetString(key);
            return single == null ? Array.Empty<string>() : new[] { single };
        }
    }
}
