using System;
using System.Management.Automation;
using QlikActivity.Completion;
using QlikActivity.Core.Activity;
using QlikActivity.Core.Qrs;

namespace QlikActivity.Commands
{
    /// <summary>
    /// Get-QlikUserActivity: every user's latest activity over the license records, with the
    /// days since then and an activity bucket. One object per user, streamed.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "QlikUserActivity")]
    [OutputType(typeof(UserActivity))]
    public sealed class GetQlikUserActivityCommand : QlikCmdlet
    {
        /// <summary>The connection; the default one (Connect-QlikSense) when omitted.</summary>
        [Parameter]
        [ValidateNotNull]
        public QlikSenseConnection? Connection { get; set; }

        /// <summary>License types to read; all five when omitted.</summary>
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(LicenseTypeCompleter))]
        public LicenseType[]? LicenseType { get; set; }

        /// <summary>Only users of these user directories (filtered by the server).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(UserDirectoryCompleter))]
        public string[]? UserDirectory { get; set; }

        /// <summary>Bucket limits in days: an array or one comma/space separated string.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(BucketPresetCompleter))]
        public string[] Bucket { get; set; } = { BucketSet.DefaultText };

        /// <summary>Count days up to this date (UTC calendar days); now when omitted.</summary>
        [Parameter]
        public DateTime AsOf { get; set; }

        /// <summary>An event journal (Start-QlikEventListener -JournalPath) whose latest event per user counts as activity too.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? JournalPath { get; set; }

        /// <summary>Leave out users who have no record of the selected license types.</summary>
        [Parameter]
        public SwitchParameter LicensedOnly { get; set; }

        protected override void ProcessRecord()
        {
            Run(() =>
            {
                var request = new UserActivityRequest(DefaultConnection.Resolve(Connection))
                {
                    LicenseTypes = LicenseType ?? Array.Empty<LicenseType>(),
                    UserDirectories = UserDirectory ?? Array.Empty<string>(),
                    Buckets = BucketSet.Parse(Bucket),
                    AsOf = MyInvocation.BoundParameters.ContainsKey(nameof(AsOf)) ? AsOf : (DateTime?)null,
                    IncludeUsersWithoutLicenseRecord = !LicensedOnly.IsPresent,
                    JournalPath = JournalPath == null ? null : GetUnresolvedProviderPathFromPSPath(JournalPath),
                };

                foreach (var activity in UserActivityReader.Read(this, request))
                {
                    WriteObject(activity);
                }
            });
        }
    }
}
