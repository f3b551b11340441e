using System;
using System.Collections.Generic;
using System.Linq;
using QlikActivity.Core.Qrs;

namespace QlikActivity.Core.Activity
{
    /// <summary>What <see cref="ActivityBucketWriter"/> sets, for whom, and how gently.</summary>
    public sealed class ActivityBucketRequest
    {
        public const int MaximumBatchSize = 25;
        public const int MaximumThrottleLimit = 32;

        public ActivityBucketRequest(QlikSenseConnection connection, string propertyName)
        {
            Connection = connection ?? throw new ArgumentNullException(nameof(connection));
            PropertyName = propertyName ?? throw new ArgumentNullException(nameof(propertyName));
        }

        public QlikSenseConnection Connection { get; }

        /// <summary>The custom property (created when missing).</summary>
        public string PropertyName { get; }

        /// <summary>
        /// Users supplied from the pipeline. Null: read every user of <see cref="UserDirectories"/>
        /// and their activity. Supplied users are bucketed again with <see cref="Buckets"/> from their
        /// <c>DaysInactive</c> (or, without it, their <c>LastActivity</c> counted to <see cref="AsOf"/>),
        /// so the values always match the definition.
        /// </summary>
        public IReadOnlyList<UserActivity>? Users { get; set; }

        /// <summary>License types whose records count as activity; empty means all five.</summary>
        public IReadOnlyList<LicenseType> LicenseTypes { get; set; } = Array.Empty<LicenseType>();

        /// <summary>Read (no <see cref="Users"/>): an event journal whose latest event per user counts as activity too (see <see cref="UserActivityRequest.JournalPath"/>).</summary>
        public string? JournalPath { get; set; }

        /// <summary>Only users of these directories; empty means all.</summary>
        public IReadOnlyList<string> UserDirectories { get; set; } = Array.Empty<string>();

        /// <summary>Leave out users without a record of the selected license types (as Get-QlikUserActivity -LicensedOnly).</summary>
        public bool LicensedOnly { get; set; }

        public BucketSet Buckets { get; set; } = BucketSet.Default;

        /// <summary>Days are counted to this date (UTC); null means now.</summary>
        public DateTime? AsOf { get; set; }

        /// <summary>What users without known activity get; see <see cref="QlikActivity.Core.Activity.NoActivityAction"/>.</summary>
        public NoActivityAction NoActivityAction { get; set; } = NoActivityAction.Remove;

        /// <summary>The value for <see cref="NoActivityAction.SetValue"/>.</summary>
        public string? NoActivityValue { get; set; }

        /// <summary>Users per <c>GET /qrs/user/full?filter=id eq .. or ..</c> (1–25).</summary>
        public int BatchSize { get; set; } = MaximumBatchSize;

        /// <summary>
        /// The most PUTs in flight at once (1–32); null: up to 16. The run finds how many the
        /// server takes (grows while latency holds, backs off on 429/503 or growing latency) and
        /// never goes past this. The connection's own limit on parallel connections also applies.
        /// </summary>
        public int? ThrottleLimit { get; set; }

        /// <summary>Write at exactly <see cref="ThrottleLimit"/> throughout instead of adapting (to compare with the adaptive pace).</summary>
        public bool FixedThrottle { get; set; }

        /// <summary>The ceiling of concurrent writes: <see cref="ThrottleLimit"/> or 16.</summary>
        internal int ThrottleCeiling => ThrottleLimit ?? WriteConcurrency.DefaultCeiling;

        /// <summary>Pause after each batch's writes (ctrl-q's batch sleep).</summary>
        public TimeSpan BatchSleep { get; set; } = TimeSpan.Zero;

        /// <summary>Pause after each user's write, per parallel writer (ctrl-q's user sleep).</summary>
        public TimeSpan UserSleep { get; set; } = TimeSpan.Zero;

        /// <summary>What the user and batch sleeps wait on; tests give their own to check the pauses asked for.</summary>
        internal IClock Clock { get; set; } = SystemClock.Instance;

        /// <summary>Replace an existing definition whose choice values or object types differ.</summary>
        public bool Force { get; set; }

        /// <summary>Also hand one <see cref="ActivityBucketResult"/> per user to the run's result callback.</summary>
        public bool PassThru { get; set; }

        /// <summary>How often one user is re-read and written again after 409 Conflict.</summary>
        public int MaximumConflictAttempts { get; set; } = 10;

        /// <summary>Once stopped, how long writes in flight may take before they are abandoned.</summary>
        public TimeSpan StopGracePeriod { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>
        /// Requests in a row that get no answer at all (refused, reset, timed out; each after the
        /// client's retries) before the run takes the server as gone and stops starting writes.
        /// </summary>
        public int UnansweredRequestsBeforeStop { get; set; } = ServerAnswerWatch.DefaultThreshold;

        /// <summary>
        /// Refuses a request that cannot run, before anything is sent: a missing or too long name,
        /// limits out of range, a no-activity value without its policy (or one that looks like a bucket).
        /// </summary>
        /// <exception cref="QlikActivityException">With <see cref="ActivityErrorIds.InvalidRequest"/>.</exception>
        public void Validate()
        {
            string name = PropertyName.Trim();
            if (name.Length == 0)
            {
                throw Invalid("The custom property needs a name (-Name).");
            }

            if (name.Length > CustomPropertyDefinitionCheck.MaximumNameLength)
            {
                throw Invalid($"A custom property name has at most {CustomPropertyDefinitionCheck.MaximumNameLength} characters; '{name}' has {name.Length}.");
            }

            if (BatchSize < 1 || BatchSize > MaximumBatchSize)
            {
                throw Invalid($"The batch size {BatchSize} is outside 1-{MaximumBatchSize}.");
            }

            if (ThrottleLimit is { } limit && (limit < 1 || limit > MaximumThrottleLimit))
            {
                throw Invalid($"The throttle limit {ThrottleLimit} is outside 1-{MaximumThrottleLimit}.");
            }

            if (BatchSleep < TimeSpan.Zero || UserSleep < TimeSpan.Zero)
            {
                throw Invalid("A sleep cannot be negative.");
            }

            if (MaximumConflictAttempts < 1)
            {
                throw Invalid("At least one write attempt per user is needed.");
            }

            bool hasValue = !string.IsNullOrEmpty(NoActivityValue);
            if (NoActivityAction == NoActivityAction.SetValue && !hasValue)
            {
                throw Invalid("-NoActivityAction SetValue needs the value to set: pass -NoActivityValue, e.g. 'Never'.");
            }

            if (NoActivityAction != NoActivityAction.SetValue && hasValue)
            {
                throw Invalid($"-NoActivityValue '{NoActivityValue}' is only used with -NoActivityAction SetValue, not {NoActivityAction}.");
            }

            if (hasValue && Buckets.Labels.Contains(NoActivityValue!, StringComparer.OrdinalIgnoreCase))
            {
                throw Invalid($"-NoActivityValue '{NoActivityValue}' is a bucket: users without any known activity would look like users active {NoActivityValue} days ago. Choose a word such as 'Never'.");
            }
        }

        private static QlikActivityException Invalid(string message) =>
            new QlikActivityException(message, ActivityErrorIds.InvalidRequest, OperationErrorCategory.InvalidArgument);
    }
}
