using System;
using System.Text.RegularExpressions;

namespace QlikActivity.Core.Events
{
    public static partial class UserAgentParser
    {
        // Bowser's commonVersionIdentifier; it and the hottest expressions below are matched by hand
        // (FirstVersion): same matches, no regex time or allocation.
        private static readonly Regex Common = R(@"version\/(\d+(\.?_?\d+)+)");
        private static readonly string[] CommonNames = { "version/" };
        private static readonly string[] ChromeNames = { "chrome/", "crios/", "crmo/" };
        private static readonly string[] FirefoxNames = { "firefox", "iceweasel", "fxios" };
        private static readonly string[] InternetExplorerNames = { "msie ", "rv:" };

        // Crawlers: "name/1.2" (at least two dotted numbers).
        private static readonly Regex GptBotV = R(@"gptbot\/(\d+(\.\d+)+)");
        private static readonly Regex ChatGptUserV = R(@"chatgpt-user\/(\d+(\.\d+)+)");
        private static readonly Regex OaiSearchBotV = R(@"oai-searchbot\/(\d+(\.\d+)+)");
        private static readonly Regex ClaudeBotV = R(@"(?:claudebot|claude-web|claude-user|claude-searchbot)\/(\d+(\.\d+)+)");
        private static readonly Regex OmgiliBotV = R(@"(?:omgilibot|webzio-extended)\/(\d+(\.\d+)+)");
        private static readonly Regex DiffbotV = R(@"diffbot\/(\d+(\.\d+)+)");
        private static readonly Regex PerplexityBotV = R(@"perplexitybot\/(\d+(\.\d+)+)");
        private static readonly Regex PerplexityUserV = R(@"perplexity-user\/(\d+(\.\d+)+)");
        private static readonly Regex YouBotV = R(@"youbot\/(\d+(\.\d+)+)");
        private static readonly Regex MetaWebIndexerV = R(@"meta-webindexer\/(\d+(\.\d+)+)");
        private static readonly Regex MetaExternalAdsV = R(@"meta-externalads\/(\d+(\.\d+)+)");
        private static readonly Regex MetaExternalAgentV = R(@"meta-externalagent\/(\d+(\.\d+)+)");
        private static readonly Regex MetaExternalFetcherV = R(@"meta-externalfetcher\/(\d+(\.\d+)+)");
        private static readonly Regex GooglebotV = R(@"googlebot\/(\d+(\.\d+))");
        private static readonly Regex LinespiderV = R(@"(?:linespider)(?:-[-\w]+)?[/{sc}](\d+(\.\d+)+)");
        private static readonly Regex AmazonbotV = R(@"amazonbot\/(\d+(\.\d+)+)");
        private static readonly Regex BingbotV = R(@"bingbot\/(\d+(\.\d+)+)");
        private static readonly Regex BaiduspiderV = R(@"baiduspider\/(\d+(\.\d+)+)");
        private static readonly Regex DuckDuckBotV = R(@"duckduckbot\/(\d+(\.\d+)+)");
        private static readonly Regex IaArchiverV = R(@"ia_archiver\/(\d+(\.\d+)+)");
        private static readonly Regex SlackBotV = R(@"(?:slackbot|slack-imgproxy)(?:-[-\w]+)?[/{sc}](\d+(\.\d+)+)");
        private static readonly Regex YahooSlurpTest = R(@"yahoo!?[/{sc}]*slurp");

