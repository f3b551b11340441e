using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
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

        private static string TempFolder()
        {
            string folder = Path.Combine(Path.GetTempPath(), "qa-appender-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            return folder;
        }

        [Fact]
        public void Without_Path_it_returns_the_XML_text_and_writes_nothing()
        {
            using var session = ModuleSession.Start();
            var result = session.Run("New-QlikLogAppenderConfig -ListenerAddress monitor.lab.local -Port 9998 -Format Legacy");
            Assert.Empty(result.Errors);
            string xml = Assert.IsType<string>(Assert.Single(result.Output).BaseObject);
            var document = System.Xml.Linq.XDocument.Parse(xml);
            Assert.Contains("monitor.lab.local", xml, StringComparison.Ordinal);
            Assert.Contains("9998", xml, StringComparison.Ordinal);
            Assert.Contains("/proxy-session/", xml, StringComparison.Ordinal);
            Assert.DoesNotContain("/qseow-proxy-session/", xml, StringComparison.Ordinal);
            Assert.NotNull(document.Root);
        }

        [Fact]
        public void WhatIf_names_the_file_and_writes_nothing()
        {
            string folder = TempFolder();
            try
            {
                using var session = ModuleSession.Start();
                var result = session.Run("New-QlikLogAppenderConfig 10.1.0.50 -Path $args[0] -WhatIf", folder);
                Assert.Null(result.Terminated);
                Assert.Empty(result.Errors);
                Assert.Empty(result.Output);
                string file = Path.Combine(folder, "LocalLogConfig.xml");
                Assert.Contains($"What if: Performing the operation \"Write the Proxy log appender configuration (events to 10.1.0.50 port 9997)\" on target \"{file}\".", session.Host.Text("Host"));
                Assert.Empty(Directory.GetFileSystemEntries(folder));
            }
            finally
            {
                Directory.Delete(folder, true);
            }
        }

        [Fact]
        public void Confirm_No_writes_nothing_and_Yes_writes_the_file()
        {
            string folder = TempFolder();
            try
            {
                string file = Path.Combine(folder, "LocalLogConfig.xml");
                using var session = ModuleSession.Start();
                session.Host.Answer("No");
                var declined = session.Run("New-QlikLogAppenderConfig 10.1.0.50 -Path $args[0] -Confirm", file);
                Assert.Empty(declined.Output);
                Assert.False(File.Exists(file));

                session.Host.Answer("Yes");
                var accepted = session.Run("New-QlikLogAppenderConfig 10.1.0.50 -Path $args[0] -Confirm", file);
                Assert.Single(accepted.Output);
                Assert.Contains("10.1.0.50", File.ReadAllText(file), StringComparison.Ordinal);
                Assert.Equal(2, session.Host.Text("Prompt").Count);
            }
            finally
            {
                Directory.Delete(folder, true);
            }
        }

        [Fact]
        public void An_existing_file_needs_Force_and_is_left_as_it_was()
        {
            string folder = TempFolder();
            try
            {
                string file = Path.Combine(folder, "LocalLogConfig.xml");
                File.WriteAllText(file, "<config>the admin's own</config>");
                using var session = ModuleSession.Start();
                var result = session.Run("New-QlikLogAppenderConfig 10.1.0.50 -Path $args[0] -Confirm:$false", file);
                var record = result.TerminatingRecord;
                Assert.NotNull(record);
                Assert.StartsWith("FileExists,", record!.FullyQualifiedErrorId, StringComparison.Ordinal);
                Assert.Equal(ErrorCategory.WriteError, record.CategoryInfo.Category);
                Assert.Equal(file, record.TargetObject);
                Assert.Equal("<config>the admin's own</config>", File.ReadAllText(file));

                var caught = session.Run("try { New-QlikLogAppenderConfig 10.1.0.50 -Path $args[0] -Confirm:$false -ErrorAction Stop; 'not reached' } catch { $_.FullyQualifiedErrorId }", file);
                Assert.StartsWith("FileExists,", Assert.Single(caught.Output).ToString(), StringComparison.Ordinal);

                var forced = session.Run("New-QlikLogAppenderConfig 10.1.0.50 -Path $args[0] -Force -Confirm:$false", file);
                Assert.Empty(forced.Errors);
                Assert.Contains("10.1.0.50", File.ReadAllText(file), StringComparison.Ordinal);
            }
            finally
            {
                Directory.Delete(folder, true);
            }
        }

        [Fact]
        public void A_missing_folder_and_a_bad_address_are_explained()
        {
            using var session = ModuleSession.Start();
            string missing = Path.Combine(Path.GetTempPath(), "qa-missing-" + Guid.NewGuid().ToString("N"), "LocalLogConfig.xml");
            var folder = session.Run("New-QlikLogAppenderConfig 10.1.0.50 -Path $args[0] -Confirm:$false", missing);
            Assert.StartsWith("FolderNotFound,", folder.TerminatingRecord?.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal(ErrorCategory.ObjectNotFound, folder.TerminatingRecord!.CategoryInfo.Category);

            var address = session.Run("New-QlikLogAppenderConfig 'not a host!'");
            Assert.StartsWith("InvalidListenerAddress,", address.TerminatingRecord?.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal(ErrorCategory.InvalidArgument, address.TerminatingRecord!.CategoryInfo.Category);
            Assert.Equal("not a host!", address.TerminatingRecord.TargetObject);
        }

        [Fact]
        public void The_file_view_shows_the_size_and_the_name_at_80()
        {
            string folder = TempFolder();
            try
            {
                using var session = ModuleSession.Start();
                string text = session.Render($"New-QlikLogAppenderConfig 127.0.0.1 -Path '{folder}' -Confirm:$false", 80);
                Assert.All(ConnectQlikSenseTests.Lines(text), l => Assert.True(l.Length <= 80, l));
                long size = new FileInfo(Path.Combine(folder, "LocalLogConfig.xml")).Length;
                // PowerShell's own file view (as Get-Item shows it) wraps a name longer than its last column at 80.
                Assert.Contains(ConnectQlikSenseTests.Lines(text), l => System.Text.RegularExpressions.Regex.IsMatch(l, $@"\s{size}\s+LocalLogConfig"));
            }
            finally
            {
                Directory.Delete(folder, true);
            }
        }

        [Fact]
        public void Get_Help_shows_the_written_help()
        {
            HelpAssert.HasWrittenHelp("New-QlikLogAppenderConfig", "ListenerAddress", "Port", "Path", "Format", "Force");
        }
    }
}
