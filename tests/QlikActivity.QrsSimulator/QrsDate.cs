using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace QlikActivity.QrsSimulator
{
    /// <summary>The QRS wire format for dates: UTC with three decimals and a Z, e.g. <c>2024-11-15T17:28:03.548Z</c>.</summary>
    public static class QrsDate
    {
        /// <summary>The QRS way of saying "never": <c>1753-01-01T00:00:00.000Z</c> (SQL Server's smallest datetime).</summary>
        public static readonly DateTime Never = new DateTime(1753, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        public const string NeverText = "1753-01-01T00:00:00.000Z";

        // ISO 8601 only: the real QRS answers 400 to dates that Qlik-Cli reformatted as "yyyy/MM/dd HH:mm".
        private static readonly Regex IsoShape = new Regex(
            @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:?\d{2})?$", RegexOptions.CultureInvariant);

        public static string Format(DateTime utc) =>
            ToUtc(utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

        /// <summary>Drops sub-millisecond ticks so a stored date equals what the wire carries.</summary>
        public static DateTime Truncate(DateTime utc)
        {
            var u = ToUtc(utc);
            return new DateTime(u.Ticks - (u.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
        }

        public static bool TryParse(string? text, out DateTime utc)
        {
            utc = default;
            if (text == null || !IsoShape.IsMatch(text))
            {
                return false;
            }

            if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var dto))
            {
                return false;
            }

            utc = dto.UtcDateTime;
            return true;
        }

        private static DateTime ToUtc(DateTime d) => d.Kind switch
        {
            DateTimeKind.Utc => d,
            DateTimeKind.Local => d.ToUniversalTime(),
            _ => DateTime.SpecifyKind(d, DateTimeKind.Utc),
        };
    }
}
