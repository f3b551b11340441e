using System;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using QlikActivity.Core.Events;
using Xunit;

namespace QlikActivity.Core.Tests.Events
{
    public class UserEventFilterTests
    {
        private static UserEvent User(string directory, string id, UserEventType type = UserEventType.SessionStart) =>
            new UserEvent { UserDirectory = directory, UserId = id, EventType = type };

        [Theory]
        [InlineData("LAB\\svc_*", "LAB", "svc_reload", true)]
        [InlineData("LAB\\svc_*", "lab", "SVC_Reload", true)]
        [InlineData("LAB\\svc_*", "LAB", "anna", false)]
        [InlineData("LAB\\svc_*", "PROD", "svc_reload", false)]
        [InlineData("*\\sa_*", "INTERNAL", "sa_repository", true)]
        [InlineData("INTERNAL\\sa_???", "INTERNAL", "sa_api", true)]
        [InlineData("INTERNAL\\sa_???", "INTERNAL", "sa_apis", false)]
        [InlineData("sa_*", "INTERNAL", "sa_scheduler", true)]
        [InlineData("sa_*", "ANY", "sa_x", true)]
        [InlineData("sa_*", "SA_DIR", "anna", false)]
        [InlineData("LAB\\user[0-9]", "LAB", "user7", true)]
        [InlineData("LAB\\user[0-9]", "LAB", "userx", false)]
        [InlineData("LAB\\[ab]nna", "LAB", "Anna", true)]
        [InlineData("LAB\\[ab]nna", "LAB", "cnna", false)]
        [InlineData("LAB\\a`*b", "LAB", "a*b", true)]
        [InlineData("LAB\\a`*b", "LAB", "axb", false)]
        [InlineData("LAB*anna", "LAB", "anna", false)]       // no backslash: the user id alone
        [InlineData("*", "X", "y", true)]
        [InlineData("LAB\\*a*a*a*b", "LAB", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false)]
        public void Exclusion_wildcards_match_like_PowerShell_ignoring_case(string pattern, string directory, string id, bool excluded)
        {
            var filter = UserEventFilter.Create(new[] { pattern }, null, null);
            Assert.Equal(excluded, filter.IsExcluded(User(directory, id)));
        }

        [Fact]
        public void A_malformed_pattern_is_an_explained_error()
        {
            var ex = Assert.Throws<QlikActivityException>(() => UserEventFilter.Create(new[] { "LAB\\[abc" }, null, null));
            Assert.Equal("InvalidUserPattern", ex.ErrorId);
            Assert.Contains("LAB\\[abc", ex.Message);
        }

        [Fact]
        public void Event_types_not_asked_for_are_excluded()
        {
            var filter = UserEventFilter.Create(null, new[] { UserEventType.SessionStart, UserEventType.SessionStop }, null);
            Assert.False(filter.IsExcluded(User("A", "b", UserEventType.SessionStart)));
            Assert.False(filter.IsExcluded(User("A", "b", UserEventType.SessionStop)));
            Assert.True(filter.IsExcluded(User("A", "b", UserEventType.ConnectionOpen)));
            Assert.True(filter.IsExcluded(User("A", "b", UserEventType.ConnectionClose)));
            Assert.False(UserEventFilter.All.IsExcluded(User("A", "b", UserEventType.ConnectionClose)));
        }

        [Theory]
        [InlineData("10.1.2.3", "10.1.2.3", true)]
        [InlineData("10.1.2.3", "10.1.2.4", false)]
        [InlineData("10.1.0.0/16", "10.1.200.9", true)]
        [InlineData("10.1.0.0/16", "10.2.0.1", false)]
        [InlineData("10.1.2.3", "::ffff:10.1.2.3", true)]
        [InlineData("::ffff:10.1.2.3", "10.1.2.3", true)]
        [InlineData("10.0.0.0/8", "::ffff:10.9.9.9", true)]
        [InlineData("fd00::/8", "fd12:3456::1", true)]
        [InlineData("fd00::/8", "fe80::1", false)]
        [InlineData("::1", "::1", true)]
        [InlineData("::1", "127.0.0.1", false)]
        [InlineData("0.0.0.0/0", "192.0.2.1", true)]
        [InlineData("192.168.1.77/24", "192.168.1.1", true)]
        public void Allowed_sources_are_addresses_or_ranges_with_mapped_IPv4_seen_as_IPv4(string rule, string sender, bool allowed)
        {
            var filter = UserEventFilter.Create(null, null, new[] { rule });
            Assert.True(filter.RestrictsSources);
            Assert.Equal(allowed, filter.IsSourceAllowed(IPAddress.Parse(sender)));
        }

