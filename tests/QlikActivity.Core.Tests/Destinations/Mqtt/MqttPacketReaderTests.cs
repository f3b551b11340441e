using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using QlikActivity.Core.Destinations.Mqtt;
using QlikActivity.Core.Tests.Destinations.Mqtt.Support;
using Xunit;

namespace QlikActivity.Core.Tests.Destinations.Mqtt
{
    /// <summary>The incremental decoder: packets split anywhere, several per read, and malformed input.</summary>
    public class MqttPacketReaderTests
    {
        private static byte[] Bytes(string hex) =>
            hex.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(h => Convert.ToByte(h, 16)).ToArray();

        private static MqttPacket Single(string hex)
        {
            var reader = new MqttPacketReader();
            reader.Append(Bytes(hex));
            Assert.True(reader.TryRead(out var packet));
            Assert.False(reader.TryRead(out _));
            return packet;
        }

        [Fact]
        public void ConnAck_accepted()
        {
            var packet = Single("20 02 00 00");
            Assert.Equal(MqttPacketType.ConnAck, packet.Type);
            Assert.Equal(MqttConnectReturnCode.Accepted, packet.ReadConnAck(out bool sessionPresent));
            Assert.False(sessionPresent);
        }

        [Theory]
        [InlineData("20 02 00 01", 1)] // unacceptable protocol version
        [InlineData("20 02 00 02", 2)] // identifier rejected
        [InlineData("20 02 00 03", 3)] // server unavailable
        [InlineData("20 02 00 04", 4)] // bad user name or password
        [InlineData("20 02 00 05", 5)] // not authorized
        public void ConnAck_refusals_have_their_return_code_and_a_clear_description(string hex, byte code)
        {
            var expected = (MqttConnectReturnCode)code;
            Assert.Equal(expected, Single(hex).ReadConnAck(out _));
            string description = MqttProtocol.Describe(expected);
            Assert.Contains($"return code {(int)expected}", description);
        }

        [Fact]
        public void Refusal_descriptions_name_the_cause()
        {
            Assert.Contains("bad user name or password", MqttProtocol.Describe(MqttConnectReturnCode.BadUserNameOrPassword));
            Assert.Contains("not authorized", MqttProtocol.Describe(MqttConnectReturnCode.NotAuthorized));
            Assert.Contains("identifier rejected", MqttProtocol.Describe(MqttConnectReturnCode.IdentifierRejected));
            Assert.Contains("3.1.1", MqttProtocol.Describe(MqttConnectReturnCode.UnacceptableProtocolVersion));
        }

        [Fact]
        public void ConnAck_session_present_flag()
        {
            Assert.Equal(MqttConnectReturnCode.Accepted, Single("20 02 01 00").ReadConnAck(out bool sessionPresent));
            Assert.True(sessionPresent);
        }

        [Fact]
        public void ConnAck_with_reserved_flags_or_wrong_length_is_malformed()
        {
            Assert.Throws<MqttProtocolException>(() => Single("20 02 02 00").ReadConnAck(out _));
            Assert.Throws<MqttProtocolException>(() => Single("20 03 00 00 00").ReadConnAck(out _));
        }

        [Fact]
        public void PubAck_PingResp_and_SubAck()
        {
            Assert.Equal(0xABCD, Single("40 02 AB CD").ReadPacketId());

            var ping = Single("D0 00");
            Assert.Equal(MqttPacketType.PingResp, ping.Type);
            Assert.Equal(0, ping.Body.Length);

            var subAck = Single("90 04 00 07 01 80");
            Assert.Equal(7, subAck.ReadSubAck(out var codes));
            Assert.Equal(new byte[] { 0x01, 0x80 }, codes);
        }

        [Fact]
        public void PubAck_with_a_wrong_length_is_malformed()
        {
            Assert.Throws<MqttProtocolException>(() => Single("40 03 00 01 02").ReadPacketId());
        }

        [Theory]
        [InlineData("41 02 00 01")] // PUBACK flags must be 0000
        [InlineData("D1 00")] // PINGRESP flags must be 0000
        [InlineData("36 03 00 01 61")] // PUBLISH with QoS 3
        [InlineData("00 00")] // type 0 is reserved
        [InlineData("F0 00")] // type 15 is reserved
        public void Wrong_fixed_header_flags_and_reserved_types_are_malformed(string hex)
        {
            var reader = new MqttPacketReader();
            reader.Append(Bytes(hex));
            Assert.Throws<MqttProtocolException>(() => reader.TryRead(out _));
        }

