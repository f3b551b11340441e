using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Xunit;

namespace QlikActivity.Tests.Module
{
    /// <summary>
    /// What Windows PowerShell 5.1 loads: the netstandard2.0 build, the polyfills beside it, and the
    /// resolver that answers version mismatches between them.
    /// </summary>
    public class PolyfillResolverTests
    {
        private const string Folder = "/modules/QlikActivity/lib/netstandard2.0";

        private static readonly HashSet<string> Shipped = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            Path.Combine(Folder, "System.Text.Json.dll"),
            Path.Combine(Folder, "System.Runtime.CompilerServices.Unsafe.dll"),
            Path.Combine(Folder, "System.Memory.dll"),
        };

        private static string? Resolve(string assemblyName) =>
            PolyfillResolver.Resolve(new AssemblyName(assemblyName), Folder, Shipped.Contains);

        [Fact]
        public void A_shipped_assembly_is_found_whatever_version_was_asked_for()
        {
            Assert.Equal(Path.Combine(Folder, "System.Runtime.CompilerServices.Unsafe.dll"),
                Resolve("System.Runtime.CompilerServices.Unsafe, Version=4.0.4.1, Culture=neutral, PublicKeyToken=b03f5f7f11d50a3a"));
            Assert.Equal(Path.Combine(Folder, "System.Runtime.CompilerServices.Unsafe.dll"),
                Resolve("System.Runtime.CompilerServices.Unsafe, Version=6.0.0.0, Culture=neutral, PublicKeyToken=b03f5f7f11d50a3a"));
            Assert.Equal(Path.Combine(Folder, "System.Text.Json.dll"), Resolve("System.Text.Json, Version=99.0.0.0"));
            Assert.Equal(Path.Combine(Folder, "System.Memory.dll"), Resolve("System.Memory"));
        }

        [Fact]
        public void What_the_module_does_not_ship_is_left_to_others()
        {
            Assert.Null(Resolve("Newtonsoft.Json, Version=13.0.0.0"));
            Assert.Null(Resolve("System.Threading.Channels, Version=8.0.0.0"));
        }

        [Fact]
        public void Resource_assemblies_and_odd_names_are_never_answered()
        {
            var everything = new Func<string, bool>(_ => true);
            Assert.Null(PolyfillResolver.Resolve(new AssemblyName("System.Text.Json.resources, Culture=de"), Folder, everything));
            Assert.Null(PolyfillResolver.Resolve(new AssemblyName("System.Text.Json"), null, everything));
            Assert.Null(PolyfillResolver.Resolve(new AssemblyName("System.Text.Json"), "", everything));
        }

        [Fact]
        public void Module_initializer_exists_for_both_editions_and_only_acts_on_NET_Framework()
        {
            Assert.True(typeof(System.Management.Automation.IModuleAssemblyInitializer).IsAssignableFrom(typeof(ModuleImport)));
            Assert.False(ModuleImport.IsNetFramework);
            new ModuleImport().OnImport(); // on .NET it registers nothing and does not throw
        }

        /// <summary>Every assembly the 5.1 build references ships beside it or is part of .NET Framework.</summary>
        [Fact]
        public void The_netstandard2_0_folder_holds_every_assembly_the_5_1_build_needs()
        {
            string folder = Repository.NetStandardBuild;
            var frameworkAssemblies = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
            {
                "netstandard", "mscorlib", "System", "System.Core", "System.Xml", "System.Xml.Linq", "System.Data", "System.Numerics",
                "System.Net.Http", "System.Runtime.Serialization", "System.Configuration", "Microsoft.CSharp", "System.Security",
                "System.Management.Automation", "System.ComponentModel.Composition", "System.Drawing",
            };
            var shipped = Directory.GetFiles(folder, "*.dll").Select(Path.GetFileNameWithoutExtension).ToHashSet(StringComparer.OrdinalIgnoreCase);
            Assert.Contains("System.Text.Json", shipped);
            Assert.Contains("System.Threading.Channels", shipped);
            Assert.Contains("Microsoft.Bcl.AsyncInterfaces", shipped);
            Assert.DoesNotContain("System.Management.Automation", shipped);

            var missing = new List<string>();
            foreach (var dll in Directory.GetFiles(folder, "*.dll"))
            {
                foreach (var reference in References(dll))
                {
                    if (!frameworkAssemblies.Contains(reference) && !shipped.Contains(reference))
                    {
                        missing.Add($"{Path.GetFileName(dll)} -> {reference}");
                    }
                }
            }

            Assert.True(missing.Count == 0, "Not shipped for Windows PowerShell 5.1: " + string.Join(", ", missing));
        }

        /// <summary>The 5.1 path must not touch what only PowerShell 7 has.</summary>
        [Fact]
        public void The_5_1_build_uses_no_PowerShell_7_only_interface()
        {
            string dll = Path.Combine(Repository.NetStandardBuild, "QlikActivity.dll");
            using var stream = File.OpenRead(dll);
            using var pe = new PEReader(stream);
            var reader = pe.GetMetadataReader();
            var typeReferences = reader.TypeReferences.Select(h => reader.GetTypeReference(h))
                .Select(t => reader.GetString(t.Namespace) + "." + reader.GetString(t.Name)).ToHashSet();
            Assert.Contains("System.Management.Automation.IModuleAssemblyInitializer", typeReferences);
            Assert.DoesNotContain("System.Management.Automation.IModuleAssemblyCleanup", typeReferences);
            Assert.DoesNotContain("System.Management.Automation.Subsystem", typeReferences.Select(t => t.Substring(0, t.LastIndexOf('.'))));
        }

        private static IEnumerable<string> References(string dll)
        {
            using var stream = File.OpenRead(dll);
            using var pe = new PEReader(stream);
            if (!pe.HasMetadata)
            {
                yield break;
            }

            var reader = pe.GetMetadataReader();
            foreach (var handle in reader.AssemblyReferences)
            {
                yield return reader.GetString(reader.GetAssemblyReference(handle).Name);
            }
        }
    }
}
