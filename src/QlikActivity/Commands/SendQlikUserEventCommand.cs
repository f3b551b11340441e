using System;
using System.Management.Automation;
using QlikActivity.Completion;
using QlikActivity.Core;
using QlikActivity.Core.Events;
using QlikActivity.Core.Log4Net;

namespace QlikActivity.Commands
{
    /// <summary>
    /// Send-QlikUserEvent: sends a well-formed test user event over UDP, as the Proxy would, to check
    /// the firewall and the listener end to end.
    /// </summary>
    [Cmdlet(VerbsCommunications.Send, "QlikUserEvent", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(SentUserEvent))]
    public sealed class SendQlikUserEventCommand : QlikCmdlet
    {
        /// <summary>Host name or address of the machine running Start-QlikEventListener.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Server { get; set; } = "";

        /// <summary>The UDP port the listener listens on.</summary>
        [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, 65535)]
        public int Port { get; set; } = EventListenerOptions.DefaultPort;

        /// <summary>Which event to send.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(EventTypeCompleter))]
        public UserEventType EventType { get; set; } = UserEventType.SessionStart;

        /// <summary>The user directory in the event.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string UserDirectory { get; set; } = "QLIKACTIVITY";

        /// <summary>The user id in the event.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string UserId { get; set; } = "testuser";

        /// <summary>The Sense server named in the event; this machine's name when omitted.</summary>
        [Parameter]
        [Alias("Host")]
        [ValidateNotNullOrEmpty]
        public string? HostName { get; set; }

        /// <summary>An app id to put in the context (/app/ID).</summary>
        [Parameter]
        public Guid AppId { get; set; }

        /// <summary>The browser user agent in the message.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? UserAgent { get; set; }

        /// <summary>Current (/qseow-proxy-*) or Legacy (/proxy-*) prefixes.</summary>
        [Parameter]
        public LogAppenderFormat Format { get; set; } = LogAppenderFormat.Current;

        /// <summary>How many datagrams to send.</summary>
        [Parameter]
        [ValidateRange(1, 1000000)]
        public int Count { get; set; } = 1;

        /// <summary>Return what was sent.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            var request = new UserEventSendRequest
            {
                Server = Server,
                Port = Port,
                EventType = EventType,
                UserDirectory = UserDirectory,
                UserId = UserId,
                Host = HostName,
                AppId = MyInvocation.BoundParameters.ContainsKey(nameof(AppId)) ? AppId : (Guid?)null,
                UserAgent = UserAgent,
                Format = Format,
                Count = Count,
            };

            // One server's failure (a name that does not resolve, a bad field) is that record's error:
            // the other servers piped in are still sent to; -ErrorAction Stop makes it end the run.
            int sent = 0;
            try
            {
                foreach (var userEvent in UserEventSender.Send(this, request))
                {
                    sent++;
                    if (PassThru.IsPresent)
                    {
                        WriteObject(userEvent);
                    }
                }
            }
            catch (QlikActivityException ex)
            {
                WriteError(ErrorRecordFrom(ex, ex.ErrorId, ex.Category, Server));
            }
            catch (OperationCanceledException) when (Stopping)
            {
                // Ctrl+C: PowerShell takes no more output, so say on the host what was sent.
                WriteStopped(sent);
            }
            catch (PipelineStoppedException)
            {
                WriteStopped(sent);
                throw;
            }
        }

        private void WriteStopped(int sent) =>
            Host?.UI?.WriteWarningLine($"Stopped: sent {sent:N0} of {Count:N0} test user event(s) to {Server}:{Port}.");
    }
}
