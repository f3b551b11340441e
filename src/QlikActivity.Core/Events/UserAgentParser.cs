using System;
using System.Runtime.InteropServices;
using System.Threading;

namespace QlikActivity.Core.Events
{
    /// <summary>
    /// Reads browser name, browser major version, OS name and OS version from a user-agent
    /// string, with the names that Butler SOS (ua-parser-js) writes, so dashboards built on its
    /// data keep working.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Names follow ua-parser-js 2.x, which Butler SOS 15 uses: "Chrome", "Mobile Chrome" (Chrome
    /// on Android phones and on iOS), "Edge", "Firefox", "Mobile Firefox", "Safari", "Mobile Safari",
    /// "Opera", "Opera Mini", "Samsung Internet", "IE", "Chrome WebView", "Chromium", "Yandex",
    /// "Vivaldi", "Electron", "Android Browser", "WebKit" (in-app views); OS "Windows", "macOS",
    /// "iOS", "Android", "Chrome OS", "Linux", "Ubuntu", "Fedora", ... Crawlers and tools (Googlebot,
    /// curl, Wget) are named as ua-parser-js's crawler and CLI extensions name them; PowerShell and
    /// common HTTP libraries by their product token.
    /// </para>
    /// <para>
    /// Windows versions are the release names where the NT version names one release
    /// ("7", "8.1", "XP"). <c>Windows NT 10.0</c> is sent by both Windows 10 and Windows 11; it gives
    /// "NT 10.0", which is what the Butler SOS 15 output we must match shows (ua-parser-js alone
    /// would say "10"; see <see cref="WindowsNt10Version"/>).
    /// </para>
    /// <para>
    /// iPadOS 13 and later ask for desktop sites by default and then send a macOS Safari user agent
    /// (<c>Macintosh; Intel Mac OS X 10_15_7</c>): such iPads read as "macOS" "10.15.7", as in
    /// ua-parser-js; only the browser's script could tell them apart. Apple froze the macOS version
    /// in the user agent at 10.15.7 and Chrome froze Android at "10" ("Android 10; K"), so those
    /// versions say little.
    /// </para>
    /// <para>
    /// Only the first 500 characters are read (as ua-parser-js does). Tokens are matched
    /// case-sensitively as browsers send them. Surrounding whitespace and quotes are removed.
    /// Never throws: null, empty or unrecognisable input gives <see cref="UserAgentInfo.Unknown"/>.
    /// </para>
    /// </remarks>
    public static partial class UserAgentParser
    {
        /// <summary>How much of a user agent is read; ua-parser-js reads the same.</summary>
        internal const int MaxLength = 500;

        // Results of recent distinct user agents. A deployment sees few distinct strings, so most
        // events are answered here without parsing or allocating. Lossy: a collision overwrites.
        private const int CacheSlots = 1024;
        private const int MaxCachedLength = 600;
        private static readonly CachedResult?[] s_cache = new CachedResult?[CacheSlots];

        /// <summary>Reads browser and OS from <paramref name="userAgent"/>; never throws.</summary>
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
            CachedResult? cached = Volatile.Read(ref s_cache[slot]);
            if (cached != null && string.Equals(cached.UserAgent, userAgent))
            {
                return cached.Info;
            }

            UserAgentInfo info = ParseUncached(userAgent.AsSpan());
            Volatile.Write(ref s_cache[slot], new CachedResult(userAgent, info));
            return info;
        }

        /// <summary>Parses without the result cache (tests and benchmarks measure this path).</summary>
        internal static UserAgentInfo ParseUncached(ReadOnlySpan<char> userAgent)
        {
            ReadOnlySpan<char> ua = Unwrap(userAgent);
            if (ua.Length > MaxLength)
            {
                ua = ua.Slice(0, MaxLength);
            }

            if (ua.IsEmpty)
            {
                return UserAgentInfo.Unknown;
            }

            Span<ProductToken> tokens = stackalloc ProductToken[(int)Product.Count];
            FindProductTokens(ua, tokens);

            // Both rule sets ask where "Android" is; search once.
            int android = IndexOf(ua, "Android");
            (string? browserName, string? browserMajor) = DetectBrowser(ua, tokens, android);
            (string? osName, string? osVersion) = DetectOperatingSystem(ua, tokens, android);

            if (browserName == null && osName == null)
            {
                return UserAgentInfo.Unknown;
            }

            return new UserAgentInfo(browserName, browserMajor, osName, osVersion);
        }

