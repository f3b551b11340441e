using System;
using System.Globalization;
using System.IO;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;

namespace QlikActivity.Core.Log4Net
{
    /// <summary>
    /// Writes the Qlik Sense Proxy's <c>LocalLogConfig.xml</c>: two log4net UdpAppenders on the
    /// <c>AuditActivity.Proxy</c> logger, one for session starts and stops, one for connection opens
    /// and closes, each sending one datagram per event to the listener.
    /// </summary>
    public static class LogAppenderConfig
    {
        /// <summary>The file name the Proxy reads from its log folder.</summary>
        public const string FileName = "LocalLogConfig.xml";

        /// <summary>The logger that carries the Proxy's session and connection audit messages.</summary>
        public const string LoggerName = "AuditActivity.Proxy";

        /// <summary>Qlik's converter that renders <c>%hostname</c>.</summary>
        public const string HostNameConverterType = "Qlik.Sense.Logging.log4net.Layout.Pattern.HostNamePatternConverter";

        /// <summary>The messages (log4net StringMatchFilter substrings) that select session events.</summary>
        public static readonly string[] SessionMessages = { "Start session for user", "Stop session for user" };

        /// <summary>The messages that select connection events.</summary>
        public static readonly string[] ConnectionMessages = { "connection Opened for session", "connection Closed for session" };

        private static readonly Regex HostName = new Regex(@"^[A-Za-z0-9]([A-Za-z0-9\-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9\-]{0,62}))*\.?$", RegexOptions.CultureInvariant);

        /// <summary>The prefix of session datagrams in a format, e.g. <c>/qseow-proxy-session/</c>.</summary>
        public static string SessionPrefix(LogAppenderFormat format) => format == LogAppenderFormat.Legacy ? "/proxy-session/" : "/qseow-proxy-session/";

        /// <summary>The prefix of connection datagrams in a format.</summary>
        public static string ConnectionPrefix(LogAppenderFormat format) => format == LogAppenderFormat.Legacy ? "/proxy-connection/" : "/qseow-proxy-connection/";

        /// <summary>The PatternLayout conversion pattern of an appender with <paramref name="prefix"/>.</summary>
        public static string ConversionPattern(string prefix) =>
            prefix + ";%hostname;%property{Command};%property{UserDirectory};%property{UserId};%property{Origin};%property{Context};%message";

        /// <summary>The XML text (UTF-8 declaration, indented). Throws <see cref="QlikActivityException"/> on a bad address or port.</summary>
        public static string Build(string listenerAddress, int port, LogAppenderFormat format)
        {
            string address = ValidateAddress(listenerAddress);
            if (port < 1 || port > 65535)
            {
                throw new QlikActivityException($"The port {port} is not between 1 and 65535.", LogAppenderErrorIds.InvalidPort, OperationErrorCategory.InvalidArgument);
            }

            var settings = new XmlWriterSettings
            {
                Indent = true,
                IndentChars = "  ",
                Encoding = new UTF8Encoding(false),
                NewLineChars = "\r\n",
            };
            using var stream = new MemoryStream();
            using (var w = XmlWriter.Create(stream, settings))
            {
                w.WriteStartDocument();
                w.WriteComment(
                    " Written by QlikActivity (New-QlikLogAppenderConfig). Place it in C:\\ProgramData\\Qlik\\Sense\\Proxy\\ on each Sense server"
                    + " and restart the Qlik Sense Proxy Service; each session and connection event is then sent as one UDP datagram"
                    + $" to {address} port {port.ToString(CultureInfo.InvariantCulture)} (Start-QlikEventListener). ");
                w.WriteStartElement("configuration");

                WriteAppender(w, "QlikActivitySession", SessionMessages, address, port, SessionPrefix(format));
                WriteAppender(w, "QlikActivityConnection", ConnectionMessages, address, port, ConnectionPrefix(format));

                w.WriteStartElement("logger");
                w.WriteAttributeString("name", LoggerName);
                foreach (string name in new[] { "QlikActivitySession", "QlikActivityConnection" })
                {
                    w.WriteStartElement("appender-ref");
                    w.WriteAttributeString("ref", name);
                    w.WriteEndElement();
                }

                w.WriteEndElement();
                w.WriteEndElement();
                w.WriteEndDocument();
            }

            return Encoding.UTF8.GetString(stream.ToArray()) + "\r\n";
        }

