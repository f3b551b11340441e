using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using QlikActivity.Core.Events;
using Xunit;
using Xunit.Abstractions;

namespace QlikActivity.Core.Tests.Events
{
    public class UserAgentParserTests
    {
        private readonly ITestOutputHelper _output;

        public UserAgentParserTests(ITestOutputHelper output)
        {
            _output = output;
        }

        private const string Chrome120 =
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

        /// <summary>Rows of Fixtures/user-agents.tsv: browser, major, OS, OS version, user agent ("" = null).</summary>
        public static TheoryData<string, string, string, string, string> Corpus()
        {
            var data = new TheoryData<string, string, string, string, string>();
            foreach (string[] row in ReadCorpus())
            {
                data.Add(row[4], row[0], row[1], row[2], row[3]);
            }

            return data;
        }

        private static IEnumerable<string[]> ReadCorpus()
        {
            string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "user-agents.tsv");
            foreach (string line in File.ReadAllLines(path, Encoding.UTF8))
            {
                if (line.Length == 0 || line.StartsWith("#", StringComparison.Ordinal))
                {
                    continue;
                }

                string[] columns = line.Split('\t');
                Assert.True(columns.Length == 5, $"fixture line needs 5 tab-separated columns: {line}");
                yield return columns;
            }
        }

        private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

        [Theory]
        [MemberData(nameof(Corpus))]
        public void Parses_real_user_agents_like_Bowser(string userAgent, string browser, string major, string os, string osVersion)
        {
            UserAgentInfo cached = UserAgentParser.Parse(userAgent);
            UserAgentInfo uncached = UserAgentParser.ParseUncached(userAgent.AsSpan());

            foreach (UserAgentInfo info in new[] { cached, uncached })
            {
                Assert.Equal(NullIfEmpty(browser), info.BrowserName);
                Assert.Equal(NullIfEmpty(major), info.BrowserMajorVersion);
                Assert.Equal(NullIfEmpty(os), info.OsName);
                Assert.Equal(NullIfEmpty(osVersion), info.OsVersion);
            }
        }

        [Fact]
        public void Corpus_is_large_and_covers_the_browsers_and_systems_admins_see()
        {
            List<string[]> rows = ReadCorpus().ToList();
            Assert.True(rows.Count >= 100, $"only {rows.Count} user agents in the corpus");

            var browsers = new HashSet<string>(rows.Select(r => r[0]));
            foreach (string name in new[]
            {
                "Chrome", "Microsoft Edge", "Firefox", "Safari", "Opera", "Samsung Internet for Android", "Internet Explorer",
                "Chromium", "Yandex Browser", "Vivaldi", "Electron", "Android Browser", "Google Search", "Googlebot",
            })
            {
                Assert.Contains(name, browsers);
            }

            var systems = new HashSet<string>(rows.Select(r => r[2] + " " + r[3]));
            foreach (string os in new[]
            {
                "Windows NT 10.0", "Windows NT 6.3", "Windows NT 6.2", "Windows NT 6.1", "Windows NT 6.0", "Windows NT 5.1",
                "macOS 10.15.7", "iOS 17.1", "Android 14", "Linux ", "Chrome OS ",
            })
            {
                Assert.Contains(os, systems);
            }
        }

        [Theory]
        [InlineData(null)]
        [InlineData("")]
        [InlineData("   ")]
        [InlineData("''")]
        [InlineData("\"\"")]
        [InlineData("asdf")]
        [InlineData("////")]
        [InlineData(";;;(((")]
        [InlineData("Mozilla/5.0")]
        [InlineData("curl/8.4.0")]
        [InlineData("Edg/1")]
        [InlineData("UserAgent:")]
        public void Nothing_recognisable_gives_Unknown(string? userAgent)
        {
            Assert.Same(UserAgentInfo.Unknown, UserAgentParser.Parse(userAgent));
            Assert.Same(UserAgentInfo.Unknown, UserAgentParser.ParseUncached(userAgent.AsSpan()));
        }

