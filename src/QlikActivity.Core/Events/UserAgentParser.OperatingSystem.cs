using System;
using System.Text.RegularExpressions;

namespace QlikActivity.Core.Events
{
    public static partial class UserAgentParser
    {
        private static readonly Regex RokuV = R(@"roku\/dvp-(\d+\.\d+)");
        private static readonly Regex WindowsPhoneV = R(@"windows phone (?:os)?[{sc}]?(\d+(\.\d+)*)");

        // "NT 10.0", "NT 6.1", "XP", "NT": Bowser keeps the text after "Windows " (its versionName, "10" or "7", is not what Butler SOS writes).
        private static readonly Regex WindowsV = R(@"windows ((nt|xp)( \d\d?{.}\d)?)");
        private static readonly Regex FirefoxOnIPadTest = R(@"Macintosh({.}*?) FxiOS({.}*?)\/");
        private static readonly Regex FirefoxOnIPadV = R(@"(Version\/)(\d[\d.]+)");
        private static readonly Regex MacOsV = R(@"mac os x (\d+(\.?_?\d+)+)");
        private static readonly Regex IosV = R(@"os (\d+([_{sc}]\d+)*) like mac os x");
        private static readonly Regex OpenHarmonyV = R(@"openharmony[{sc}]+(\d+(\.\d+)*)");
        private static readonly Regex AndroidV = R(@"android[-/{sc}](\d+(\.\d+)*)");
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
            if (a.Has("windows ")) return ("Windows", NullIfEmpty(a.First(WindowsV)));

            // Firefox on an iPad asks for the desktop site; Bowser calls it iOS (case-sensitive test).
            if (a.HasExact("Macintosh") && a.TestExact(FirefoxOnIPadTest))
            {
                return ("iOS", NullIfEmpty(a.SecondExact(FirefoxOnIPadV)));
            }

            if (a.Has("macintosh")) return ("macOS", NullIfEmpty(Dotted(a.First(MacOsV))));
            if (a.Has("ipod") || a.Has("iphone") || a.Has("ipad")) return ("iOS", NullIfEmpty(Dotted(a.First(IosV))));
            if (a.Has("openharmony")) return ("HarmonyOS", NullIfEmpty(a.First(OpenHarmonyV)));
            if (IsAndroid(a)) return ("Android", NullIfEmpty(a.First(AndroidV)));
            if (a.Test(WebOsTest)) return ("WebOS", NullIfEmpty(a.First(WebOsV)));
            if (a.Test(BlackBerryTest) || (a.Has("rim") && a.Test(RimTabletTest)))
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
