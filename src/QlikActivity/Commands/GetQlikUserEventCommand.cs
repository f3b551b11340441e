using System;
using System.Management.Automation;
using QlikActivity.Completion;
using QlikActivity.Core;
using QlikActivity.Core.Journal;

namespace QlikActivity.Commands
{
    /// <summary>
    /// Get-QlikUserEvent: user events from the listener's journal, filtered by time, user, event
    /// type and app, streamed oldest first so the newest is last.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "QlikUserEvent")]
    [OutputType(typeof(UserEvent))]
    public sealed class GetQlikUserEventCommand : QlikCmdlet
    {
        /// <summary>The journal file (Start-QlikEventListener -JournalPath); ~ and relative paths resolve against the current location.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName", "Path")]
        [ValidateNotNullOrEmpty]
        public string JournalPath { get; set; } = "";

        /// <summary>Events received at or after this time (a time without zone is UTC).</summary>
        [Parameter]
        public DateTime Since { get; set; }

        /// <summary>Events received before this time.</summary>
        [Parameter]
        public DateTime Until { get; set; }

        /// <summary>The user directory; wildcards allowed; case-insensitive.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(JournalUserDirectoryCompleter))]
        public string? UserDirectory { get; set; }

        /// <summary>The user id; wildcards allowed; case-insensitive.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(JournalUserIdCompleter))]
        public string? UserId { get; set; }

        /// <summary>Only these event types.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(EventTypeCompleter))]
        public UserEventType[]? EventType { get; set; }

        /// <summary>Only events of these apps.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public Guid[]? AppId { get; set; }

        /// <summary>Only the newest N matching events (still written oldest first).</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int Last { get; set; }

        protected override void ProcessRecord()
        {
            string path = GetUnresolvedProviderPathFromPSPath(JournalPath);
            Run(() =>
            {
                var query = new UserEventQuery
                {
                    Since = Bound(nameof(Since)) ? Since : (DateTime?)null,
                    Until = Bound(nameof(Until)) ? Until : (DateTime?)null,
                    UserDirectory = UserDirectory,
                    UserId = UserId,
                    EventTypes = EventType,
                    AppIds = AppId,
                    Last = Bound(nameof(Last)) ? Last : (int?)null,
                };
                foreach (var e in JournalHistory.ReadUserEvents(this, path, query))
                {
                    WriteObject(e);
                }
            }, path);
        }

        private bool Bound(string name) => MyInvocation.BoundParameters.ContainsKey(name);
    }
}
