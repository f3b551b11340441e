using System;
using System.Linq;
using System.Text;
using QlikActivity.Core.Destinations.Mqtt;
using QlikActivity.Core.Tests.Destinations.Mqtt.Support;
using Xunit;

namespace QlikActivity.Core.Tests.Destinations.Mqtt
{
    /// <summary>Byte-exact checks of the encoder against MQTT 3.1.1 (OASIS, 29 October 2014).</summary>
    public class MqttPacketWriterTests
    {
        private static byte[] Bytes(string hex) =>
            hex.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(h => Convert.ToByte(h, 16)).ToArray();

        private static string Hex(ReadOnlySpan<byte> bytes) =>
            string.Join(" ", bytes.ToArray().Select(b => b.ToString("X2")));

        // Table 2.4 "Size of Remaining Length field": the edges of each size.
        [Theory]
        [InlineData(0, "00")]
        [InlineData(127, "7F")]
        [InlineData(128, "80 01")]
        [InlineData(16_383, "FF 7F")]
        [InlineData(16_384, "80 80 01")]
        [InlineData(2_097_151, "FF FF 7F")]
        [InlineData(2_097_152, "80 80 80 01")]
        [InlineData(268_435_455, "FF FF FF 7F")]
        [InlineData(321, "C1 02")] // the standard's own example: 321 = 65 + 2*128
        public void Remaining_length_is_encoded_as_in_table_2_4(int value, string expected)
        {
            var buffer = new byte[4];
            int size = MqttPacketWriter.WriteRemainingLength(buffer, value);
            Assert.Equal(expected, Hex(buffer.AsSpan(0, size)));
            Assert.Equal(size, MqttPacketWriter.RemainingLengthSize(value));

            Assert.True(MqttPacketReader.TryReadRemainingLength(buffer.AsSpan(0, size), out int decoded, out int used));
            Assert.Equal(value, decoded);
            Assert.Equal(size, used);
        }

