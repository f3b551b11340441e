using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace QlikActivity.Tests.Module
{
    /// <summary>
    /// The project's test rules, checked over the test sources themselves: no assertion on a measured duration
    /// (docs/testing.md, "No wall clocks"). Pacing, retries and timeouts are asserted on the waits they asked
    /// a test clock for; a duration measured on a loaded machine proves nothing and flakes.
    /// </summary>
    public class TestRuleTests
    {
        // An Assert call on the same line as a stopwatch, an Elapsed reading, a difference of recorded times
        // (requests[1].At - requests[0].At) or a Duration compared with < or >. The same expression as the grep
        // in docs/testing.md.
        private static readonly Regex DurationAssertion = new Regex(
            @"^(?!\s*//).*\bAssert\.\w+\(.*(Stopwatch|\bElapsed\w*\b|\.At\s*-\s*\w|\bDuration\s*(>|<))",
            RegexOptions.Compiled);

        [Fact]
        public void No_test_asserts_a_measured_duration()
        {
            var offenders =
                from project in new[] { "QlikActivity.Core.Tests", "QlikActivity.Tests", "QlikActivity.PowerShell.Tests" }
                let folder = Path.Combine(Repository.Root, "tests", project)
                from file in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
                where !file.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar)
                    && !file.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar)
                    && Path.GetFileName(file) != "TestRuleTests.cs" // this file: the rule's own examples
                from line in File.ReadLines(file).Select((text, index) => (text, number: index + 1))
                where DurationAssertion.IsMatch(line.text)
                select $"{Path.GetRelativePath(Repository.Root, file)}:{line.number}: {line.text.Trim()}";

            Assert.Empty(offenders);
        }

        [Theory]
        [InlineData("Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromSeconds(1.9));")]
        [InlineData("Assert.True(stats.Duration >= TimeSpan.FromSeconds(0.9), stats.Duration.ToString());")]
        [InlineData("Assert.InRange(watch.ElapsedMilliseconds, 900, 1100);")]
        [InlineData("Assert.True(Stopwatch.GetElapsedTime(start) < TimeSpan.FromSeconds(2));")]
        public void The_rule_recognises_the_duration_assertions_it_forbids(string line)
        {
            Assert.Matches(DurationAssertion, line);
        }

        [Theory]
        [InlineData("Assert.Equal(new[] { TimeSpan.FromSeconds(2) }, clock.Delays);")]
        [InlineData("Assert.Equal(TimeSpan.FromSeconds(1), stats.Duration);")]
        [InlineData("// Assert.True(stats.Duration > TimeSpan.Zero);")]
        public void The_rule_leaves_scheduled_waits_and_exact_test_clock_values_alone(string line)
        {
            Assert.DoesNotMatch(DurationAssertion, line);
        }
    }
}