        /// <summary>
        /// Writes the file at <paramref name="path"/> (a folder gets <c>LocalLogConfig.xml</c> inside it)
        /// after <see cref="IOperationHost.ShouldProcess"/>. An existing file is replaced only with
        /// <paramref name="force"/>. Returns the file, or null under -WhatIf.
        /// </summary>
        public static FileInfo? WriteFile(IOperationHost host, string path, string listenerAddress, int port, LogAppenderFormat format, bool force)
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                throw new QlikActivityException("-Path is empty.", LogAppenderErrorIds.InvalidPath, OperationErrorCategory.InvalidArgument);
            }

            string xml = Build(listenerAddress, port, format);
            string file = Directory.Exists(path) ? Path.Combine(path, FileName) : path;
            if (File.Exists(file) && !force)
            {
                throw new QlikActivityException(
                    $"The file '{file}' exists already. Use -Force to replace it.",
                    LogAppenderErrorIds.FileExists,
                    OperationErrorCategory.WriteError);
            }

            if (!host.ShouldProcess(file, $"Write the Proxy log appender configuration (events to {listenerAddress} port {port})"))
            {
                return null;
            }

            try
            {
                string? folder = Path.GetDirectoryName(Path.GetFullPath(file));
                if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
                {
                    throw new QlikActivityException($"The folder '{folder}' does not exist.", LogAppenderErrorIds.FolderNotFound, OperationErrorCategory.ObjectNotFound);
                }

                File.WriteAllText(file, xml, new UTF8Encoding(false));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new QlikActivityException($"Could not write '{file}': {ex.Message}", LogAppenderErrorIds.WriteFailed, OperationErrorCategory.WriteError, ex);
            }

            host.WriteVerbose($"Wrote {file}. Restart the Qlik Sense Proxy Service on that server to load it.");
            return new FileInfo(file);
        }

        private static string ValidateAddress(string listenerAddress)
        {
            string address = (listenerAddress ?? "").Trim();
            if (address.Length == 0 || (!IPAddress.TryParse(address, out _) && !HostName.IsMatch(address)))
            {
                throw new QlikActivityException(
                    $"-ListenerAddress '{listenerAddress}' is not a host name or IP address.",
                    LogAppenderErrorIds.InvalidListenerAddress,
                    OperationErrorCategory.InvalidArgument);
            }

            return address;
        }

        private static void WriteAppender(XmlWriter w, string name, string[] messages, string address, int port, string prefix)
        {
            w.WriteStartElement("appender");
            w.WriteAttributeString("name", name);
            w.WriteAttributeString("type", "log4net.Appender.UdpAppender");

            // Accept the audit messages of this kind, deny everything else on the logger.
            foreach (string message in messages)
            {
                w.WriteStartElement("filter");
                w.WriteAttributeString("type", "log4net.Filter.StringMatchFilter");
                Param(w, "stringToMatch", message);
                w.WriteEndElement();
            }

            w.WriteStartElement("filter");
            w.WriteAttributeString("type", "log4net.Filter.DenyAllFilter");
            w.WriteEndElement();

            Param(w, "remoteAddress", address);
            Param(w, "remotePort", port.ToString(CultureInfo.InvariantCulture));
            Param(w, "encoding", "utf-8");

            w.WriteStartElement("layout");
            w.WriteAttributeString("type", "log4net.Layout.PatternLayout");
            w.WriteStartElement("converter");
            Param(w, "name", "hostname");
            Param(w, "type", HostNameConverterType);
            w.WriteEndElement();
            Param(w, "conversionPattern", ConversionPattern(prefix));
            w.WriteEndElement();

            w.WriteEndElement();
        }

        private static void Param(XmlWriter w, string name, string value)
        {
            w.WriteStartElement("param");
            w.WriteAttributeString("name", name);
            w.WriteAttributeString("value", value);
            w.WriteEndElement();
        }
    }
}