        /// <summary>Removes surrounding whitespace and quotes (a lone quote too: messages get cut).</summary>
        private static ReadOnlySpan<char> Unwrap(ReadOnlySpan<char> s)
        {
            s = s.Trim();
            if (s.Length > 0 && (s[0] == '\'' || s[0] == '"'))
            {
                s = s.Slice(1);
            }

            if (s.Length > 0 && (s[s.Length - 1] == '\'' || s[s.Length - 1] == '"'))
            {
                s = s.Slice(0, s.Length - 1);
            }

            return s.Trim();
        }

        /// <summary>
        /// One pass over the string: every <c>Name/Version</c> product token whose name we know is
        /// recorded (first occurrence with a version), so the rules look tokens up instead of searching.
        /// </summary>
        private static void FindProductTokens(ReadOnlySpan<char> s, Span<ProductToken> tokens)
        {
            int from = 0;
            while (from < s.Length)
            {
                int slash = s.Slice(from).IndexOf('/');
                if (slash < 0)
                {
                    return;
                }

                slash += from;
                from = slash + 1;

                int nameStart = slash;
                while (nameStart > 0 && IsNameChar(s[nameStart - 1]))
                {
                    nameStart--;
                }

                if (nameStart == slash)
                {
                    continue;
                }

                Product product = Classify(s.Slice(nameStart, slash - nameStart));
                if (product == Product.None || tokens[(int)product].Found)
                {
                    continue;
                }

                int versionEnd = slash + 1;
                while (versionEnd < s.Length && IsVersionChar(s[versionEnd]))
                {
                    versionEnd++;
                }

                // ua-parser-js's rules want at least one version character ("Chrome/" cut short is not Chrome).
                if (versionEnd > slash + 1)
                {
                    tokens[(int)product] = new ProductToken(nameStart, slash, versionEnd);
                }
            }
        }

        // A switch on the span compiles to a length test and character compares: no hashing, no allocation.
        private static Product Classify(ReadOnlySpan<char> name) =>
            name switch
            {
                "Edg" => Product.Edge,
                "OPR" => Product.OPR,
                "OPX" => Product.OperaGX,
                "OPT" => Product.OperaTouch,
                "GSA" => Product.GSA,
                "Edge" => Product.Edge,
                "EdgA" => Product.Edge,
                "curl" => Product.Curl,
                "Wget" => Product.Wget,
                "Mini" => Product.OperaMini,
                "CrMo" => Product.CrMo,
                "Silk" => Product.Silk,
                "CriOS" => Product.CriOS,
                "FxiOS" => Product.FxiOS,
                "Opera" => Product.Opera,
                "OPiOS" => Product.OPiOS,
                "OPRGX" => Product.OperaGX,
                "Brave" => Product.Brave,
                "Focus" => Product.Focus,
                "Whale" => Product.Whale,
                "Gecko" => Product.Gecko,
                "KHTML" => Product.KHTML,
                "Chrome" => Product.Chrome,
                "Safari" => Product.Safari,
                "Mobile" => Product.Mobile,
                "EdgiOS" => Product.Edge,
                "WebKit" => Product.WebKit,
                "Darwin" => Product.Darwin,
                "GPTBot" => Product.GPTBot,
                "okhttp" => Product.OkHttp,
                "Version" => Product.Version,
                "Firefox" => Product.Firefox,
                "Mozilla" => Product.Mozilla,
                "Trident" => Product.Trident,
                "Vivaldi" => Product.Vivaldi,
                "bingbot" => Product.Bingbot,
                "Chromium" => Product.Chromium,
                "Electron" => Product.Electron,
                "IEMobile" => Product.IEMobile,
                "Applebot" => Product.Applebot,
                "YaBrowser" => Product.YaBrowser,
                "Googlebot" => Product.Googlebot,
                "YandexBot" => Product.YandexBot,
                "UCBrowser" => Product.UCBrowser,
                "CFNetwork" => Product.CFNetwork,
                "AhrefsBot" => Product.AhrefsBot,
                "ClaudeBot" => Product.ClaudeBot,
                "PowerShell" => Product.PowerShell,
                "DuckDuckGo" => Product.DuckDuckGo,
                "SemrushBot" => Product.SemrushBot,
                "AppleWebKit" => Product.WebKit,
                "AppleWebkit" => Product.WebKit,
                "MiuiBrowser" => Product.MiuiBrowser,
                "DuckDuckBot" => Product.DuckDuckBot,
                "Baiduspider" => Product.Baiduspider,
                "HuaweiBrowser" => Product.HuaweiBrowser,
                "SamsungBrowser" => Product.SamsungBrowser,
                "HeadlessChrome" => Product.HeadlessChrome,
                "PostmanRuntime" => Product.PostmanRuntime,
                "MicroMessenger" => Product.MicroMessenger,
                "Go-http-client" => Product.GoHttpClient,
                "python-requests" => Product.PythonRequests,
                "YaSearchBrowser" => Product.YaBrowser,
                "WindowsPowerShell" => Product.WindowsPowerShell,
                "Apache-HttpClient" => Product.ApacheHttpClient,
                "facebookexternalhit" => Product.FacebookExternalHit,
                "PhantomJS" => Product.PhantomJS,
                "Epiphany" => Product.Epiphany,
                _ => Product.None,
            };

