using System;
using System.Buffers;
using System.Text;

namespace QlikActivity.Core.Destinations.Mqtt
{
    /// <summary>
    /// Encodes MQTT 3.1.1 control packets (OASIS standard, 29 October 2014) into a buffer. No I/O:
    /// the connection decides when the buffer goes to the socket, so many packets share one write.
    /// </summary>
    internal static class MqttPacketWriter
    {
        private static readonly byte[] ProtocolName = { 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T' };

        // Connect flags, section 3.1.2.3.
        private const byte UserNameFlag = 0x80;
        private const byte PasswordFlag = 0x40;
        private const byte CleanSessionFlag = 0x02;

        /// <summary>Bytes the remaining-length field takes for <paramref name="value"/> (1 to 4).</summary>
        public static int RemainingLengthSize(int value)
        {
            if (value < 0 || value > MqttProtocol.MaxRemainingLength)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "An MQTT packet's remaining length must be 0..268435455.");
            }

            return value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;
        }

        /// <summary>Writes the variable-length remaining length (section 2.2.3): 7 bits a byte, low bits first, high bit = more.</summary>
        public static int WriteRemainingLength(Span<byte> destination, int value)
        {
            int size = RemainingLengthSize(value);
            for (int i = 0; i < size; i++)
            {
                byte b = (byte)(value & 0x7F);
                value >>= 7;
                destination[i] = value > 0 ? (byte)(b | 0x80) : b;
            }

            return size;
        }

        /// <summary>UTF-8 bytes of a string field, checked against the standard's limits (section 1.5.3).</summary>
        public static byte[] EncodeString(string value, string what)
        {
            if (value == null)
            {
                throw new ArgumentNullException(what);
            }

            if (value.IndexOf('\0') >= 0)
            {
                throw new ArgumentException($"The MQTT {what} must not contain the character U+0000.", what);
            }

            var bytes = Encoding.UTF8.GetBytes(value);
            if (bytes.Length > MqttProtocol.MaxStringLength)
            {
                throw new ArgumentException($"The MQTT {what} is {bytes.Length} bytes long; at most {MqttProtocol.MaxStringLength} are allowed.", what);
            }

            return bytes;
        }

        /// <summary>UTF-8 bytes of a topic name to publish to: not empty, and no wildcards (section 4.7).</summary>
        public static byte[] EncodeTopicName(string topic)
        {
            if (TopicNameProblem(topic) is { } problem)
            {
                throw new ArgumentException(problem, nameof(topic));
            }

            return Encoding.UTF8.GetBytes(topic);
        }

        /// <summary>Why <paramref name="topic"/> cannot be published to, or null when it can.</summary>
        public static string? TopicNameProblem(string? topic)
        {
            if (string.IsNullOrEmpty(topic))
            {
                return "An MQTT topic name must not be empty.";
            }

            if (topic!.IndexOf('+') >= 0 || topic.IndexOf('#') >= 0)
            {
                return $"The MQTT topic '{topic}' contains a wildcard (+ or #); those are only allowed when subscribing.";
            }

            if (topic.IndexOf('\0') >= 0)
            {
                return "An MQTT topic name must not contain the character U+0000.";
            }

            int length = Encoding.UTF8.GetByteCount(topic);
            return length > MqttProtocol.MaxStringLength
                ? $"The MQTT topic is {length} bytes long; at most {MqttProtocol.MaxStringLength} are allowed."
                : null;
        }

