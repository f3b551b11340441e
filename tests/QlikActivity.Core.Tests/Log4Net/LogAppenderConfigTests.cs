using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using QlikActivity.Core.Events;
using QlikActivity.Core.Log4Net;
using Xunit;

namespace QlikActivity.Core.Tests.Log4Net
{
    public class LogAppenderConfigTests
    {
        private static readonly DateTime At = DateTime.UtcNow;

        /// <summary>One audit message the Proxy logs on AuditActivity.Proxy, with the properties its layout reads.</summary>
        private sealed record ProxyLogEvent(string Message, string Command, string UserDirectory, string UserId, string Origin, string Context);

        private static readonly ProxyLogEvent[] ProxyEvents =
        {
            new("Start session for user 'CORP\\maria' UserAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/121.0'", "Start session", "CORP", "maria", "AppAccess", "/app/0b8b3c5e-2f4a-4d7e-9c1b-6a5d4e3f2a10"),
            new("Stop session for user 'CORP\\maria'", "Stop session", "CORP", "maria", "Not available", ""),
            new("Websocket connection Opened for session UserAgent: 'Mozilla/5.0 (Macintosh) Safari/605.1.15'", "Open connection", "CORP", "maria", "AppAccess", "/app/0b8b3c5e-2f4a-4d7e-9c1b-6a5d4e3f2a10/sheet/abc"),
            new("Websocket connection Closed for session; reason: timeout", "Close connection", "CORP", "maria", "AppAccess", "/hub/"),
            new("Ticket issued for user 'CORP\\maria'", "Ticket", "CORP", "maria", "AppAccess", "/"),
        };

        private static XDocument Load(string xml) => XDocument.Parse(xml);

        private static string Param(XElement element, string name) =>
            element.Elements("param").Single(p => string.Equals((string?)p.Attribute("name"), name, StringComparison.OrdinalIgnoreCase)).Attribute("value")!.Value;

        [Theory]
        [InlineData(LogAppenderFormat.Current, "/qseow-proxy-session/", "/qseow-proxy-connection/")]
        [InlineData(LogAppenderFormat.Legacy, "/proxy-session/", "/proxy-connection/")]
        public void The_file_has_a_session_and_a_connection_UdpAppender_on_the_audit_logger(LogAppenderFormat format, string sessionPrefix, string connectionPrefix)
        {
            var doc = Load(LogAppenderConfig.Build("listener.corp.example", 9999, format));
            var root = doc.Root!;
            Assert.Equal("configuration", root.Name.LocalName);
            var appenders = root.Elements("appender").ToList();
            Assert.Equal(2, appenders.Count);
            Assert.All(appenders, a =>
            {
                Assert.Equal("log4net.Appender.UdpAppender", (string?)a.Attribute("type"));
                Assert.Equal("listener.corp.example", Param(a, "remoteAddress"));
                Assert.Equal("9999", Param(a, "remotePort"));
                Assert.Equal("utf-8", Param(a, "encoding"));
                var layout = a.Element("layout")!;
                Assert.Equal("log4net.Layout.PatternLayout", (string?)layout.Attribute("type"));
                var converter = layout.Element("converter")!;
                Assert.Equal("hostname", Param(converter, "name"));
                Assert.Equal(LogAppenderConfig.HostNameConverterType, Param(converter, "type"));
                Assert.Equal("log4net.Filter.DenyAllFilter", (string?)a.Elements("filter").Last().Attribute("type"));
            });

            Assert.StartsWith(sessionPrefix + ";%hostname;", Param(appenders[0].Element("layout")!, "conversionPattern"));
            Assert.StartsWith(connectionPrefix + ";%hostname;", Param(appenders[1].Element("layout")!, "conversionPattern"));

            var logger = root.Element("logger")!;
            Assert.Equal("AuditActivity.Proxy", (string?)logger.Attribute("name"));
            Assert.Equal(appenders.Select(a => (string?)a.Attribute("name")), logger.Elements("appender-ref").Select(r => (string?)r.Attribute("ref")));
        }

        [Theory]
        [InlineData(LogAppenderFormat.Current)]
        [InlineData(LogAppenderFormat.Legacy)]
        public void What_each_appender_would_send_round_trips_through_the_parser(LogAppenderFormat format)
        {
            var doc = Load(LogAppenderConfig.Build("10.1.1.9", 9997, format));
            var parser = new UserEventParser();
            var sent = new List<(string Appender, UserEvent Event, ProxyLogEvent Source)>();
            foreach (var appender in doc.Root!.Elements("appender"))
            {
                string pattern = Param(appender.Element("layout")!, "conversionPattern");
                foreach (var logEvent in ProxyEvents.Where(e => Passes(appender, e.Message)))
                {
                    string datagram = Render(pattern, "qs-node1.corp.example", logEvent);
                    var result = parser.Parse(datagram, At, "10.1.1.1");
                    Assert.True(result.IsEvent, $"{datagram} -> {result}");
                    sent.Add(((string)appender.Attribute("name")!, result.Event!, logEvent));
                }
            }

            // Each event leaves through exactly one appender; the ticket message through none.
            Assert.Equal(4, sent.Count);
            Assert.Equal(new[] { "QlikActivitySession", "QlikActivitySession", "QlikActivityConnection", "QlikActivityConnection" }, sent.Select(s => s.Appender));
            Assert.Equal(
                new[] { UserEventType.SessionStart, UserEventType.SessionStop, UserEventType.ConnectionOpen, UserEventType.ConnectionClose },
                sent.Select(s => s.Event.EventType));
            foreach (var (_, e, source) in sent)
            {
                Assert.Equal("qs-node1.corp.example", e.Host);
                Assert.Equal(source.Command, e.Command);
                Assert.Equal(source.UserDirectory, e.UserDirectory);
                Assert.Equal(source.UserId, e.UserId);
                Assert.Equal(source.Origin, e.Origin);
                Assert.Equal(source.Context, e.Context);
                Assert.Equal(source.Message, e.Message);
            }

            Assert.Equal("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/121.0", sent[0].Event.UserAgent);
            Assert.NotNull(sent[2].Event.AppId);
        }

