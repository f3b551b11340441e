using System;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Threading;

namespace QlikActivity.Core.Events
{
    /// <summary>
    /// The intake queue between the receive thread (the one producer) and the parse worker (the one
    /// consumer): a preallocated byte ring holding each datagram with its arrival time and sender.
    /// The receive thread reads straight into it, so the receive path allocates nothing and never
    /// waits; when the ring is full the datagram is counted and dropped, never silently lost.
    /// </summary>
    internal sealed class DatagramRing
    {
        /// <summary>Room for any UDP payload: the socket never truncates.</summary>
        public const int PayloadRoom = 65536;

        /// <summary>Largest sender address kept (a sockaddr_in6 is 28 bytes).</summary>
        public const int AddressRoom = 32;

        // [0] record length (-1 = wrap to start) [4] payload length [8] ticks [16] family [18] address length [20] address
        public const int HeaderSize = 56;

        private const int WrapMarker = -1;

        private readonly byte[] _data;
        private readonly int _size;
        private readonly int _maxRecords;

        // Each side writes only its own cache line and looks at the other's only when its cached
        // copy says "full" (producer) or "empty" (consumer): no cache-line ping-pong per datagram.
        private ProducerSide _p;
        private ConsumerSide _c;

        public DatagramRing(int sizeBytes, int maxRecords)
        {
            int minimum = 2 * (HeaderSize + PayloadRoom);
            _size = Align8(Math.Max(sizeBytes, minimum));
            _data = new byte[_size];
            _maxRecords = Math.Max(1, maxRecords);
        }

        public byte[] Data => _data;

        /// <summary>Datagrams waiting (any thread; a snapshot).</summary>
        public long Count => Volatile.Read(ref _p.Published) - Volatile.Read(ref _c.Consumed);

        public bool IsEmpty => Volatile.Read(ref _p.Head) == Volatile.Read(ref _c.Tail);

        // ---------------- producer (receive thread) ----------------

        /// <summary>
        /// Offset of a record with room for any datagram, to receive into at <c>offset + HeaderSize</c>;
        /// -1 when the ring has not that much room (receive into a scratch buffer and <see cref="TryWrite"/>).
        /// </summary>
        public int TryReserve()
        {
            const int Need = HeaderSize + PayloadRoom;
            long head = _p.Head;
            int index = (int)(head % _size);
            int toEnd = _size - index;
            int skip = toEnd < Need ? toEnd : 0;
            if (!HasRoom(head + skip + Need))
            {
                return -1;
            }

            _p.PendingSkip = skip;
            return skip > 0 ? 0 : index;
        }

        /// <summary>Publishes a datagram received at a reserved offset; false when the record limit is reached.</summary>
        public bool Commit(int offset, int payloadLength, long ticks, short family, ReadOnlySpan<byte> address)
        {
            if (!HasRecordRoom())
            {
                return false;
            }

            return Publish(offset, _p.PendingSkip, payloadLength, ticks, family, address);
        }

        /// <summary>Copies a datagram in when there is room for exactly it; false when the ring is full.</summary>
        public bool TryWrite(ReadOnlySpan<byte> payload, long ticks, short family, ReadOnlySpan<byte> address)
        {
            if (!HasRecordRoom())
            {
                return false;
            }

            int need = Align8(HeaderSize + payload.Length);
            long head = _p.Head;
            int index = (int)(head % _size);
            int toEnd = _size - index;
            int skip = toEnd < need ? toEnd : 0;
            if (!HasRoom(head + skip + need))
            {
                return false;
            }

            int offset = skip > 0 ? 0 : index;
            payload.CopyTo(_data.AsSpan(offset + HeaderSize));
            return Publish(offset, skip, payload.Length, ticks, family, address);
        }

        private bool HasRoom(long end)
        {
            if (end - _p.CachedTail <= _size)
            {
                return true;
            }

            _p.CachedTail = Volatile.Read(ref _c.Tail);
            return end - _p.CachedTail <= _size;
        }

        private bool HasRecordRoom()
        {
            if (_p.Published - _p.CachedConsumed < _maxRecords)
            {
                return true;
            }

            _p.CachedConsumed = Volatile.Read(ref _c.Consumed);
            return _p.Published - _p.CachedConsumed < _maxRecords;
        }