        // Browsers.
        private static readonly Regex OperaV = R(@"(?:opera)[/{sc}](\d+(\.?_?\d+)+)");
        private static readonly Regex OprV = R(@"(?:opr|opios)[/{sc}]({S}+)");
        private static readonly Regex SamsungV = R(@"(?:samsungbrowser)[/{sc}](\d+(\.?_?\d+)+)");
        private static readonly Regex WhaleV = R(@"(?:whale)[/{sc}](\d+(?:\.\d+)+)");
        private static readonly Regex PaleMoonV = R(@"(?:palemoon)[/{sc}](\d+(?:\.\d+)+)");
        private static readonly Regex MzBrowserV = R(@"(?:mzbrowser)[/{sc}](\d+(?:\.\d+)+)");
        private static readonly Regex FocusV = R(@"(?:focus)[/{sc}](\d+(?:\.\d+)+)");
        private static readonly Regex SwingV = R(@"(?:swing)[/{sc}](\d+(?:\.\d+)+)");
        private static readonly Regex CoastV = R(@"(?:coast)[/{sc}](\d+(\.?_?\d+)+)");
        private static readonly Regex OperaTouchTest = R(@"opt\/\d+(?:{.}?_?\d+)+");
        private static readonly Regex OperaTouchV = R(@"(?:opt)[/{sc}](\d+(\.?_?\d+)+)");
        private static readonly Regex YandexV = R(@"(?:yabrowser)[/{sc}](\d+(\.?_?\d+)+)");
        private static readonly Regex UcBrowserV = R(@"(?:ucbrowser)[/{sc}](\d+(\.?_?\d+)+)");
        private static readonly Regex MaxthonV = R(@"(?:maxthon|mxios)[/{sc}](\d+(\.?_?\d+)+)");
        private static readonly Regex EpiphanyV = R(@"(?:epiphany)[/{sc}](\d+(\.?_?\d+)+)");
        private static readonly Regex PuffinV = R(@"(?:puffin)[/{sc}](\d+(\.?_?\d+)+)");
        private static readonly Regex SleipnirV = R(@"(?:sleipnir)[/{sc}](\d+(\.?_?\d+)+)");
        private static readonly Regex KMeleonV = R(@"(?:k-meleon)[/{sc}](\d+(\.?_?\d+)+)");
        private static readonly Regex WeChatV = R(@"(?:micromessenger)[/{sc}](\d+(\.?_?\d+)+)");
        private static readonly Regex QqBrowserV = R(@"(?:qqbrowserlite|qqbrowser)[/](\d+(\.?_?\d+)+)");
        private static readonly Regex EdgeOtherTest = R(@"edg([ea]|ios)");
        private static readonly Regex EdgeOtherV = R(@"edg([ea]|ios)\/(\d+(\.?_?\d+)+)");
        private static readonly Regex VivaldiV = R(@"vivaldi\/(\d+(\.?_?\d+)+)");
        private static readonly Regex SeaMonkeyV = R(@"seamonkey\/(\d+(\.?_?\d+)+)");
        private static readonly Regex SailfishV = R(@"sailfish[{sc}]?browser\/(\d+(\.\d+)?)");
        private static readonly Regex SilkV = R(@"silk\/(\d+(\.?_?\d+)+)");
        private static readonly Regex PhantomJsV = R(@"phantomjs\/(\d+(\.?_?\d+)+)");
        private static readonly Regex SlimerJsV = R(@"slimerjs\/(\d+(\.?_?\d+)+)");
        private static readonly Regex BlackBerryTest = R(@"blackberry|\bbb\d+");
        private static readonly Regex RimTabletTest = R(@"rim[{sc}]tablet");
        private static readonly Regex BlackBerryV = R(@"blackberry[\d]+\/(\d+(\.?_?\d+)+)");
        private static readonly Regex WebOsBrowserV = R(@"w(?:eb)?[o0]sbrowser\/(\d+(\.?_?\d+)+)");
        private static readonly Regex BadaV = R(@"dolfin\/(\d+(\.?_?\d+)+)");
        private static readonly Regex TizenV = R(@"(?:tizen[{sc}]?)?browser\/(\d+(\.?_?\d+)+)");
        private static readonly Regex QupZillaV = R(@"(?:qupzilla)[/{sc}](\d+(\.?_?\d+)+)");
        private static readonly Regex LibreWolfV = R(@"(?:librewolf)[/{sc}](\d+(\.?_?\d+)+)");
        private static readonly Regex ElectronV = R(@"(?:electron)\/(\d+(\.?_?\d+)+)");
        private static readonly Regex SogouMobileV = R(@"(?:sogoumobilebrowser)[/{sc}](\d+(\.?_?\d+)+)");
        private static readonly Regex ChromeV = R(@"(?:chrome|crios|crmo)\/(\d+(\.?_?\d+)+)");
        private static readonly Regex SogouSeV = R(@"se ([\d.]+)x");
        private static readonly Regex MiuiV = R(@"(?:miuibrowser)[/{sc}](\d+(\.?_?\d+)+)");