        // Token names: letters, digits and the few marks product names use (Go-http-client, python-requests).
        private static bool IsNameChar(char c) =>
            (uint)((c | 0x20) - 'a') <= 'z' - 'a' || (uint)(c - '0') <= 9 || c == '-' || c == '_' || c == '.';

        // Version text: ua-parser-js's [\w\.] plus '-' and ',' that some of its rules also take.
        private static bool IsVersionChar(char c) =>
            (uint)((c | 0x20) - 'a') <= 'z' - 'a' || (uint)(c - '0') <= 9 || c == '.' || c == '_' || c == '-' || c == ',';

        private static bool IsWordChar(char c) =>
            (uint)((c | 0x20) - 'a') <= 'z' - 'a' || (uint)(c - '0') <= 9 || c == '_';

        private static bool IsDigit(char c) => (uint)(c - '0') <= 9;

        private static bool StartsWithAt(ReadOnlySpan<char> s, int index, string value) =>
            index >= 0 && index <= s.Length - value.Length && s.Slice(index, value.Length).SequenceEqual(value.AsSpan());

        private static int IndexOf(ReadOnlySpan<char> s, string value, int from = 0)
        {
            if (from >= s.Length)
            {
                return -1;
            }

            int i = s.Slice(from).IndexOf(value.AsSpan());
            return i < 0 ? -1 : i + from;
        }

        /// <summary>
        /// The major version as ua-parser-js computes it: drop everything but digits and dots,
        /// then take what comes before the first dot.
        /// </summary>
        private static string? Major(ReadOnlySpan<char> version)
        {
            Span<char> digits = stackalloc char[16];
            int count = 0;
            foreach (char c in version)
            {
                if (c == '.')
                {
                    break;
                }

                if (IsDigit(c) && count < digits.Length)
                {
                    digits[count++] = c;
                }
            }

            return count == 0 ? null : VersionStrings.Get(digits.Slice(0, count));
        }

        private static string? Major(ReadOnlySpan<char> s, ProductToken token) => Major(token.Version(s));

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

        /// <summary>Where a <c>Name/Version</c> token sits in the string; default means absent.</summary>
        private readonly struct ProductToken
        {
            private readonly short _nameStart;
            private readonly short _slash;
            private readonly short _versionEnd;

            public ProductToken(int nameStart, int slash, int versionEnd)
            {
                _nameStart = (short)nameStart;
                _slash = (short)slash;
                _versionEnd = (short)versionEnd;
            }

            public bool Found => _slash > 0;

            public int NameStart => _nameStart;

            public int End => _versionEnd;

            public ReadOnlySpan<char> Version(ReadOnlySpan<char> s) => s.Slice(_slash + 1, _versionEnd - _slash - 1);
        }

        /// <summary>Product tokens the rules look at. Tools and crawlers first: they win over browsers.</summary>
        private enum Product
        {
            None = 0,

            Curl,
            Wget,
            PowerShell,
            WindowsPowerShell,
            PythonRequests,
            GoHttpClient,
            PostmanRuntime,
            OkHttp,
            ApacheHttpClient,
            Googlebot,
            Bingbot,
            YandexBot,
            DuckDuckBot,
            Applebot,
            Baiduspider,
            FacebookExternalHit,
            AhrefsBot,
            SemrushBot,
            GPTBot,
            ClaudeBot,

            CriOS,
            CrMo,
            Edge,
            Opera,
            OperaMini,
            OPiOS,
            OperaGX,
            OPR,
            IEMobile,
            Vivaldi,
            Silk,
            Whale,
            PhantomJS,
            Epiphany,
            Brave,
            DuckDuckGo,
            UCBrowser,
            MicroMessenger,
            YaBrowser,
            Focus,
            OperaTouch,
            MiuiBrowser,
            FxiOS,
            HuaweiBrowser,
            SamsungBrowser,
            Electron,
            GSA,
            Chromium,
            HeadlessChrome,
            Chrome,
            Version,
            Mobile,
            Safari,
            WebKit,
            KHTML,
            Firefox,
            Trident,
            Mozilla,
            Gecko,
            CFNetwork,
            Darwin,

            Count,
        }
    }
}
