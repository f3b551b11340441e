using System;
namespace QlikActivity.Core.Events
{
    public static partial class UserAgentParser
    {
        /// <summary>The version grammars of Bowser's most used expressions, matched by hand (no regex, no allocation).</summary>
        internal enum VersionGrammar
        {
            /// <summary><c>\d+(\.?_?\d+)+</c>: digits with optional '.', '_' or "._" between runs; at least two digits.</summary>
            DotUnderscore,

            /// <summary><c>\d+(\.\d+)*</c>: digits, then any ".digits".</summary>
            Dotted,
        }

        /// <summary>What may stand between a name and its version.</summary>
        internal enum VersionSeparator
        {
            /// <summary>Nothing: the name ends with its own separator ("version/", "msie ").</summary>
            None,

            /// <summary><c>[\s/]</c>.</summary>
            SpaceOrSlash,

            /// <summary><c>[\s/-]</c>.</summary>
            SpaceSlashOrDash,
        }

        /// <summary>
        /// <c>getFirstMatch(/(?:name1|name2)SEP(GRAMMAR)/i)</c> without a regex: the leftmost position where a
        /// name (lower case, tried in order) is followed by the separator and a version of the grammar; the
        /// version as written in the agent, or "". Equivalent to the regex (a test checks it against one).
        /// </summary>
        internal static string FirstVersion(string lower, string ua, string[] names, VersionSeparator separator, VersionGrammar grammar)
        {
            int from = 0;
            while (from < lower.Length)
            {
                // The leftmost occurrence of any name from here.
                int at = -1;
                foreach (string name in names)
                {
                    int i = lower.IndexOf(name, from, StringComparison.Ordinal);
                    if (i >= 0 && (at < 0 || i < at))
                    {
                        at = i;
                    }
                }

                if (at < 0)
                {
                    return "";
                }

                // At that position the regex tries each alternative in order.
                foreach (string name in names)
                {
                    if (string.CompareOrdinal(lower, at, name, 0, name.Length) != 0)
                    {
                        continue;
                    }

                    int start = at + name.Length;
                    if (separator != VersionSeparator.None)
                    {
                        if (start >= lower.Length)
                        {
                            continue;
                        }

                        char c = lower[start];
                        bool fits = c == '/' || IsJsSpace(c) || (separator == VersionSeparator.SpaceSlashOrDash && c == '-');
                        if (!fits)
                        {
                            continue;
                        }

                        start++;
                    }

                    int end = VersionEnd(lower, start, grammar);
                    if (end > start)
                    {
                        return VersionStrings.Get(ua.AsSpan(start, end - start));
                    }
                }

                from = at + 1;
            }

            return "";
        }

        /// <summary>Where a greedy version of <paramref name="grammar"/> starting at <paramref name="start"/> ends; <paramref name="start"/> if none.</summary>
        internal static int VersionEnd(string s, int start, VersionGrammar grammar)
        {
            int i = start;
            while (i < s.Length && IsAsciiDigit(s[i]))
            {
                i++;
            }

            if (i == start)
            {
                return start;
            }

            int digits = i - start;
            while (true)
            {
                int j = i;
                if (j < s.Length && s[j] == '.')
                {
                    j++;
                }

                if (grammar == VersionGrammar.DotUnderscore)
                {
                    if (j < s.Length && s[j] == '_')
                    {
                        j++;
                    }
                }
                else if (j == i)
                {
                    // Dotted needs the dot.
                    break;
                }

                int k = j;
                while (k < s.Length && IsAsciiDigit(s[k]))
                {
                    k++;
                }

                if (k == j)
                {
                    break;
                }

                digits += k - j;
                i = k;
            }

            // \d+(\.?_?\d+)+ needs one repetition, which backtracking finds inside any run of two digits.
            return grammar == VersionGrammar.DotUnderscore && digits < 2 ? start : i;
        }

        private static bool IsAsciiDigit(char c) => c >= '0' && c <= '9';
    }
}