        // DuckDuckGo's apps end the agent with "Ddg/x.y"; JavaScript's $ is the very end (\z here).
        private static readonly Regex DuckDuckGoTest = R(@"[{sc}]ddg\/[\d.]+\z");
        private static readonly Regex DuckDuckGoV = R(@"[{sc}]ddg\/([\d.]+)\z");
        private static readonly Regex ChromiumV = R(@"(?:chromium)[/{sc}](\d+(\.?_?\d+)+)");
        private static readonly Regex GsaV = R(@"(?:gsa)\/(\d+(\.?_?\d+)+)");

        /// <summary>Bowser's browser rules, in Bowser's order (it matters: Edge also says Chrome, Chrome also says Safari).</summary>
        private static (string? Name, string? Version) DetectBrowser(Agent a)
        {
            // Crawlers first. Every token Bowser's platform rules call a bot is one of these tests too
            // (but a bare "yahoo"), so the device type reads the outcome instead of searching again.
            a.BotRule = true;
            if (a.Has("gptbot")) return B("GPTBot", a, GptBotV, Common);
            if (a.Has("chatgpt-user")) return B("ChatGPT-User", a, ChatGptUserV, Common);
            if (a.Has("oai-searchbot")) return B("OAI-SearchBot", a, OaiSearchBotV, Common);
            if (a.Has("claudebot") || a.Has("claude-web") || a.Has("claude-user") || a.Has("claude-searchbot")) return B("ClaudeBot", a, ClaudeBotV, Common);
            if (a.Has("omgilibot") || a.Has("webzio-extended")) return B("Omgilibot", a, OmgiliBotV, Common);
            if (a.Has("diffbot")) return B("Diffbot", a, DiffbotV, Common);
            if (a.Has("perplexitybot")) return B("PerplexityBot", a, PerplexityBotV, Common);
            if (a.Has("perplexity-user")) return B("Perplexity-User", a, PerplexityUserV, Common);
            if (a.Has("youbot")) return B("YouBot", a, YouBotV, Common);
            if (a.Has("meta-webindexer")) return B("Meta-WebIndexer", a, MetaWebIndexerV, Common);
            if (a.Has("meta-externalads")) return B("Meta-ExternalAds", a, MetaExternalAdsV, Common);
            if (a.Has("meta-externalagent")) return B("Meta-ExternalAgent", a, MetaExternalAgentV, Common);
            if (a.Has("meta-externalfetcher")) return B("Meta-ExternalFetcher", a, MetaExternalFetcherV, Common);
            if (a.Has("googlebot")) return B("Googlebot", a, GooglebotV, Common);
            if (a.Has("linespider")) return B("Linespider", a, LinespiderV, Common);
            if (a.Has("amazonbot")) return B("AmazonBot", a, AmazonbotV, Common);
            if (a.Has("bingbot")) return B("BingCrawler", a, BingbotV, Common);
            if (a.Has("baiduspider")) return B("BaiduSpider", a, BaiduspiderV, Common);
            if (a.Has("duckduckbot")) return B("DuckDuckBot", a, DuckDuckBotV, Common);
            if (a.Has("ia_archiver")) return B("InternetArchiveCrawler", a, IaArchiverV, Common);
            if (a.Has("facebookexternalhit") || a.Has("facebookcatalog")) return ("FacebookExternalHit", null);
            if (a.Has("slackbot") || a.Has("slack-imgproxy")) return B("SlackBot", a, SlackBotV, Common);
            if (a.Has("yahoo") && a.Test(YahooSlurpTest)) return ("YahooSlurp", null);
            if (a.Has("yandexbot") || a.Has("yandexmobilebot")) return ("YandexBot", null);
            if (a.Has("pingdom")) return ("PingdomBot", null);
            a.BotRule = false;

            if (a.Has("opera")) return B("Opera", a, Common, OperaV);
            if (a.Has("opr/") || a.Has("opios")) return B("Opera", a, OprV, Common);
            if (a.Has("samsungbrowser")) return B("Samsung Internet for Android", a, Common, SamsungV);
            if (a.Has("whale")) return B("NAVER Whale Browser", a, Common, WhaleV);
            if (a.Has("palemoon")) return B("Pale Moon", a, Common, PaleMoonV);
            if (a.Has("mzbrowser")) return B("MZ Browser", a, MzBrowserV, Common);
            if (a.Has("focus")) return B("Focus", a, FocusV, Common);
            if (a.Has("swing")) return B("Swing", a, SwingV, Common);
            if (a.Has("coast")) return B("Opera Coast", a, Common, CoastV);
            if (a.Has("opt/") && a.Test(OperaTouchTest)) return B("Opera Touch", a, OperaTouchV, Common);
            if (a.Has("yabrowser")) return B("Yandex Browser", a, YandexV, Common);
            if (a.Has("ucbrowser")) return B("UC Browser", a, Common, UcBrowserV);
            if (a.Has("maxthon") || a.Has("mxios")) return B("Maxthon", a, Common, MaxthonV);
            if (a.Has("epiphany")) return B("Epiphany", a, Common, EpiphanyV);
            if (a.Has("puffin")) return B("Puffin", a, Common, PuffinV);
            if (a.Has("sleipnir")) return B("Sleipnir", a, Common, SleipnirV);
            if (a.Has("k-meleon")) return B("K-Meleon", a, Common, KMeleonV);
            if (a.Has("micromessenger")) return B("WeChat", a, WeChatV, Common);
            if (a.Has("qqbrowser")) return B(a.Has("qqbrowserlite") ? "QQ Browser Lite" : "QQ Browser", a, QqBrowserV, Common);
            if (a.Has("msie") || a.Has("trident")) return ("Internet Explorer", NullIfEmpty(FirstVersion(a.Lower, a.Ua, InternetExplorerNames, VersionSeparator.None, VersionGrammar.DotUnderscore)));
            if (a.Has("edg/") && EdgeVersion(a, out string edge)) return ("Microsoft Edge", NullIfEmpty(edge));
            if (a.Has("edg") && a.Test(EdgeOtherTest)) return ("Microsoft Edge", NullIfEmpty(a.Second(EdgeOtherV)));
            if (a.Has("vivaldi")) return B("Vivaldi", a, VivaldiV, null);
            if (a.Has("seamonkey")) return B("SeaMonkey", a, SeaMonkeyV, null);
            if (a.Has("sailfish")) return B("Sailfish", a, SailfishV, null);
            if (a.Has("silk")) return B("Amazon Silk", a, SilkV, null);
            if (a.Has("phantom")) return B("PhantomJS", a, PhantomJsV, null);
            if (a.Has("slimerjs")) return B("SlimerJS", a, SlimerJsV, null);
            if (IsBlackBerry(a)) return B("BlackBerry", a, Common, BlackBerryV);
            if (IsWebOs(a)) return B("WebOS Browser", a, Common, WebOsBrowserV);
            if (a.Has("bada")) return B("Bada", a, BadaV, null);
            if (a.Has("tizen")) return B("Tizen", a, TizenV, Common);
            if (a.Has("qupzilla")) return B("QupZilla", a, QupZillaV, Common);
            if (a.Has("librewolf")) return B("LibreWolf", a, LibreWolfV, null);
            if (a.Has("firefox") || a.Has("iceweasel") || a.Has("fxios")) return ("Firefox", NullIfEmpty(FirstVersion(a.Lower, a.Ua, FirefoxNames, VersionSeparator.SpaceOrSlash, VersionGrammar.DotUnderscore)));
            if (a.Has("electron")) return B("Electron", a, ElectronV, null);
            if (a.Has("sogoumobilebrowser") || a.Has("metasr") || a.Has("se 2.x"))
            {
                string version = a.First(SogouMobileV);
                if (version.Length == 0) version = a.First(ChromeV);
                if (version.Length == 0) version = a.First(SogouSeV);
                return ("Sogou Browser", NullIfEmpty(version));
            }

            if (a.Has("miuibrowser")) return B("Miui", a, MiuiV, null);

            // DuckDuckGo: Bowser asks the Client Hints first (none here), then the agent's "Ddg/x.y" suffix.
            if (a.Has("ddg/") && a.Test(DuckDuckGoTest)) return B("DuckDuckGo", a, DuckDuckGoV, null);

            // Brave: Bowser knows it only from Client Hints, which a Proxy message never carries.
            if (a.Has("chromium")) return B("Chromium", a, ChromiumV, Common);
            if (a.Has("chrome") || a.Has("crios") || a.Has("crmo")) return ("Chrome", NullIfEmpty(FirstVersion(a.Lower, a.Ua, ChromeNames, VersionSeparator.None, VersionGrammar.DotUnderscore)));
            if (a.Has("gsa")) return B("Google Search", a, GsaV, null);
            if (IsAndroid(a)) return B("Android Browser", a, Common, null);
            if (a.Has("playstation 4")) return B("PlayStation 4", a, Common, null);
            if (a.Has("safari") || a.Has("applewebkit")) return B("Safari", a, Common, null);

            return Fallback(a.Ua);
        }

