using System;
using System.Collections.Generic;
using System.Management.Automation;
using QlikActivity.Completion;
using QlikActivity.Core.Activity;
using QlikActivity.Core.Qrs;

namespace QlikActivity.Commands
{
    /// <summary>
    /// Set-QlikActivityBucket: keeps a user custom property set to each user's activity bucket
    /// (days since the last activity in the license records). Creates the property if missing,
    /// writes only users whose value changes, in batches and in parallel, and ends with a summary.
    /// </summary>
    /// <remarks>
    /// ConfirmImpact is Medium, for the per-user writes. Replacing an existing definition is the
    /// high-impact step: it never happens without -Force (without it the cmdlet stops and lists
    /// the differences), -Confirm asks before it and -WhatIf shows it.
    /// </remarks>
    [Cmdlet(VerbsCommon.Set, "QlikActivityBucket", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
        DefaultParameterSetName = ReadSet)]
    [OutputType(typeof(ActivityBucketSummary), typeof(ActivityBucketResult))]
    public sealed class SetQlikActivityBucketCommand : QlikCmdlet
    {
        private const string ReadSet = "Read";
        private const string InputObjectSet = "InputObject";
        private const string PropertySet = "ByProperty";

        private readonly List<UserActivity> _piped = new List<UserActivity>();

        /// <summary>The connection; the default one (Connect-QlikSense) when omitted.</summary>
        [Parameter]
        [ValidateNotNull]
        public QlikSenseConnection? Connection { get; set; }

        /// <summary>The user custom property that holds the bucket (created if missing).</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [Alias("CustomPropertyName")]
        [ValidateNotNullOrEmpty]
        [ValidateLength(1, CustomPropertyDefinitionCheck.MaximumNameLength)]
        [ArgumentCompleter(typeof(CustomPropertyNameCompleter))]
        public string Name { get; set; } = "";

        /// <summary>Users from Get-QlikUserActivity; without pipeline input every user in scope is read.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
        [ValidateNotNull]
        public UserActivity? InputObject { get; set; }

        /// <summary>The user's repository id, from any object that has one (e.g. Import-Csv of Get-QlikUserActivity output).</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PropertySet)]
        public Guid Id { get; set; }

