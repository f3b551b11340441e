using QlikActivity.ModulePackager;
using Xunit;

namespace QlikActivity.Tests.ModulePackager
{
    public class ModuleManifestTests
    {
        private const string Text = """
            @{
                # A comment with ModuleVersion = '9.9.9'
                ModuleVersion = '1.2.3'
                Description   = "Double ""quoted"" isn't a problem"
                Author        = 'O''Brien'
                CmdletsToExport = @(
                    'Get-QlikA'
                    'Set-QlikB', "New-QlikC"
                )
                FunctionsToExport = @()
                PrivateData = @{ PSData = @{
                    Tags = @('A', 'B')
                    ProjectUri = 'https://example.org/#readme'
                    ReleaseNotes = @'
            Line one.
            - line two
            '@
                } }
            }
            """;

        [Fact]
        public void Reads_strings_lists_and_here_strings()
        {
            var manifest = new ModuleManifest(Text);
            Assert.Equal("1.2.3", manifest.ModuleVersion);
            Assert.Equal("O'Brien", manifest.Author);
            Assert.Equal("Double \"quoted\" isn't a problem", manifest.Description);
            Assert.Equal(new[] { "Get-QlikA", "Set-QlikB", "New-QlikC" }, manifest.CmdletsToExport);
            Assert.Empty(manifest.GetList("FunctionsToExport"));
            Assert.Equal(new[] { "A", "B" }, manifest.Tags);
            Assert.Equal("https://example.org/#readme", manifest.ProjectUri);
            Assert.Equal("Line one.\n- line two", manifest.ReleaseNotes);
            Assert.Empty(manifest.GetList("AliasesToExport"));
        }
    }
}