        private bool Publish(int offset, int skip, int payloadLength, long ticks, short family, ReadOnlySpan<byte> address)
        {
            long head = _p.Head;
            if (skip > 0)
            {
                WriteInt32((int)(head % _size), WrapMarker);
            }

            int recordLength = Align8(HeaderSize + payloadLength);
            var header = _data.AsSpan(offset, HeaderSize);
            BinaryPrimitives.WriteInt32LittleEndian(header, recordLength);
            BinaryPrimitives.WriteInt32LittleEndian(header.Slice(4), payloadLength);
            BinaryPrimitives.WriteInt64LittleEndian(header.Slice(8), ticks);
            BinaryPrimitives.WriteInt16LittleEndian(header.Slice(16), family);
            short addressLength = (short)Math.Min(address.Length, AddressRoom);
            BinaryPrimitives.WriteInt16LittleEndian(header.Slice(18), addressLength);
            address.Slice(0, addressLength).CopyTo(header.Slice(20));

            Volatile.Write(ref _p.Published, _p.Published + 1);
            // A full fence: the consumer's sleep flag is read only after the record is visible.
            Interlocked.Exchange(ref _p.Head, head + skip + recordLength);
            return true;
        }

        // ---------------- consumer (parse worker) ----------------

        /// <summary>The oldest datagram, valid until <see cref="Release"/>.</summary>
        public bool TryRead(out Datagram datagram)
        {
            long tail = _c.Tail;
            if (tail == _c.CachedHead)
            {
                _c.CachedHead = Volatile.Read(ref _p.Head);
                if (tail == _c.CachedHead)
                {
                    datagram = default;
                    return false;
                }
            }

            int index = (int)(tail % _size);
            int skipped = 0;
            if (ReadInt32(index) == WrapMarker)
            {
                skipped = _size - index;
                index = 0;
            }

            var header = _data.AsSpan(index, HeaderSize);
            int recordLength = BinaryPrimitives.ReadInt32LittleEndian(header);
            int payloadLength = BinaryPrimitives.ReadInt32LittleEndian(header.Slice(4));
            long ticks = BinaryPrimitives.ReadInt64LittleEndian(header.Slice(8));
            short family = BinaryPrimitives.ReadInt16LittleEndian(header.Slice(16));
            short addressLength = BinaryPrimitives.ReadInt16LittleEndian(header.Slice(18));
            datagram = new Datagram(_data, index, payloadLength, ticks, family, addressLength);
            _c.ReleaseBytes = skipped + recordLength;
            return true;
        }

        /// <summary>Frees the datagram last returned by <see cref="TryRead"/>.</summary>
        public void Release()
        {
            Volatile.Write(ref _c.Tail, _c.Tail + _c.ReleaseBytes);
            Volatile.Write(ref _c.Consumed, _c.Consumed + 1);
            _c.ReleaseBytes = 0;
        }

        private static int Align8(int n) => (n + 7) & ~7;

        private void WriteInt32(int index, int value) => BinaryPrimitives.WriteInt32LittleEndian(_data.AsSpan(index, 4), value);

        private int ReadInt32(int index) => BinaryPrimitives.ReadInt32LittleEndian(_data.AsSpan(index, 4));

        // 64 bytes of padding on either side keep each side's fields on cache lines of their own.
        [StructLayout(LayoutKind.Explicit, Size = 192)]
        private struct ProducerSide
        {
            [FieldOffset(64)] public long Head;
            [FieldOffset(72)] public long Published;
            [FieldOffset(80)] public long CachedTail;
            [FieldOffset(88)] public long CachedConsumed;
            [FieldOffset(96)] public int PendingSkip;
        }

        [StructLayout(LayoutKind.Explicit, Size = 192)]
        private struct ConsumerSide
        {
            [FieldOffset(64)] public long Tail;
            [FieldOffset(72)] public long Consumed;
            [FieldOffset(80)] public long CachedHead;
            [FieldOffset(88)] public int ReleaseBytes;
        }

        /// <summary>One queued datagram: a view into the ring.</summary>
        internal readonly struct Datagram
        {
            private readonly byte[] _data;
            private readonly int _offset;

            public Datagram(byte[] data, int offset, int length, long ticks, short family, short addressLength)
            {
                _data = data;
                _offset = offset;
                Length = length;
                Ticks = ticks;
                Family = family;
                AddressLength = addressLength;
            }

            public int Length { get; }

            public long Ticks { get; }

            public short Family { get; }

            public short AddressLength { get; }

            public ReadOnlySpan<byte> Payload => new ReadOnlySpan<byte>(_data, _offset + HeaderSize, Length);

            public ReadOnlySpan<byte> Address => new ReadOnlySpan<byte>(_data, _offset + 20, AddressLength);
        }
    }
}
