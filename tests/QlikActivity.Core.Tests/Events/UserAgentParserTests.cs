using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using QlikActivity.Core.Events;
using Xunit;

namespace QlikActivity.Core.Tests.Events
{
    public class UserAgentParserTests
    {
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
        public void Parses_real_user_agents_like_ua_parser_js(string userAgent, string browser, string major, string os, string osVersion)
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
                "Chrome", "Mobile Chrome", "Edge", "Firefox", "Mobile Firefox", "Safari", "Mobile Safari", "Opera",
                "Opera Mini", "Samsung Internet", "IE", "Chrome WebView", "Chromium", "Yandex", "Vivaldi", "Electron",
                "curl", "PowerShell", "Googlebot",
            })
            {
                Assert.Contains(name, browsers);
            }

            var systems = new HashSet<string>(rows.Select(r => r[2] + " " + r[3]));
            foreach (string os in new[]
            {
                "Windows NT 10.0", "Windows 8.1", "Windows 8", "Windows 7", "Windows Vista", "Windows XP",
                "macOS 10.15.7", "iOS 17.1", "Android 14", "Linux ", "Chrome OS 14541.0.0", "Ubuntu ",
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
        [InlineData("Mozilla/5.0 (compatible)")]
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
        }

        [Theory]
        [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Ge", "WebKit", "537", "Windows", "NT 10.0")]
        [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/", "WebKit", "537", "Windows", "NT 10.0")]
        [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/1", "Chrome", "1", "Windows", "NT 10.0")]
        [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/", "Mozilla", "5", "Windows", "NT 10.0")]
        [InlineData("Mozilla/5.0 (Windows NT 10.0; Win", null, null, "Windows", "NT 10.0")]
        [InlineData("Mozilla/5.0 (Windows NT 10.0)", null, null, "Windows", "NT 10.0")]
        [InlineData("Mozilla/5.0 (Windows NT", null, null, "Windows", null)]
        [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac", null, null, "iOS", "17.1")]
        [InlineData("Mozilla/5.0 (Macintosh; Intel Mac OS X", null, null, "macOS", null)]
        [InlineData("Mozilla/5.0 (Linux; Android", null, null, "Android", null)]
        [InlineData("Mozilla/5.0 (X11; CrOS x86_64", null, null, null, null)]
        [InlineData("Mozilla/5.0 (X11; CrOS x86_64 14541.", null, null, "Chrome OS", "14541")]
        [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1", null, null, "iOS", "17.1")]
        [InlineData("Chrome/91.0", "Chrome", "91", null, null)]
        [InlineData("Edg/", null, null, null, null)]
        [InlineData("Edg/1", "Edge", "1", null, null)]
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

            Assert.Same(UserAgentInfo.Unknown, UserAgentParser.Parse("日本語/1.0 (中文; 😀)"));
            Assert.Same(UserAgentInfo.Unknown, UserAgentParser.Parse("\uD800/\uDC00 (\uD800; \uDFFF)"));
        }

        [Fact]
        public void Only_the_first_500_characters_are_read()
        {
            string padding = new string('x', 1_000_000);

            UserAgentInfo head = UserAgentParser.Parse(Chrome120 + " " + padding);
            Assert.Equal("Chrome", head.BrowserName);
            Assert.Equal("NT 10.0", head.OsVersion);

            Assert.Same(UserAgentInfo.Unknown, UserAgentParser.Parse(padding));
            Assert.Same(UserAgentInfo.Unknown, UserAgentParser.Parse(new string('/', 600) + Chrome120));
            Assert.Same(UserAgentInfo.Unknown, UserAgentParser.Parse(new string(' ', 10) + new string('a', 500) + " " + Chrome120));
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
                    Assert.Equal("7", info.OsVersion);
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
    }
}
