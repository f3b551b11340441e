using System;
using System.IO;
using System.Net;
using System.Text.RegularExpressions;
using QlikActivity.Core.Destinations.Mqtt;
using Xunit;

namespace QlikActivity.Core.Tests.Destinations.Mqtt
{
    /// <summary>What MqttDestination makes of its options before it ever connects.</summary>
    public class MqttDestinationOptionsTests
    {
        [Fact]
        public void Defaults_follow_butler_and_the_mqtt_ports()
        {
            var d = new MqttDestination(new MqttDestinationOptions { Broker = "mqtt.lab.local" });
            Assert.Equal("mqtt://mqtt.lab.local:1883", d.Name);
            Assert.Equal(1883, d.Port);
            Assert.Equal(1, d.QoS);
            Assert.Equal("qliksense/userevent", d.Topic);
            Assert.Equal("qliksense/userevent/session/start", d.SessionStartTopic);
            Assert.Equal("qliksense/userevent/session/stop", d.SessionStopTopic);
            Assert.Equal("qliksense/userevent/connection/open", d.ConnectionOpenTopic);
            Assert.Equal("qliksense/userevent/connection/close", d.ConnectionCloseTopic);
            Assert.Matches("^QlikActivity-" + Regex.Escape(Environment.MachineName) + "-[0-9a-f]{6}$", d.ClientId);
            Assert.Equal("", d.UserName);
            Assert.Equal(200_000, d.QueueCapacity);

            var tls = new MqttDestination(new MqttDestinationOptions { Broker = "mqtt.lab.local", UseTls = true });
            Assert.Equal("mqtts://mqtt.lab.local:8883", tls.Name);
            Assert.NotEqual(d.ClientId, tls.ClientId);
        }

        [Fact]
        public void Per_type_topics_follow_a_custom_main_topic()
        {
            var d = new MqttDestination(new MqttDestinationOptions { Broker = "b", Topic = "sense/prod" });
            Assert.Equal("sense/prod/connection/close", d.ConnectionCloseTopic);
            Assert.Equal("mqtt://b:1883/sense/prod QoS 1", d.ToString());
        }

        [Theory]
        [InlineData("", "MqttBrokerMissing")]
        [InlineData("mqtt://host", "MqttBrokerInvalid")]
        [InlineData("host/path", "MqttBrokerInvalid")]
        public void A_broker_that_is_not_a_host_name_is_refused(string broker, string errorId)
        {
            var ex = Assert.Throws<QlikActivityException>(() => new MqttDestination(new MqttDestinationOptions { Broker = broker }));
            Assert.Equal(errorId, ex.ErrorId);
            Assert.Equal(OperationErrorCategory.InvalidArgument, ex.Category);
        }

        [Fact]
        public void Invalid_settings_are_refused_with_a_reason()
        {
            void Refused(string errorId, Action<MqttDestinationOptions> change)
            {
                var options = new MqttDestinationOptions { Broker = "b" };
                change(options);
                var ex = Assert.Throws<QlikActivityException>(() => new MqttDestination(options));
                Assert.Equal(errorId, ex.ErrorId);
            }

            Refused("MqttQosInvalid", o => o.QoS = 2);
            Refused("MqttPortInvalid", o => o.Port = 0);
            Refused("MqttTopicInvalid", o => o.Topic = "qliksense/#");
            Refused("MqttTopicInvalid", o => o.SessionStopTopic = "a/+/b");
            Refused("MqttNoTopic", o =>
            {
                o.Topic = "";
                o.SessionStartTopic = o.SessionStopTopic = o.ConnectionOpenTopic = o.ConnectionCloseTopic = "";
            });
            Refused("MqttPasswordWithoutUser", o => o.Password = new NetworkCredential("", "pw").SecurePassword);
            Refused("MqttCaWithoutTls", o => o.CaCertificatePath = "/tmp/ca.pem");
            Refused("MqttCaAndSkip", o =>
            {
                o.UseTls = true;
                o.SkipCertificateCheck = true;
                o.CaCertificatePath = "/tmp/ca.pem";
            });
            Refused("MqttCaCertificateUnreadable", o =>
            {
                o.UseTls = true;
                o.CaCertificatePath = "/nonexistent/ca.pem";
            });
            Refused("MqttKeepAliveInvalid", o => o.KeepAliveSeconds = 70_000);
        }

        [Fact]
        public void A_CA_file_without_a_certificate_is_refused()
        {
            string file = Path.GetTempFileName();
            try
            {
                File.WriteAllText(file, "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n");
                var ex = Assert.Throws<QlikActivityException>(() => new MqttDestination(new MqttDestinationOptions { Broker = "b", UseTls = true, CaCertificatePath = file }));
                Assert.Equal("MqttCaCertificateInvalid", ex.ErrorId);
                Assert.Contains(file, ex.Message);
            }
            finally
            {
                File.Delete(file);
            }
        }

        [Fact]
        public void Later_changes_to_the_options_do_not_reach_the_destination()
        {
            var options = new MqttDestinationOptions { Broker = "b", Topic = "one" };
            var d = new MqttDestination(options);
            options.Topic = "two";
            options.Broker = "c";
            Assert.Equal("one", d.Topic);
            Assert.Equal("b", d.Broker);
        }

        [Fact]
        public void Create_warns_about_a_skipped_check_without_tls_and_writes_only_on_the_calling_thread()
        {
            var host = new RecordingHost();
            var d = MqttDestination.Create(new MqttDestinationOptions { Broker = "b", SkipCertificateCheck = true, UserName = "u", Password = new NetworkCredential("", "Sup3rSecret").SecurePassword }, testConnection: false, host);
            Assert.Equal(2, host.Warnings.Count);
            Assert.Contains(host.Warnings, w => w.Contains("no effect without -UseTls"));
            Assert.Contains(host.Warnings, w => w.Contains("without TLS, the password of 'u' can be read")); // issue 11 item 12
            Assert.Contains(host.Verbose, v => v.Contains("'qliksense/userevent'") && v.Contains(d.ClientId));
            Assert.All(host.AllText(), t => Assert.DoesNotContain("Sup3rSecret", t));
            Assert.DoesNotContain("Sup3rSecret", d.ToString());
            Assert.False(host.WroteFromOtherThread);
        }
    }
}