        [Fact]
        public void Host_names_are_resolved_once()
        {
            int calls = 0;
            var filter = UserEventFilter.Create(null, null, new[] { "sense1.corp.example" }, name =>
            {
                calls++;
                Assert.Equal("sense1.corp.example", name);
                return new[] { IPAddress.Parse("10.5.5.5"), IPAddress.Parse("fd00::5") };
            });
            Assert.True(filter.IsSourceAllowed(IPAddress.Parse("10.5.5.5")));
            Assert.True(filter.IsSourceAllowed(IPAddress.Parse("fd00::5")));
            Assert.False(filter.IsSourceAllowed(IPAddress.Parse("10.5.5.6")));
            Assert.Equal(1, calls);
        }

        [Fact]
        public void Localhost_resolves_through_DNS()
        {
            var filter = UserEventFilter.Create(null, null, new[] { "localhost" });
            Assert.True(filter.IsSourceAllowed(IPAddress.Loopback));
        }

        [Theory]
        [InlineData("10.0.0.0/33")]
        [InlineData("10.0.0.0/x")]
        [InlineData("not an address/8")]
        [InlineData(" ")]
        public void A_bad_allowed_source_is_an_explained_error(string rule)
        {
            var ex = Assert.Throws<QlikActivityException>(() => UserEventFilter.Create(null, null, new[] { rule }));
            Assert.Equal("InvalidAllowedSource", ex.ErrorId);
        }

        [Fact]
        public void Without_allowed_sources_everyone_is_accepted()
        {
            Assert.False(UserEventFilter.All.RestrictsSources);
            Assert.True(UserEventFilter.All.IsSourceAllowed(IPAddress.Parse("203.0.113.9")));
        }

        [Theory]
        [InlineData("LAB\\[z-a]nna", "LAB", "bnna", true)]     // a reversed range is read in order
        [InlineData("LAB\\[z-a]nna", "LAB", "1nna", false)]
        [InlineData("LAB\\[a-]x", "LAB", "-x", true)]         // a '-' with nothing after it is itself
        [InlineData("LAB\\[a-]x", "LAB", "bx", false)]
        [InlineData("LAB\\[ac-e]x", "LAB", "dx", true)]
        [InlineData("LAB\\[ac-e]x", "LAB", "bx", false)]
        [InlineData("LAB\\[A-C]x", "LAB", "bx", true)]        // sets ignore case both ways
        [InlineData("LAB\\[a-c]x", "LAB", "BX", true)]
        [InlineData("LAB\\[]]x", "LAB", "]x", true)]          // the first ']' after '[' is a member
        [InlineData("a`", "LAB", "a`", true)]                 // a trailing backtick is literal
        [InlineData("a`", "LAB", "a", false)]
        [InlineData("a**b", "LAB", "ab", true)]
        [InlineData("a**b", "LAB", "axyzb", true)]
        [InlineData("a*", "LAB", "a", true)]
        [InlineData("a*b", "LAB", "acbd", false)]
        [InlineData("*b*", "LAB", "xbx", true)]
        [InlineData("a?", "LAB", "a", false)]
        [InlineData("anna", "LAB", "annas", false)]
        [InlineData("anna", "LAB", "ann", false)]
        [InlineData("LAB`\\anna", "LAB", "anna", true)]       // an escaped backslash still names a directory
        [InlineData("LAB`\\anna", "X", "anna", false)]
        public void Wildcard_sets_ranges_escapes_and_stars(string pattern, string directory, string id, bool excluded)
        {
            var filter = UserEventFilter.Create(new[] { pattern }, null, null);
            Assert.Equal(excluded, filter.IsExcluded(User(directory, id)));
        }

        [Fact]
        public void A_pattern_keeps_its_text_and_says_whether_it_names_a_directory()
        {
            var withDirectory = UserPattern.Parse("LAB\\svc_*");
            Assert.Equal("LAB\\svc_*", withDirectory.Text);
            Assert.Equal("LAB\\svc_*", withDirectory.ToString());
            Assert.True(withDirectory.MatchesFullName);
            Assert.True(UserPattern.Parse("LAB`\\x").MatchesFullName);
            Assert.False(UserPattern.Parse("svc_*").MatchesFullName);
            Assert.False(UserPattern.Parse("a`b").MatchesFullName);
            Assert.True(withDirectory.IsMatch("lab\\SVC_x"));
            Assert.False(withDirectory.IsMatch("svc_x"));
        }

