using System;
using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using QlikActivity.PowerShell.Tests.Fixtures;
using Xunit;

namespace QlikActivity.PowerShell.Tests
{
    /// <summary>
    /// Connect-QlikSense -Thumbprint when the store holds the certificate without its key (issue 14 §4): the
    /// error says so and names the store. Found and missing are in ConnectQlikSenseTests; the LocalMachine
    /// fallback, which Linux has no store for, in Core's CertificateStoreTests.
    /// </summary>
    public sealed class ConnectQlikSenseStoreTests : IClassFixture<SimulatorFixture>
    {
        private readonly SimulatorFixture _sim;

        public ConnectQlikSenseStoreTests(SimulatorFixture sim) => _sim = sim;

        [Fact]
        public void A_certificate_in_CurrentUser_My_without_its_private_key_is_a_security_error_naming_the_store()
        {
            // The simulator's client certificate, public part only, as an import of client.pem alone leaves it.
            using var publicOnly = X509CertificateLoader.LoadCertificateFromFile(_sim.CertificateFile("client.pem"));
            using var store = new X509Store(StoreName.My, StoreLocation.CurrentUser);
            store.Open(OpenFlags.ReadWrite);
            store.Add(publicOnly);
            try
            {
                using var session = ModuleSession.Start();
                var result = session.Run($"Connect-QlikSense -Server localhost -Port {_sim.Port} -Thumbprint {publicOnly.Thumbprint} -RootCertificatePath '{_sim.CertificateFile("root.pem")}'");

                var record = result.TerminatingRecord;
                Assert.NotNull(record);
                Assert.StartsWith("QrsCertificateWithoutPrivateKey", record!.FullyQualifiedErrorId, StringComparison.Ordinal);
                Assert.Equal(ErrorCategory.SecurityError, record.CategoryInfo.Category);
                Assert.Contains("Cert:\\CurrentUser\\My", record.Exception.Message, StringComparison.Ordinal);
                Assert.Contains("no private key", record.Exception.Message, StringComparison.Ordinal);
            }
            finally
            {
                store.Remove(publicOnly);
            }
        }
    }
}
