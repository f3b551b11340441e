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

        // The limits of section 1.5.3: a string field holds at most 65535 UTF-8 bytes and no U+0000.
        [Fact]
        public void String_fields_are_checked_against_the_standards_limits()
        {
            Assert.Equal(65_535, MqttPacketWriter.EncodeString(new string('a', 65_535), "user name").Length);
            Assert.Equal(Bytes("C3 BC"), MqttPacketWriter.EncodeString("ü", "user name"));

            var tooLong = Assert.Throws<ArgumentException>(() => MqttPacketWriter.EncodeString(new string('a', 65_536), "user name"));
            Assert.Equal("user name", tooLong.ParamName);
            Assert.Contains("user name is 65536 bytes long; at most 65535", tooLong.Message);

            // 32768 two-byte characters: short in characters, too long in bytes.
            Assert.Throws<ArgumentException>(() => MqttPacketWriter.EncodeString(new string('ü', 32_768), "client id"));

            var nul = Assert.Throws<ArgumentException>(() => MqttPacketWriter.EncodeString("a\0b", "client id"));
            Assert.Equal("client id", nul.ParamName);
            Assert.Contains("client id must not contain the character U+0000", nul.Message);

            Assert.Equal("client id", Assert.Throws<ArgumentNullException>(() => MqttPacketWriter.EncodeString(null!, "client id")).ParamName);
        }

        [Fact]
        public void Topic_name_problems_say_what_is_wrong()
        {
            Assert.Equal("An MQTT topic name must not be empty.", MqttPacketWriter.TopicNameProblem(null));
            Assert.Equal("An MQTT topic name must not be empty.", MqttPacketWriter.TopicNameProblem(""));
            Assert.Equal(
                "The MQTT topic 'a/+/b' contains a wildcard (+ or #); those are only allowed when subscribing.",
                MqttPacketWriter.TopicNameProblem("a/+/b"));
            Assert.Equal(
                "The MQTT topic 'a/#' contains a wildcard (+ or #); those are only allowed when subscribing.",
                MqttPacketWriter.TopicNameProblem("a/#"));
            Assert.Equal("An MQTT topic name must not contain the character U+0000.", MqttPacketWriter.TopicNameProblem("a\0b"));

            // The limit is in UTF-8 bytes: 65535 are fine, one more is not.
            Assert.Null(MqttPacketWriter.TopicNameProblem(new string('t', 65_535)));
            Assert.Equal(
                "The MQTT topic is 65536 bytes long; at most 65535 are allowed.",
                MqttPacketWriter.TopicNameProblem(new string('t', 65_534) + "é"));
            var thrown = Assert.Throws<ArgumentException>(() => MqttPacketWriter.EncodeTopicName("a/#"));
            Assert.Equal("topic", thrown.ParamName);
            Assert.StartsWith("The MQTT topic 'a/#' contains a wildcard", thrown.Message);
        }

        [Fact]
        public void Connect_refusals_name_the_parameter_and_the_rule()
        {
            using var output = new PooledBufferWriter();
            var emptyId = Assert.Throws<ArgumentException>(() =>
                MqttPacketWriter.WriteConnect(output, "", null, ReadOnlySpan<byte>.Empty, hasPassword: false, keepAliveSeconds: 5, cleanSession: false));
            Assert.Equal("clientId", emptyId.ParamName);
            Assert.StartsWith("An empty MQTT client id requires a clean session.", emptyId.Message);

            var noUser = Assert.Throws<ArgumentException>(() =>
                MqttPacketWriter.WriteConnect(output, "c", null, new byte[] { 1 }, hasPassword: true, keepAliveSeconds: 5, cleanSession: true));
            Assert.Equal("password", noUser.ParamName);
            Assert.StartsWith("MQTT 3.1.1 does not allow a password without a user name.", noUser.Message);

            var longPassword = Assert.Throws<ArgumentException>(() =>
                MqttPacketWriter.WriteConnect(output, "c", "u", new byte[65_536], hasPassword: true, keepAliveSeconds: 5, cleanSession: true));
            Assert.Equal("password", longPassword.ParamName);
            Assert.StartsWith("The MQTT password is longer than 65535 bytes.", longPassword.Message);
            Assert.Equal(0, output.WrittenCount);

            // An empty client id is fine with a clean session; a password of exactly 65535 bytes too.
            MqttPacketWriter.WriteConnect(output, "", null, ReadOnlySpan<byte>.Empty, hasPassword: false, keepAliveSeconds: 5, cleanSession: true);
            Assert.Equal("10 0C 00 04 4D 51 54 54 04 02 00 05 00 00", Hex(output.WrittenSpan));
            output.Clear();
            MqttPacketWriter.WriteConnect(output, "c", "u", new byte[65_535], hasPassword: true, keepAliveSeconds: 5, cleanSession: true);
            Assert.Equal(1 + 3 + 10 + 3 + 3 + 2 + 65_535, output.WrittenCount);
        }

        [Fact]
        public void Publish_refuses_a_topic_of_no_bytes_or_more_than_65535()
        {
            using var output = new PooledBufferWriter();
            var empty = Assert.Throws<ArgumentException>(() => MqttPacketWriter.WritePublish(output, default, new byte[1], MqttQualityOfService.AtMostOnce, 0, duplicate: false));
            Assert.Equal("topicName", empty.ParamName);
            Assert.StartsWith("An MQTT topic name must be 1..65535 bytes.", empty.Message);
            Assert.Throws<ArgumentException>(() => MqttPacketWriter.WritePublish(output, new byte[65_536], new byte[1], MqttQualityOfService.AtMostOnce, 0, duplicate: false));
            Assert.Equal(0, output.WrittenCount);

            MqttPacketWriter.WritePublish(output, new byte[65_535], default, MqttQualityOfService.AtMostOnce, 0, duplicate: false);
            Assert.Equal(1 + 3 + 2 + 65_535, output.WrittenCount);

            var dup = Assert.Throws<ArgumentException>(() => MqttPacketWriter.WritePublish(output, new[] { (byte)'t' }, default, MqttQualityOfService.AtMostOnce, 0, duplicate: true));
            Assert.Equal("duplicate", dup.ParamName);
            Assert.StartsWith("A QoS 0 PUBLISH cannot be marked as a duplicate.", dup.Message);
            var noId = Assert.Throws<ArgumentException>(() => MqttPacketWriter.WritePublish(output, new[] { (byte)'t' }, default, MqttQualityOfService.AtLeastOnce, 0, duplicate: false));
            Assert.Equal("packetId", noId.ParamName);
            Assert.StartsWith("A QoS 1 PUBLISH needs a packet id of 1..65535.", noId.Message);
        }

        [Fact]
        public void Remaining_length_refusal_names_the_range()
        {
            var thrown = Assert.Throws<ArgumentOutOfRangeException>(() => MqttPacketWriter.RemainingLengthSize(268_435_456));
            Assert.Equal("value", thrown.ParamName);
            Assert.Equal(268_435_456, thrown.ActualValue);
            Assert.StartsWith("An MQTT packet's remaining length must be 0..268435455.", thrown.Message);
        }

        [Fact]
        public void U0000_and_wildcards_are_found_at_the_first_position_too()
        {
            Assert.Equal("client id", Assert.Throws<ArgumentException>(() => MqttPacketWriter.EncodeString("\0a", "client id")).ParamName);
            Assert.Equal("The MQTT topic '+/a' contains a wildcard (+ or #); those are only allowed when subscribing.", MqttPacketWriter.TopicNameProblem("+/a"));
            Assert.Equal("The MQTT topic '#' contains a wildcard (+ or #); those are only allowed when subscribing.", MqttPacketWriter.TopicNameProblem("#"));
            Assert.Equal("An MQTT topic name must not contain the character U+0000.", MqttPacketWriter.TopicNameProblem("\0a"));
        }

        [Fact]
        public void Connect_names_the_client_id_or_user_name_that_breaks_a_rule()
        {
            using var output = new PooledBufferWriter();
            var clientId = Assert.Throws<ArgumentException>(() =>
                MqttPacketWriter.WriteConnect(output, "a\0", null, ReadOnlySpan<byte>.Empty, hasPassword: false, keepAliveSeconds: 5, cleanSession: true));
            Assert.Equal("client id", clientId.ParamName);
            Assert.StartsWith("The MQTT client id must not contain the character U+0000.", clientId.Message);

            var userName = Assert.Throws<ArgumentException>(() =>
                MqttPacketWriter.WriteConnect(output, "c", new string('u', 65_536), ReadOnlySpan<byte>.Empty, hasPassword: false, keepAliveSeconds: 5, cleanSession: true));
            Assert.Equal("user name", userName.ParamName);
            Assert.StartsWith("The MQTT user name is 65536 bytes long; at most 65535 are allowed.", userName.Message);
            Assert.Equal(0, output.WrittenCount);
        }
    }
}
