using System;
using System.Threading;

namespace QlikActivity.Core.Events
{
    /// <summary>
    /// Shares the short version strings the user-agent parser returns ("120", "17.1", "10.15.7"),
    /// so parsing the same few browsers 100,000 times a second does not allocate a new string
    /// each time. A lossy table: a collision replaces the slot, it never grows.
    /// </summary>
    internal static class VersionStrings
    {
        private const int Slots = 1024;
        private const int MaxPooledLength = 32;
        private const int SmallNumbers = 10000;

        private static readonly string?[] Pool = new string?[Slots];
        private static readonly string?[] Numbers = new string?[SmallNumbers];

        /// <summary>The shared string with the same characters as <paramref name="text"/>.</summary>
        public static string Get(ReadOnlySpan<char> text)
        {
            if (text.Length == 0)
            {
                return "";
            }

            if (text.Length > MaxPooledLength)
            {
                return text.ToString();
            }

            if (text.Length <= 4 && (text.Length == 1 || text[0] != '0') && TryParseSmall(text, out int number))
            {
                return Number(number);
            }

            uint hash = 2166136261;
            foreach (char c in text)
            {
                hash = (hash ^ c) * 16777619;
            }

            int slot = (int)(hash & (Slots - 1));
            string? existing = Volatile.Read(ref Pool[slot]);
            if (existing != null && text.SequenceEqual(existing.AsSpan()))
            {
                return existing;
            }

            string created = text.ToString();
            Volatile.Write(ref Pool[slot], created);
            return created;
        }

        /// <summary>The shared decimal text of a small non-negative number.</summary>
        public static string Number(int value)
        {
            if ((uint)value >= SmallNumbers)
            {
                return value.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            string? existing = Volatile.Read(ref Numbers[value]);
            if (existing != null)
            {
                return existing;
            }

            string created = value.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Volatile.Write(ref Numbers[value], created);
            return created;
        }

        private static bool TryParseSmall(ReadOnlySpan<char> text, out int number)
        {
            number = 0;
            foreach (char c in text)
            {
                if (c < '0' || c > '9')
                {
                    return false;
                }

                number = (number * 10) + (c - '0');
            }

            return true;
        }
    }
}
