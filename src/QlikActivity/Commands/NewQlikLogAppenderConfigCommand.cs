using System.IO;
using System.Management.Automation;
using QlikActivity.Core.Log4Net;

namespace QlikActivity.Commands
{
    /// <summary>
    /// New-QlikLogAppenderConfig: the Proxy's LocalLogConfig.xml that sends session and connection
    /// events to Start-QlikEventListener. Without -Path it returns the XML text; with -Path it writes
    /// the file and returns it.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "QlikLogAppenderConfig", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(string), typeof(FileInfo))]
    public sealed class NewQlikLogAppenderConfigCommand : QlikCmdlet
    {
        /// <summary>Host name or IP address of the machine running Start-QlikEventListener, as the Sense servers reach it.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string ListenerAddress { get; set; } = "";

        /// <summary>The UDP port the listener listens on.</summary>
        [Parameter(Position = 1)]
        [ValidateRange(1, 65535)]
        public int Port { get; set; } = 9997;

        /// <summary>Where to write the file (a folder gets LocalLogConfig.xml inside); omitted: the XML is returned as text.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        /// <summary>Current (/qseow-proxy-session/, the default) or Legacy (/proxy-session/) datagram prefixes.</summary>
        [Parameter]
        public LogAppenderFormat Format { get; set; } = LogAppenderFormat.Current;

        /// <summary>Replace an existing file.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            Run(() =>
            {
                if (Path == null)
                {
                    WriteObject(LogAppenderConfig.Build(ListenerAddress, Port, Format));
                    return;
                }

                string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
                var file = LogAppenderConfig.WriteFile(this, path, ListenerAddress, Port, Format, Force.IsPresent);
                if (file != null)
                {
                    // The provider's view of the written file, as Get-Item shows it: a FileInfo made
                    // before the write caches "missing", so Length and UnixMode would read empty.
                    WriteObject(InvokeProvider.Item.Get(new[] { file.FullName }, true, true), true);
                }
            }, Path ?? ListenerAddress);
        }
    }
}
