using System.Security.Cryptography.X509Certificates;
using QlikActivity.Core.Destinations.Mqtt;
using QlikActivity.Core.Tests.Destinations.Mqtt.Support;
using Xunit;

namespace QlikActivity.Core.Tests.Destinations.Mqtt
{
    /// <summary>
    /// Both ways of trusting a CA file: .NET's custom root store (PowerShell 7) and the fallback that
    /// .NET Framework needs (Windows PowerShell 5.1), run here on the same certificates.
    /// </summary>
    public class BrokerCertificateValidatorTests
    {
        [Fact]
        public void The_broker_certificate_chains_to_its_CA_on_both_paths_and_not_to_another()
        {
            using var certificates = TestCertificates.Create();
            using var leaf = BrokerCertificateValidator.LoadCertificates(certificates.ServerCertFile)[0];
            var right = new BrokerCertificateValidator(false, certificates.CaFile);
            var wrong = new BrokerCertificateValidator(false, certificates.OtherCaFile);

            Assert.True(right.ChainsToCaWithUnknownRootAllowed(leaf, null).Trusted);
            var fallback = wrong.ChainsToCaWithUnknownRootAllowed(leaf, null);
            Assert.False(fallback.Trusted);
#if !CORE_NETSTANDARD // the custom root store exists only in Core's net8.0 build
            Assert.True(right.ChainsToCaWithCustomRootTrust(leaf, null).Trusted);
            var custom = wrong.ChainsToCaWithCustomRootTrust(leaf, null);
            Assert.False(custom.Trusted);
            Assert.Contains("PartialChain", custom.Status + fallback.Status);
#endif
        }

        [Fact]
        public void The_fallback_refuses_a_self_signed_root_that_is_not_the_given_CA()
        {
            using var certificates = TestCertificates.Create();
            using var ca = BrokerCertificateValidator.LoadCertificates(certificates.CaFile)[0];

            // The CA certificate itself, checked against the unrelated CA: it builds (its own root is
            // "unknown but allowed"), but the root is not ours.
            var wrong = new BrokerCertificateValidator(false, certificates.OtherCaFile);
            var result = wrong.ChainsToCaWithUnknownRootAllowed(ca, null);
            Assert.False(result.Trusted);
            Assert.Equal("UntrustedRoot", result.Status);
        }

        [Fact]
        public void A_PEM_bundle_with_several_CAs_loads_them_all()
        {
            using var certificates = TestCertificates.Create();
            string bundle = System.IO.Path.Combine(certificates.Directory, "bundle.pem");
            System.IO.File.WriteAllText(bundle, System.IO.File.ReadAllText(certificates.OtherCaFile) + System.IO.File.ReadAllText(certificates.CaFile));
            Assert.Equal(2, BrokerCertificateValidator.LoadCertificates(bundle).Count);

            using var leaf = BrokerCertificateValidator.LoadCertificates(certificates.ServerCertFile)[0];
            Assert.True(new BrokerCertificateValidator(false, bundle).ChainsToCaWithUnknownRootAllowed(leaf, null).Trusted);
        }
    }
}
