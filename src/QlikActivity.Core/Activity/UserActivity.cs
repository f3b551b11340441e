using System;

namespace QlikActivity.Core.Activity
{
    /// <summary>
    /// One user's last activity over the license records read (PowerShell type name
    /// <c>QlikActivity.Core.Activity.UserActivity</c>), as <c>Get-QlikUserActivity</c> emits it and
    /// <c>Set-QlikActivityBucket</c> takes it.
    /// </summary>
    public sealed class UserActivity
    {
        /// <summary>The user's repository id.</summary>
        public Guid Id { get; set; }

        public string UserDirectory { get; set; } = "";

        public string UserId { get; set; } = "";

        /// <summary>The display name.</summary>
        public string? Name { get; set; }

        /// <summary>
        /// The latest activity (UTC): over all records of the selected license types, and with a journal
        /// (<c>-JournalPath</c>) also the user's latest session event; null when nothing shows any use.
        /// </summary>
        public DateTime? LastActivity { get; set; }

        /// <summary>Which source <see cref="LastActivity"/> came from: <c>License</c>, <c>Session</c> (the journal) or <c>None</c>.</summary>
        public QlikActivity.Core.Activity.ActivitySource ActivitySource { get; set; }

        /// <summary>The latest use in the license records alone (UTC); null when none shows any.</summary>
        public DateTime? LastLicenseActivity { get; set; }

        /// <summary>The user's latest event in the event journal (UTC), when one was read; null otherwise.</summary>
        public DateTime? LastSessionEvent { get; set; }

        /// <summary>Whole UTC calendar days from <see cref="LastActivity"/> to the as-of date (0 = active that day); null when never active.</summary>
        public int? DaysInactive { get; set; }

        /// <summary>The license types the user has records of, used or not; exported (CSV, JSON) as names.</summary>
        public LicenseTypeList LicenseTypes { get; set; } = LicenseTypeList.Empty;

        /// <summary>
        /// The activity bucket: a day limit such as <c>7</c>, the overflow such as <c>365+</c>,
        /// <c>never</c> (records, but no use) or <c>no record</c> (no record of the selected types).
        /// </summary>
        public string Bucket { get; set; } = "";

        /// <summary>False for a user with no record of the selected license types: unless the journal knows a session event, no activity is known, so the user must not be treated as long inactive.</summary>
        public bool HasLicenseRecord { get; set; }

        /// <summary>True when <see cref="LastActivity"/> is null: no record shows any use.</summary>
        public bool NoActivity => LastActivity == null;

        /// <summary>The date days were counted from (UTC).</summary>
        public DateTime AsOf { get; set; }

        /// <summary><c>DIRECTORY\userid</c>, the form admins type.</summary>
        public string UserFull => UserDirectory + "\\" + UserId;

        public override string ToString() => $"{UserFull} ({Bucket})";
    }
}