        /// <summary>CONNECT (section 3.1): protocol "MQTT" level 4, flags, keep-alive, then client id, user name and password.</summary>
        public static void WriteConnect(IBufferWriter<byte> output, string clientId, string? userName, ReadOnlySpan<byte> password, bool hasPassword, ushort keepAliveSeconds, bool cleanSession)
        {
            var clientIdBytes = EncodeString(clientId, "client id");
            if (clientIdBytes.Length == 0 && !cleanSession)
            {
                // [MQTT-3.1.3-7]: a zero-byte client id requires a clean session.
                throw new ArgumentException("An empty MQTT client id requires a clean session.", nameof(clientId));
            }

            if (hasPassword && userName == null)
            {
                // [MQTT-3.1.2-22]: no password without a user name.
                throw new ArgumentException("MQTT 3.1.1 does not allow a password without a user name.", nameof(password));
            }

            if (password.Length > MqttProtocol.MaxStringLength)
            {
                throw new ArgumentException("The MQTT password is longer than 65535 bytes.", nameof(password));
            }

            byte[]? userNameBytes = userName == null ? null : EncodeString(userName, "user name");

            byte flags = 0;
            if (cleanSession)
            {
                flags |= CleanSessionFlag;
            }

            int remaining = ProtocolName.Length + 1 + 1 + 2 + 2 + clientIdBytes.Length;
            if (userNameBytes != null)
            {
                flags |= UserNameFlag;
                remaining += 2 + userNameBytes.Length;
            }

            if (hasPassword)
            {
                flags |= PasswordFlag;
                remaining += 2 + password.Length;
            }

            var span = Begin(output, 0x10, remaining, out int total);
            int at = total - remaining;
            ProtocolName.CopyTo(span.Slice(at));
            at += ProtocolName.Length;
            span[at++] = MqttProtocol.ProtocolLevel;
            span[at++] = flags;
            at = WriteUInt16(span, at, keepAliveSeconds);
            at = WriteField(span, at, clientIdBytes);
            if (userNameBytes != null)
            {
                at = WriteField(span, at, userNameBytes);
            }

            if (hasPassword)
            {
                at = WriteField(span, at, password);
            }

            output.Advance(total);
        }

        /// <summary>
        /// PUBLISH (section 3.3): flags DUP, QoS and RETAIN (always 0 here) in the first byte, then the
        /// topic, the packet id when QoS &gt; 0, and the payload.
        /// </summary>
        public static void WritePublish(IBufferWriter<byte> output, ReadOnlySpan<byte> topicName, ReadOnlySpan<byte> payload, MqttQualityOfService qos, ushort packetId, bool duplicate)
        {
            if (qos == MqttQualityOfService.AtMostOnce)
            {
                if (duplicate)
                {
                    // [MQTT-3.3.1-2]: DUP must be 0 for QoS 0.
                    throw new ArgumentException("A QoS 0 PUBLISH cannot be marked as a duplicate.", nameof(duplicate));
                }
            }
            else if (packetId == 0)
            {
                throw new ArgumentException("A QoS 1 PUBLISH needs a packet id of 1..65535.", nameof(packetId));
            }

            if (topicName.Length == 0 || topicName.Length > MqttProtocol.MaxStringLength)
            {
                throw new ArgumentException("An MQTT topic name must be 1..65535 bytes.", nameof(topicName));
            }

            int remaining = 2 + topicName.Length + (qos == MqttQualityOfService.AtMostOnce ? 0 : 2) + payload.Length;
            byte first = (byte)(0x30 | ((byte)qos << 1) | (duplicate ? 0x08 : 0));
            var span = Begin(output, first, remaining, out int total);
            int at = total - remaining;
            at = WriteField(span, at, topicName);
            if (qos != MqttQualityOfService.AtMostOnce)
            {
                at = WriteUInt16(span, at, packetId);
            }

            payload.CopyTo(span.Slice(at));
            output.Advance(total);
        }

        /// <summary>PINGREQ (section 3.12): <c>C0 00</c>.</summary>
        public static void WritePingRequest(IBufferWriter<byte> output) => WriteEmpty(output, 0xC0);

        /// <summary>DISCONNECT (section 3.14): <c>E0 00</c>.</summary>
        public static void WriteDisconnect(IBufferWriter<byte> output) => WriteEmpty(output, 0xE0);

        private static void WriteEmpty(IBufferWriter<byte> output, byte first)
        {
            var span = output.GetSpan(2);
            span[0] = first;
            span[1] = 0;
            output.Advance(2);
        }

        // Reserves the whole packet and writes the fixed header; the caller fills the rest.
        private static Span<byte> Begin(IBufferWriter<byte> output, byte first, int remaining, out int total)
        {
            int lengthSize = RemainingLengthSize(remaining);
            total = 1 + lengthSize + remaining;
            var span = output.GetSpan(total);
            span[0] = first;
            WriteRemainingLength(span.Slice(1), remaining);
            return span;
        }

        private static int WriteUInt16(Span<byte> span, int at, ushort value)
        {
            span[at] = (byte)(value >> 8);
            span[at + 1] = (byte)value;
            return at + 2;
        }

        private static int WriteField(Span<byte> span, int at, ReadOnlySpan<byte> value)
        {
            at = WriteUInt16(span, at, (ushort)value.Length);
            value.CopyTo(span.Slice(at));
            return at + value.Length;
        }
    }
}
