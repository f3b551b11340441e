using System;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using System.Threading;

namespace QlikActivity.Core.Events
{
    /// <summary>
    /// Reads browser name and version, OS name and version, and device type from a user-agent
    /// string exactly as Bowser 2.14 does, which Butler SOS 15 uses, so dashboards built on its
    /// data keep working.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Bowser's rules are an ordered list per part (browser, OS, platform): the first rule whose
    /// test matches describes the part. This class keeps Bowser's order and its regular
    /// expressions (ASCII case-insensitive like JavaScript's <c>/i</c>, JavaScript's <c>\s</c> and
    /// <c>.</c>), so names are Bowser's: "Chrome" (also on Android and iOS), "Microsoft Edge",
    /// "Safari" (also on iPhone), "Samsung Internet for Android", "Internet Explorer", "Google Search",
    /// "Yandex Browser", "DuckDuckGo" (<c>Ddg/</c>) ...; Windows versions are the NT version as sent
    /// ("NT 10.0" for Windows 10 and 11, "NT 6.1" for 7), which is what Butler SOS 15 writes.
    /// Unknown agents get Bowser's fallback: the text before the last slash as the name.
    /// The major version is the version up to its first dot.
    /// </para>
    /// <para>
    /// The input is prepared as Butler SOS prepares it: surrounding whitespace removed and every
    /// single quote dropped. Only the first 1,000 characters are read (Butler SOS cuts the whole
    /// message there). Never throws: null, empty or unrecognisable input gives
    /// <see cref="UserAgentInfo.Unknown"/>. Bowser 2.14 reads Client Hints too; a user agent in a
    /// Proxy message has none, so the hint-only rule (Brave) never applies, as in Butler SOS.
    /// </para>
    /// </remarks>
    public static partial class UserAgentParser
    {
        /// <summary>How much of a user agent is read: Butler SOS keeps 1,000 characters of a message.</summary>
        internal const int MaxLength = 1000;

        // Results of recent distinct user agents. A deployment sees few distinct strings, so most
        // events are answered here without parsing or allocating. Lossy: a collision overwrites.
        private const int CacheSlots = 1024;
        private const int MaxCachedLength = 600;
        private static readonly CachedResult?[] Cache = new CachedResult?[CacheSlots];

        /// <summary>Reads browser, OS and device type from <paramref name="userAgent"/>; never throws.</summary>
        public static UserAgentInfo Parse(string? userAgent)
        {
            if (userAgent == null || userAgent.Length == 0)
            {
                return UserAgentInfo.Unknown;
            }

            if (userAgent.Length > MaxCachedLength)
            {
                return ParseUncached(userAgent.AsSpan());
            }

            int slot = Hash(userAgent.AsSpan()) & (CacheSlots - 1);
            CachedResult? cached = Volatile.Read(ref Cache[slot]);
            if (cached != null && string.Equals(cached.UserAgent, userAgent, StringComparison.Ordinal))
            {
                return cached.Info;
            }

            UserAgentInfo info = ParseUncached(userAgent.AsSpan());
            Volatile.Write(ref Cache[slot], new CachedResult(userAgent, info));
            return info;
        }

        /// <summary>Parses without the result cache (tests and benchmarks measure this path).</summary>
        internal static UserAgentInfo ParseUncached(ReadOnlySpan<char> userAgent)
        {
            if (userAgent.Length > MaxLength)
            {
                userAgent = userAgent.Slice(0, MaxLength);
            }

            string? ua = Prepare(userAgent);
            if (ua == null)
            {
                return UserAgentInfo.Unknown;
            }

            var agent = new Agent(ua);
            (string? browserName, string? browserVersion) = DetectBrowser(agent);
            (string? osName, string? osVersion) = DetectOperatingSystem(agent);
            string? deviceType = DetectDeviceType(agent, browserName, osName, osVersion);

            if (browserName == null && osName == null && deviceType == null)
            {
                return UserAgentInfo.Unknown;
            }

            return new UserAgentInfo(browserName, browserVersion, Major(browserVersion), osName, osVersion, deviceType);
        }

        /// <summary>Butler SOS's preparation: trim, then drop every single quote. Null when nothing is left.</summary>
        private static string? Prepare(ReadOnlySpan<char> s)
        {
            s = TrimJs(s);
            if (s.IsEmpty)
            {
                return null;
            }

            if (s.IndexOf('\'') < 0)
            {
                return s.ToString();
            }

            var chars = new char[s.Length];
            int n = 0;
            foreach (char c in s)
            {
                if (c != '\'')
                {
                    chars[n++] = c;
                }
            }

            return n == 0 ? null : new string(chars, 0, n);
        }

        /// <summary>JavaScript's <c>String.prototype.trim</c>: its whitespace and line terminators.</summary>
        private static ReadOnlySpan<char> TrimJs(ReadOnlySpan<char> s)
        {
            int start = 0;
            int end = s.Length;
            while (start < end && IsJsSpace(s[start]))
            {
                start++;
            }

            while (end > start && IsJsSpace(s[end - 1]))
            {
                end--;
            }

            return s.Slice(start, end - start);
        }

        private static bool IsJsSpace(char c) =>
            c == ' ' || (c >= '\t' && c <= '\r') || c == '\u00A0' || c == '\u1680' || (c >= '\u2000' && c <= '\u200A')
            || c == '\u2028' || c == '\u2029' || c == '\u202F' || c == '\u205F' || c == '\u3000' || c == '\uFEFF';

        private static bool IsLineTerminator(char c) => c == '\n' || c == '\r' || c == '\u2028' || c == '\u2029';

