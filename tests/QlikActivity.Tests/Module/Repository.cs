using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Xml.Linq;
using QlikActivity.ModulePackager;

namespace QlikActivity.Tests.Module
{
    /// <summary>Paths of the checkout the tests run from, and the module as built.</summary>
    internal static class Repository
    {
        private static readonly Lazy<string> RootPath = new Lazy<string>(() =>
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "QlikActivity.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("QlikActivity.sln not found above " + AppContext.BaseDirectory);
        });

        public static string Root => RootPath.Value;

        public static string ModuleSource => Path.Combine(Root, "module");

        public static string ManifestPath => Path.Combine(ModuleSource, "QlikActivity.psd1");

        public static string FormatPath => Path.Combine(ModuleSource, "QlikActivity.format.ps1xml");

        public static string TypesPath => Path.Combine(ModuleSource, "QlikActivity.types.ps1xml");

        public static string Docs => Path.Combine(Root, "docs", "en-US");

        public static ModuleManifest Manifest => ModuleManifest.Load(ManifestPath);

        /// <summary>The binary module as the tests load it (its net8.0 build).</summary>
        public static Assembly ModuleAssembly => typeof(QlikCmdlet).Assembly;

        /// <summary>Release or Debug: the configuration this test assembly was built in.</summary>
        public static string Configuration =>
            new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

        /// <summary>The netstandard2.0 build of the binary module with its polyfills (what Windows PowerShell 5.1 loads).</summary>
        public static string NetStandardBuild
        {
            get
            {
                string dir = Path.Combine(Root, "src", "QlikActivity", "bin", Configuration, "netstandard2.0");
                if (!File.Exists(Path.Combine(dir, "QlikActivity.dll")))
                {
                    throw new InvalidOperationException($"{dir} has no QlikActivity.dll: build the solution (dotnet build QlikActivity.sln -c {Configuration}), which builds both target frameworks.");
                }

                return dir;
            }
        }

        public static XDocument LoadXml(string path) => XDocument.Load(path, LoadOptions.SetLineInfo);

        public static string TempDirectory()
        {
            string dir = Path.Combine(Path.GetTempPath(), "qlikactivity-tests-" + Guid.NewGuid().ToString("N").Substring(0, 12));
            Directory.CreateDirectory(dir);
            return dir;
        }
    }
}
