using System;

namespace QlikActivity.Core.Events
{
    public static partial class UserAgentParser
    {
        // Names of Product.Curl .. Product.ClaudeBot, in enum order.
        private static readonly string[] s_toolNames =
        {
            "curl", "Wget", "PowerShell", "PowerShell", "python-requests", "Go-http-client", "PostmanRuntime",
            "okhttp", "Apache-HttpClient", "Googlebot", "bingbot", "YandexBot", "DuckDuckBot", "Applebot",
            "Baiduspider", "facebookexternalhit", "AhrefsBot", "SemrushBot", "GPTBot", "ClaudeBot",
        };

        /// <summary>
        /// The browser rules in ua-parser-js's order, which matters: Edge, Opera and Samsung
        /// Internet also send <c>Chrome/</c>, Chrome also sends <c>Safari/</c>, and so on.
        /// </summary>
        private static (string? Name, string? Major) DetectBrowser(ReadOnlySpan<char> s, ReadOnlySpan<ProductToken> t, int android)
        {
            for (int p = (int)Product.Curl; p <= (int)Product.ClaudeBot; p++)
            {
                if (t[p].Found)
                {
                    return (s_toolNames[p - (int)Product.Curl], Major(s, t[p]));
                }
            }

            ProductToken token = t[(int)Product.CriOS];
            if (token.Found || (token = t[(int)Product.CrMo]).Found)
            {
                return ("Mobile Chrome", Major(s, token));
            }

            // Edg/ (Chromium Edge), Edge/ (EdgeHTML), EdgA/ (Android), EdgiOS/ (iOS).
            if ((token = t[(int)Product.Edge]).Found)
            {
                return ("Edge", Major(s, token));
            }

            if ((token = t[(int)Product.OperaMini]).Found && token.NameStart >= 6 && StartsWithAt(s, token.NameStart - 6, "Opera "))
            {
                return ("Opera Mini", Major(s, token));
            }

            // Presto Opera: "Opera/9.80 ... Version/12.16"; the real version is Version/ when present.
            if ((token = t[(int)Product.Opera]).Found)
            {
                ProductToken version = t[(int)Product.Version];
                return ("Opera", Major(s, version.Found && version.NameStart > token.NameStart ? version : token));
            }

            if ((token = t[(int)Product.OPiOS]).Found)
            {
                return ("Opera Mini", Major(s, token));
            }

            if ((token = t[(int)Product.OperaGX]).Found)
            {
                return ("Opera GX", Major(s, token));
            }

            if ((token = t[(int)Product.OPR]).Found)
            {
                return ("Opera", Major(s, token));
            }

            if ((token = t[(int)Product.IEMobile]).Found)
            {
                return ("IEMobile", Major(s, token));
            }

            // MSIE 10.0 and older; IE 11 in compatibility view also says MSIE 7.0, as ua-parser-js reports.
            // IE never sends Chrome/, Firefox/ or Safari/, so most strings skip the search.
            ProductToken chrome = t[(int)Product.Chrome];
            bool maybeIe = !chrome.Found && !t[(int)Product.Firefox].Found && !t[(int)Product.Safari].Found;
            int msie = maybeIe ? IndexOf(s, "MSIE ") : -1;
            if (msie >= 0)
            {
                return ("IE", Major(WordAt(s, msie + 5, allowDot: true)));
            }

            if ((token = t[(int)Product.Vivaldi]).Found)
            {
                return ("Vivaldi", Major(s, token));
            }

            if ((token = t[(int)Product.Silk]).Found)
            {
                return ("Silk", Major(s, token));
            }

            if ((token = t[(int)Product.Whale]).Found && IndexOf(s, "NAVER", token.End) < 0)
            {
                return ("Whale", Major(s, token));
            }

            if ((token = t[(int)Product.PhantomJS]).Found)
            {
                return ("PhantomJS", Major(s, token));
            }

            if ((token = t[(int)Product.Epiphany]).Found)
            {
                return ("Epiphany", Major(s, token));
            }

            // Brave usually sends Chrome's user agent unchanged; some builds say "Brave/" or "Brave Chrome/".
            if ((token = t[(int)Product.Brave]).Found)
            {
                return ("Brave", Major(s, token));
            }

            if (chrome.Found && StartsWithAt(s, chrome.NameStart - 6, "Brave "))
            {
                return ("Brave", Major(s, chrome));
            }

            if ((token = t[(int)Product.DuckDuckGo]).Found)
            {
                return ("DuckDuckGo", Major(s, token));
            }

            if ((token = t[(int)Product.UCBrowser]).Found)
            {
                return ("UCBrowser", Major(s, token));
            }

            if ((token = t[(int)Product.MicroMessenger]).Found)
            {
                return ("WeChat", Major(s, token));
            }

            // IE 11: "Trident/7.0; rv:11.0) like Gecko".
            if ((token = t[(int)Product.Trident]).Found)
            {
                int rv = IndexOf(s, "rv:", token.End);
                if (rv >= 0 && IndexOf(s, "like Gecko", rv) >= 0)
                {
                    return ("IE", Major(WordAt(s, rv + 3, allowDot: true)));
                }
            }

            if ((token = t[(int)Product.YaBrowser]).Found)
            {
                return ("Yandex", Major(s, token));
            }

            if ((token = t[(int)Product.Focus]).Found)
            {
                return ("Firefox Focus", Major(s, token));
            }

            if ((token = t[(int)Product.OperaTouch]).Found && token.End == s.Length && StartsWithAt(s, token.NameStart - 1, " "))
            {
                return ("Opera Touch", Major(s, token));
            }

            if ((token = t[(int)Product.MiuiBrowser]).Found)
            {
                return ("MIUI Browser", Major(s, token));
            }

            if ((token = t[(int)Product.FxiOS]).Found)
            {
                return ("Mobile Firefox", Major(s, token));
            }

            if ((token = t[(int)Product.HuaweiBrowser]).Found)
            {
                return ("Huawei Browser", Major(s, token));
            }

            if ((token = t[(int)Product.SamsungBrowser]).Found)
            {
                return ("Samsung Internet", Major(s, token));
            }

            // Electron apps send "Electron/x.y.z Safari/...".
            if ((token = t[(int)Product.Electron]).Found && StartsWithAt(s, token.End, " Safari"))
            {
                return ("Electron", Major(s, token));
            }

            // The Google app on iOS.
            if ((token = t[(int)Product.GSA]).Found && IndexOf(s, "Safari/", token.End) >= 0)
            {
                return ("GSA", Major(s, token));
            }

            if ((token = t[(int)Product.Chromium]).Found)
            {
                return ("Chromium", Major(s, token));
            }

            if ((token = t[(int)Product.HeadlessChrome]).Found)
            {
                return ("Chrome Headless", Major(s, token));
            }

            // Android WebView marks itself with "; wv)".
            if (chrome.Found && android >= 0)
            {
                int webView = IndexOf(s, "; wv)");
                if (webView >= 0 && webView < chrome.NameStart)
                {
                    return ("Chrome WebView", Major(s, chrome));
                }
            }

            // The old Android stock browser (and pre-"wv" WebViews): "Android ... Version/4.0 ... Safari".
            ProductToken versionToken = t[(int)Product.Version];
            if (versionToken.Found && versionToken.NameStart > 0 && s[versionToken.NameStart - 1] == ' ')
            {
                if (android >= 0 && android < versionToken.NameStart && IndexOf(s, "afari", versionToken.End + 1) >= 0)
                {
                    return ("Android Browser", Major(s, versionToken));
                }
            }

            if (chrome.Found)
            {
                return (StartsWithAt(s, chrome.End, " Mobile") ? "Mobile Chrome" : "Chrome", Major(s, chrome));
            }

            if (versionToken.Found && StartsWithAt(s, versionToken.End, " "))
            {
                if (HasMobileSafari(s, versionToken.End))
                {
                    return ("Mobile Safari", Major(s, versionToken));
                }

                if (IndexOf(s, "Safari", versionToken.End) >= 0)
                {
                    return ("Safari", Major(s, versionToken));
                }
            }

            int iphone = IndexOf(s, "iPhone ");
            if (iphone >= 0 && HasMobileSafari(s, iphone))
            {
                return ("Mobile Safari", null);
            }

            ProductToken webKit = t[(int)Product.WebKit];
            if (webKit.Found)
            {
                // Safari before 3.0 sent no Version/; ua-parser-js calls it version 1.
                int safari = IndexOf(s, "Safari/", webKit.End);
                if (safari >= 0)
                {
                    bool mobile = StartsWithAt(s, safari - 7, "Mobile ") || StartsWithAt(s, safari - 6, "Mobile");
                    return (mobile ? "Mobile Safari" : "Safari", "1");
                }

                return ("WebKit", Major(s, webKit));
            }

            if ((token = t[(int)Product.KHTML]).Found)
            {
                return ("KHTML", Major(s, token));
            }

            if ((token = t[(int)Product.Firefox]).Found)
            {
                int mobile = IndexOf(s, "Mobile;");
                int tablet = IndexOf(s, "Tablet;");
                bool handheld = (mobile >= 0 && mobile < token.NameStart) || (tablet >= 0 && tablet < token.NameStart);
                return (handheld ? "Mobile Firefox" : "Firefox", Major(s, token));
            }

            // Other Gecko browsers that do not say which ("Mozilla/5.0 (...; rv:x) Gecko/20100101"),
            // and ancient "Mozilla/4.x" clients that are not "compatible" with something else.
            if ((token = t[(int)Product.Mozilla]).Found)
            {
                ProductToken gecko = t[(int)Product.Gecko];
                int rv = IndexOf(s, "rv:", token.End);
                if (gecko.Found && rv >= 0 && rv < gecko.NameStart && IsDigit(gecko.Version(s)[0]))
                {
                    return ("Mozilla", Major(s, token));
                }

                ReadOnlySpan<char> version = token.Version(s);
                if (version.Length > 1 && version[0] >= '0' && version[0] <= '4' && IndexOf(s, "compatible", token.End) < 0)
                {
                    return ("Mozilla", Major(version));
                }
            }

            return (null, null);
        }

