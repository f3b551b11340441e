using System.Text.RegularExpressions;

namespace QlikActivity.Core.Events
{
    public static partial class UserAgentParser
    {
        private static readonly Regex NexusTabletTest = R(@"nexus[{sc}]*(?:7|8|9|10)");
        private static readonly Regex TabletTest = R(@"tablet(?! pc)");
        private static readonly Regex LikeIDeviceTest = R(@"like (ipod|iphone)");
        private static readonly Regex NexusMobileTest = R(@"nexus[{sc}]*[0-6]");
        private static readonly Regex MobiTest = R(@"[^-]mobi");

        /// <summary>Bowser's platform rules, in Bowser's order: <c>bot</c>, <c>tablet</c>, <c>mobile</c>, <c>tv</c> or <c>desktop</c>.</summary>
        private static string? DetectDeviceType(Agent a, string? browserName, string? osName, string? osVersion)
        {
            // Bowser's bot list: googlebot, linespider, amazonbot, gptbot, chatgpt-user, oai-searchbot, baiduspider,
            // bingbot, duckduckbot, claudebot|claude-web|claude-user|claude-searchbot, omgilibot|webzio-extended,
            // diffbot, perplexitybot, perplexity-user, youbot, ia_archiver, meta-webindexer|externalads|externalagent|
            // externalfetcher, facebookexternalhit|facebookcatalog, slackbot|slack-imgproxy, yahoo,
            // yandexbot|yandexmobilebot, pingdom. All but "yahoo" are browser rules that stop before any browser.
            if (a.BotRule || a.Has("yahoo")) return "bot";
            if (a.Has("huawei")) return "mobile";
            if (a.Has("nexus") && a.Test(NexusTabletTest)) return "tablet";
            if (a.Has("ipad")) return "tablet";
            if (a.HasExact(" FxiOS") && a.HasExact("Macintosh") && a.TestExact(FirefoxOnIPadTest)) return "tablet";
            if (a.Has("kftt build")) return "tablet";
            if (a.Has("silk")) return "tablet";
            if (a.Has("tablet") && a.Test(TabletTest)) return "tablet";
            if ((a.Has("ipod") || a.Has("iphone")) && !a.Test(LikeIDeviceTest)) return "mobile";
            if ((a.Has("nexus") && a.Test(NexusMobileTest)) || a.Has("galaxy nexus")) return "mobile";
            if (a.Has("nokia")) return "mobile";
            if (a.Has("mobi") && a.Test(MobiTest)) return "mobile";
            if (browserName == "BlackBerry" || browserName == "Bada") return "mobile";

            // (Bowser's Windows Phone platform rule compares a name it never produces; it never applies.)
            if (osName == "Android") return AndroidMajor(osVersion) >= 3 ? "tablet" : "mobile";
            if (a.Has("smart-tv") || a.Has("smarttv")) return "tv";
            if (a.Has("netcast")) return "tv";
            if (osName == "macOS" || osName == "Windows" || osName == "Linux") return "desktop";
            if (osName == "PlayStation 4" || osName == "Roku") return "tv";
            return null;
        }

        /// <summary><c>Number(String(version).split('.')[0])</c>: 0 for no version, NaN (never ≥ 3) for non-digits.</summary>
        private static int AndroidMajor(string? version)
        {
            if (version == null)
            {
                return -1;
            }

            int value = 0;
            foreach (char c in version)
            {
                if (c == '.')
                {
                    break;
                }

                if (c < '0' || c > '9')
                {
                    return -1;
                }

                value = value > 100000 ? value : (value * 10) + (c - '0');
            }

            return value;
        }
    }
}
