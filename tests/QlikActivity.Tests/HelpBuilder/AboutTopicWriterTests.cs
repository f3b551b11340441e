using QlikActivity.HelpBuilder;
using Xunit;

namespace QlikActivity.Tests.HelpBuilder
{
    public class AboutTopicWriterTests
    {
        [Fact]
        public void Headings_become_capitals_text_is_wrapped_and_indented_code_kept()
        {
            string text = AboutTopicWriter.Convert(
                "# about_Thing\n\n## Short description\nDoes a **thing**.\n\n## Long description\n" +
                new string('w', 5) + string.Concat(System.Linq.Enumerable.Repeat(" word", 40)) + "\n\n" +
                "### Sub part\n- item one\n\n```powershell\nGet-QlikThing | Format-Table\n```\n\nSee [Get-QlikThing](Get-QlikThing.md) and [site](https://example.org).\n");
            string[] lines = text.Split('\n');
            Assert.Equal("TOPIC", lines[0]);
            Assert.Equal("    about_Thing", lines[1]);
            Assert.Contains("SHORT DESCRIPTION\n    Does a thing.\n", text);
            Assert.Contains("LONG DESCRIPTION\n    wwwww word", text);
            Assert.All(lines, l => Assert.True(l.Length <= 80, l));
            Assert.Contains("  Sub part\n    - item one\n", text);
            Assert.Contains("\n        Get-QlikThing | Format-Table\n", text);
            Assert.Contains("See Get-QlikThing and site (https://example.org).", text);
        }

        [Fact]
        public void Tables_are_aligned_into_columns()
        {
            string text = AboutTopicWriter.Convert("# about_T\n\n## Map\n| ctrl-q | QlikActivity |\n|---|---|\n| `--host` | -Server |\n| `--virtual-proxy` | -VirtualProxy |\n");
            Assert.Contains("    ctrl-q           QlikActivity\n", text);
            Assert.Contains("    ---------------  -------------\n", text);
            Assert.Contains("    --host           -Server\n", text);
            Assert.Contains("    --virtual-proxy  -VirtualProxy\n", text);
        }
    }
}
