using System;
using System.Linq;
using Xunit;

namespace QlikActivity.PowerShell.Tests.Fixtures
{
    /// <summary>A rendered table's non-empty lines, each asserted to fit the console width.</summary>
    internal static class JournalViews
    {
        public static string[] Lines(string text, int width)
        {
            var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToArray();
            Assert.NotEmpty(lines);
            Assert.All(lines, l => Assert.True(l.Length <= width, $"wider than {width}: {l}\n{text}"));
            return lines;
        }
    }
}
