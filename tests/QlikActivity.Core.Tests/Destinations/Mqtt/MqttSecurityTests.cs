using System;
using System.Net;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Destinations.Mqtt;
using QlikActivity.Core.Tests.Destinations.Mqtt.Support;
using Xunit;

namespace QlikActivity.Core.Tests.Destinations.Mqtt
{
    /// <summary>Credentials and TLS against a real mosquitto: what works, and that what fails says why.</summary>
    [Trait("Category", "Integration")]
    public class MqttSecurityTests
    {
        private const string User = "qa-publisher";
        private const string Password = "Corr3ct-H0rse;Battery";
        private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

        private static SecureString Secure(string text) => new NetworkCredential("", text).SecurePassword;

        private static MosquittoBroker PasswordBroker() =>
            MosquittoBroker.Start(new MosquittoOptions { User = (User, Password) });

        private static Task<MqttTestSubscriber> LoggedInSubscriber(MosquittoBroker broker) =>
            MqttTestSubscriber.ConnectAsync(broker.Port, "qliksense/#", configure: s =>
            {
                s.UserName = User;
                s.Password = Secure(Password);
            });

        [Fact]
        public async Task The_right_user_name_and_password_log_in_and_deliver()
        {
            using var broker = PasswordBroker();
            await using var subscriber = await LoggedInSubscriber(broker);
            var options = MqttDestinationTests.Options(broker);
            options.UserName = User;
            options.Password = Secure(Password);
            var destination = new MqttDestination(options);
            await destination.TestConnectionAsync(CancellationToken.None);
            await destination.StartAsync(CancellationToken.None);
            for (int i = 0; i < 10; i++)
            {
                destination.TryEnqueue(TestEvents.Numbered(i));
            }

            await subscriber.WaitForCountAsync(20, Generous);
            await destination.StopAsync(Generous);
            Assert.Equal(10, destination.GetStatistics().Sent);
            Assert.Equal(User, destination.UserName);
        }

        [Fact]
        public async Task A_wrong_password_is_a_clear_error_that_does_not_spin_and_never_shows_the_password()
        {
            const string Wrong = "not-the-Password-42";
            using var broker = PasswordBroker();
            var options = MqttDestinationTests.Options(broker);
            options.UserName = User;
            options.Password = Secure(Wrong);
            var destination = new MqttDestination(options);

            // mosquitto answers a wrong password with return code 5 (not authorized), not 4.
            var refused = await Assert.ThrowsAsync<QlikActivityException>(() => destination.TestConnectionAsync(CancellationToken.None));
            Assert.Equal("MqttNotAuthorized", refused.ErrorId);
            Assert.Equal(OperationErrorCategory.PermissionDenied, refused.Category);
            Assert.Contains("refused the connection: the client is not authorized to connect (return code 5", refused.Message);
            Assert.Contains("-Credential", refused.Message);
            Assert.Contains($"mqtt://127.0.0.1:{broker.Port}", refused.Message);

            await destination.StartAsync(CancellationToken.None);
            for (int i = 0; i < 5; i++)
            {
                destination.TryEnqueue(TestEvents.Numbered(i));
            }

            await TestEvents.WaitUntilAsync(() => destination.GetStatistics().LastError != null, Generous, () => "no error recorded");
            var s = destination.GetStatistics();
            Assert.Contains("not authorized", s.LastError);

            // A refusal waits RefusedRetryDelay (60 s) before the next attempt, instead of hammering the broker.
            Assert.Equal(1, s.Failed);
            Assert.Equal(0, s.Sent);
            await destination.StopAsync(TimeSpan.FromMilliseconds(200));
            s = destination.GetStatistics();
            Assert.Equal((5L, 0L, 5L), (s.Enqueued, s.Sent, s.Dropped));
            Assert.Equal(1, s.Failed);

            foreach (var text in new[] { refused.ToString(), s.LastError!, destination.ToString() })
            {
                Assert.DoesNotContain(Wrong, text);
            }
        }

        [Fact]
        public async Task Anonymous_clients_on_a_broker_that_requires_a_login_are_not_authorized()
        {
            using var broker = PasswordBroker();
            var destination = new MqttDestination(MqttDestinationTests.Options(broker));
            var refused = await Assert.ThrowsAsync<QlikActivityException>(() => destination.TestConnectionAsync(CancellationToken.None));
            Assert.Equal("MqttNotAuthorized", refused.ErrorId);
            Assert.Contains("not authorized", refused.Message);
        }

        [Fact]
        public async Task Tls_with_the_brokers_CA_file_delivers()
        {
            using var certificates = TestCertificates.Create();
            using var broker = TlsBroker(certificates);
            await using var subscriber = await MqttTestSubscriber.ConnectAsync(broker.Port, "qliksense/#", configure: s =>
            {
                s.UseTls = true;
                s.CaCertificatePath = certificates.CaFile;
            });

            var options = MqttDestinationTests.Options(broker);
            options.UseTls = true;
            options.CaCertificatePath = certificates.CaFile;
            var destination = new MqttDestination(options);
            Assert.Equal($"mqtts://127.0.0.1:{broker.Port}", destination.Name);
            await destination.StartAsync(CancellationToken.None);
            for (int i = 0; i < 8; i++)
            {
                destination.TryEnqueue(TestEvents.Numbered(i));
            }

            await subscriber.WaitForCountAsync(16, Generous);
            await destination.StopAsync(Generous);
            Assert.Equal(8, destination.GetStatistics().Sent);
        }

