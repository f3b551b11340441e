using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using QlikActivity.Core.Log4Net;

namespace QlikActivity.Core.Events
{
    /// <summary>What <c>Send-QlikUserEvent</c> sends: one well-formed test event, as the Proxy would.</summary>
    public sealed class UserEventSendRequest
    {
        /// <summary>Host name or address of the machine running the listener.</summary>
        public string Server { get; set; } = "";

        public int Port { get; set; } = EventListenerOptions.DefaultPort;

        public UserEventType EventType { get; set; } = UserEventType.SessionStart;

        public string UserDirectory { get; set; } = "QLIKACTIVITY";

        public string UserId { get; set; } = "testuser";

        /// <summary>The Sense server named in the event; null: this machine's name.</summary>
        public string? Host { get; set; }

        /// <summary>An app to name in the context (<c>/app/ID</c>); null: the hub.</summary>
        public Guid? AppId { get; set; }

        /// <summary>The browser's user agent; null: a current desktop Chrome. Not sent with Stop session.</summary>
        public string? UserAgent { get; set; }

        public LogAppenderFormat Format { get; set; } = LogAppenderFormat.Current;

        /// <summary>How many datagrams to send (each names its number in the message).</summary>
        public int Count { get; set; } = 1;
    }

    /// <summary>Builds and sends test datagrams, so an admin can check the firewall and the listener end to end.</summary>
    public static class UserEventSender
    {
        /// <summary>The user agent sent when none is given.</summary>
        public const string DefaultUserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";

        /// <summary>
        /// The datagram text for a request, in the Proxy's format. <paramref name="number"/> &gt; 0 adds
        /// "(test N of M)" to the message so a run of several can be told apart.
        /// </summary>
        public static string BuildDatagram(UserEventSendRequest request, int number = 0)
        {
            string host = Field(request.Host ?? Environment.MachineName, "Host");
            string directory = Field(request.UserDirectory, "UserDirectory");
            string userId = Field(request.UserId, "UserId");
            bool session = request.EventType == UserEventType.SessionStart || request.EventType == UserEventType.SessionStop;
            string prefix = session ? LogAppenderConfig.SessionPrefix(request.Format) : LogAppenderConfig.ConnectionPrefix(request.Format);
            string command = UserEventParser.CommandOf(request.EventType);
            string context = request.AppId.HasValue ? "/app/" + request.AppId.Value.ToString("D") : "/hub/";
            string ua = request.UserAgent ?? DefaultUserAgent;
            if (ua.IndexOf('\'') >= 0 || ua.IndexOf('\n') >= 0)
            {
                throw Invalid("UserAgent", "a quote or a line break");
            }

            string test = number > 0 ? $" (QlikActivity test {number} of {request.Count})" : " (QlikActivity test)";
            string message = request.EventType switch
            {
                UserEventType.SessionStart => $"Start session for user '{directory}\\{userId}'{test} UserAgent: '{ua}'",
                UserEventType.SessionStop => $"Stop session for user '{directory}\\{userId}'{test}",
                UserEventType.ConnectionOpen => $"Websocket connection Opened for session{test} UserAgent: '{ua}'",
                _ => $"Websocket connection Closed for session{test} UserAgent: '{ua}'",
            };

            return string.Join(";", prefix, host, command, directory, userId, "AppAccess", context, message);
        }

        /// <summary>
        /// Sends <see cref="UserEventSendRequest.Count"/> datagrams after one
        /// <see cref="IOperationHost.ShouldProcess"/> and yields each as sent.
        /// </summary>
        public static IEnumerable<SentUserEvent> Send(IOperationHost host, UserEventSendRequest request)
        {
            if (request == null)
            {
                throw new ArgumentNullException(nameof(request));
            }

            if (request.Port < 1 || request.Port > 65535)
            {
                throw new QlikActivityException($"The port {request.Port} is not between 1 and 65535.", EventErrorIds.InvalidPort, OperationErrorCategory.InvalidArgument);
            }

            if (request.Count < 1)
            {
                throw new QlikActivityException("-Count must be at least 1.", EventErrorIds.InvalidCount, OperationErrorCategory.InvalidArgument);
            }

            BuildDatagram(request); // validates the fields before anything is resolved or asked
            return SendCore(host, request);
        }

        private static IEnumerable<SentUserEvent> SendCore(IOperationHost host, UserEventSendRequest request)
        {
            string target = $"{request.Server}:{request.Port}";
            string action = $"Send {request.Count} test user event(s): {UserEventParser.CommandOf(request.EventType)} for {request.UserDirectory}\\{request.UserId}";
            if (!host.ShouldProcess(target, action))
            {
                yield break;
            }

            var address = Resolve(request.Server);
            var endPoint = new IPEndPoint(address, request.Port);
            host.WriteVerbose($"Sending to {endPoint} (UDP).");
            using var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            for (int i = 1; i <= request.Count; i++)
            {
                host.CancellationToken.ThrowIfCancellationRequested();
                string text = BuildDatagram(request, request.Count > 1 ? i : 0);
                byte[] bytes = Encoding.UTF8.GetBytes(text);
                try
                {
                    socket.SendTo(bytes, endPoint);
                }
                catch (SocketException ex)
                {
                    throw new QlikActivityException($"Could not send to {endPoint}: {ex.Message}", EventErrorIds.SendFailed, OperationErrorCategory.ConnectionError, ex);
                }

                yield return new SentUserEvent
                {
                    SentAt = DateTime.UtcNow,
                    Server = request.Server,
                    Address = address.ToString(),
                    Port = request.Port,
                    EventType = request.EventType,
                    UserDirectory = request.UserDirectory,
                    UserId = request.UserId,
                    Datagram = text,
                    Bytes = bytes.Length,
                };
            }
        }

        private static IPAddress Resolve(string server)
        {
            if (string.IsNullOrWhiteSpace(server))
            {
                throw new QlikActivityException("-Server is empty.", EventErrorIds.InvalidServer, OperationErrorCategory.InvalidArgument);
            }

            if (IPAddress.TryParse(server.Trim(), out var address))
            {
                return address;
            }

            try
            {
                var addresses = Dns.GetHostAddresses(server.Trim());
                // The Proxy's appender sends over IPv4 unless told otherwise; prefer it too.
                return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
                    ?? addresses.FirstOrDefault()
                    ?? throw new QlikActivityException($"'{server}' resolved to no address.", EventErrorIds.ServerNotResolved, OperationErrorCategory.ObjectNotFound);
            }
            catch (SocketException ex)
            {
                throw new QlikActivityException($"'{server}' could not be resolved: {ex.Message}", EventErrorIds.ServerNotResolved, OperationErrorCategory.ObjectNotFound, ex);
            }
        }

        private static string Field(string? value, string name)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new QlikActivityException($"-{name} is empty.", EventErrorIds.InvalidUserEventField, OperationErrorCategory.InvalidArgument);
            }

            if (value!.IndexOf(';') >= 0 || value.IndexOf('\n') >= 0 || value.IndexOf('\r') >= 0)
            {
                throw Invalid(name, "';' or a line break");
            }

            return value;
        }

        private static QlikActivityException Invalid(string name, string what) =>
            new QlikActivityException($"-{name} must not contain {what}: the Proxy's format separates fields with ';'.", EventErrorIds.InvalidUserEventField, OperationErrorCategory.InvalidArgument);
    }
}
