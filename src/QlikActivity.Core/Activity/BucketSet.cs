using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace QlikActivity.Core.Activity
{
    /// <summary>
    /// The activity buckets: upper limits in days (e.g. 1, 7, 14, 30, 90, 180, 365), each user
    /// in the smallest bucket at least as large as the days since the last activity, else in
    /// the overflow bucket (largest + "+", e.g. <c>365+</c>). Users without any activity are not
    /// put in a day bucket at all: see <see cref="NeverLabel"/> and <see cref="NoLicenseRecordLabel"/>.
    /// </summary>
    public sealed class BucketSet
    {
        /// <summary>The default buckets, as the admin would type them.</summary>
        public const string DefaultText = "1,7,14,30,90,180,365";

        /// <summary>Bucket of a user with license records that show no use at all.</summary>
        public const string NeverLabel = "never";

        /// <summary>Bucket of a user with no record of the selected license types.</summary>
        public const string NoLicenseRecordLabel = "no record";

        /// <summary>The largest bucket: 100 years, far beyond any license record.</summary>
        public const int MaximumDays = 36525;

        private static readonly char[] Separators = { ',', ';', ' ', '\t', '\r', '\n' };

        private readonly int[] _days;

        private BucketSet(int[] sortedDays)
        {
            _days = sortedDays;
            OverflowLabel = sortedDays[sortedDays.Length - 1].ToString(CultureInfo.InvariantCulture) + "+";
            Labels = sortedDays.Select(d => d.ToString(CultureInfo.InvariantCulture)).Concat(new[] { OverflowLabel }).ToArray();
        }

        public static BucketSet Default { get; } = Parse(DefaultText);

        /// <summary>The limits in days, ascending.</summary>
        public IReadOnlyList<int> Days => _days;

        /// <summary>Beyond the largest bucket, e.g. <c>365+</c>.</summary>
        public string OverflowLabel { get; }

        /// <summary>Every day-bucket label in order, the overflow last: the values a custom property needs.</summary>
        public IReadOnlyList<string> Labels { get; }

        /// <summary>The bucket for <paramref name="daysInactive"/> (negative counts as 0).</summary>
        public string Assign(int daysInactive)
        {
            int days = Math.Max(0, daysInactive);
            foreach (int limit in _days)
            {
                if (days <= limit)
                {
                    return limit.ToString(CultureInfo.InvariantCulture);
                }
            }

            return OverflowLabel;
        }

        /// <summary>
        /// Parses buckets given as an array, one separated string (<c>"1,7,14"</c>,
        /// <c>"1 7 14"</c>) or both. Order does not matter. Errors: anything but a whole number
        /// of days from 1 to <see cref="MaximumDays"/>, a number given twice, no number at all. The
        /// overflow label itself (<c>365+</c> after 365) is accepted and ignored, so
        /// <see cref="Labels"/> parse back to the same set.
        /// </summary>
        public static BucketSet Parse(IEnumerable<string?>? values)
        {
            var tokens = (values ?? Enumerable.Empty<string?>())
                .Where(v => v != null)
                .SelectMany(v => v!.Split(Separators, StringSplitOptions.RemoveEmptyEntries))
                .ToList();

            var days = new List<int>();
            var overflow = new List<string>();
            foreach (string token in tokens)
            {
                string number = token.EndsWith("+", StringComparison.Ordinal) ? token.Substring(0, token.Length - 1) : token;
                if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out int value))
                {
                    throw Invalid($"'{token}' is not a bucket: buckets are whole numbers of days, e.g. {DefaultText}.");
                }

                if (value < 1 || value > MaximumDays)
                {
                    throw Invalid($"Bucket {value} is out of range: buckets are 1 to {MaximumDays} days.");
                }

                if (number.Length != token.Length)
                {
                    overflow.Add(token);
                    continue;
                }

                if (days.Contains(value))
                {
                    throw Invalid($"Bucket {value} is given twice.");
                }

                days.Add(value);
            }

            if (days.Count == 0)
            {
                throw Invalid($"No buckets given: pass whole numbers of days, e.g. {DefaultText}.");
            }

            days.Sort();
            var set = new BucketSet(days.ToArray());
            foreach (string label in overflow)
            {
                if (label != set.OverflowLabel)
                {
                    throw Invalid($"'{label}' is not a bucket: the overflow bucket is always the largest bucket plus '+', here {set.OverflowLabel}.");
                }
            }

            return set;
        }

        public static BucketSet Parse(string text) => Parse(new[] { text });

        public override string ToString() => string.Join(",", _days.Select(d => d.ToString(CultureInfo.InvariantCulture)));

        private static QlikActivityException Invalid(string message) =>
            new QlikActivityException(message, ActivityErrorIds.InvalidBucket, OperationErrorCategory.InvalidArgument);
    }
}