        /// <summary>The version up to its first dot, as Butler SOS dashboards group browsers; null when empty.</summary>
        private static string? Major(string? version)
        {
            if (string.IsNullOrEmpty(version))
            {
                return null;
            }

            int dot = version!.IndexOf('.');
            return dot < 0 ? version : dot == 0 ? null : VersionStrings.Get(version.AsSpan(0, dot));
        }

        /// <summary>A stable, fast hash of the whole string for the result cache.</summary>
        private static int Hash(ReadOnlySpan<char> s)
        {
            const ulong Prime = 0x100000001B3UL;
            ulong hash = 0xCBF29CE484222325UL ^ (ulong)s.Length;
            ReadOnlySpan<ulong> words = MemoryMarshal.Cast<char, ulong>(s);
            foreach (ulong word in words)
            {
                hash = (hash ^ word) * Prime;
                hash = (hash << 23) | (hash >> 41);
            }

            for (int i = words.Length * 4; i < s.Length; i++)
            {
                hash = (hash ^ s[i]) * Prime;
            }

            hash ^= hash >> 31;
            hash *= 0xBF58476D1CE4E5B9UL;
            hash ^= hash >> 29;
            return (int)hash;
        }

        /// <summary>
        /// JavaScript's <c>\s</c> as a character class body (.NET's ECMAScript mode knows only ASCII
        /// white space), and <c>.</c> (anything but a line terminator).
        /// </summary>
        private const string S = @"\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff";
        private const string Dot = @"[^\n\r\u2028\u2029]";

        /// <summary>
        /// A Bowser expression written in lower case, with <c>{s}</c> for <c>\s</c> (<c>{sc}</c> inside a
        /// character class), <c>{S}</c> for <c>\S</c> and <c>{.}</c> for <c>.</c>. Matched against the ASCII-lowered agent: that is JavaScript's
        /// <c>/i</c> for these ASCII patterns (it never folds other letters onto ASCII ones).
        /// </summary>
        private static Regex R(string pattern) =>
            new Regex(
                pattern.Replace("{sc}", S).Replace("{s}", "[" + S + "]").Replace("{S}", "[^" + S + "]").Replace("{.}", Dot),
                RegexOptions.ECMAScript);

        /// <summary>One user agent with the lower-case copy the case-insensitive rules read.</summary>
        private sealed class Agent
        {
            // A Bloom filter of the lower-case text's character pairs (1,024 bits). Bowser asks about a hundred
            // "does it contain ..." questions per agent and nearly all answers are no; a pair missing here
            // answers no without searching, which keeps a first-time parse in the low microseconds.
            private readonly ulong[] _pairs = new ulong[16];

            public Agent(string ua)
            {
                Ua = ua;
                Lower = LowerAscii(ua);
                string s = Lower;
                for (int i = 1; i < s.Length; i++)
                {
                    int bit = Pair(s[i - 1], s[i]);
                    _pairs[bit >> 6] |= 1UL << (bit & 63);
                }
            }

            /// <summary>As received (case-sensitive rules and every returned text read this).</summary>
            public string Ua { get; }

            /// <summary>ASCII letters lowered; same length and positions as <see cref="Ua"/>.</summary>
            public string Lower { get; }

            /// <summary>The browser rules stopped at a crawler rule (the device type is then "bot").</summary>
            public bool BotRule { get; set; }

            /// <summary>Case-insensitive substring test (<c>/text/i</c>); <paramref name="text"/> is lower case.</summary>
            public bool Has(string text)
            {
                for (int i = 1; i < text.Length; i++)
                {
                    int bit = Pair(text[i - 1], text[i]);
                    if ((_pairs[bit >> 6] & (1UL << (bit & 63))) == 0)
                    {
                        return false;
                    }
                }

                return Lower.IndexOf(text, StringComparison.Ordinal) >= 0;
            }

            private static int Pair(char a, char b) => ((a * 31) + b) & 1023;

            /// <summary>Case-sensitive substring test.</summary>
            public bool HasExact(string text) => Ua.IndexOf(text, StringComparison.Ordinal) >= 0;

            public bool Test(Regex regex) => regex.IsMatch(Lower);

            public bool TestExact(Regex regex) => regex.IsMatch(Ua);

            /// <summary>Bowser's <c>getFirstMatch</c>: group 1 of the first match, or "" (case-insensitive).</summary>
            public string First(Regex regex) => Group(regex.Match(Lower), 1);

            /// <summary>Bowser's <c>getSecondMatch</c> (case-insensitive).</summary>
            public string Second(Regex regex) => Group(regex.Match(Lower), 2);

            /// <summary><c>getSecondMatch</c> with a case-sensitive expression.</summary>
            public string SecondExact(Regex regex) => Group(regex.Match(Ua), 2);

            private string Group(Match match, int group)
            {
                if (!match.Success)
                {
                    return "";
                }

                System.Text.RegularExpressions.Group g = match.Groups[group];
                return g.Success && g.Length > 0 ? VersionStrings.Get(Ua.AsSpan(g.Index, g.Length)) : "";
            }

            private static string LowerAscii(string s)
            {
                int i = 0;
                while (i < s.Length && !(s[i] >= 'A' && s[i] <= 'Z'))
                {
                    i++;
                }

                if (i == s.Length)
                {
                    return s;
                }

                char[] chars = s.ToCharArray();
                for (; i < chars.Length; i++)
                {
                    char c = chars[i];
                    if (c >= 'A' && c <= 'Z')
                    {
                        chars[i] = (char)(c + 32);
                    }
                }

                return new string(chars);
            }
        }

        private sealed class CachedResult
        {
            public CachedResult(string userAgent, UserAgentInfo info)
            {
                UserAgent = userAgent;
                Info = info;
            }

            public string UserAgent { get; }

            public UserAgentInfo Info { get; }
        }
    }
}