        [Theory]
        [InlineData(-1)]
        [InlineData(268_435_456)]
        public void Remaining_length_outside_the_four_byte_range_is_refused(int value)
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => MqttPacketWriter.RemainingLengthSize(value));
        }

        [Fact]
        public void Connect_with_user_password_keep_alive_and_clean_session()
        {
            using var output = new PooledBufferWriter();
            MqttPacketWriter.WriteConnect(output, "abc", "u", Encoding.UTF8.GetBytes("p"), hasPassword: true, keepAliveSeconds: 60, cleanSession: true);

            // 10 = CONNECT; 21 bytes follow: "MQTT" with its length, level 4, flags C2
            // (user name 80 + password 40 + clean session 02), keep-alive 00 3C, then the
            // client id, user name and password, each with a two-byte length.
            Assert.Equal(
                "10 15 00 04 4D 51 54 54 04 C2 00 3C 00 03 61 62 63 00 01 75 00 01 70",
                Hex(output.WrittenSpan));
        }

        [Fact]
        public void Connect_without_credentials_sets_only_clean_session()
        {
            using var output = new PooledBufferWriter();
            MqttPacketWriter.WriteConnect(output, "c1", null, ReadOnlySpan<byte>.Empty, hasPassword: false, keepAliveSeconds: 0x0102, cleanSession: true);
            Assert.Equal("10 0E 00 04 4D 51 54 54 04 02 01 02 00 02 63 31", Hex(output.WrittenSpan));
        }

        [Fact]
        public void Connect_with_persistent_session_and_user_name_only()
        {
            using var output = new PooledBufferWriter();
            MqttPacketWriter.WriteConnect(output, "c", "ü", ReadOnlySpan<byte>.Empty, hasPassword: false, keepAliveSeconds: 5, cleanSession: false);

            // Flags 80: user name only, clean session off. "ü" is two UTF-8 bytes C3 BC.
            Assert.Equal("10 11 00 04 4D 51 54 54 04 80 00 05 00 01 63 00 02 C3 BC", Hex(output.WrittenSpan));
        }

        [Fact]
        public void Connect_refuses_a_password_without_a_user_name()
        {
            using var output = new PooledBufferWriter();
            Assert.Throws<ArgumentException>(() =>
                MqttPacketWriter.WriteConnect(output, "c", null, new byte[] { 1 }, hasPassword: true, keepAliveSeconds: 5, cleanSession: true));
        }

        [Fact]
        public void Connect_refuses_an_empty_client_id_without_clean_session()
        {
            using var output = new PooledBufferWriter();
            Assert.Throws<ArgumentException>(() =>
                MqttPacketWriter.WriteConnect(output, "", null, ReadOnlySpan<byte>.Empty, hasPassword: false, keepAliveSeconds: 5, cleanSession: false));
        }

        [Fact]
        public void Publish_at_qos_0_has_no_packet_id()
        {
            using var output = new PooledBufferWriter();
            MqttPacketWriter.WritePublish(output, Encoding.UTF8.GetBytes("a/b"), Encoding.UTF8.GetBytes("hi"), MqttQualityOfService.AtMostOnce, 0, duplicate: false);
            Assert.Equal("30 07 00 03 61 2F 62 68 69", Hex(output.WrittenSpan));
        }

        [Fact]
        public void Publish_at_qos_1_carries_the_packet_id_and_the_dup_flag()
        {
            using var output = new PooledBufferWriter();
            MqttPacketWriter.WritePublish(output, Encoding.UTF8.GetBytes("a/b"), Encoding.UTF8.GetBytes("hi"), MqttQualityOfService.AtLeastOnce, 10, duplicate: false);
            MqttPacketWriter.WritePublish(output, Encoding.UTF8.GetBytes("a/b"), Encoding.UTF8.GetBytes("hi"), MqttQualityOfService.AtLeastOnce, 0xABCD, duplicate: true);

            // 32 = PUBLISH, QoS 1; 3A adds DUP (08). RETAIN is never set.
            Assert.Equal("32 09 00 03 61 2F 62 00 0A 68 69 3A 09 00 03 61 2F 62 AB CD 68 69", Hex(output.WrittenSpan));
        }

        [Fact]
        public void Publish_with_a_large_payload_uses_a_multi_byte_remaining_length()
        {
            using var output = new PooledBufferWriter(16);
            var payload = new byte[200];
            MqttPacketWriter.WritePublish(output, new[] { (byte)'t' }, payload, MqttQualityOfService.AtLeastOnce, 1, duplicate: false);

            // 2 + 1 + 2 + 200 = 205 = 0x4D + 1 * 128 → CD 01.
            Assert.Equal("32 CD 01 00 01 74 00 01", Hex(output.WrittenSpan.Slice(0, 8)));
            Assert.Equal(3 + 205, output.WrittenCount);
        }

        [Fact]
        public void Publish_refuses_dup_at_qos_0_and_packet_id_0_at_qos_1()
        {
            using var output = new PooledBufferWriter();
            Assert.Throws<ArgumentException>(() => MqttPacketWriter.WritePublish(output, new[] { (byte)'t' }, default, MqttQualityOfService.AtMostOnce, 0, duplicate: true));
            Assert.Throws<ArgumentException>(() => MqttPacketWriter.WritePublish(output, new[] { (byte)'t' }, default, MqttQualityOfService.AtLeastOnce, 0, duplicate: false));
        }

        [Fact]
        public void PubAck_Subscribe_PingReq_and_Disconnect()
        {
            using var output = new PooledBufferWriter();
            MqttSubscriberPackets.WritePubAck(output, 0x0102);
            Assert.Equal("40 02 01 02", Hex(output.WrittenSpan));

            output.Clear();
            MqttSubscriberPackets.WriteSubscribe(output, 1, "a/#", MqttQualityOfService.AtLeastOnce);
            // 82: SUBSCRIBE with its reserved flags 0010.
            Assert.Equal("82 08 00 01 00 03 61 2F 23 01", Hex(output.WrittenSpan));

            output.Clear();
            MqttPacketWriter.WritePingRequest(output);
            MqttPacketWriter.WriteDisconnect(output);
            Assert.Equal("C0 00 E0 00", Hex(output.WrittenSpan));
        }

        [Theory]
        [InlineData("")]
        [InlineData("qliksense/+/start")]
        [InlineData("qliksense/#")]
        [InlineData("a\0b")]
        public void Topic_names_with_wildcards_or_nothing_are_refused(string topic)
        {
            Assert.NotNull(MqttPacketWriter.TopicNameProblem(topic));
            Assert.Throws<ArgumentException>(() => MqttPacketWriter.EncodeTopicName(topic));
        }

        [Fact]
        public void Topic_names_are_utf8()
        {
            Assert.Equal(Bytes("71 2F C3 A9"), MqttPacketWriter.EncodeTopicName("q/é"));
            Assert.Null(MqttPacketWriter.TopicNameProblem("qliksense/userevent/session/start"));
        }
    }
}
