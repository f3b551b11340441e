using System;
using System.Text.RegularExpressions;

namespace QlikActivity.Core.Events
{
    public static partial class UserAgentParser
    {
        private static readonly Regex RokuV = R(@"roku\/dvp-(\d+\.\d+)");
        private static readonly Regex WindowsPhoneV = R(@"windows phone (?:os)?[{sc}]?(\d+(\.\d+)*)");

        // Matched by hand below: Windows (/Windows ((NT|XP)( \d\d?.\d)?)/i), macOS, iOS and Android versions.
        private static readonly string[] MacOsNames = { "mac os x " };
        private static readonly string[] AndroidNames = { "android" };
        private static readonly Regex FirefoxOnIPadTest = R(@"Macintosh({.}*?) FxiOS({.}*?)\/");
        private static readonly Regex FirefoxOnIPadV = R(@"(Version\/)(\d[\d.]+)");
        private static readonly Regex OpenHarmonyV = R(@"openharmony[{sc}]+(\d+(\.\d+)*)");
        private static readonly Regex WebOsV = R(@"(?:web|hpw)[o0]s\/(\d+(\.\d+)*)");
        private static readonly Regex RimTabletOsV = R(@"rim[{sc}]tablet[{sc}]os[{sc}](\d+(\.\d+)*)");
        private static readonly Regex BlackBerryOsV = R(@"blackberry\d+\/(\d+([_{sc}]\d+)*)");
        private static readonly Regex BbV = R(@"\bbb(\d+)");
        private static readonly Regex BadaOsV = R(@"bada\/(\d+(\.\d+)*)");
        private static readonly Regex TizenOsV = R(@"tizen[/{sc}](\d+(\.\d+)*)");
        private static readonly Regex PlayStation4V = R(@"playstation 4[/{sc}](\d+(\.\d+)*)");

        /// <summary>Bowser's OS rules, in Bowser's order.</summary>
        private static (string? Name, string? Version) DetectOperatingSystem(Agent a)
        {
            if (a.HasExact("Roku/DVP")) return ("Roku", NullIfEmpty(a.First(RokuV)));
            if (a.Has("windows phone")) return ("Windows Phone", NullIfEmpty(a.First(WindowsPhoneV)));
            if (a.Has("windows ")) return ("Windows", NullIfEmpty(WindowsVersion(a)));

            // Firefox on an iPad asks for the desktop site; Bowser calls it iOS (case-sensitive test).
            if (a.HasExact(" FxiOS") && a.HasExact("Macintosh") && a.TestExact(FirefoxOnIPadTest))
            {
                return ("iOS", NullIfEmpty(a.SecondExact(FirefoxOnIPadV)));
            }

            if (a.Has("macintosh")) return ("macOS", NullIfEmpty(Dotted(FirstVersion(a.Lower, a.Ua, MacOsNames, VersionSeparator.None, VersionGrammar.DotUnderscore))));
            if (a.Has("ipod") || a.Has("iphone") || a.Has("ipad")) return ("iOS", NullIfEmpty(Dotted(IosVersion(a))));
            if (a.Has("openharmony")) return ("HarmonyOS", NullIfEmpty(a.First(OpenHarmonyV)));
            if (IsAndroid(a)) return ("Android", NullIfEmpty(FirstVersion(a.Lower, a.Ua, AndroidNames, VersionSeparator.SpaceSlashOrDash, VersionGrammar.Dotted)));
            if (IsWebOs(a)) return ("WebOS", NullIfEmpty(a.First(WebOsV)));
            if (IsBlackBerry(a))
            {
                string version = a.First(RimTabletOsV);
                if (version.Length == 0) version = a.First(BlackBerryOsV);
                if (version.Length == 0) version = a.First(BbV);
                return ("BlackBerry", NullIfEmpty(version));
            }

            if (a.Has("bada")) return ("Bada", NullIfEmpty(a.First(BadaOsV)));
            if (a.Has("tizen")) return ("Tizen", NullIfEmpty(a.First(TizenOsV)));
            if (a.Has("linux")) return ("Linux", null);
            if (a.HasExact("CrOS")) return ("Chrome OS", null);
            if (a.HasExact("PlayStation 4")) return ("PlayStation 4", NullIfEmpty(a.First(PlayStation4V)));
            return (null, null);
        }

        /// <summary>
        /// <c>/Windows ((NT|XP)( \d\d?.\d)?)/i</c> by hand: "NT 10.0", "NT 6.1", "XP", "NT" ("" when neither
        /// follows). Bowser keeps this text; its versionName ("10", "7") is not what Butler SOS writes.
        /// </summary>
        private static string WindowsVersion(Agent a)
        {
            string s = a.Lower;
            for (int at = s.IndexOf("windows ", StringComparison.Ordinal); at >= 0; at = s.IndexOf("windows ", at + 1, StringComparison.Ordinal))
            {
                int p = at + 8;
                if (p + 2 > s.Length || !((s[p] == 'n' && s[p + 1] == 't') || (s[p] == 'x' && s[p + 1] == 'p')))
                {
                    continue;
                }

                int q = p + 2;
                int end = q;

                // ( \d\d?.\d)? : two digits first, then one (backtracking); '.' is any character but a line break.
                if (q + 1 < s.Length && s[q] == ' ' && IsAsciiDigit(s[q + 1]))
                {
                    if (q + 4 < s.Length && IsAsciiDigit(s[q + 2]) && !IsLineTerminator(s[q + 3]) && IsAsciiDigit(s[q + 4]))
                    {
                        end = q + 5;
                    }
                    else if (q + 3 < s.Length && !IsLineTerminator(s[q + 2]) && IsAsciiDigit(s[q + 3]))
                    {
                        end = q + 4;
                    }
                }

                return VersionStrings.Get(a.Ua.AsSpan(p, end - p));
            }

            return "";
        }

        /// <summary><c>/os (\d+([_\s]\d+)*) like mac os x/i</c> by hand; "" when there is none.</summary>
        private static string IosVersion(Agent a)
        {
            string s = a.Lower;
            for (int at = s.IndexOf("os ", StringComparison.Ordinal); at >= 0; at = s.IndexOf("os ", at + 1, StringComparison.Ordinal))
            {
                int start = at + 3;
                int i = start;
                while (i < s.Length && IsAsciiDigit(s[i]))
                {
                    i++;
                }

                if (i == start)
                {
                    continue;
                }

                while (i + 1 < s.Length && (s[i] == '_' || IsJsSpace(s[i])) && IsAsciiDigit(s[i + 1]))
                {
                    i++;
                    while (i < s.Length && IsAsciiDigit(s[i]))
                    {
                        i++;
                    }
                }

                if (string.CompareOrdinal(s, i, " like mac os x", 0, 14) == 0)
                {
                    return VersionStrings.Get(a.Ua.AsSpan(start, i - start));
                }
            }

            return "";
        }

        /// <summary>Bowser's <c>.replace(/[_\s]/g, '.')</c>: Apple writes "10_15_7".</summary>
        private static string Dotted(string version)
        {
            bool any = false;
            foreach (char c in version)
            {
                if (c == '_' || IsJsSpace(c))
                {
                    any = true;
                    break;
                }
            }

            if (!any)
            {
                return version;
            }

            char[] chars = version.ToCharArray();
            for (int i = 0; i < chars.Length; i++)
            {
                if (chars[i] == '_' || IsJsSpace(chars[i]))
                {
                    chars[i] = '.';
                }
            }

            return VersionStrings.Get(chars);
        }
    }
}
