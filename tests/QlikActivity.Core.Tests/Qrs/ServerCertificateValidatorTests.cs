using System;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using QlikActivity.Core.Qrs;
using Xunit;

namespace QlikActivity.Core.Tests.Qrs
{
    public class ServerCertificateValidatorTests
    {
        private static readonly Lazy<X509Certificate2> SiteRoot = new(() => TestCertificates.CreateRoot("Site Root"));
        private static readonly Lazy<X509Certificate2> OtherRoot = new(() => TestCertificates.CreateRoot("Other Root"));
        private static readonly Lazy<X509Certificate2> Server = new(() => TestCertificates.CreateSigned(SiteRoot.Value, "sense.lab", true, new[] { "sense.lab" }));
        private static readonly Lazy<X509Certificate2> ForeignServer = new(() => TestCertificates.CreateSigned(OtherRoot.Value, "sense.lab", true, new[] { "sense.lab" }));

        private static readonly Lazy<X509Certificate2> ExpiredServer = new(() => TestCertificates.CreateSigned(SiteRoot.Value, "old.lab", true, new[] { "old.lab" },
            DateTimeOffset.UtcNow.AddYears(-2), DateTimeOffset.UtcNow.AddYears(-1)));

        public static TheoryData<string> ChainBuilders => new() { "CustomTrust", "ExtraStore" };

        [Theory]
        [MemberData(nameof(ChainBuilders))]
        public void A_server_certificate_from_the_site_root_is_trusted(string builder)
        {
            Assert.Null(Chain(builder, Server.Value, SiteRoot.Value));
        }

        [Theory]
        [MemberData(nameof(ChainBuilders))]
        public void A_server_certificate_from_another_root_is_not(string builder)
        {
            string? reason = Chain(builder, ForeignServer.Value, SiteRoot.Value);
            Assert.NotNull(reason);
            Assert.Contains("was not signed by the root CA 'CN=Site Root'", reason);
        }

        [Theory]
        [MemberData(nameof(ChainBuilders))]
        public void An_expired_server_certificate_is_not(string builder)
        {
            string? reason = Chain(builder, ExpiredServer.Value, SiteRoot.Value);
            Assert.NotNull(reason);
            Assert.Contains("expired", reason);
        }

        [Fact]
        public void A_name_mismatch_is_refused_even_when_the_chain_is_good()
        {
            var validator = new ServerCertificateValidator(SiteRoot.Value, "root.pem", skip: false);
            Assert.False(validator.Validate(Server.Value, SslPolicyErrors.RemoteCertificateNameMismatch));
            Assert.Contains("not issued for the name", validator.LastFailure);
            Assert.Contains("sense.lab", validator.LastFailure);
        }

        [Fact]
        public void The_site_root_replaces_the_system_store()
        {
            var validator = new ServerCertificateValidator(SiteRoot.Value, "root.pem", skip: false);
            // The system store does not know the site's CA: the platform reports chain errors.
            Assert.True(validator.Validate(Server.Value, SslPolicyErrors.RemoteCertificateChainErrors));
            Assert.Null(validator.LastFailure);
            Assert.False(validator.Validate(ForeignServer.Value, SslPolicyErrors.RemoteCertificateChainErrors));
        }

        [Fact]
        public void Without_a_root_the_system_store_decides()
        {
            var validator = new ServerCertificateValidator(null, null, skip: false);
            Assert.True(validator.Validate(Server.Value, SslPolicyErrors.None));
            Assert.False(validator.Validate(Server.Value, SslPolicyErrors.RemoteCertificateChainErrors));
            Assert.Contains("certificate store", validator.LastFailure);
        }

        [Fact]
        public void Skipping_accepts_anything()
        {
            var validator = new ServerCertificateValidator(null, null, skip: true);
            Assert.True(validator.Validate(ForeignServer.Value, SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateChainErrors));
            Assert.True(validator.Validate(null, SslPolicyErrors.RemoteCertificateNotAvailable));
        }

        [Fact]
        public void No_certificate_is_refused()
        {
            var validator = new ServerCertificateValidator(SiteRoot.Value, "root.pem", skip: false);
            Assert.False(validator.Validate(null, SslPolicyErrors.RemoteCertificateNotAvailable));
            Assert.Contains("no certificate", validator.LastFailure);
        }

        private static string? Chain(string builder, X509Certificate2 server, X509Certificate2 root) => builder == "CustomTrust"
            ? ServerCertificateValidator.ChainsToRootCustomTrust(server, root)
            : ServerCertificateValidator.ChainsToRootExtraStore(server, root);
    }
}
