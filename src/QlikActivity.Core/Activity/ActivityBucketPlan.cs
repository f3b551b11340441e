using System;
using System.Collections.Generic;
using System.Linq;

namespace QlikActivity.Core.Activity
{
    /// <summary>A user in scope of a bucket run: who, and the bucket its activity puts it in.</summary>
    public sealed class ActivityBucketUser
    {
        public ActivityBucketUser(Guid id, string userDirectory, string userId, string? bucket, bool hasLicenseRecord)
        {
            Id = id;
            UserDirectory = userDirectory ?? "";
            UserId = userId ?? "";
            Bucket = string.IsNullOrEmpty(bucket) ? null : bucket;
            HasLicenseRecord = hasLicenseRecord;
        }

        public Guid Id { get; }
        public string UserDirectory { get; }
        public string UserId { get; }

        /// <summary>The bucket label (e.g. <c>30</c> or <c>365+</c>), or null when no activity is known.</summary>
        public string? Bucket { get; }

        /// <summary>Whether any source knows the user's activity: a license record, or a session event in the journal.</summary>
        public bool HasLicenseRecord { get; }

        /// <summary><c>DIRECTORY\userid</c>, as the QMC shows a user.</summary>
        public string DisplayName => UserDirectory + "\\" + UserId;

        public override string ToString() => DisplayName;
    }

    /// <summary>What a run does to one user's value.</summary>
    public enum BucketChangeKind
    {
        /// <summary>Write the wanted value.</summary>
        Set,

        /// <summary>Remove the property's value (no-activity policy Remove).</summary>
        Remove,

        /// <summary>The user already holds the wanted value (or none, for a removal): no write.</summary>
        Unchanged,

        /// <summary>Not touched: the policy leaves it, or its bucket is not a choice value.</summary>
        Skip,
    }

    /// <summary>One user's planned change.</summary>
    public sealed class PlannedBucketChange
    {
        internal PlannedBucketChange(ActivityBucketUser user, BucketChangeKind kind, IReadOnlyList<string> currentValues, string? newValue, string? reason)
        {
            User = user;
            Kind = kind;
            CurrentValues = currentValues;
            NewValue = newValue;
            Reason = reason;
        }

        public ActivityBucketUser User { get; }
        public BucketChangeKind Kind { get; }

        /// <summary>The values of the property the user holds now (usually zero or one).</summary>
        public IReadOnlyList<string> CurrentValues { get; }

        /// <summary>The current value as the admin reads it: null for none, several joined with ", ".</summary>
        public string? OldValue => CurrentValues.Count == 0 ? null : string.Join(", ", CurrentValues);

        /// <summary>The value wanted (null: none).</summary>
        public string? NewValue { get; }

        /// <summary>Why a user is skipped, when it is.</summary>
        public string? Reason { get; }

        /// <summary>True when the user must be written (Set or Remove).</summary>
        public bool NeedsWrite => Kind == BucketChangeKind.Set || Kind == BucketChangeKind.Remove;
    }

    /// <summary>
    /// Decides, without any I/O, what each user's value should become: its bucket when it has
    /// activity, the no-activity policy when it has none, and no write at all when the value is
    /// already right.
    /// </summary>
    public sealed class ActivityBucketPlan
    {
        private readonly HashSet<string> _choices;

        public ActivityBucketPlan(IEnumerable<string> choiceValues, NoActivityAction noActivityAction, string? noActivityValue)
        {
            _choices = new HashSet<string>(choiceValues ?? throw new ArgumentNullException(nameof(choiceValues)), StringComparer.Ordinal);
            if (noActivityAction == NoActivityAction.SetValue && string.IsNullOrEmpty(noActivityValue))
            {
                throw new ArgumentException("The no-activity action SetValue needs a value (-NoActivityValue).", nameof(noActivityValue));
            }

            NoActivityAction = noActivityAction;
            NoActivityValue = noActivityAction == NoActivityAction.SetValue ? noActivityValue : null;
        }

        public NoActivityAction NoActivityAction { get; }

        public string? NoActivityValue { get; }

        /// <summary>The change for one user, given the values of the property it holds now.</summary>
        public PlannedBucketChange For(ActivityBucketUser user, IReadOnlyList<string>? currentValues)
        {
            if (user == null)
            {
                throw new ArgumentNullException(nameof(user));
            }

            var current = currentValues ?? Array.Empty<string>();
            string? wanted;
            if (!user.HasLicenseRecord || user.Bucket == null)
            {
                switch (NoActivityAction)
                {
                    case NoActivityAction.Leave:
                        return new PlannedBucketChange(user, BucketChangeKind.Skip, current, null,
                            (user.HasLicenseRecord ? "its license records show no use" : "no license record")
                            + ", so no known activity: left as it is (-NoActivityAction Leave)");
                    case NoActivityAction.SetValue:
                        wanted = NoActivityValue;
                        break;
                    default:
                        wanted = null;
                        break;
                }
            }
            else if (!_choices.Contains(user.Bucket))
            {
                return new PlannedBucketChange(user, BucketChangeKind.Skip, current, null,
                    $"its bucket '{user.Bucket}' is not one of the property's choice values ({string.Join(", ", _choices)}); read the activity with the same buckets");
            }
            else
            {
                wanted = user.Bucket;
            }

            bool holds = wanted == null
                ? current.Count == 0
                : current.Count == 1 && string.Equals(current[0], wanted, StringComparison.Ordinal);
            if (holds)
            {
                return new PlannedBucketChange(user, BucketChangeKind.Unchanged, current, wanted, null);
            }

            return new PlannedBucketChange(user, wanted == null ? BucketChangeKind.Remove : BucketChangeKind.Set, current, wanted, null);
        }

        /// <summary>The changes for many users; <paramref name="currentValues"/> answers per user id.</summary>
        public IReadOnlyList<PlannedBucketChange> For(IEnumerable<ActivityBucketUser> users, Func<Guid, IReadOnlyList<string>?> currentValues) =>
            users.Select(u => For(u, currentValues(u.Id))).ToList();
    }
}
