using System;
using QlikActivity.Core.Qrs;

namespace QlikActivity.Core.Activity
{
    /// <summary>What happened to the custom property's definition in a Set-QlikActivityBucket run.</summary>
    public enum CustomPropertyDefinitionAction
    {
        /// <summary>It did not exist and was created.</summary>
        Created,

        /// <summary>It existed with other choice values or object types and -Force replaced them.</summary>
        Replaced,

        /// <summary>It existed and was right.</summary>
        Unchanged,

        /// <summary>It needed creating or replacing, but -WhatIf (or a "No" to -Confirm) stopped it.</summary>
        WhatIf,
    }

    /// <summary>Requests sent to the repository, per HTTP method (every attempt counts, retries included).</summary>
    public sealed class RequestCounts
    {
        public long Get { get; set; }
        public long Put { get; set; }
        public long Post { get; set; }
        public long Delete { get; set; }

        /// <summary>How many of the requests were retries (after 429, 503, a dropped connection...).</summary>
        public long Retries { get; set; }

        public long Total => Get + Put + Post + Delete;

        internal static RequestCounts From(QrsRequestCounts counts) => new RequestCounts
        {
            Get = counts.Get,
            Put = counts.Put,
            Post = counts.Post,
            Delete = counts.Delete,
            Retries = counts.Retries,
        };

        public override string ToString() => $"GET {Get}, PUT {Put}, POST {Post}, DELETE {Delete}";
    }

    /// <summary>
    /// The end-of-run summary of Set-QlikActivityBucket (PowerShell type name
    /// <c>QlikActivity.Core.Activity.ActivityBucketSummary</c>). <see cref="UsersInScope"/> is the sum of
    /// <see cref="Updated"/>, <see cref="Unchanged"/>, <see cref="Skipped"/>, <see cref="Failed"/>,
    /// <see cref="Unknown"/> and <see cref="NotWritten"/>.
    /// </summary>
    public sealed class ActivityBucketSummary
    {
        /// <summary>The custom property's name.</summary>
        public string PropertyName { get; set; } = "";

        public int UsersInScope { get; set; }

        public int Updated { get; set; }

        public int Unchanged { get; set; }

        public int Skipped { get; set; }

        public int Failed { get; set; }

        /// <summary>Users whose write got no answer and could not be read back: it may or may not have been applied.</summary>
        public int Unknown { get; set; }

        /// <summary>Users that needed a write but got none: -WhatIf, a "No" to -Confirm, Ctrl+C or a server that stopped answering before their turn.</summary>
        public int NotWritten { get; set; }

        /// <summary>
        /// Users whose value differs from their bucket, written or not: <see cref="Updated"/> +
        /// <see cref="Failed"/> + <see cref="Unknown"/> + <see cref="NotWritten"/>. Under -WhatIf it is what a real run would write.
        /// </summary>
        public int WouldUpdate => Updated + Failed + Unknown + NotWritten;

        public CustomPropertyDefinitionAction DefinitionAction { get; set; }

        /// <summary>The requests this run sent.</summary>
        public RequestCounts Requests { get; set; } = new RequestCounts();

        public TimeSpan Duration { get; set; }

        /// <summary>True when Ctrl+C stopped the run: writes in flight were finished, no new ones started.</summary>
        public bool Cancelled { get; set; }

        /// <summary>True when the repository stopped answering and the run stopped starting writes (the rest are <see cref="NotWritten"/>).</summary>
        public bool ServerStoppedAnswering { get; set; }

        /// <summary>
        /// False when a user's write failed or is unknown, or Ctrl+C or a silent server stopped the run: what a scheduled script tests
        /// to exit non-zero (<c>if (-not $summary.Succeeded) { exit 1 }</c>). -WhatIf and declined writes are not failures.
        /// </summary>
        public bool Succeeded => Failed == 0 && Unknown == 0 && !Cancelled && !ServerStoppedAnswering;

        /// <summary>Counts one user's outcome.</summary>
        internal void Count(ActivityBucketStatus status)
        {
            switch (status)
            {
                case ActivityBucketStatus.Updated: Updated++; break;
                case ActivityBucketStatus.Unchanged: Unchanged++; break;
                case ActivityBucketStatus.Skipped: Skipped++; break;
                case ActivityBucketStatus.Failed: Failed++; break;
                case ActivityBucketStatus.Unknown: Unknown++; break;
                default: NotWritten++; break;
            }
        }

        public override string ToString() =>
            $"{PropertyName}: {UsersInScope} users, {Updated} updated, {Unchanged} unchanged, {Skipped} skipped, {Failed} failed, {Unknown} unknown, {NotWritten} not written; definition {DefinitionAction}; {Requests.Total} requests ({Requests}) in {Duration.TotalSeconds:0.0} s{(Cancelled ? "; stopped by Ctrl+C" : "")}{(ServerStoppedAnswering ? "; stopped: the server stopped answering" : "")}";
    }
}
