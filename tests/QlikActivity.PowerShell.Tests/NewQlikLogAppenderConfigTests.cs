using System;
using System.IO;
using System.Linq;
using QlikActivity.PowerShell.Tests.Fixtures;
using Xunit;

namespace QlikActivity.PowerShell.Tests
{
    /// <summary>New-QlikLogAppenderConfig in a live runspace.</summary>
    public sealed class NewQlikLogAppenderConfigTests
    {
        [Fact]
        public void The_written_file_is_returned_as_Get_Item_shows_it()
        {
            string folder = Path.Combine(Path.GetTempPath(), "qa-appender-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            try
            {
                string path = Path.Combine(folder, "LocalLogConfig.xml");
                using var session = ModuleSession.Start();
                var result = session.Run("$f = New-QlikLogAppenderConfig 127.0.0.1 -Path $args[0] -Confirm:$false; $f.Length; $f.UnixMode; $f.PSPath; $f.Exists", path);
                Assert.Null(result.Terminated);
                Assert.Empty(result.Errors);
                Assert.Equal(new FileInfo(path).Length, Convert.ToInt64(result.Output[0].BaseObject));
                Assert.True(new FileInfo(path).Length > 0);
                Assert.False(string.IsNullOrWhiteSpace(result.Output[1]?.ToString()));
                Assert.EndsWith("LocalLogConfig.xml", result.Output[2].ToString(), StringComparison.Ordinal);
                Assert.True((bool)result.Output[3].BaseObject);

                // The default view, as a console shows it: the size column is filled in.
                string shown = session.Render($"New-QlikLogAppenderConfig 127.0.0.1 -Path '{path}' -Force -Confirm:$false", 120);
                Assert.Contains(new FileInfo(path).Length.ToString(System.Globalization.CultureInfo.InvariantCulture), shown, StringComparison.Ordinal);
            }
            finally
            {
                Directory.Delete(folder, true);
            }
        }
    }
}
