using System;

namespace QlikActivity.Core.Destinations.Mqtt
{
    /// <summary>One decoded control packet: its type, the fixed header's flag bits, and the bytes after the fixed header.</summary>
    internal readonly struct MqttPacket
    {
        public MqttPacket(MqttPacketType type, byte flags, ReadOnlyMemory<byte> body)
        {
            Type = type;
            Flags = flags;
            Body = body;
        }

        public MqttPacketType Type { get; }

        /// <summary>The low nibble of the first byte (DUP/QoS/RETAIN for PUBLISH; fixed values otherwise).</summary>
        public byte Flags { get; }

        /// <summary>Variable header and payload. Only valid until the reader is given more bytes.</summary>
        public ReadOnlyMemory<byte> Body { get; }

        /// <summary>CONNACK (section 3.2): acknowledge flags (bit 0 = session present) and the return code.</summary>
        public MqttConnectReturnCode ReadConnAck(out bool sessionPresent)
        {
            Expect(MqttPacketType.ConnAck, 2);
            var b = Body.Span;
            if ((b[0] & 0xFE) != 0)
            {
                throw new MqttProtocolException("CONNACK has reserved acknowledge flags set.");
            }

            sessionPresent = (b[0] & 0x01) != 0;
            return (MqttConnectReturnCode)b[1];
        }

        /// <summary>The packet id of a PUBACK, PUBREC, PUBREL, PUBCOMP or UNSUBACK (two bytes, most significant first).</summary>
        public ushort ReadPacketId()
        {
            if (Body.Length != 2)
            {
                throw new MqttProtocolException($"{Type} must carry exactly a two-byte packet id, not {Body.Length} bytes.");
            }

            var b = Body.Span;
            return (ushort)((b[0] << 8) | b[1]);
        }

        private void Expect(MqttPacketType type, int bodyLength)
        {
            if (Type != type)
            {
                throw new MqttProtocolException($"Expected {type}, got {Type}.");
            }

            if (Body.Length != bodyLength)
            {
                throw new MqttProtocolException($"{type} must have a remaining length of {bodyLength}, not {Body.Length}.");
            }
        }
    }

    /// <summary>
    /// Decodes packets from bytes as they arrive, in any split: the socket loop writes what it read
    /// into <see cref="GetBuffer"/>, calls <see cref="Advance"/>, then takes packets with
    /// <see cref="TryRead"/> until it says it needs more. No I/O here.
    /// </summary>
    internal sealed class MqttPacketReader
    {
        private readonly int _maxPacketSize;
        private byte[] _buffer;
        private int _start;
        private int _end;

        public MqttPacketReader(int initialCapacity = 16 * 1024, int maxPacketSize = 16 * 1024 * 1024)
        {
            _buffer = new byte[initialCapacity];
            _maxPacketSize = maxPacketSize;
        }

        /// <summary>Bytes received but not yet taken as packets.</summary>
        public int Buffered => _end - _start;

        /// <summary>Free space to read into (at least <paramref name="minimum"/> bytes). Invalidates packets returned earlier.</summary>
        public ArraySegment<byte> GetBuffer(int minimum = 4096)
        {
            if (_buffer.Length - _end < minimum)
            {
                int buffered = _end - _start;
                if (_buffer.Length - buffered < minimum)
                {
                    var bigger = new byte[Math.Max(_buffer.Length * 2, buffered + minimum)];
                    Buffer.BlockCopy(_buffer, _start, bigger, 0, buffered);
                    _buffer = bigger;
                }
                else if (buffered > 0)
                {
                    Buffer.BlockCopy(_buffer, _start, _buffer, 0, buffered);
                }

                _start = 0;
                _end = buffered;
            }

            return new ArraySegment<byte>(_buffer, _end, _buffer.Length - _end);
        }

        /// <summary>Says that <paramref name="count"/> bytes were written into the last <see cref="GetBuffer"/>.</summary>
        public void Advance(int count)
        {
            if (count < 0 || _end + count > _buffer.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(count));
            }

            _end += count;
        }

        /// <summary>Copies bytes in (for tests and callers that do not read into <see cref="GetBuffer"/>).</summary>
        public void Append(ReadOnlySpan<byte> bytes)
        {
            var target = GetBuffer(bytes.Length);
            bytes.CopyTo(target.AsSpan());
            Advance(bytes.Length);
        }

        /// <summary>Takes the next whole packet, or returns false when more bytes are needed.</summary>
        public bool TryRead(out MqttPacket packet)
        {
            packet = default;
            var available = new ReadOnlySpan<byte>(_buffer, _start, _end - _start);
            if (available.Length < 2)
            {
                return false;
            }

            if (!TryReadRemainingLength(available.Slice(1), out int remaining, out int lengthSize))
            {
                return false;
            }

            int total = 1 + lengthSize + remaining;
            if (total > _maxPacketSize)
            {
                throw new MqttProtocolException($"The broker sent a packet of {total} bytes; the limit is {_maxPacketSize}.");
            }

            if (available.Length < total)
            {
                return false;
            }

            byte first = available[0];
            var type = (MqttPacketType)(first >> 4);
            byte flags = (byte)(first & 0x0F);
            CheckFlags(type, flags);
            packet = new MqttPacket(type, flags, new ReadOnlyMemory<byte>(_buffer, _start + 1 + lengthSize, remaining));
            _start += total;
            if (_start == _end)
            {
                _start = _end = 0;
            }

            return true;
        }

        /// <summary>
        /// Decodes a remaining length (section 2.2.3). False when the bytes end before the field does;
        /// throws when the field is longer than four bytes.
        /// </summary>
        public static bool TryReadRemainingLength(ReadOnlySpan<byte> input, out int value, out int size)
        {
            value = 0;
            size = 0;
            int multiplier = 1;
            for (int i = 0; i < 4; i++)
            {
                if (i >= input.Length)
                {
                    return false;
                }

                byte b = input[i];
                value += (b & 0x7F) * multiplier;
                if ((b & 0x80) == 0)
                {
                    size = i + 1;
                    return true;
                }

                multiplier *= 128;
            }

            throw new MqttProtocolException("Malformed remaining length: more than four bytes.");
        }

        // Section 2.2.2: every type but PUBLISH has fixed flag bits; others are malformed.
        private static void CheckFlags(MqttPacketType type, byte flags)
        {
            switch (type)
            {
                case MqttPacketType.Publish:
                    if (((flags >> 1) & 0x03) == 0x03)
                    {
                        throw new MqttProtocolException("PUBLISH with QoS 3 is malformed.");
                    }

                    return;
                case MqttPacketType.PubRel:
                case MqttPacketType.Subscribe:
                case MqttPacketType.Unsubscribe:
                    if (flags != 0x02)
                    {
                        throw new MqttProtocolException($"{type} must have fixed-header flags 0010.");
                    }

                    return;
                case MqttPacketType.Connect:
                case MqttPacketType.ConnAck:
                case MqttPacketType.PubAck:
                case MqttPacketType.PubRec:
                case MqttPacketType.PubComp:
                case MqttPacketType.SubAck:
                case MqttPacketType.UnsubAck:
                case MqttPacketType.PingReq:
                case MqttPacketType.PingResp:
                case MqttPacketType.Disconnect:
                    if (flags != 0)
                    {
                        throw new MqttProtocolException($"{type} must have fixed-header flags 0000.");
                    }

                    return;
                default:
                    throw new MqttProtocolException($"Unknown MQTT packet type {(int)type}.");
            }
        }
    }
}