        /// <summary><c>/blackberry|\bbb\d+/i</c> or <c>/rim\stablet/i</c>, each expression only where its letters are.</summary>
        private static bool IsBlackBerry(Agent a) =>
            a.Has("blackberry") || (a.Has("bb") && a.Test(BlackBerryTest)) || (a.Has("rim") && a.Test(RimTabletTest));

        /// <summary><c>/(web|hpw)[o0]s/i</c> as its four spellings (every WebKit agent says "web").</summary>
        private static bool IsWebOs(Agent a) => a.Has("webos") || a.Has("web0s") || a.Has("hpwos") || a.Has("hpw0s");

        /// <summary>Android and not "like Android" (Bowser's test, shared by its browser, OS and platform rules).</summary>
        private static bool IsAndroid(Agent a) => a.Has("android") && !a.Has("like android");

        /// <summary>A browser name with the first version that <paramref name="first"/>, then <paramref name="second"/>, finds.</summary>
        private static (string? Name, string? Version) B(string name, Agent a, Regex first, Regex? second)
        {
            string version = First(a, first);
            if (version.Length == 0 && second != null)
            {
                version = First(a, second);
            }

            return (name, NullIfEmpty(version));
        }

        private static string First(Agent a, Regex regex) =>
            ReferenceEquals(regex, Common)
                ? FirstVersion(a.Lower, a.Ua, CommonNames, VersionSeparator.None, VersionGrammar.DotUnderscore)
                : a.First(regex);

