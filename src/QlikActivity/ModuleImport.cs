using System;
using System.IO;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace QlikActivity
{
    /// <summary>
    /// Runs when Import-Module loads QlikActivity.dll. On Windows PowerShell 5.1 (.NET Framework, no
    /// binding redirects in powershell.exe.config) the System.* polyfills shipped beside the module
    /// reference each other at versions that differ from the files shipped, and another module may
    /// have loaded other versions first; an <see cref="AppDomain.AssemblyResolve"/> handler answers
    /// those requests from the module's own folder. PowerShell 7 needs none of this.
    /// Only <see cref="IModuleAssemblyInitializer"/> is implemented: it exists in 5.1, unlike
    /// IModuleAssemblyCleanup, and an assembly handler cannot be unloaded from an AppDomain anyway.
    /// </summary>
    public sealed class ModuleImport : IModuleAssemblyInitializer
    {
        /// <inheritdoc />
        public void OnImport()
        {
            if (IsNetFramework)
            {
                string? folder = Path.GetDirectoryName(typeof(ModuleImport).Assembly.Location);
                if (!string.IsNullOrEmpty(folder))
                {
                    PolyfillResolver.Register(folder!);
                }
            }

            UseModuleNativeLibraries();
            UseDefaultConnectionForCompletion();
        }

        // The journal's native SQLite ships in <module>/runtimes/<rid>/native/, two folders above
        // lib/<tfm>/QlikActivity.dll; neither PowerShell edition looks there by itself.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void UseModuleNativeLibraries()
        {
            string? libFolder = Path.GetDirectoryName(typeof(ModuleImport).Assembly.Location);
            string? moduleFolder = libFolder == null ? null : Path.GetDirectoryName(Path.GetDirectoryName(libFolder));
            if (!string.IsNullOrEmpty(moduleFolder))
            {
                Core.Journal.JournalNativeLibrary.UseModuleFolder(moduleFolder!);
            }
        }

        // A separate method, so Core's types are first touched after the resolver above is in place.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void UseDefaultConnectionForCompletion() =>
            Completion.QrsNameCompletion.DefaultSource = () => DefaultConnection.Current is { IsOpen: true } connection ? connection : null;

        internal static bool IsNetFramework =>
            RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase);
    }
}
