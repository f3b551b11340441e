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
            if (IsCanonical(text, out utc))
            {
                return true;
            }

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

        /// <summary>True when <paramref name="text"/> is already in the wire form (the common case, parsed without a regex).</summary>
        public static bool IsCanonical(string? text, out DateTime utc)
        {
            utc = default;
            if (text == null || text.Length != 24 || text[23] != 'Z' || text[4] != '-' || text[7] != '-' || text[10] != 'T'
                || text[13] != ':' || text[16] != ':' || text[19] != '.')
            {
                return false;
            }

            int year = Digits(text, 0, 4), month = Digits(text, 5, 2), day = Digits(text, 8, 2);
            int hour = Digits(text, 11, 2), minute = Digits(text, 14, 2), second = Digits(text, 17, 2), ms = Digits(text, 20, 3);
            if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59 || ms < 0)
            {
                return false;
            }

            utc = new DateTime(year, month, day, hour, minute, second, ms, DateTimeKind.Utc);
            return true;
        }

        private static int Digits(string s, int start, int count)
        {
            int v = 0;
            for (int i = start; i < start + count; i++)
            {
                int d = s[i] - '0';
                if (d is < 0 or > 9)
                {
                    return -1000000;
                }

                v = (v * 10) + d;
            }

            return v;
        }

        private static DateTime ToUtc(DateTime d) => d.Kind switch
        {
            DateTimeKind.Utc => d,
            DateTimeKind.Local => d.ToUniversalTime(),
            _ => DateTime.SpecifyKind(d, DateTimeKind.Utc),
        };
    }
}
