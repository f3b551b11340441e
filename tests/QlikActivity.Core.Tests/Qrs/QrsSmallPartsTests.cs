using System;
using System.Linq;
using System.Text;
using QlikActivity.Core.Qrs;
using Xunit;

namespace QlikActivity.Core.Tests.Qrs
{
    public class QrsSmallPartsTests
    {
        [Fact]
        public void Xrfkeys_are_16_alphanumerics_and_fresh_each_time()
        {
            var keys = Enumerable.Range(0, 200).Select(_ => Xrfkey.New()).ToList();
            Assert.All(keys, k => Assert.Matches("^[0-9a-zA-Z]{16}$", k));
            Assert.Equal(keys.Count, keys.Distinct().Count());
            // Every character class shows up: the alphabet is really used.
            string all = string.Concat(keys);
            Assert.Contains(all, char.IsDigit);
            Assert.Contains(all, char.IsLower);
            Assert.Contains(all, char.IsUpper);
        }

        [Fact]
        public void A_secret_does_not_print_itself()
        {
            var secret = new QrsSecret("eyJhbGciOi.top.secret");
            Assert.Equal("********", secret.ToString());
            Assert.Equal("eyJhbGciOi.top.secret", secret.Reveal());
            Assert.DoesNotContain("secret", $"{secret}");
        }

        [Fact]
        public void The_jwt_user_is_directory_and_id_when_both_claims_exist()
        {
            var (user, expires) = JwtClaims.Describe(Jwt("{\"userDirectory\":\"LAB\",\"userId\":\"anna\",\"sub\":\"x\",\"exp\":1700000000}"));
            Assert.Equal("LAB\\anna", user);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), expires);
        }

        [Fact]
        public void The_jwt_user_falls_back_to_sub()
        {
            Assert.Equal("anna@lab", JwtClaims.Describe(Jwt("{\"sub\":\"anna@lab\"}")).User);
        }

        [Theory]
        [InlineData("not-a-jwt")]
        [InlineData("a.!!!.c")]
        [InlineData("a.W10.c")]
        public void A_malformed_jwt_describes_nothing(string token)
        {
            Assert.Equal((null, null), JwtClaims.Describe(token));
        }

        [Theory]
        [InlineData("http://sense.lab", "https:// only")]
        [InlineData("sense.lab/jwt", "a URL such as https://")]
        [InlineData("", "No server")]
        [InlineData("bad host!", "not a valid host")]
        public void A_bad_server_is_explained(string server, string expected)
        {
            var ex = Assert.Throws<QlikActivityException>(() => new QrsConnectionOptions { Server = server }.Validate());
            Assert.Equal(QrsErrorIds.InvalidConnectionOptions, ex.ErrorId);
            Assert.Contains(expected, ex.Message, StringComparison.OrdinalIgnoreCase);
        }

        [Theory]
        [InlineData("https://sense.lab:4243/jwt/", "sense.lab", 4243, "jwt", "https://sense.lab:4243/jwt/")]
        [InlineData("https://sense.lab", "sense.lab", null, null, "https://sense.lab:4242/")]
        [InlineData("https://sense.lab:443", "sense.lab", 443, null, "https://sense.lab/")]
        public void A_server_url_becomes_host_port_and_virtual_proxy(string server, string host, int? port, string? proxy, string baseUri)
        {
            var options = new QrsConnectionOptions { Server = server };
            options.Validate();
            Assert.Equal(host, options.Server);
            Assert.Equal(port, options.Port);
            Assert.Equal(proxy, options.NormalizedVirtualProxy);
            Assert.Equal(baseUri, options.BaseUri.ToString());
        }

        [Theory]
        [InlineData("LAB; UserId=sa", "anna")]
        [InlineData("LAB", "a=b")]
        [InlineData("LAB", "")]
        public void Header_breaking_user_names_are_refused(string directory, string userId)
        {
            var ex = Assert.Throws<QlikActivityException>(() =>
                new QrsConnectionOptions { Server = "sense.lab", UserDirectory = directory, UserId = userId }.Validate());
            Assert.Contains("X-Qlik-User", ex.Message);
        }

        [Fact]
        public void Jwt_mode_needs_a_token()
        {
            var ex = Assert.Throws<QlikActivityException>(() =>
                new QrsConnectionOptions { Server = "sense.lab", AuthenticationMode = AuthenticationMode.Jwt }.Validate());
            Assert.Contains("-Jwt", ex.Message);
        }

        [Fact]
        public void Default_ports_follow_the_authentication_mode_and_the_proxy_prefix_goes_in_the_path()
        {
            Assert.Equal(new Uri("https://sense.lab:4242/"), new QrsConnectionOptions { Server = "sense.lab" }.BaseUri);
            Assert.Equal(new Uri("https://sense.lab/jwt/"),
                new QrsConnectionOptions { Server = "sense.lab", AuthenticationMode = AuthenticationMode.Jwt, VirtualProxy = "/jwt/" }.BaseUri);
        }

        [Theory]
        [InlineData("/qrs/user/full", "user/full")]
        [InlineData("qrs/user/full", "user/full")]
        [InlineData("user/full", "user/full")]
        [InlineData(" /QRS/about ", "about")]
        public void Paths_are_relative_to_qrs(string given, string expected)
        {
            Assert.Equal(expected, QrsClient.NormalizePath(given));
        }

        private static string Jwt(string payload) =>
            "eyJhbGciOiJSUzI1NiJ9." + Convert.ToBase64String(Encoding.UTF8.GetBytes(payload)).TrimEnd('=').Replace('+', '-').Replace('/', '_') + ".sig";
    }
}
