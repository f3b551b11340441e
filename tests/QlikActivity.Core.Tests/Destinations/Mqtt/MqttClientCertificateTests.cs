using System;
using System.IO;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Destinations;
using QlikActivity.Core.Destinations.Mqtt;
using QlikActivity.Core.Tests.Destinations.Mqtt.Support;
using Xunit;

namespace QlikActivity.Core.Tests.Destinations.Mqtt
{
    /// <summary>
    /// Issue 11 item 14: a client certificate for brokers that require one, against a real
    /// mosquitto with <c>require_certificate true</c>, loaded as Connect-QlikSense loads its own.
    /// </summary>
    [Trait("Category", "Integration")]
    public class MqttClientCertificateTests
    {
        private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

        private static MosquittoBroker CertificateBroker(TestCertificates certificates) =>
            MosquittoBroker.Start(new MosquittoOptions
            {
                Tls = (certificates.CaFile, certificates.ServerCertFile, certificates.ServerKeyFile),
                RequireClientCertificate = true,
            });

        private static MqttDestinationOptions TlsOptions(MosquittoBroker broker, TestCertificates certificates)
        {
            var options = MqttDestinationTests.Options(broker);
            options.UseTls = true;
            options.CaCertificatePath = certificates.CaFile;
            return options;
        }

        public static TheoryData<string> Sources => new TheoryData<string> { "folder", "pem file", "pfx" };

        [Theory]
        [MemberData(nameof(Sources))]
        public async Task A_broker_that_requires_a_certificate_takes_ours_and_delivers(string source)
        {
            using var certificates = TestCertificates.Create();
            using var broker = CertificateBroker(certificates);
            var options = TlsOptions(broker, certificates);
            switch (source)
            {
                case "folder":
                    options.CertificatePath = certificates.Directory; // client.pem + client_key.pem, as the QMC exports
                    break;
                case "pem file":
                    options.CertificatePath = certificates.ClientCertFile;
                    break;
                default:
                    options.CertificatePath = certificates.ClientPfxFile;
                    options.CertificatePassword = new NetworkCredential("", TestCertificates.ClientPfxPassword).SecurePassword;
                    break;
            }

            var destination = new MqttDestination(options);
            Assert.Equal("CN=QlikActivity MQTT test client", destination.CertificateSubject);
            await destination.TestConnectionAsync(CancellationToken.None);

            // And the events get through on that connection: at QoS 1, Sent counts the broker's PUBACKs.
            await destination.StartAsync(CancellationToken.None);
            for (int i = 0; i < 5; i++)
            {
                destination.TryEnqueue(TestEvents.Numbered(i));
            }

            await destination.StopAsync(Generous);
            Assert.Equal(5, destination.GetStatistics().Sent);
        }

        [Fact]
        public async Task Without_a_certificate_or_with_one_of_another_CA_the_broker_refuses_the_connection()
        {
            using var certificates = TestCertificates.Create();
            using var broker = CertificateBroker(certificates);

            var none = new MqttDestination(TlsOptions(broker, certificates));
            await Assert.ThrowsAsync<QlikActivityException>(() => none.TestConnectionAsync(CancellationToken.None));

            var strangerOptions = TlsOptions(broker, certificates);
            strangerOptions.CertificatePath = certificates.UntrustedClientDirectory;
            var stranger = new MqttDestination(strangerOptions);
            await Assert.ThrowsAsync<QlikActivityException>(() => stranger.TestConnectionAsync(CancellationToken.None));

            // The control: the same broker with our certificate.
            var ownOptions = TlsOptions(broker, certificates);
            ownOptions.CertificatePath = certificates.Directory;
            await new MqttDestination(ownOptions).TestConnectionAsync(CancellationToken.None);
        }

        [Fact]
        public void A_wrong_path_password_or_missing_TLS_fails_when_the_destination_is_made()
        {
            using var certificates = TestCertificates.Create();
            var options = new MqttDestinationOptions { Broker = "127.0.0.1", UseTls = true };

            options.CertificatePath = Path.Combine(certificates.Directory, "missing.pem");
            var missing = Assert.Throws<QlikActivityException>(() => new MqttDestination(options));
            Assert.Contains("missing.pem", missing.Message);

            options.CertificatePath = certificates.ClientPfxFile;
            options.CertificatePassword = new NetworkCredential("", "Zq9-not-it").SecurePassword;
            var wrong = Assert.Throws<QlikActivityException>(() => new MqttDestination(options));
            Assert.Contains("password", wrong.Message);
            Assert.DoesNotContain("Zq9-not-it", wrong.ToString());

            options.CertificatePassword = null;
            options.CertificatePath = certificates.Directory;
            options.UseTls = false;
            var plain = Assert.Throws<QlikActivityException>(() => new MqttDestination(options));
            Assert.Equal(DestinationErrorIds.MqttClientCertificateInvalid, plain.ErrorId);
            Assert.Contains("-UseTls", plain.Message);

            options.UseTls = true;
            options.Thumbprint = "00";
            var both = Assert.Throws<QlikActivityException>(() => new MqttDestination(options));
            Assert.Contains("not both", both.Message);
        }
    }
}
