using System;
using System.Text;
using System.Text.RegularExpressions;
using QlikActivity.Core.Events;
using Xunit;

namespace QlikActivity.Core.Tests.Events
{
    /// <summary>
    /// The hand-written matchers that replace Bowser's hottest expressions must find exactly what the
    /// expressions find: each is checked against the regex itself on many generated agents.
    /// </summary>
    public class UserAgentVersionMatchTests
    {
        private static readonly string[] Fragments =
        {
            "version/", "Version/", "chrome/", "Chrome/", "CriOS/", "crmo/", "firefox", "Firefox/", "FxiOS", "iceweasel",
            "msie ", "MSIE ", "rv:", "Mac OS X ", "mac os x", "Android", "android", " ", "/", "-", ".", "_", "._", "0", "1",
            "12", "7", "10.0", "6.1", "x", "a", ";", ")", "(",
        };

        private static string Generate(Random random, string[] fragments, int maxParts)
        {
            var text = new StringBuilder("X ");
            int parts = random.Next(1, maxParts);
            for (int i = 0; i < parts; i++)
            {
                text.Append(fragments[random.Next(fragments.Length)]);
            }

            return text.Append('!').ToString();
        }

        private static string Lower(string s)
        {
            var chars = s.ToCharArray();
            for (int i = 0; i < chars.Length; i++)
            {
                if (chars[i] >= 'A' && chars[i] <= 'Z')
                {
                    chars[i] = (char)(chars[i] + 32);
                }
            }

            return new string(chars);
        }

        private static string RegexFirst(string pattern, string ua, int group = 1)
        {
            Match m = new Regex(pattern, RegexOptions.ECMAScript).Match(Lower(ua));
            return m.Success && m.Groups[group].Success ? ua.Substring(m.Groups[group].Index, m.Groups[group].Length) : "";
        }

        [Theory]
        [InlineData(@"version\/(\d+(\.?_?\d+)+)", new[] { "version/" }, 0, 0)]
        [InlineData(@"(?:chrome|crios|crmo)\/(\d+(\.?_?\d+)+)", new[] { "chrome/", "crios/", "crmo/" }, 0, 0)]
        [InlineData(@"(?:firefox|iceweasel|fxios)[\s/](\d+(\.?_?\d+)+)", new[] { "firefox", "iceweasel", "fxios" }, 1, 0)]
        [InlineData(@"(?:msie |rv:)(\d+(\.?_?\d+)+)", new[] { "msie ", "rv:" }, 0, 0)]
        [InlineData(@"mac os x (\d+(\.?_?\d+)+)", new[] { "mac os x " }, 0, 0)]
        [InlineData(@"android[\s/-](\d+(\.\d+)*)", new[] { "android" }, 2, 1)]
        public void First_version_finds_what_the_regex_finds(string pattern, string[] names, int separatorKind, int grammarKind)
        {
            var separator = (UserAgentParser.VersionSeparator)separatorKind;
            var grammar = (UserAgentParser.VersionGrammar)grammarKind;
            var random = new Random(1913);
            for (int i = 0; i < 20_000; i++)
            {
                string ua = Generate(random, Fragments, 14);
                string expected = RegexFirst(pattern, ua);
                string actual = UserAgentParser.FirstVersion(Lower(ua), ua, names, separator, grammar);
                Assert.True(expected == actual, $"'{ua}': regex '{expected}', matcher '{actual}'");
            }
        }

        [Fact]
        public void Windows_version_is_what_Bowsers_regex_finds()
        {
            string[] fragments = { "Windows ", "windows ", "NT", "nt", "XP", "Xp", " ", "1", "10", "6", ".", "0", "x", "\n", ";", "NT 10.0", "NT 6.1" };
            var random = new Random(1914);
            for (int i = 0; i < 20_000; i++)
            {
                string ua = "X Windows " + Generate(random, fragments, 10);
                string expected = RegexFirst(@"windows ((nt|xp)( \d\d?[^\n\r\u2028\u2029]\d)?)", ua);
                string? actual = UserAgentParser.ParseUncached(ua.AsSpan()).OsVersion;
                Assert.True((expected.Length == 0 ? null : expected) == actual, $"'{ua}': regex '{expected}', parser '{actual}'");
            }
        }

        [Fact]
        public void Ios_version_is_what_Bowsers_regex_finds()
        {
            string[] fragments = { "OS ", "os ", "17", "1", "_", " ", "\t", " like Mac OS X", " like mac os x", "x", ";", "like", "iPhone " };
            var random = new Random(1915);
            for (int i = 0; i < 20_000; i++)
            {
                string ua = "X iPhone " + Generate(random, fragments, 10);
                string expected = RegexFirst(@"os (\d+([_\s]\d+)*) like mac os x", ua).Replace('_', '.').Replace(' ', '.').Replace('\t', '.');
                string? actual = UserAgentParser.ParseUncached(ua.AsSpan()).OsVersion;
                Assert.True((expected.Length == 0 ? null : expected) == actual, $"'{ua}': regex '{expected}', parser '{actual}'");
            }
        }

        [Fact]
        public void Edge_is_what_Bowsers_regexes_find()
        {
            string[] fragments = { " Edg/", "Edg/", " edg/", "\tEdg/", "1", "12", ".", "_", " ", "x", "0" };
            var random = new Random(1916);
            for (int i = 0; i < 20_000; i++)
            {
                string ua = "X " + Generate(random, fragments, 10);
                bool edge = new Regex(@"\sedg\/", RegexOptions.ECMAScript).IsMatch(Lower(ua));
                UserAgentInfo info = UserAgentParser.ParseUncached(ua.AsSpan());
                if (!edge)
                {
                    Assert.NotEqual("Microsoft Edge", info.BrowserName);
                    continue;
                }

                string expected = RegexFirst(@"\sedg\/(\d+(\.?_?\d+)+)", ua);
                Assert.Equal("Microsoft Edge", info.BrowserName);
                Assert.True((expected.Length == 0 ? null : expected) == info.BrowserVersion, $"'{ua}': regex '{expected}', parser '{info.BrowserVersion}'");
            }
        }
    }
}
