using System;
using System.Buffers;
using System.Text;
using QlikActivity.Core.Destinations.Mqtt;

namespace QlikActivity.Core.Tests.Destinations.Mqtt.Support
{
    /// <summary>
    /// The packets only a subscriber (or a broker played by a test) needs: SUBSCRIBE, SUBACK,
    /// an inbound PUBLISH and its PUBACK. The library only publishes, so these live with the tests;
    /// framing and everything else comes from the library's packet reader and writer.
    /// </summary>
    internal static class MqttSubscriberPackets
    {
        /// <summary>SUBACK's failure return code (section 3.9.3).</summary>
        public const byte SubscribeFailure = 0x80;

        /// <summary>PUBACK (section 3.4): <c>40 02 id-msb id-lsb</c>.</summary>
        public static void WritePubAck(IBufferWriter<byte> output, ushort packetId)
        {
            var span = output.GetSpan(4);
            span[0] = 0x40;
            span[1] = 0x02;
            span[2] = (byte)(packetId >> 8);
            span[3] = (byte)packetId;
            output.Advance(4);
        }

        /// <summary>SUBSCRIBE (section 3.8): first byte 0x82 (reserved bits 0010), packet id, one filter and its requested QoS.</summary>
        public static void WriteSubscribe(IBufferWriter<byte> output, ushort packetId, string topicFilter, MqttQualityOfService qos)
        {
            if (packetId == 0)
            {
                throw new ArgumentException("SUBSCRIBE needs a packet id of 1..65535.", nameof(packetId));
            }

            var filter = MqttPacketWriter.EncodeString(topicFilter, "topic filter");
            if (filter.Length == 0)
            {
                throw new ArgumentException("An MQTT topic filter must not be empty.", nameof(topicFilter));
            }

            int remaining = 2 + 2 + filter.Length + 1;
            int total = 1 + MqttPacketWriter.RemainingLengthSize(remaining) + remaining;
            var span = output.GetSpan(total);
            span[0] = 0x82;
            int at = 1 + MqttPacketWriter.WriteRemainingLength(span.Slice(1), remaining);
            span[at++] = (byte)(packetId >> 8);
            span[at++] = (byte)packetId;
            span[at++] = (byte)(filter.Length >> 8);
            span[at++] = (byte)filter.Length;
            filter.CopyTo(span.Slice(at));
            at += filter.Length;
            span[at] = (byte)qos;
            output.Advance(total);
        }

        extension(MqttPacket packet)
        {
            public MqttQualityOfService PublishQos => (MqttQualityOfService)((packet.Flags >> 1) & 0x03);

            public bool PublishDuplicate => (packet.Flags & 0x08) != 0;

            public bool PublishRetain => (packet.Flags & 0x01) != 0;

            /// <summary>SUBACK (section 3.9): packet id, then one return code per filter (0, 1, 2 or 0x80 for failure).</summary>
            public ushort ReadSubAck(out byte[] returnCodes)
            {
                if (packet.Type != MqttPacketType.SubAck || packet.Body.Length < 3)
                {
                    throw new MqttProtocolException("SUBACK must carry a packet id and at least one return code.");
                }

                var b = packet.Body.Span;
                returnCodes = b.Slice(2).ToArray();
                return (ushort)((b[0] << 8) | b[1]);
            }

            /// <summary>PUBLISH (section 3.3): topic, packet id when QoS &gt; 0, and the payload (a slice of the body).</summary>
            public string ReadPublish(out ushort packetId, out ReadOnlyMemory<byte> payload)
            {
                if (packet.Type != MqttPacketType.Publish)
                {
                    throw new MqttProtocolException($"Expected PUBLISH, got {packet.Type}.");
                }

                var b = packet.Body.Span;
                if (b.Length < 2)
                {
                    throw new MqttProtocolException("PUBLISH is too short for its topic length.");
                }

                int topicLength = (b[0] << 8) | b[1];
                int at = 2 + topicLength;
                bool hasId = packet.PublishQos != MqttQualityOfService.AtMostOnce;
                if (b.Length < at + (hasId ? 2 : 0))
                {
                    throw new MqttProtocolException("PUBLISH is shorter than its topic and packet id.");
                }

                string topic = Encoding.UTF8.GetString(b.Slice(2, topicLength));
                packetId = 0;
                if (hasId)
                {
                    packetId = (ushort)((b[at] << 8) | b[at + 1]);
                    at += 2;
                    if (packetId == 0)
                    {
                        throw new MqttProtocolException("PUBLISH with QoS > 0 has packet id 0.");
                    }
                }

                payload = packet.Body.Slice(at);
                return topic;
            }
        }
    }

    /// <summary>A PUBLISH received from the broker.</summary>
    internal sealed class MqttReceivedMessage
    {
        public MqttReceivedMessage(string topic, byte[] payload, MqttQualityOfService qos, bool duplicate)
        {
            Topic = topic;
            Payload = payload;
            Qos = qos;
            Duplicate = duplicate;
        }

        public string Topic { get; }
        public byte[] Payload { get; }
        public MqttQualityOfService Qos { get; }
        public bool Duplicate { get; }
        public string PayloadText => Encoding.UTF8.GetString(Payload);
    }
}
