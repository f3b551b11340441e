using System;
using System.Management.Automation;
using QlikActivity.Completion;
using QlikActivity.Core.Journal;

namespace QlikActivity.Commands
{
    /// <summary>
    /// Get-QlikUserSession: sessions from the listener's journal, per proxy host and user, from
    /// start to stop with the apps opened in between; -Active lists who is online now.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "QlikUserSession", DefaultParameterSetName = HistorySet)]
    [OutputType(typeof(UserSession))]
    public sealed class GetQlikUserSessionCommand : QlikCmdlet
    {
        private const string HistorySet = "History";
        private const string ActiveSet = "Active";

        /// <summary>The journal file (Start-QlikEventListener -JournalPath); ~ and relative paths resolve against the current location.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName", "Path")]
        [ValidateNotNullOrEmpty]
        public string JournalPath { get; set; } = "";

        /// <summary>Sessions that started at or after this time (a time without zone is UTC).</summary>
        [Parameter(ParameterSetName = HistorySet)]
        public DateTime Since { get; set; }

        /// <summary>Sessions that started before this time.</summary>
        [Parameter(ParameterSetName = HistorySet)]
        public DateTime Until { get; set; }

        /// <summary>Only who is online now: sessions without a stop with an event within -SessionTimeout.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ActiveSet)]
        public SwitchParameter Active { get; set; }

        /// <summary>A session without events for this long is over (default 30 minutes); a number is minutes.</summary>
        [Parameter]
        [TimeSpanMinutesTransformation]
        public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromMinutes(30);

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

        protected override void ProcessRecord()
        {
            string path = GetUnresolvedProviderPathFromPSPath(JournalPath);
            Run(() =>
            {
                var query = new UserSessionQuery
                {
                    Since = MyInvocation.BoundParameters.ContainsKey(nameof(Since)) ? Since : (DateTime?)null,
                    Until = MyInvocation.BoundParameters.ContainsKey(nameof(Until)) ? Until : (DateTime?)null,
                    Active = Active.IsPresent,
                    SessionTimeout = SessionTimeout,
                    UserDirectory = UserDirectory,
                    UserId = UserId,
                };
                foreach (var session in JournalHistory.ReadUserSessions(this, path, query))
                {
                    WriteObject(session);
                }
            }, path);
        }
    }
}