        [Fact]
        public void A_remaining_length_of_five_bytes_is_malformed()
        {
            var reader = new MqttPacketReader();
            reader.Append(Bytes("30 FF FF FF FF 01"));
            Assert.Throws<MqttProtocolException>(() => reader.TryRead(out _));
        }

        [Fact]
        public void Publish_from_the_broker_is_decoded()
        {
            var packet = Single("3A 09 00 03 61 2F 62 00 0A 68 69");
            Assert.Equal(MqttQualityOfService.AtLeastOnce, packet.PublishQos);
            Assert.True(packet.PublishDuplicate);
            Assert.False(packet.PublishRetain);
            string topic = packet.ReadPublish(out ushort id, out var payload);
            Assert.Equal("a/b", topic);
            Assert.Equal(10, id);
            Assert.Equal("hi", Encoding.UTF8.GetString(payload.Span));

            var qos0 = Single("31 07 00 03 61 2F 62 68 69");
            Assert.True(qos0.PublishRetain);
            Assert.Equal("a/b", qos0.ReadPublish(out ushort none, out var p0));
            Assert.Equal(0, none);
            Assert.Equal(2, p0.Length);
        }

        [Fact]
        public void Publish_shorter_than_its_topic_is_malformed()
        {
            Assert.Throws<MqttProtocolException>(() => Single("30 03 00 05 61").ReadPublish(out _, out _));
        }

        [Fact]
        public void Packets_split_at_every_byte_and_packed_together_decode_in_order()
        {
            // A CONNACK, three PUBACKs, a PINGRESP and a 300-byte PUBLISH (two-byte remaining length).
            var stream = new List<byte>();
            stream.AddRange(Bytes("20 02 00 00 40 02 00 01 40 02 00 02 D0 00 40 02 FF FF"));
            using (var publish = new PooledBufferWriter())
            {
                MqttPacketWriter.WritePublish(publish, Encoding.UTF8.GetBytes("t/x"), new byte[300], MqttQualityOfService.AtLeastOnce, 77, duplicate: false);
                stream.AddRange(publish.WrittenSpan.ToArray());
            }

            foreach (int chunk in new[] { 1, 2, 3, 7, 64, stream.Count })
            {
                var reader = new MqttPacketReader(initialCapacity: 8);
                var seen = new List<string>();
                for (int at = 0; at < stream.Count; at += chunk)
                {
                    reader.Append(stream.Skip(at).Take(chunk).ToArray());
                    while (reader.TryRead(out var packet))
                    {
                        seen.Add(packet.Type switch
                        {
                            MqttPacketType.PubAck => "PUBACK " + packet.ReadPacketId(),
                            MqttPacketType.Publish => "PUBLISH " + packet.ReadPublish(out ushort id, out var payload) + " " + id + " " + payload.Length,
                            _ => packet.Type.ToString(),
                        });
                    }
                }

                Assert.Equal(new[] { "ConnAck", "PUBACK 1", "PUBACK 2", "PingResp", "PUBACK 65535", "PUBLISH t/x 77 300" }, seen);
                Assert.Equal(0, reader.Buffered);
            }
        }

        [Fact]
        public void An_incomplete_packet_waits_for_more_bytes()
        {
            var reader = new MqttPacketReader();
            reader.Append(Bytes("40"));
            Assert.False(reader.TryRead(out _));
            reader.Append(Bytes("02 00"));
            Assert.False(reader.TryRead(out _));
            reader.Append(Bytes("09"));
            Assert.True(reader.TryRead(out var packet));
            Assert.Equal(9, packet.ReadPacketId());
        }

        [Fact]
        public void A_packet_over_the_size_limit_is_refused_before_it_is_buffered()
        {
            var reader = new MqttPacketReader(maxPacketSize: 1024);
            reader.Append(Bytes("30 80 80 01")); // announces 16384 bytes
            Assert.Throws<MqttProtocolException>(() => reader.TryRead(out _));
        }
    }
}