        [Theory]
        [InlineData("")]
        [InlineData("   ")]
        public void An_empty_pattern_is_an_explained_error(string pattern)
        {
            var ex = Assert.Throws<QlikActivityException>(() => UserPattern.Parse(pattern));
            Assert.Equal("InvalidUserPattern", ex.ErrorId);
            Assert.Equal(OperationErrorCategory.InvalidArgument, ex.Category);
            Assert.Equal("An -ExcludeUser pattern is empty.", ex.Message);
        }

        [Theory]
        [InlineData("a[")]
        [InlineData("a[]")]
        [InlineData("a[b")]
        public void An_unclosed_set_is_an_explained_error(string pattern)
        {
            var ex = Assert.Throws<QlikActivityException>(() => UserPattern.Parse(pattern));
            Assert.Equal("InvalidUserPattern", ex.ErrorId);
            Assert.Equal(OperationErrorCategory.InvalidArgument, ex.Category);
            Assert.Equal($"The -ExcludeUser pattern '{pattern}' has a '[' without a closing ']' (escape it as '`[').", ex.Message);
        }

        [Fact]
        public void The_filter_lists_what_it_was_given()
        {
            var filter = UserEventFilter.Create(new[] { "sa_*", "LAB\\x" }, null, new[] { " 10.0.0.0/8 ", "::1" });
            Assert.Equal(new[] { "sa_*", "LAB\\x" }, filter.ExcludedUsers.Select(p => p.Text));
            Assert.Equal(new[] { "10.0.0.0/8", "::1" }, filter.AllowedSources.Select(r => r.Text));
            Assert.Equal("10.0.0.0/8", filter.AllowedSources[0].ToString());
            Assert.Empty(UserEventFilter.All.ExcludedUsers);
            Assert.Empty(UserEventFilter.All.AllowedSources);
        }

        [Fact]
        public void Every_event_type_passes_when_none_is_named_and_an_unknown_type_never_does()
        {
            var empty = new UserEventFilter(null, Array.Empty<UserEventType>(), null);
            foreach (UserEventType type in Enum.GetValues(typeof(UserEventType)))
            {
                Assert.False(empty.IsExcluded(User("A", "b", type)));
                Assert.False(UserEventFilter.All.IsExcluded(User("A", "b", type)));
            }

            Assert.True(UserEventFilter.All.IsExcluded(User("A", "b", (UserEventType)4)));
            Assert.True(UserEventFilter.All.IsExcluded(User("A", "b", (UserEventType)(-1))));
            var one = UserEventFilter.Create(null, new[] { UserEventType.ConnectionClose }, null);
            Assert.False(one.IsExcluded(User("A", "b", UserEventType.ConnectionClose)));
            Assert.True(one.IsExcluded(User("A", "b", UserEventType.SessionStart)));
        }

        [Fact]
        public void An_event_is_excluded_when_any_pattern_matches()
        {
            var filter = UserEventFilter.Create(new[] { "nobody", "LAB\\anna" }, null, null);
            Assert.True(filter.IsExcluded(User("LAB", "anna")));
            Assert.False(filter.IsExcluded(User("LAB", "bob")));
        }

        [Fact]
        public void A_host_name_that_cannot_be_resolved_is_an_explained_error()
        {
            var failed = Assert.Throws<QlikActivityException>(() => UserEventFilter.Create(null, null, new[] { " nohost.invalid " }, name =>
            {
                Assert.Equal("nohost.invalid", name);
                throw new SocketException((int)SocketError.HostNotFound);
            }));
            Assert.Equal("AllowedSourceNotResolved", failed.ErrorId);
            Assert.Equal(OperationErrorCategory.ObjectNotFound, failed.Category);
            Assert.StartsWith("The -AllowedSource host ' nohost.invalid ' could not be resolved: ", failed.Message);
            Assert.IsType<SocketException>(failed.InnerException);

            var none = Assert.Throws<QlikActivityException>(() => UserEventFilter.Create(null, null, new[] { "empty.example" }, _ => Array.Empty<IPAddress>()));
            Assert.Equal("AllowedSourceNotResolved", none.ErrorId);
            Assert.Equal(OperationErrorCategory.ObjectNotFound, none.Category);
            Assert.Equal("The -AllowedSource host 'empty.example' resolved to no address.", none.Message);
        }

        [Fact]
        public void A_bad_allowed_source_names_the_entry_and_the_forms_allowed()
        {
            var ex = Assert.Throws<QlikActivityException>(() => UserEventFilter.Create(null, null, new[] { "10.0.0.0/x" }));
            Assert.Equal(OperationErrorCategory.InvalidArgument, ex.Category);
            Assert.Equal("The -AllowedSource entry '10.0.0.0/x' is not an address, a CIDR range (10.0.0.0/8) or a host name.", ex.Message);
        }

