using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace QlikActivity.Tests.Module
{
    /// <summary>
    /// Every cmdlet the manifest exports, checked by reflection over the built module. Cases come from
    /// the manifest, so a cmdlet that is listed but not (yet) written fails here by name.
    /// </summary>
    public class ModuleCmdletTests
    {
        public static IEnumerable<object[]> ExportedCmdlets() =>
            Repository.Manifest.CmdletsToExport.Select(name => new object[] { name });

        internal static IReadOnlyList<CmdletMetadata> Implemented => CmdletMetadata.All(Repository.ModuleAssembly);

        internal static CmdletMetadata Find(string name) =>
            Implemented.FirstOrDefault(c => c.Name.Equals(name, StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"The manifest exports {name}, but QlikActivity.dll has no [Cmdlet] class for it.");

        [Fact]
        public void Manifest_exports_exactly_the_cmdlet_classes_of_the_module()
        {
            var exported = Repository.Manifest.CmdletsToExport.OrderBy(n => n, StringComparer.Ordinal).ToList();
            var implemented = Implemented.Select(c => c.Name).OrderBy(n => n, StringComparer.Ordinal).ToList();
            Assert.True(exported.SequenceEqual(implemented),
                "CmdletsToExport and the [Cmdlet] classes differ.\n" +
                $"Exported but not implemented: {string.Join(", ", exported.Except(implemented))}\n" +
                $"Implemented but not exported: {string.Join(", ", implemented.Except(exported))}");
        }

        [Theory]
        [MemberData(nameof(ExportedCmdlets))]
        public void Cmdlet_follows_the_PowerShell_conventions(string name)
        {
            var problems = CmdletRules.All(Find(name)).ToList();
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }

        [Theory]
        [MemberData(nameof(ExportedCmdlets))]
        public void Cmdlet_derives_from_QlikCmdlet_so_Core_reaches_the_host(string name)
        {
            Assert.True(typeof(QlikCmdlet).IsAssignableFrom(Find(name).Type), $"{name} does not derive from QlikCmdlet.");
        }
    }
}
