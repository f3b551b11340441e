using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
#if NET
using System.Reflection;
using System.Runtime.Loader;
#endif

namespace QlikActivity.Core.Journal
{
    /// <summary>
    /// Finds the native SQLite library (<c>e_sqlite3</c>) of the journal in a module's own
    /// <c>runtimes/&lt;rid&gt;/native/</c> folder. An application (tests, benchmarks) finds it through
    /// its deps.json and needs none of this; PowerShell's deps.json does not know the module's
    /// native files, so the module calls <see cref="UseModuleFolder"/> at import.
    /// </summary>
    public static class JournalNativeLibrary
    {
        private const string LibraryName = "e_sqlite3";
        private static string? _moduleFolder;
        private static int _registered;

        /// <summary>Where the module keeps its native libraries, once <see cref="UseModuleFolder"/> ran.</summary>
        public static string? ModuleFolder => _moduleFolder;

        /// <summary>The path the native library was loaded from by this class, if it loaded one.</summary>
        public static string? LoadedFrom { get; private set; }

        /// <summary>
        /// Answers requests for <c>e_sqlite3</c> from <c>&lt;moduleFolder&gt;/runtimes/&lt;rid&gt;/native/</c>.
        /// PowerShell 7 (.NET 8+): an <c>AssemblyLoadContext.ResolvingUnmanagedDll</c> handler, asked
        /// only after the runtime's own probing failed, so a host that already ships SQLite keeps its own.
        /// Windows PowerShell 5.1 (.NET Framework): the DLL is loaded by full path at once; Windows then
        /// answers the provider's <c>DllImport("e_sqlite3")</c> with the module already in the process.
        /// </summary>
        public static void UseModuleFolder(string moduleFolder)
        {
            if (string.IsNullOrEmpty(moduleFolder))
            {
                throw new ArgumentException("The module folder is empty.", nameof(moduleFolder));
            }

            _moduleFolder = moduleFolder;
            if (Interlocked.Exchange(ref _registered, 1) == 1)
            {
                return;
            }

#if NET
            AssemblyLoadContext.Default.ResolvingUnmanagedDll += OnResolvingUnmanagedDll;
            var own = AssemblyLoadContext.GetLoadContext(typeof(JournalNativeLibrary).Assembly);
            if (own != null && own != AssemblyLoadContext.Default)
            {
                own.ResolvingUnmanagedDll += OnResolvingUnmanagedDll;
            }
#else
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
                && RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase))
            {
                string? path = PathFor(moduleFolder);
                if (path != null && File.Exists(path))
                {
                    if (LoadLibraryW(path) == IntPtr.Zero)
                    {
                        throw new QlikActivityException(
                            $"The journal's SQLite library '{path}' could not be loaded (Windows error {Marshal.GetLastWin32Error()}). Reinstall the module.",
                            JournalErrorIds.NativeLibraryNotLoaded, OperationErrorCategory.ResourceUnavailable);
                    }

                    LoadedFrom = path;
                }
            }
#endif
        }

#if NET
        private static IntPtr OnResolvingUnmanagedDll(Assembly requester, string name)
        {
            if (!IsSqliteName(name) || _moduleFolder == null)
            {
                return IntPtr.Zero;
            }

            string? path = PathFor(_moduleFolder);
            if (path == null || !File.Exists(path) || !NativeLibrary.TryLoad(path, out IntPtr handle))
            {
                return IntPtr.Zero;
            }

            LoadedFrom = path;
            return handle;
        }

        private static bool IsSqliteName(string name)
        {
            string file = Path.GetFileNameWithoutExtension(name);
            return string.Equals(file, LibraryName, StringComparison.OrdinalIgnoreCase)
                || string.Equals(file, "lib" + LibraryName, StringComparison.OrdinalIgnoreCase);
        }
#else
        [DllImport("kernel32", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern IntPtr LoadLibraryW(string path);
#endif

        /// <summary>
        /// The runtime identifier of this process as the module's folders name it
        /// (<c>win-x64</c>, <c>linux-arm64</c>, <c>linux-musl-x64</c>, <c>osx-arm64</c>, ...), or null on a platform the module does not ship for.
        /// </summary>
        public static string? RuntimeIdentifier
        {
            get
            {
                string? arch = RuntimeInformation.ProcessArchitecture switch
                {
                    Architecture.X64 => "x64",
                    Architecture.X86 => "x86",
                    Architecture.Arm64 => "arm64",
                    _ => null,
                };
                if (arch == null)
                {
                    return null;
                }

                if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                {
                    return "win-" + arch;
                }

                if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX))
                {
                    return "osx-" + arch;
                }

                if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
                {
                    return (IsMusl() ? "linux-musl-" : "linux-") + arch;
                }

                return null;
            }
        }

        /// <summary>The file name of the native library on this operating system.</summary>
        public static string FileName =>
            RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? LibraryName + ".dll"
            : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "lib" + LibraryName + ".dylib"
            : "lib" + LibraryName + ".so";

        /// <summary>The native library this process needs inside <paramref name="moduleFolder"/>, or null on an unsupported platform.</summary>
        public static string? PathFor(string moduleFolder)
        {
            string? rid = RuntimeIdentifier;
            return rid == null ? null : Path.Combine(moduleFolder, "runtimes", rid, "native", FileName);
        }

        // Alpine and other musl distributions: glibc's builds do not load there.
        private static bool IsMusl()
        {
            try
            {
                return Directory.Exists("/lib") && Directory.GetFiles("/lib", "ld-musl-*.so.1").Length > 0;
            }
            catch (IOException)
            {
                return false;
            }
            catch (UnauthorizedAccessException)
            {
                return false;
            }
        }
    }
}
