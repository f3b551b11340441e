using System.Net;
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
    }
}
