using System;
using System.Management.Automation;
using QlikActivity.Core.Journal;
using QlikActivity.Core.Qrs;

namespace QlikActivity.Commands
{
    /// <summary>
    /// Get-QlikAppActivity: per app, when it was last opened, by how many users and in how many
    /// sessions, from the listener's journal; with a connection every app of the repository is
    /// listed, named as the repository names it, so apps nobody opened show up too.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "QlikAppActivity")]
    [OutputType(typeof(AppActivity))]
    public sealed class GetQlikAppActivityCommand : QlikCmdlet
    {
        /// <summary>The journal file (Start-QlikEventListener -JournalPath); ~ and relative paths resolve against the current location.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName", "Path")]
        [ValidateNotNullOrEmpty]
        public string JournalPath { get; set; } = "";

        /// <summary>The repository to read app names and the full app list from; the default connection (Connect-QlikSense) when omitted and connected.</summary>
        [Parameter]
        [ValidateNotNull]
        public QlikSenseConnection? Connection { get; set; }

        /// <summary>Only apps not opened within this many days (never opened ones included).</summary>
        [Parameter]
        [ValidateRange(0, 36525)]
        public int NotOpenedInDays { get; set; }

        protected override void ProcessRecord()
        {
            string path = GetUnresolvedProviderPathFromPSPath(JournalPath);
            Run(() =>
            {
                var query = new AppActivityQuery
                {
                    Connection = Connection ?? DefaultConnection.Current,
                    NotOpenedInDays = MyInvocation.BoundParameters.ContainsKey(nameof(NotOpenedInDays)) ? NotOpenedInDays : (int?)null,
                };
                foreach (var app in JournalHistory.ReadAppActivity(this, path, query))
                {
                    WriteObject(app);
                }
            }, path);
        }
    }
}
