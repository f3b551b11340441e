using System;
using System.Collections.Generic;
using QlikActivity.Core.Qrs;

namespace QlikActivity.Core.Activity
{
    /// <summary>What <see cref="UserActivityReader"/> reads and how it buckets.</summary>
    public sealed class UserActivityRequest
    {
        public UserActivityRequest(QlikSenseConnection connection)
        {
            Connection = connection ?? throw new ArgumentNullException(nameof(connection));
        }

        public QlikSenseConnection Connection { get; }

        /// <summary>The license types to read; empty means all five.</summary>
        public IReadOnlyList<LicenseType> LicenseTypes { get; set; } = Activity.LicenseTypes.All;

        /// <summary>Only users of these directories (case-insensitive, filtered by the server); empty means all.</summary>
        public IReadOnlyList<string> UserDirectories { get; set; } = Array.Empty<string>();

        public BucketSet Buckets { get; set; } = BucketSet.Default;

        /// <summary>Days are counted to this moment's UTC date; null means now. Local times are converted, unspecified ones taken as UTC.</summary>
        public DateTime? AsOf { get; set; }

        /// <summary>
        /// An event journal (Start-QlikEventListener -JournalPath) whose latest event per user counts as
        /// activity too (source <see cref="ActivitySource.Session"/>); null: license records only.
        /// </summary>
        public string? JournalPath { get; set; }

        /// <summary>Also emit users who have no record of the selected license types (marked <c>HasLicenseRecord = false</c>).</summary>
        public bool IncludeUsersWithoutLicenseRecord { get; set; } = true;
    }
}
