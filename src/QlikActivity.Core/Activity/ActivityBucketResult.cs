using System;
using QlikActivity.Core.Activity;

namespace QlikActivity.Core.Activity
{
    /// <summary>What Set-QlikActivityBucket did to one user.</summary>
    public enum ActivityBucketStatus
    {
        /// <summary>The new value was written.</summary>
        Updated,

        /// <summary>The user already held the right value: nothing was written.</summary>
        Unchanged,

        /// <summary>Not touched on purpose (see the reason): the no-activity policy Leave, a bucket outside the choice values, a user no longer listed.</summary>
        Skipped,

        /// <summary>The write failed after retries; the reason says why.</summary>
        Failed,

        /// <summary>Would have been written, but -WhatIf (or a "No" to -Confirm), Ctrl+C or a server that stopped answering stopped it.</summary>
        WhatIf,

        /// <summary>
        /// Its write got no answer (timed out or dropped after it was sent) and reading the user
        /// back did not show the new value: the server may or may not have applied it. Run again to settle it.
        /// </summary>
        Unknown,
    }

    /// <summary>
    /// One user's outcome of Set-QlikActivityBucket (PowerShell type name
    /// <c>QlikActivity.Core.Activity.ActivityBucketResult</c>), emitted with -PassThru.
    /// </summary>
    public sealed class ActivityBucketResult
    {
        /// <summary><c>DIRECTORY\userid</c>.</summary>
        public string User { get; set; } = "";

        /// <summary>The user's repository id (a GUID), as <c>UserActivity.Id</c>: Set-QlikActivityBucket binds it by this name.</summary>
        public Guid Id { get; set; }

        /// <summary>The user's directory, as <c>UserActivity.UserDirectory</c>.</summary>
        public string UserDirectory { get; set; } = "";

        /// <summary>The user's id in its directory (the login, e.g. <c>anna</c>), as <c>UserActivity.UserId</c>; the repository GUID is <see cref="Id"/>.</summary>
        public string UserId { get; set; } = "";

        /// <summary>The value before the run (several values joined with ", "), or null for none.</summary>
        public string? OldValue { get; set; }

        /// <summary>The value wanted (null: the value is removed, or the user is skipped).</summary>
        public string? NewValue { get; set; }

        public ActivityBucketStatus Status { get; set; }

        /// <summary>Why a user was skipped, failed, not written or is unknown; null otherwise.</summary>
        public string? Reason { get; set; }

        /// <summary>The failure was a request that got no answer at all (refused, reset, timed out).</summary>
        internal bool NoAnswer { get; set; }

        public override string ToString() => $"{User}: {OldValue ?? "(none)"} -> {NewValue ?? "(none)"} ({Status})";

        /// <summary>The outcome of a planned change (a skipped user keeps no new value).</summary>
        internal static ActivityBucketResult Of(PlannedBucketChange change, ActivityBucketStatus status, string? reason) =>
            Of(change.User, change.OldValue, change.Kind == BucketChangeKind.Skip ? null : change.NewValue, status, reason);

        /// <summary>The outcome of a planned change whose last request got no answer.</summary>
        internal static ActivityBucketResult WithoutAnswer(PlannedBucketChange change, ActivityBucketStatus status, string reason)
        {
            var result = Of(change, status, reason);
            result.NoAnswer = true;
            return result;
        }

        internal static ActivityBucketResult Of(ActivityBucketUser user, string? oldValue, string? newValue, ActivityBucketStatus status, string? reason) =>
            new ActivityBucketResult
            {
                User = user.DisplayName,
                Id = user.Id,
                UserDirectory = user.UserDirectory,
                UserId = user.UserId,
                OldValue = oldValue,
                NewValue = newValue,
                Status = status,
                Reason = reason,
            };
    }
}