        /// <summary>
        /// ua-parser-js's <c>mobile(?:\/\w+ | ?)safari</c> after <paramref name="from"/>:
        /// "Mobile/15E148 Safari", "Mobile Safari" or "MobileSafari".
        /// </summary>
        private static bool HasMobileSafari(ReadOnlySpan<char> s, int from)
        {
            int mobile = IndexOf(s, "Mobile", from);
            while (mobile >= 0)
            {
                int i = mobile + 6;
                if (i < s.Length && s[i] == '/')
                {
                    int word = ++i;
                    while (i < s.Length && IsWordChar(s[i]))
                    {
                        i++;
                    }

                    if (i > word && StartsWithAt(s, i, " Safari"))
                    {
                        return true;
                    }
                }
                else if (StartsWithAt(s, i, " Safari") || StartsWithAt(s, i, "Safari"))
                {
                    return true;
                }

                mobile = IndexOf(s, "Mobile", mobile + 6);
            }

            return false;
        }

        /// <summary>The run of word characters (and dots, if allowed) starting at <paramref name="index"/>.</summary>
        private static ReadOnlySpan<char> WordAt(ReadOnlySpan<char> s, int index, bool allowDot)
        {
            int end = index;
            while (end < s.Length && (IsWordChar(s[end]) || (allowDot && s[end] == '.')))
            {
                end++;
            }

            return index >= s.Length ? ReadOnlySpan<char>.Empty : s.Slice(index, end - index);
        }
    }
}