        [Fact]
        public void A_host_name_resolving_to_a_mapped_address_allows_the_IPv4_sender()
        {
            var filter = UserEventFilter.Create(null, null, new[] { "sense2" }, _ => new[] { IPAddress.Parse("::ffff:10.7.7.7") });
            Assert.True(filter.IsSourceAllowed(IPAddress.Parse("10.7.7.7")));
            Assert.Equal("10.7.7.7", filter.AllowedSources[0].Text);
        }

        [Theory]
        [InlineData("10.1.2.3/32", "10.1.2.3", true)]
        [InlineData("10.1.2.3/32", "10.1.2.2", false)]
        [InlineData("10.1.2.128/25", "10.1.2.200", true)]
        [InlineData("10.1.2.128/25", "10.1.2.127", false)]
        [InlineData("10.1.2.3/31", "10.1.2.2", true)]
        [InlineData("10.1.2.3/31", "10.1.2.4", false)]
        [InlineData("10.0.0.0/9", "10.127.255.255", true)]
        [InlineData("10.0.0.0/9", "10.128.0.0", false)]
        [InlineData("fd00::/8", "10.0.0.1", false)]           // families never mix
        [InlineData("0.0.0.0/0", "::1", false)]
        [InlineData("::/0", "fe80::1", true)]
        [InlineData("2001:db8::/128", "2001:db8::", true)]
        [InlineData("2001:db8::/128", "2001:db8::1", false)]
        public void Ranges_keep_exactly_the_prefix_bits(string rule, string sender, bool allowed)
        {
            Assert.True(AddressRange.TryParse(rule, out var range));
            Assert.Equal(allowed, range.Contains(IPAddress.Parse(sender)));
        }

        [Theory]
        [InlineData("10.0.0.0/+8")]
        [InlineData("10.0.0.0/ 8")]
        [InlineData("10.0.0.0/-1")]
        [InlineData("10.0.0.0/")]
        [InlineData("::/129")]
        [InlineData("")]
        [InlineData(null)]
        public void Malformed_ranges_are_not_read(string? text)
        {
            Assert.False(AddressRange.TryParse(text!, out _));
        }

        [Fact]
        public void Normalize_maps_only_IPv4_mapped_addresses()
        {
            Assert.Equal(IPAddress.Parse("10.1.2.3"), AddressRange.Normalize(IPAddress.Parse("::ffff:10.1.2.3")));
            Assert.Equal(AddressFamily.InterNetwork, AddressRange.Normalize(IPAddress.Parse("::ffff:10.1.2.3")).AddressFamily);
            Assert.Equal(IPAddress.Parse("fd00::1"), AddressRange.Normalize(IPAddress.Parse("fd00::1")));
            Assert.Equal(IPAddress.Parse("10.1.2.3"), AddressRange.Normalize(IPAddress.Parse("10.1.2.3")));
        }

        // Tests below each pin behaviour a surviving mutant of the 18:01 Stryker run changed (docs/testing.md).
        [Fact]
        public void Two_backslashes_still_match_the_full_name()
        {
            Assert.True(UserPattern.Parse("`\\`\\").MatchesFullName);
            Assert.True(UserPattern.Parse("LAB\\a\\b").MatchesFullName);
            Assert.True(UserPattern.Parse("`\\x\\").MatchesFullName);
        }

        [Theory]
        [InlineData("ab", "ab", true)]
        [InlineData("ab", "xy", false)]
        [InlineData("ab", "ax", false)]
        [InlineData("ab", "xb", false)]
        [InlineData("a?", "ab", true)]
        [InlineData("a?", "ba", false)]
        public void A_pattern_without_a_star_never_backtracks(string pattern, string text, bool match)
        {
            Assert.Equal(match, UserPattern.Parse(pattern).IsMatch(text));
        }

        [Theory]
        [InlineData("B", true)]
        [InlineData("b", true)]
        [InlineData("C", true)]
        [InlineData("D", true)]
        [InlineData("d", true)]
        [InlineData("A", false)]
        [InlineData("E", false)]
        [InlineData("e", false)]
        public void An_upper_case_set_includes_both_its_ends(string text, bool match)
        {
            Assert.Equal(match, UserPattern.Parse("[B-D]").IsMatch(text));
        }

        [Fact]
        public void A_source_starting_with_a_slash_is_refused_before_any_lookup()
        {
            bool looked = false;
            var ex = Assert.Throws<QlikActivityException>(() => UserEventFilter.Create(null, null, new[] { "/8" }, name =>
            {
                looked = true;
                return new[] { IPAddress.Parse("10.5.5.5") };
            }));
            Assert.Equal("InvalidAllowedSource", ex.ErrorId);
            Assert.False(looked);
        }
    }
}