        /// <summary>Read: only users of these directories. From the pipeline: the user's directory.</summary>
        [Parameter(ParameterSetName = ReadSet)]
        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = PropertySet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(UserDirectoryCompleter))]
        public string[]? UserDirectory { get; set; }

        /// <summary>The user's id in its directory (from the pipeline, for messages).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = PropertySet)]
        public string? UserId { get; set; }

        /// <summary>The user's last activity (UTC); null or an empty string (Import-Csv) for none. Counted in days to -AsOf and bucketed with -Bucket.</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PropertySet)]
        [AllowNull]
        [UtcDateTextTransformation]
        public DateTime? LastActivity { get; set; }

        /// <summary>The user's latest event in the event journal (Get-QlikUserActivity -JournalPath), if any: known activity even without a license record.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = PropertySet)]
        [AllowNull]
        [UtcDateTextTransformation]
        public DateTime? LastSessionEvent { get; set; }

        /// <summary>Whether the user has any license record (false: the no-activity policy applies).</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PropertySet)]
        [BooleanTextTransformation]
        public bool HasLicenseRecord { get; set; }

        /// <summary>License types whose records count as activity; all five when omitted.</summary>
        [Parameter(ParameterSetName = ReadSet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(LicenseTypeCompleter))]
        public LicenseType[]? LicenseType { get; set; }

        /// <summary>Bucket limits in days, as in Get-QlikUserActivity: an array or one comma/space separated string.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(BucketPresetCompleter))]
        public string[] Bucket { get; set; } = { BucketSet.DefaultText };

        /// <summary>Count days up to this date (UTC calendar days); now when omitted.</summary>
        [Parameter(ParameterSetName = ReadSet)]
        [Parameter(ParameterSetName = PropertySet)]
        public DateTime AsOf { get; set; }

        /// <summary>Read: an event journal (Start-QlikEventListener -JournalPath) whose latest event per user counts as activity too.</summary>
        [Parameter(ParameterSetName = ReadSet)]
        [ValidateNotNullOrEmpty]
        public string? JournalPath { get; set; }

        /// <summary>Leave out users without a record of the selected license types.</summary>
        [Parameter(ParameterSetName = ReadSet)]
        public SwitchParameter LicensedOnly { get; set; }

        /// <summary>What users without known activity get: Remove (default), Leave, or SetValue (-NoActivityValue).</summary>
        [Parameter]
        public NoActivityAction NoActivityAction { get; set; } = NoActivityAction.Remove;

        /// <summary>The value for users without known activity, e.g. 'Never'; implies -NoActivityAction SetValue.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ValidateLength(1, 1024)]
        public string? NoActivityValue { get; set; }

        /// <summary>Users read per request before their writes (1-25).</summary>
        [Parameter]
        [ValidateRange(1, ActivityBucketRequest.MaximumBatchSize)]
        public int BatchSize { get; set; } = ActivityBucketRequest.MaximumBatchSize;

        /// <summary>
        /// The most writes in flight at once (1-32). The run finds the server's pace below it
        /// (grows while latency holds, backs off on 429/503 or growing latency); without it, up to 16.
        /// </summary>
        [Parameter]
        [ValidateRange(1, ActivityBucketRequest.MaximumThrottleLimit)]
        public int? ThrottleLimit { get; set; }

        /// <summary>Seconds to pause after each batch (ctrl-q's --update-batch-sleep); 0 by default.</summary>
        [Parameter]
        [ValidateRange(0, 3600)]
        public int BatchSleep { get; set; }

        /// <summary>Milliseconds each writer pauses after each user (ctrl-q's --update-user-sleep); 0 by default.</summary>
        [Parameter]
        [ValidateRange(0, 60000)]
        public int UserSleep { get; set; }

        /// <summary>Replace an existing definition whose choice values or object types differ.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Also emit one ActivityBucketResult per user.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == InputObjectSet && InputObject != null)
            {
                _piped.Add(InputObject);
            }
            else if (ParameterSetName == PropertySet)
            {
                _piped.Add(new UserActivity
                {
                    Id = Id,
                    UserDirectory = UserDirectory is { Length: > 0 } d ? d[0] : "",
                    UserId = UserId ?? "",
                    LastActivity = LastActivity,
                    LastSessionEvent = LastSessionEvent,
                    HasLicenseRecord = HasLicenseRecord,
                });
            }
        }

        protected override void EndProcessing()
        {
            Run(() =>
            {
                bool piped = ParameterSetName != ReadSet;
                var action = NoActivityAction;
                if (NoActivityValue != null && !MyInvocation.BoundParameters.ContainsKey(nameof(NoActivityAction)))
                {
                    action = NoActivityAction.SetValue;
                }

                var request = new ActivityBucketRequest(DefaultConnection.Resolve(Connection), Name)
                {
                    Users = piped ? _piped : null,
                    LicenseTypes = LicenseType ?? Array.Empty<LicenseType>(),
                    UserDirectories = !piped && UserDirectory != null ? UserDirectory : Array.Empty<string>(),
                    LicensedOnly = LicensedOnly.IsPresent,
                    JournalPath = JournalPath == null ? null : GetUnresolvedProviderPathFromPSPath(JournalPath),
                    Buckets = BucketSet.Parse(Bucket),
                    AsOf = MyInvocation.BoundParameters.ContainsKey(nameof(AsOf)) ? AsOf : (DateTime?)null,
                    NoActivityAction = action,
                    NoActivityValue = NoActivityValue,
                    BatchSize = BatchSize,
                    ThrottleLimit = ThrottleLimit,
                    BatchSleep = TimeSpan.FromSeconds(BatchSleep),
                    UserSleep = TimeSpan.FromMilliseconds(UserSleep),
                    Force = Force.IsPresent,
                    PassThru = PassThru.IsPresent,
                };

                ActivityBucketSummary summary;
                try
                {
                    summary = ActivityBucketWriter.Run(this, request, result => WriteObject(result));
                }
                catch (ActivityBucketStoppedException stopped)
                {
                    // The server stopped answering (or a bug): what was done first, then the one terminating error.
                    WriteObject(stopped.Summary);
                    throw;
                }

                if (Stopping)
                {
                    // After Ctrl+C PowerShell accepts no more output; the admin still learns what was done.
                    Host?.UI?.WriteWarningLine("Stopped: " + summary);
                    return;
                }

                WriteObject(summary);
            });
        }
    }
}