        /// <summary><c>/\sedg\//i</c> and its version <c>\sedg\/(\d+(\.?_?\d+)+)</c> ("" when none).</summary>
        private static bool EdgeVersion(Agent a, out string version)
        {
            version = "";
            bool found = false;
            string s = a.Lower;
            for (int at = s.IndexOf("edg/", StringComparison.Ordinal); at >= 0; at = s.IndexOf("edg/", at + 1, StringComparison.Ordinal))
            {
                if (at == 0 || !IsJsSpace(s[at - 1]))
                {
                    continue;
                }

                found = true;
                int end = VersionEnd(s, at + 4, VersionGrammar.DotUnderscore);
                if (end > at + 4)
                {
                    version = VersionStrings.Get(a.Ua.AsSpan(at + 4, end - at - 4));
                    return true;
                }
            }

            return found;
        }

        private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

        /// <summary>
        /// Bowser's last rule for agents no rule names: <c>^(.*)\/(.*)[ \t]\((.*)</c> when the agent has a
        /// '(' anywhere, else <c>^(.*)\/(.*) </c>; name and version are the first two groups. Written out
        /// (greedy groups: the last '/' before the last qualifying blank) to stay linear on hostile input.
        /// </summary>
        private static (string? Name, string? Version) Fallback(string ua)
        {
            // '.' stops at a line terminator, and '^' is the start of the input.
            int line = ua.Length;
            for (int i = 0; i < ua.Length; i++)
            {
                if (IsLineTerminator(ua[i]))
                {
                    line = i;
                    break;
                }
            }

            bool hasDeviceSpec = ua.IndexOf('(') >= 0;
            int blank = -1;
            for (int i = line - 1; i >= 0; i--)
            {
                bool fits = hasDeviceSpec
                    ? (ua[i] == ' ' || ua[i] == '\t') && i + 1 < ua.Length && ua[i + 1] == '('
                    : ua[i] == ' ';
                if (fits)
                {
                    blank = i;
                    break;
                }
            }

            int slash = blank <= 0 ? -1 : ua.LastIndexOf('/', blank - 1);
            if (slash < 0)
            {
                return (null, null);
            }

            string name = ua.Substring(0, slash);
            string version = ua.Substring(slash + 1, blank - slash - 1);
            return (name.Length == 0 ? null : name, version.Length == 0 ? null : VersionStrings.Get(version.AsSpan()));
        }
    }
}