        [Fact]
        public async Task Tls_with_a_wrong_CA_fails_clearly()
        {
            using var certificates = TestCertificates.Create();
            using var broker = TlsBroker(certificates);
            var options = MqttDestinationTests.Options(broker);
            options.UseTls = true;
            options.CaCertificatePath = certificates.OtherCaFile;
            var destination = new MqttDestination(options);

            var refused = await Assert.ThrowsAsync<QlikActivityException>(() => destination.TestConnectionAsync(CancellationToken.None));
            Assert.Equal("MqttCertificateNotTrusted", refused.ErrorId);
            Assert.Equal(OperationErrorCategory.SecurityError, refused.Category);
            Assert.Contains("is not trusted", refused.Message);
            Assert.Contains($"does not chain to the CA in '{certificates.OtherCaFile}'", refused.Message);

            // In the background the same reason lands in the statistics, and the events wait (bounded).
            await destination.StartAsync(CancellationToken.None);
            destination.TryEnqueue(TestEvents.Numbered(1));
            await TestEvents.WaitUntilAsync(() => destination.GetStatistics().LastError != null, Generous, () => "no error recorded");
            Assert.Contains("does not chain to the CA", destination.GetStatistics().LastError);
            await destination.StopAsync(TimeSpan.FromMilliseconds(100));
            Assert.Equal(1, destination.GetStatistics().Dropped);
        }

        [Fact]
        public async Task Tls_without_a_CA_file_uses_the_system_store_which_does_not_trust_a_private_CA()
        {
            using var certificates = TestCertificates.Create();
            using var broker = TlsBroker(certificates);
            var options = MqttDestinationTests.Options(broker);
            options.UseTls = true;
            var refused = await Assert.ThrowsAsync<QlikActivityException>(() => new MqttDestination(options).TestConnectionAsync(CancellationToken.None));
            Assert.Equal("MqttCertificateNotTrusted", refused.ErrorId);
            Assert.Contains("not trusted by this computer's certificate store", refused.Message);
            Assert.Contains("-CaCertificatePath", refused.Message);
        }

        [Fact]
        public async Task Tls_with_a_host_name_the_certificate_does_not_list_fails_clearly()
        {
            using var certificates = TestCertificates.Create();
            using var broker = TlsBroker(certificates);
            var options = MqttDestinationTests.Options(broker);
            options.Broker = "localhost"; // reaches 127.0.0.1, but the certificate lists only the IP address
            options.UseTls = true;
            options.CaCertificatePath = certificates.CaFile;
            var refused = await Assert.ThrowsAsync<QlikActivityException>(() => new MqttDestination(options).TestConnectionAsync(CancellationToken.None));
            Assert.Equal("MqttCertificateNotTrusted", refused.ErrorId);
            Assert.Contains("is not issued for the host name used to connect", refused.Message);
        }

        [Fact]
        public async Task SkipCertificateCheck_connects_to_an_untrusted_broker_and_Create_warns()
        {
            using var certificates = TestCertificates.Create();
            using var broker = TlsBroker(certificates);
            var options = MqttDestinationTests.Options(broker);
            options.UseTls = true;
            options.SkipCertificateCheck = true;
            var host = new RecordingHost();
            var destination = MqttDestination.Create(options, testConnection: true, host);
            Assert.True(destination.SkipCertificateCheck);
            var warning = Assert.Single(host.Warnings);
            Assert.Contains("will not be checked", warning);
            Assert.Contains(host.Verbose, v => v.Contains("accepted the connection"));
            Assert.False(host.WroteFromOtherThread);
        }

        [Theory]
        [InlineData("1.3.6.1.5.5.7.3.2", "lacks serverAuth")] // a client certificate of the broker's CA, with the broker's address
        [InlineData(null, "names no Extended Key Usage")]
        public async Task Tls_refuses_a_broker_certificate_of_the_CA_that_is_not_marked_for_servers(string? usage, string why)
        {
            // Issue 11 item 11: with a CA file our own chain decides, so it must check the usage too.
            using var certificates = TestCertificates.Create(brokerUsage: usage);
            using var broker = TlsBroker(certificates);
            var options = MqttDestinationTests.Options(broker);
            options.UseTls = true;
            options.CaCertificatePath = certificates.CaFile;
            var destination = new MqttDestination(options);

            var refused = await Assert.ThrowsAsync<QlikActivityException>(() => destination.TestConnectionAsync(CancellationToken.None));

            Assert.Equal("MqttCertificateNotTrusted", refused.ErrorId);
            Assert.Contains(why, refused.Message);
            Assert.Contains("1.3.6.1.5.5.7.3.1", refused.Message);
        }

        private static MosquittoBroker TlsBroker(TestCertificates certificates) =>
            MosquittoBroker.Start(new MosquittoOptions { Tls = (certificates.CaFile, certificates.ServerCertFile, certificates.ServerKeyFile) });
    }
}
