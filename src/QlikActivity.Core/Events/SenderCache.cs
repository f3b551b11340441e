using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace QlikActivity.Core.Events
{
    /// <summary>
    /// The parse worker's memory of senders: address bytes to text and -AllowedSource verdict, so a
    /// repeated sender costs no allocation and no range check. Used by the parse worker alone.
    /// </summary>
    internal sealed class SenderCache
    {
        private const int MaxEntries = 4096;
        private readonly Dictionary<SenderKey, SenderInfo> _known = new Dictionary<SenderKey, SenderInfo>();
        private readonly UserEventFilter _filter;

        public SenderCache(UserEventFilter filter) => _filter = filter;

        /// <summary>Senders remembered now.</summary>
        public int Count => _known.Count;

        /// <summary>Lookups that had to convert and check an address (the rest were answered from the cache).</summary>
        public long Misses { get; private set; }

        /// <summary>The sender of <paramref name="address"/> (the IP address bytes, 4 or 16, as the receiver stores them).</summary>
        public SenderInfo Get(short family, ReadOnlySpan<byte> address)
        {
            var key = SenderKey.From(family, address);
            if (_known.TryGetValue(key, out var info))
            {
                return info;
            }

            Misses++;

            if (_known.Count >= MaxEntries)
            {
                _known.Clear();
            }

            var ip = ToAddress(family, address);
            info = ip == null
                ? new SenderInfo("unknown", !_filter.RestrictsSources)
                : new SenderInfo(AddressRange.Normalize(ip).ToString(), _filter.IsSourceAllowed(ip));
            _known[key] = info;
            return info;
        }

        private static IPAddress? ToAddress(short family, ReadOnlySpan<byte> address) =>
            address.Length == 4 || address.Length == 16 ? new IPAddress(address.ToArray()) : null;
    }

    /// <summary>A sender as the listener shows it, whether it may send, and whether a debug note said it may not.</summary>
    internal sealed class SenderInfo
    {
        public SenderInfo(string text, bool allowed)
        {
            Text = text;
            Allowed = allowed;
        }

        public string Text { get; }

        public bool Allowed { get; }

        public bool Noted { get; set; }
    }

    /// <summary>The raw address bytes (up to 32) and family of a sender, as a dictionary key that needs no allocation.</summary>
    internal readonly struct SenderKey : IEquatable<SenderKey>
    {
        private readonly ulong _a;
        private readonly ulong _b;
        private readonly ulong _c;
        private readonly ulong _d;
        private readonly int _meta;

        private SenderKey(ulong a, ulong b, ulong c, ulong d, int meta)
        {
            _a = a;
            _b = b;
            _c = c;
            _d = d;
            _meta = meta;
        }

        public static SenderKey From(short family, ReadOnlySpan<byte> address)
        {
            Span<byte> padded = stackalloc byte[32];
            address.Slice(0, Math.Min(32, address.Length)).CopyTo(padded);
            return new SenderKey(
                MemoryMarshal.Read<ulong>(padded),
                MemoryMarshal.Read<ulong>(padded.Slice(8)),
                MemoryMarshal.Read<ulong>(padded.Slice(16)),
                MemoryMarshal.Read<ulong>(padded.Slice(24)),
                (family << 8) | address.Length);
        }

        public bool Equals(SenderKey other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d && _meta == other._meta;

        public override bool Equals(object? obj) => obj is SenderKey other && Equals(other);

        public override int GetHashCode() => unchecked((int)(_a ^ (_a >> 32) ^ _b ^ (_b >> 29) ^ _c ^ (_c >> 31) ^ _d ^ (ulong)_meta));
    }
}
