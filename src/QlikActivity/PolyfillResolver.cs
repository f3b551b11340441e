using System;
using System.IO;
using System.Reflection;
using System.Threading;

namespace QlikActivity
{
    /// <summary>
    /// Resolves assemblies by simple name, whatever version was asked for, from the folder the
    /// module was loaded from (lib/netstandard2.0 on Windows PowerShell 5.1).
    /// </summary>
    internal static class PolyfillResolver
    {
        private static string? _folder;
        private static int _registered;

        public static void Register(string folder)
        {
            if (Interlocked.Exchange(ref _registered, 1) == 1)
            {
                return;
            }

            _folder = folder;
            AppDomain.CurrentDomain.AssemblyResolve += OnAssemblyResolve;
        }

        private static Assembly? OnAssemblyResolve(object? sender, ResolveEventArgs args)
        {
            AssemblyName requested;
            try
            {
                requested = new AssemblyName(args.Name);
            }
            catch (ArgumentException)
            {
                return null;
            }
            catch (FileLoadException)
            {
                return null;
            }

            string? path = Resolve(requested, _folder, File.Exists);
            // LoadFrom returns the already loaded assembly when this path was loaded before.
            return path == null ? null : Assembly.LoadFrom(path);
        }

        /// <summary>
        /// The file that answers <paramref name="requested"/>: <c>&lt;folder&gt;/&lt;Name&gt;.dll</c> when it
        /// exists, whatever version, culture or public key token was asked for (what a binding redirect
        /// would do); null for anything the module does not ship, and for satellite resource assemblies,
        /// which the module does not ship and must not be answered with a code assembly.
        /// </summary>
        public static string? Resolve(AssemblyName requested, string? folder, Func<string, bool> fileExists)
        {
            string? name = requested.Name;
            if (string.IsNullOrEmpty(folder) || string.IsNullOrEmpty(name))
            {
                return null;
            }

            if (name!.EndsWith(".resources", StringComparison.OrdinalIgnoreCase)
                || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0
                || name.Contains("..")
                || name.IndexOf('/') >= 0
                || name.IndexOf('\\') >= 0)
            {
                return null;
            }

            string path = Path.Combine(folder!, name + ".dll");
            return fileExists(path) ? path : null;
        }
    }
}