        [Theory]
        [InlineData("'" + Chrome120 + "'")]
        [InlineData("\"" + Chrome120 + "\"")]
        [InlineData("  '" + Chrome120 + "'  ")]
        [InlineData("\t" + Chrome120 + "\r\n")]
        [InlineData("'" + Chrome120)]
        [InlineData(Chrome120 + "'")]
        public void Surrounding_quotes_and_whitespace_are_ignored(string userAgent)
        {
            UserAgentInfo info = UserAgentParser.Parse(userAgent);

            Assert.Equal("Chrome", info.BrowserName);
            Assert.Equal("120", info.BrowserMajorVersion);
            Assert.Equal("Windows", info.OsName);
            Assert.Equal("NT 10.0", info.OsVersion);
            Assert.Equal("desktop", info.DeviceType);
        }

        // Bowser 2.14's answers for agents cut short: what a rule still finds, else its fallback (text before the last slash).
        [Theory]
        [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Ge", "Safari", null, "Windows", "NT 10.0")]
        [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/", "Chrome", null, "Windows", "NT 10.0")]
        [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/1", "Chrome", null, "Windows", "NT 10.0")]
        [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/12", "Chrome", "12", "Windows", "NT 10.0")]
        [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/", "Firefox", null, "Windows", "NT 10.0")]
        [InlineData("Mozilla/5.0 (Windows NT 10.0; Win", "Mozilla", "5", "Windows", "NT 10.0")]
        [InlineData("Mozilla/5.0 (Windows NT 10.0)", "Mozilla", "5", "Windows", "NT 10.0")]
        [InlineData("Mozilla/5.0 (Windows NT", "Mozilla", "5", "Windows", "NT")]
        [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac", "Mozilla", "5", "iOS", null)]
        [InlineData("Mozilla/5.0 (Macintosh; Intel Mac OS X", "Mozilla", "5", "macOS", null)]
        [InlineData("Mozilla/5.0 (Linux; Android", "Android Browser", null, "Android", null)]
        [InlineData("Mozilla/5.0 (X11; CrOS x86_64", "Mozilla", "5", "Chrome OS", null)]
        [InlineData("Mozilla/5.0 (compatible)", "Mozilla", "5", null, null)]
        [InlineData("Chrome/91.0", "Chrome", "91", null, null)]
        public void Truncated_user_agents_give_what_they_still_say(string userAgent, string? browser, string? major, string? os, string? osVersion)
        {
            UserAgentInfo info = UserAgentParser.Parse(userAgent);

            Assert.Equal(browser, info.BrowserName);
            Assert.Equal(major, info.BrowserMajorVersion);
            Assert.Equal(os, info.OsName);
            Assert.Equal(osVersion, info.OsVersion);
        }

        [Fact]
        public void Non_ascii_text_is_skipped_not_fatal()
        {
            UserAgentInfo info = UserAgentParser.Parse(Chrome120 + " Ünïcødé/1.0 日本語 (中文; 😀) \u0000\uFFFF");
            Assert.Equal("Chrome", info.BrowserName);
            Assert.Equal("120", info.BrowserMajorVersion);

            // Bowser's fallback names what comes before the last slash, whatever the script.
            Assert.Equal("日本語", UserAgentParser.Parse("日本語/1.0 (中文; 😀)").BrowserName);
            UserAgentInfo surrogates = UserAgentParser.Parse("\uD800/\uDC00 (\uD800; \uDFFF)");
            Assert.Equal("\uD800", surrogates.BrowserName);
            Assert.Null(surrogates.OsName);
        }

        [Fact]
        public void Only_the_first_1000_characters_are_read()
        {
            string padding = new string('x', 1_000_000);

            UserAgentInfo head = UserAgentParser.Parse(Chrome120 + " " + padding);
            Assert.Equal("Chrome", head.BrowserName);
            Assert.Equal("NT 10.0", head.OsVersion);

            Assert.Same(UserAgentInfo.Unknown, UserAgentParser.Parse(padding));
            Assert.Same(UserAgentInfo.Unknown, UserAgentParser.Parse(new string('x', 1000) + " " + Chrome120));
            Assert.Equal("Chrome", UserAgentParser.Parse(new string('x', 800) + " " + Chrome120).BrowserName);
        }

        [Fact]
        public void Random_input_never_throws()
        {
            string[] fragments =
            {
                "Mozilla/", "5.0", " (", ")", "; ", "Windows NT ", "10.0", "Chrome/", "Safari/", "Version/", "Edg/",
                "Mobile", " wv)", "Android", "like Mac", "OS ", "_", "Mac OS X", "Trident/", "rv:", "MSIE ", "Linux",
                "CrOS ", "Xbox", "Opera ", "Mini/", "'", "\"", "/", " ", "\t", "ü", "😀", "\uD800", ".", "Ubuntu", "SUSE",
            };
            var random = new Random(4711);
            var text = new StringBuilder();
            for (int i = 0; i < 20_000; i++)
            {
                text.Clear();
                int parts = random.Next(0, 40);
                for (int p = 0; p < parts; p++)
                {
                    text.Append(random.Next(4) == 0 ? ((char)random.Next(0, 0x3000)).ToString() : fragments[random.Next(fragments.Length)]);
                }

                string userAgent = text.ToString();
                UserAgentInfo info = UserAgentParser.Parse(userAgent);
                UserAgentInfo again = UserAgentParser.ParseUncached(userAgent.AsSpan());
                Assert.Equal(info.BrowserName, again.BrowserName);
                Assert.Equal(info.OsVersion, again.OsVersion);
            }
        }

        [Fact]
        public void The_result_cache_never_mixes_up_user_agents()
        {
            // Far more distinct strings than cache slots, so slots are overwritten many times.
            for (int round = 0; round < 2; round++)
            {
                for (int major = 1; major <= 5000; major++)
                {
                    string userAgent = "Mozilla/5.0 (Windows NT 6.1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + major + ".0.0.0 Safari/537.36";
                    UserAgentInfo info = UserAgentParser.Parse(userAgent);
                    Assert.Equal("Chrome", info.BrowserName);
                    Assert.Equal(major.ToString(System.Globalization.CultureInfo.InvariantCulture), info.BrowserMajorVersion);
                    Assert.Equal("NT 6.1", info.OsVersion);
                }
            }
        }

        [Fact]
        public void A_repeated_user_agent_is_answered_from_the_cache()
        {
            // The same text in a new string instance, as the event parser produces it per datagram.
            string first = new string(Chrome120.ToCharArray()) + " Vivaldi/6.5.3206.48";
            string second = new string(first.ToCharArray());

            Assert.Same(UserAgentParser.Parse(first), UserAgentParser.Parse(second));
        }

        [Fact]
        public void Version_strings_are_shared_not_allocated_per_parse()
        {
            const string Ua = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1";
            UserAgentInfo a = UserAgentParser.ParseUncached(Ua.AsSpan());
            UserAgentInfo b = UserAgentParser.ParseUncached(Ua.AsSpan());

            Assert.NotSame(a, b);
            Assert.Equal("17.1.2", a.OsVersion);
            Assert.Same(a.OsVersion, b.OsVersion);
            Assert.Same(a.BrowserMajorVersion, b.BrowserMajorVersion);
        }

        [Fact]
        public void Parallel_callers_get_correct_results()
        {
            List<string[]> rows = ReadCorpus().ToList();
            Parallel.For(0, 8, _ =>
            {
                for (int repeat = 0; repeat < 50; repeat++)
                {
                    foreach (string[] row in rows)
                    {
                        UserAgentInfo info = UserAgentParser.Parse(row[4]);
                        Assert.Equal(NullIfEmpty(row[0]), info.BrowserName);
                        Assert.Equal(NullIfEmpty(row[1]), info.BrowserMajorVersion);
                        Assert.Equal(NullIfEmpty(row[2]), info.OsName);
                        Assert.Equal(NullIfEmpty(row[3]), info.OsVersion);
                    }
                }
            });
        }

        /// <summary>Rows of Fixtures/bowser-user-agents.tsv: browser, version, OS, OS version, device type, user agent.</summary>
        private static List<string[]> ReadBowserCorpus()
        {
            string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "bowser-user-agents.tsv");
            var rows = new List<string[]>();
            foreach (string line in File.ReadAllLines(path, Encoding.UTF8))
            {
                if (line.Length == 0 || line.StartsWith("#", StringComparison.Ordinal))
                {
                    continue;
                }

                string[] columns = line.Split('\t');
                Assert.True(columns.Length == 6, $"fixture line needs 6 tab-separated columns: {line}");
                rows.Add(columns);
            }

            return rows;
        }

        [Fact]
        public void Agrees_with_Bowser_on_its_own_acceptance_fixtures_field_by_field()
        {
            List<string[]> rows = ReadBowserCorpus();
            Assert.True(rows.Count >= 300, $"only {rows.Count} user agents in the Bowser corpus");

            string[] fields = { "browser name", "browser version", "browser major version", "OS name", "OS version", "device type" };
            int[] agree = new int[fields.Length];
            var misses = new List<string>();
            foreach (string[] row in rows)
            {
                UserAgentInfo info = UserAgentParser.ParseUncached(row[5].AsSpan());
                string? major = row[1].Length == 0 ? null : row[1].Split('.')[0];
                string?[] expected = { NullIfEmpty(row[0]), NullIfEmpty(row[1]), major?.Length == 0 ? null : major, NullIfEmpty(row[2]), NullIfEmpty(row[3]), NullIfEmpty(row[4]) };
                string?[] actual = { info.BrowserName, info.BrowserVersion, info.BrowserMajorVersion, info.OsName, info.OsVersion, info.DeviceType };
                for (int f = 0; f < fields.Length; f++)
                {
                    if (expected[f] == actual[f])
                    {
                        agree[f]++;
                    }
                    else
                    {
                        misses.Add($"{fields[f]}: expected '{expected[f]}', got '{actual[f]}' for {row[5]}");
                    }
                }
            }

            for (int f = 0; f < fields.Length; f++)
            {
                _output.WriteLine($"{fields[f]}: {agree[f]}/{rows.Count} agree ({100.0 * agree[f] / rows.Count:F1}%)");
            }

            foreach (string miss in misses)
            {
                _output.WriteLine(miss);
            }

            Assert.Empty(misses);
        }

        [Theory]
        [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Ddg/17.1", "17", "iOS", "mobile")]
        [InlineData("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Ddg/7.123.0", "7", "macOS", "desktop")]
        [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Ddg/120.0", "120", "Windows", "desktop")]
        public void DuckDuckGo_is_named_by_its_Ddg_suffix(string userAgent, string major, string os, string deviceType)
        {
            UserAgentInfo info = UserAgentParser.Parse(userAgent);

            Assert.Equal("DuckDuckGo", info.BrowserName);
            Assert.Equal(major, info.BrowserMajorVersion);
            Assert.Equal(os, info.OsName);
            Assert.Equal(deviceType, info.DeviceType);
        }

        [Fact]
        public void Ddg_only_counts_at_the_very_end_as_in_Bowser()
        {
            // Bowser's test is /\sDdg\/[\d.]+$/i: anything after the version (or a line break) and it is not DuckDuckGo.
            Assert.Equal("Safari", UserAgentParser.Parse("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Ddg/7.1 Foo").BrowserName);
            Assert.Equal("Safari", UserAgentParser.ParseUncached("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Ddg/7.1\nx".AsSpan()).BrowserName);

            // The Android app says "DuckDuckGo/5" and is Chrome to Bowser without Client Hints.
            Assert.Equal("Chrome", UserAgentParser.Parse("Mozilla/5.0 (Linux; Android 14; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile DuckDuckGo/5 Safari/537.36").BrowserName);
        }

        [Theory]
        [InlineData(Chrome120, "desktop")]
        [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1", "mobile")]
        [InlineData("Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "tablet")]
        [InlineData("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36", "mobile")]
        [InlineData("Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", "tablet")]
        [InlineData("Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/4.0 Chrome/76.0.3809.146 TV Safari/537.36", "tv")]
        [InlineData("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "bot")]
        [InlineData("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", null)]
        public void Device_type_is_Bowsers_platform_type(string userAgent, string? deviceType)
        {
            Assert.Equal(deviceType, UserAgentParser.Parse(userAgent).DeviceType);
        }

        [Fact]
        public void Single_quotes_anywhere_are_dropped_as_Butler_SOS_does()
        {
            UserAgentInfo info = UserAgentParser.Parse("Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chr'ome/109.0.0.0 Safari/537.36");

            Assert.Equal("Chrome", info.BrowserName);
            Assert.Equal("109.0.0.0", info.BrowserVersion);
            Assert.Equal("NT 6.1", info.OsVersion);
        }

        // JavaScript's trim and \s: these characters and no others (Butler SOS trims with String.prototype.trim).
        private const string JsSpaces = " \t\n\u000B\f\r\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF";
        private const string NotJsSpaces = "\u0008\u000E\u001F\u0085\u167F\u1681\u1FFF\u200B\u2027\u202A\u202E\u2030\u205E\u2060\u2FFF\u3001\uFEFE\uFEFD\u00A1";

        [Fact]
        public void Surrounding_JavaScript_white_space_is_trimmed_and_nothing_else()
        {
            foreach (char c in JsSpaces)
            {
                string name = $"U+{(int)c:X4}";
                UserAgentInfo info = UserAgentParser.ParseUncached((c + "Foo/1.5 (X11)" + c).AsSpan());
                Assert.True(info.BrowserName == "Foo", $"{name}: '{info.BrowserName}'");
                Assert.Equal("1.5", info.BrowserVersion);
            }

            foreach (char c in NotJsSpaces)
            {
                UserAgentInfo info = UserAgentParser.ParseUncached((c + "Foo/1.5 (X11)").AsSpan());
                Assert.True(info.BrowserName == c + "Foo", $"U+{(int)c:X4}: '{info.BrowserName}'");
            }
        }

        [Fact]
        public void Edge_needs_white_space_of_JavaScripts_kind_before_Edg()
        {
            foreach (char c in JsSpaces.Substring(1))
            {
                UserAgentInfo info = UserAgentParser.ParseUncached(("Mozilla/5.0 (Windows NT 10.0)" + c + "Edg/120.0.2210.91").AsSpan());
                Assert.True(info.BrowserName == "Microsoft Edge", $"U+{(int)c:X4}: '{info.BrowserName}'");
                Assert.Equal("120.0.2210.91", info.BrowserVersion);
            }

            foreach (char c in NotJsSpaces)
            {
                UserAgentInfo info = UserAgentParser.ParseUncached(("Mozilla/5.0 (Windows NT 10.0)" + c + "Edg/120.0.2210.91").AsSpan());
                Assert.True(info.BrowserName != "Microsoft Edge", $"U+{(int)c:X4}: '{info.BrowserName}'");
            }
        }

        // Bowser's last rule, ^(.*)\/(.*)[ \t]\((.*) with a '(' in the agent, else ^(.*)\/(.*) : greedy, so the last blank and slash.
        [Theory]
        [InlineData("Foo/1.5 (X11)", "Foo", "1.5", "1")]
        [InlineData("Foo/1.5\t(X11)", "Foo", "1.5", "1")]
        [InlineData("Foo/1.5 Bar/2.5 (X11)", "Foo/1.5 Bar", "2.5", "2")]
        [InlineData("Foo/1.5 (X11) Bar/2.5 (Y)", "Foo/1.5 (X11) Bar", "2.5", "2")]
        [InlineData("Foo/1.5 Bar/2.5 baz", "Foo/1.5 Bar", "2.5", "2")]
        [InlineData("Foo/1.5 baz", "Foo", "1.5", "1")]
        [InlineData("Foo/.5 baz", "Foo", ".5", null)]
        [InlineData("Foo/ baz", "Foo", null, null)]
        [InlineData("Foo/1.5 (a)\nBar/2.5 (b)", "Foo", "1.5", "1")]
        [InlineData("Foo/1.5 a\u2028Bar/2.5 b", "Foo", "1.5", "1")]
        [InlineData("Foo/1.5 a\u2029Bar/2.5 b", "Foo", "1.5", "1")]
        [InlineData("Foo/1.5 a\rBar/2.5 b", "Foo", "1.5", "1")]
        public void Unknown_agents_are_named_by_Bowsers_fallback(string userAgent, string? name, string? version, string? major)
        {
            UserAgentInfo info = UserAgentParser.ParseUncached(userAgent.AsSpan());
            Assert.Equal(name, info.BrowserName);
            Assert.Equal(version, info.BrowserVersion);
            Assert.Equal(major, info.BrowserMajorVersion);
        }

        [Theory]
        [InlineData("Foo/1.5")]
        [InlineData(" /1.5 (x)")]
        [InlineData("Foo/1.5\n (x)")]
        [InlineData("Foo 1.5 (x)")]
        [InlineData("Foo/1.5 x(X11)")]
        [InlineData("/1.5 baz")]
        public void An_agent_without_a_slash_before_its_last_blank_is_Unknown(string userAgent)
        {
            Assert.Same(UserAgentInfo.Unknown, UserAgentParser.ParseUncached(userAgent.AsSpan()));
        }

        [Fact]
        public void White_space_and_quotes_at_either_end_never_reach_the_rules()
        {
            Assert.Equal("Foo", UserAgentParser.ParseUncached("'Foo/1.5 (X11)".AsSpan()).BrowserName);
            Assert.Equal("Foo", UserAgentParser.ParseUncached("'Foo/1.5 bar'".AsSpan()).BrowserName);
            foreach (char c in JsSpaces)
            {
                // Ddg/ counts only at the very end, so trailing white space must be gone.
                UserAgentInfo info = UserAgentParser.ParseUncached(("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Ddg/7.1" + c).AsSpan());
                Assert.True(info.BrowserName == "DuckDuckGo", $"U+{(int)c:X4}: '{info.BrowserName}'");
            }
        }

        [Fact]
        public void An_agent_whose_first_capital_is_Z_is_still_read_without_case()
        {
            // UserAgentParser.cs:275 (<= 'Z' to < 'Z'): the scan for the first capital must stop at 'Z' too.
            Assert.Equal("MZ Browser", UserAgentParser.ParseUncached("mZbrowser/1.0".AsSpan()).BrowserName);
        }

        [Fact]
        public void An_agent_whose_only_capital_is_A_is_still_read_without_case()
        {
            UserAgentInfo info = UserAgentParser.ParseUncached("foo/1.5 (Android 4.4)".AsSpan());
            Assert.Equal("Android", info.OsName);
            Assert.Equal("4.4", info.OsVersion);
            Assert.Equal("Android Browser", info.BrowserName);
        }

        [Theory]
        [InlineData("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Epiphany/3.38.2", "Epiphany", "3.38.2", "Linux")]
        [InlineData("Foo/1.5 (Prime)", "Foo", "1.5", null)]
        [InlineData("Edg/9 Edg/120.0", "Microsoft Edge", "120.0", null)]
        [InlineData("Foo/1.5 (a)\nBar/2.5 (b)\nBaz", "Foo", "1.5", null)]
        [InlineData("Foo/1.5 (x FxiOS/1.0; Macintosh)", "Firefox", "1.0", "macOS")]
        // "yahoo" without Slurp is no Yahoo bot for the browser rules (Browser.cs:117, && to ||).
        [InlineData("Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36 YahooMobile/1.0", "Chrome", "120.0.0.0", "Android")]
        // "opt/" without Opera Touch's version is not Opera Touch (Browser.cs:131, && to ||).
        [InlineData("Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36 OPT/2", "Chrome", "120.0.0.0", "Android")]
        // A '(' at position 0 still means the agent has a device part: the fallback's blank is the one before a '(' (Browser.cs:254, >= 0 to > 0).
        [InlineData("(x) Foo/1.0 (Linux) bar", "(x) Foo", "1.0", "Linux")]
        // The leftmost of a rule's names wins, also at position 0 (Versions.cs:44, at < 0 to at <= 0).
        [InlineData("Firefox/120.0 Iceweasel/2.0", "Firefox", "120.0", null)]
        // A rule's own version expression, not the common "Version/" one (Browser.cs:36, 80: the expressions emptied).
        [InlineData("ia_archiver/1.6 (+http://www.alexa.com/site/help/webmasters; crawler@alexa.com)", "InternetArchiveCrawler", "1.6", null)]
        [InlineData("Mozilla/5.0 (Windows NT 6.1) SE 2.X MetaSr 1.0", "Sogou Browser", "2.", "Windows")]
        public void Rules_apply_only_where_their_whole_test_matches(string userAgent, string browser, string version, string? os)
        {
            UserAgentInfo info = UserAgentParser.ParseUncached(userAgent.AsSpan());
            Assert.Equal(browser, info.BrowserName);
            Assert.Equal(version, info.BrowserVersion);
            Assert.Equal(os, info.OsName);
        }

        [Theory]
        [InlineData("Mozilla/5.0 (Linux; U; Android 4.0.1; en-us; Galaxy Nexus Build/ITL41F) AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 Safari/534.30", "mobile")]
        [InlineData("Mozilla/5.0 (Linux; Android 8.0.0; Nexus Player Build/OPR6.170623.021) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/61.0.3163.98 Safari/537.36", "tablet")]
        [InlineData("Foo/1.5 (Linux-Mobi)", "desktop")]
        [InlineData("Mozilla/5.0 (Linux; U; Android 2.3.4; en-us) AppleWebKit/533.1 (KHTML, like Gecko) Version/4.0 Safari/533.1", "mobile")]
        [InlineData("Mozilla/5.0 (Linux; Android 9; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", "tablet")]
        [InlineData("Mozilla/5.0 (Linux; Android 3000000000; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", "tablet")]
        [InlineData("Foo/1.5 (x FxiOS/1.0; Macintosh)", "desktop")]
        // FxiOS on an iPhone is a phone: the iPad rule needs both FxiOS and Macintosh (DeviceType.cs:25, && to ||).
        [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/120.0 Mobile/15E148 Safari/605.1.15", "mobile")]
        public void Device_type_edges_of_Bowsers_platform_rules(string userAgent, string deviceType)
        {
            Assert.Equal(deviceType, UserAgentParser.ParseUncached(userAgent.AsSpan()).DeviceType);
        }

        [Theory]
        [InlineData("Foo/1.5 (Windows No)", "Windows", null)]
        [InlineData("Foo/1.5 (Windows NT 10\n0)", "Windows", "NT")]
        [InlineData("OS 17_1 like Mac OS X (iPhone)", "iOS", "17.1")]
        [InlineData("Foo/1.5 (iPhone) OS 17", "iOS", null)]
        [InlineData("Foo/1.5 (iPhone) OS 17_", "iOS", null)]
        [InlineData("Foo/1.5 (iPhone) OS 17_1", "iOS", null)]
        [InlineData("Foo/1.5 (iPhone) OS 17 ", "iOS", null)]
        // "Windows n" / "Windows NT 1" at the very end: no index past the end (OperatingSystem.cs:69 p + 2, :84 q + 3).
        [InlineData("Foo/1.0 (Windows n", "Windows", null)]
        [InlineData("Foo/1.0 (Windows NT 1", "Windows", "NT")]
        [InlineData("Foo/1.0 (Windows NT 1x", "Windows", "NT")]
        // "xp" needs both letters (:69, && to ||); a line break ends the one-digit version too (:84, s[q + 2] to s[q - 2]).
        [InlineData("Foo/1.0 (Windows xz)", "Windows", null)]
        [InlineData("Foo/1.5 (Windows NT 1\n0)", "Windows", "NT")]
        // The version follows "windows ", wherever that is: not whatever stands 8 characters in (OperatingSystem.cs:66, the first IndexOf emptied) ...
        [InlineData("Mozilla/xp (Windows NT 10.0; Win64; x64)", "Windows", "NT 10.0")]
        // ... and also at position 0 (:66, at >= 0 to at > 0).
        [InlineData("Windows NT 10.0; Win64; x64", "Windows", "NT 10.0")]
        // FxiOS on an iPhone reads the iPhone's iOS version, not the iPad rule's (OperatingSystem.cs:33, && to ||).
        [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/120.0 Mobile/15E148 Safari/605.1.15", "iOS", "17.1")]
        public void Operating_system_versions_at_the_edges_of_the_text(string userAgent, string os, string? version)
        {
            UserAgentInfo info = UserAgentParser.ParseUncached(userAgent.AsSpan());
            Assert.Equal(os, info.OsName);
            Assert.Equal(version, info.OsVersion);
        }
    }
}
