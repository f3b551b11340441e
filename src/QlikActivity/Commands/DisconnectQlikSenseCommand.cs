using System.Management.Automation;
using QlikActivity.Core.Qrs;

namespace QlikActivity.Commands
{
    /// <summary>
    /// Disconnect-QlikSense: closes a connection (the default one unless -Connection is given)
    /// and forgets it as the default. Closing a closed connection, or having none, is not an error.
    /// </summary>
    [Cmdlet(VerbsCommunications.Disconnect, "QlikSense")]
    [OutputType(typeof(QlikSenseConnection))]
    public sealed class DisconnectQlikSenseCommand : QlikCmdlet
    {
        /// <summary>The connection to close; the default connection when omitted.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public QlikSenseConnection? Connection { get; set; }

        /// <summary>Writes the closed connection, so a script can log which server it left.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            var connection = Connection ?? DefaultConnection.Current;
            if (connection == null)
            {
                WriteVerbose("No connection to close.");
                return;
            }

            DefaultConnection.Forget(connection);
            connection.Dispose();
            WriteVerbose($"Closed the connection to {connection}.");
            if (PassThru.IsPresent)
            {
                WriteObject(connection);
            }
        }
    }
}
