using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace QlikActivity.Core.Events
{
    /// <summary>
    /// One address or CIDR range (<c>10.1.2.3</c>, <c>10.1.0.0/16</c>, <c>fd00::/8</c>). IPv4-mapped
    /// IPv6 addresses (<c>::ffff:10.1.2.3</c>, what a dual-mode socket reports for IPv4 senders) are
    /// compared as the IPv4 address they carry.
    /// </summary>
    public sealed class AddressRange
    {
        private readonly byte[] _network;
        private readonly int _prefixLength;

        private AddressRange(string text, byte[] network, int prefixLength)
        {
            Text = text;
            _network = network;
            _prefixLength = prefixLength;
        }

        public string Text { get; }

        /// <summary>Reads an address or CIDR range; false when it is neither.</summary>
        public static bool TryParse(string text, out AddressRange range)
        {
            range = null!;
            if (string.IsNullOrWhiteSpace(text))
            {
                return false;
            }

            string trimmed = text.Trim();
            int slash = trimmed.IndexOf('/');
            string addressPart = slash < 0 ? trimmed : trimmed.Substring(0, slash);
            if (!IPAddress.TryParse(addressPart, out var address))
            {
                return false;
            }

            address = Normalize(address);
            byte[] bytes = address.GetAddressBytes();
            int maxBits = bytes.Length * 8;
            int bits = maxBits;
            if (slash >= 0)
            {
                if (!int.TryParse(trimmed.Substring(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out bits) || bits > maxBits)
                {
                    return false;
                }
            }

            range = new AddressRange(trimmed, Mask(bytes, bits), bits);
            return true;
        }

        /// <summary>Whether <paramref name="address"/> is in the range.</summary>
        public bool Contains(IPAddress address)
        {
            address = Normalize(address);
            byte[] bytes = address.GetAddressBytes();
            if (bytes.Length != _network.Length)
            {
                return false;
            }

            byte[] masked = Mask(bytes, _prefixLength);
            for (int i = 0; i < masked.Length; i++)
            {
                if (masked[i] != _network[i])
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>An IPv4-mapped IPv6 address as plain IPv4; any other address unchanged, an IPv6 scope id included (<see cref="Contains"/> compares only the address bytes, so the scope never decides a match).</summary>
        public static IPAddress Normalize(IPAddress address)
        {
            if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv4MappedToIPv6)
            {
                return address.MapToIPv4();
            }

            return address;
        }

        public override string ToString() => Text;

        private static byte[] Mask(byte[] bytes, int bits)
        {
            var result = new byte[bytes.Length];
            for (int i = 0; i < bytes.Length; i++)
            {
                int keep = Math.Max(0, Math.Min(8, bits - (i * 8)));
                result[i] = (byte)(bytes[i] & (byte)(0xFF << (8 - keep)));
            }

            return result;
        }
    }
}
