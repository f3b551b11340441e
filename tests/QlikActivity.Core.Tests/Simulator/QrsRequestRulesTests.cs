using System;
using QlikActivity.QrsSimulator.Entities;
using QlikActivity.QrsSimulator.Hosting;
using Xunit;

namespace QlikActivity.Core.Tests.Simulator
{
    public class QrsRequestRulesTests
    {
        [Theory]
        [InlineData("abcdefghij123456", "abcdefghij123456", true)]
        [InlineData("abcdefghij123456", "ABCDEFGHIJ123456", false)]
        [InlineData("abcdefghij12345", "abcdefghij12345", false)]
        [InlineData("abcdefghij1234-6", "abcdefghij1234-6", false)]
        [InlineData("abcdefghij12345!", "abcdefghij12345!", false)]
        [InlineData(null, "abcdefghij123456", false)]
        [InlineData("abcdefghij123456", null, false)]
        public void Xrfkey_must_be_16_letters_or_digits_in_query_and_header(string? query, string? header, bool ok)
        {
            Assert.Equal(ok, QrsRequestRules.XrfkeyMatches(query, header));
        }

        [Theory]
        [InlineData("UserDirectory=INTERNAL; UserId=sa_repository", "INTERNAL", "sa_repository")]
        [InlineData("userid=sa_api;userdirectory=INTERNAL", "INTERNAL", "sa_api")]
        public void X_Qlik_User_is_parsed(string header, string dir, string id)
        {
            Assert.True(QrsRequestRules.TryParseQlikUser(header, out var d, out var u));
            Assert.Equal(dir, d);
            Assert.Equal(id, u);
        }

        [Theory]
        [InlineData(null)]
        [InlineData("")]
        [InlineData("INTERNAL\\sa_repository")]
        [InlineData("UserDirectory=INTERNAL")]
        [InlineData("UserDirectory=; UserId=x")]
        public void A_malformed_X_Qlik_User_is_refused(string? header)
        {
            Assert.False(QrsRequestRules.TryParseQlikUser(header, out _, out _));
        }

        [Fact]
        public void A_parameter_without_value_is_detected()
        {
            Assert.True(QrsRequestRules.TryParseQuery("?xrfkey=abc&filter=name%20eq%20'a%26b'", out var ok));
            Assert.Equal("name eq 'a&b'", ok["filter"]);
            Assert.False(QrsRequestRules.TryParseQuery("?xrfkey=abc&filter=name%20eq%20'a&b'", out _));
        }

        [Theory]
        [InlineData("/qrs/about", QrsRouteKind.About, null)]
        [InlineData("/qrs/user", QrsRouteKind.List, "user")]
        [InlineData("/qrs/User/Full", QrsRouteKind.Full, "user")]
        [InlineData("/qrs/user/count/", QrsRouteKind.Count, "user")]
        [InlineData("/qrs/license/useraccesstype/full", QrsRouteKind.Full, "license/useraccesstype")]
        [InlineData("/qrs/license/analyzertimeaccessusage/count", QrsRouteKind.Count, "license/analyzertimeaccessusage")]
        [InlineData("/qrs/custompropertydefinition/6e1e1df6-f5fa-4fd8-a24f-f92f50433e33", QrsRouteKind.Item, "custompropertydefinition")]
        [InlineData("/qrs/user/not-a-guid", QrsRouteKind.NotFound, null)]
        [InlineData("/qrs/stream", QrsRouteKind.NotFound, null)]
        [InlineData("/other", QrsRouteKind.NotFound, null)]
        public void Routes_name_the_entity_type_and_kind(string path, QrsRouteKind kind, string? type)
        {
            var route = QrsRequestRules.Route(path);
            Assert.Equal(kind, route.Kind);
            Assert.Equal(type, route.Type?.Path);
        }

        [Fact]
        public void Every_license_type_has_an_endpoint_with_its_date_field()
        {
            Assert.NotNull(QrsEntityTypes.Get(QrsEntityTypes.LicensePaths["professional"]).Schema.Field("lastUsed"));
            Assert.NotNull(QrsEntityTypes.Get(QrsEntityTypes.LicensePaths["analyzer"]).Schema.Field("lastUsed"));
            Assert.NotNull(QrsEntityTypes.Get(QrsEntityTypes.LicensePaths["user"]).Schema.Field("lastUsed"));
            Assert.Null(QrsEntityTypes.Get(QrsEntityTypes.LicensePaths["user"]).Schema.Field("excess"));
            Assert.NotNull(QrsEntityTypes.Get(QrsEntityTypes.LicensePaths["login"]).Schema.Field("latestActivity"));
            Assert.NotNull(QrsEntityTypes.Get(QrsEntityTypes.LicensePaths["analyzer-time"]).Schema.Field("latestActivity"));
        }
    }
}