        /// <summary>log4net's filter chain: a StringMatchFilter accepts on a substring match, else passes on; DenyAllFilter denies.</summary>
        private static bool Passes(XElement appender, string message)
        {
            foreach (var filter in appender.Elements("filter"))
            {
                string type = (string)filter.Attribute("type")!;
                if (type == "log4net.Filter.DenyAllFilter")
                {
                    return false;
                }

                Assert.Equal("log4net.Filter.StringMatchFilter", type);
                if (message.Contains(Param(filter, "stringToMatch"), StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return true;
        }

        /// <summary>What PatternLayout renders: %hostname, %property{Name} and %message.</summary>
        private static string Render(string pattern, string hostName, ProxyLogEvent e)
        {
            var properties = new Dictionary<string, string>
            {
                ["Command"] = e.Command,
                ["UserDirectory"] = e.UserDirectory,
                ["UserId"] = e.UserId,
                ["Origin"] = e.Origin,
                ["Context"] = e.Context,
            };
            string text = Regex.Replace(pattern, @"%property\{(\w+)\}", m => properties[m.Groups[1].Value]);
            text = text.Replace("%hostname", hostName).Replace("%message", e.Message);
            Assert.DoesNotContain("%", text.Replace("%2f", "").Replace("%3a", ""));
            return text;
        }

        [Theory]
        [InlineData("")]
        [InlineData("bad host name")]
        [InlineData("x\"><inject/>")]
        public void A_bad_listener_address_is_an_explained_error(string address)
        {
            var ex = Assert.Throws<QlikActivityException>(() => LogAppenderConfig.Build(address, 9997, LogAppenderFormat.Current));
            Assert.Equal("InvalidListenerAddress", ex.ErrorId);
        }

        [Theory]
        [InlineData("fd00::10")]
        [InlineData("192.168.7.7")]
        [InlineData("butler.corp.example")]
        public void Addresses_and_host_names_are_taken(string address)
        {
            Assert.Contains($"value=\"{address}\"", LogAppenderConfig.Build(address, 9997, LogAppenderFormat.Current));
        }

        [Fact]
        public void Writing_asks_first_refuses_to_overwrite_without_force_and_writes_into_a_folder()
        {
            string folder = Path.Combine(Path.GetTempPath(), "qa-log4net-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            try
            {
                var whatIf = new RecordingHost { AnswerShouldProcess = false };
                Assert.Null(LogAppenderConfig.WriteFile(whatIf, folder, "10.0.0.5", 9997, LogAppenderFormat.Current, force: false));
                Assert.Single(whatIf.ShouldProcessCalls);
                Assert.False(File.Exists(Path.Combine(folder, LogAppenderConfig.FileName)));

                var host = new RecordingHost();
                var file = LogAppenderConfig.WriteFile(host, folder, "10.0.0.5", 9997, LogAppenderFormat.Current, force: false)!;
                Assert.Equal(Path.Combine(folder, "LocalLogConfig.xml"), file.FullName);
                Assert.Equal(LogAppenderConfig.Build("10.0.0.5", 9997, LogAppenderFormat.Current), File.ReadAllText(file.FullName));

                var ex = Assert.Throws<QlikActivityException>(() => LogAppenderConfig.WriteFile(host, file.FullName, "10.0.0.6", 9997, LogAppenderFormat.Current, force: false));
                Assert.Equal("FileExists", ex.ErrorId);
                Assert.Contains("10.0.0.5", File.ReadAllText(file.FullName));

                LogAppenderConfig.WriteFile(host, file.FullName, "10.0.0.6", 9997, LogAppenderFormat.Legacy, force: true);
                Assert.Contains("10.0.0.6", File.ReadAllText(file.FullName));
                Assert.Contains("/proxy-session/", File.ReadAllText(file.FullName));
            }
            finally
            {
                Directory.Delete(folder, true);
            }
        }

        [Fact]
        public void A_missing_folder_is_an_explained_error()
        {
            string path = Path.Combine(Path.GetTempPath(), "qa-missing-" + Guid.NewGuid().ToString("N"), "LocalLogConfig.xml");
            var ex = Assert.Throws<QlikActivityException>(() => LogAppenderConfig.WriteFile(new RecordingHost(), path, "10.0.0.5", 9997, LogAppenderFormat.Current, false));
            Assert.Equal("FolderNotFound", ex.ErrorId);
        }
    }
}
