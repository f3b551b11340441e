using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace QlikActivity.Tests.Module
{
    /// <summary>
    /// The module as laid out in out/QlikActivity ships the journal's SQLite: the managed assemblies
    /// in each lib/&lt;tfm&gt;/, and the native e_sqlite3 of every supported runtime in runtimes/,
    /// each built for the architecture its folder names; and PowerShell 7 loads it from there.
    /// </summary>
    [Trait("Category", "Integration")]
    public class JournalModuleTests
    {
        private static string ModuleOut => Path.Combine(Repository.Root, "out", "QlikActivity");

        public static TheoryData<string, string, string> NativeLibraries() => new TheoryData<string, string, string>
        {
            { "win-x64", "e_sqlite3.dll", "PE:8664" },
            { "win-x86", "e_sqlite3.dll", "PE:014C" },
            { "win-arm64", "e_sqlite3.dll", "PE:AA64" },
            { "linux-x64", "libe_sqlite3.so", "ELF:003E" },
            { "linux-arm64", "libe_sqlite3.so", "ELF:00B7" },
            { "linux-musl-x64", "libe_sqlite3.so", "ELF:003E" },
            { "linux-musl-arm64", "libe_sqlite3.so", "ELF:00B7" },
            { "osx-x64", "libe_sqlite3.dylib", "MACHO:01000007" },
            { "osx-arm64", "libe_sqlite3.dylib", "MACHO:0100000C" },
        };

        [Theory]
        [MemberData(nameof(NativeLibraries))]
        public void The_module_ships_the_native_sqlite_of_each_runtime(string rid, string file, string machine)
        {
            string path = Path.Combine(ModuleOut, "runtimes", rid, "native", file);
            Assert.True(File.Exists(path), $"{path} is missing: build the solution (dotnet build QlikActivity.sln -c {Repository.Configuration}).");
            Assert.Equal(machine, MachineOf(File.ReadAllBytes(path)));
        }

        [Theory]
        [InlineData("net8.0")]
        [InlineData("netstandard2.0")]
        public void Each_edition_folder_has_the_managed_sqlite_assemblies(string framework)
        {
            string folder = Path.Combine(ModuleOut, "lib", framework);
            foreach (var name in new[] { "Microsoft.Data.Sqlite.dll", "SQLitePCLRaw.core.dll", "SQLitePCLRaw.provider.e_sqlite3.dll", "SQLitePCLRaw.batteries_v2.dll" })
            {
                Assert.True(File.Exists(Path.Combine(folder, name)), $"{framework} lacks {name}: build the solution (dotnet build QlikActivity.sln -c {Repository.Configuration}).");
            }
        }

        [Fact]
        public async Task PowerShell_7_imports_the_module_and_opens_a_journal_with_the_shipped_native_library()
        {
            string pwsh = FindPwsh();
            string dir = Repository.TempDirectory();
            try
            {
                string journal = Path.Combine(dir, "events.journal");
                string script = string.Join("; ", new[]
                {
                    "$ErrorActionPreference = 'Stop'",
                    $"Import-Module '{Path.Combine(ModuleOut, "QlikActivity.psd1")}'",
                    $"$j = [QlikActivity.Core.Journal.EventJournal]::Open([QlikActivity.Core.Journal.EventJournalOptions]::new('{journal}'))",
                    "$e = [QlikActivity.Core.UserEvent]::new()",
                    "$e.ReceivedAt = [datetime]::UtcNow; $e.Host = 'sense1'; $e.UserDirectory = 'LAB'; $e.UserId = 'anna'; $e.Command = 'Start session'",
                    "$id = $j.Append($e)",
                    "$null = $j.Flush([timespan]::FromSeconds(30)); $j.Dispose()",
                    $"$r = [QlikActivity.Core.Journal.JournalReader]::Open('{journal}')",
                    "$read = @($r.ReadEvents([QlikActivity.Core.Journal.UserEventQuery]::new())); $r.Dispose()",
                    "'id=' + $id",
                    "'read=' + $read.Count + ' ' + $read[0].Event.UserFull",
                    "'native=' + [QlikActivity.Core.Journal.JournalNativeLibrary]::LoadedFrom",
                });
                var start = new ProcessStartInfo(pwsh) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                start.ArgumentList.Add("-NoProfile");
                start.ArgumentList.Add("-NonInteractive");
                start.ArgumentList.Add("-Command");
                start.ArgumentList.Add(script);
                using var process = Process.Start(start)!;
                var stderr = process.StandardError.ReadToEndAsync();
                string stdout = process.StandardOutput.ReadToEnd();
                Assert.True(process.WaitForExit(120_000), "pwsh did not finish within 2 minutes");
                string output = stdout + await stderr;
                Assert.True(process.ExitCode == 0, output);
                Assert.Contains("id=1", output);
                Assert.Contains("read=1 LAB\\anna", output);
                string expected = Path.Combine(ModuleOut, "runtimes", Core.Journal.JournalNativeLibrary.RuntimeIdentifier!, "native", Core.Journal.JournalNativeLibrary.FileName);
                Assert.Contains("native=" + expected, output);
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        private static string FindPwsh()
        {
            QlikActivity.Testing.UnitOnlyRun.Refuse("pwsh");
            string exe = OperatingSystem.IsWindows() ? "pwsh.exe" : "pwsh";
            var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
                .Append(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools"))
                .Where(d => d.Length > 0)
                .Select(d => Path.Combine(d, exe));
            return candidates.FirstOrDefault(File.Exists)
                ?? throw new InvalidOperationException("pwsh (PowerShell 7) was not found on PATH or in ~/.dotnet/tools: dotnet tool install --global PowerShell --version 7.6.10");
        }

        // The machine a native library was built for: PE machine, ELF e_machine or Mach-O cputype.
        private static string MachineOf(byte[] b)
        {
            if (b.Length > 0x40 && b[0] == 'M' && b[1] == 'Z')
            {
                int pe = BitConverter.ToInt32(b, 0x3C);
                return "PE:" + BitConverter.ToUInt16(b, pe + 4).ToString("X4");
            }

            if (b.Length > 20 && b[0] == 0x7F && b[1] == 'E' && b[2] == 'L' && b[3] == 'F')
            {
                return "ELF:" + BitConverter.ToUInt16(b, 18).ToString("X4");
            }

            if (b.Length > 8 && BitConverter.ToUInt32(b, 0) == 0xFEEDFACF)
            {
                return "MACHO:" + BitConverter.ToUInt32(b, 4).ToString("X8");
            }

            if (b.Length > 8 && BitConverter.ToUInt32(b, 0) == 0xBEBAFECA)
            {
                return "MACHO:universal";
            }

            return "unknown";
        }
    }
}
