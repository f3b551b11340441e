using System;
using System.Security.Cryptography;

namespace QlikActivity.Core.Qrs
{
    /// <summary>
    /// Reads an RSA private key from DER: PKCS#1 <c>RSAPrivateKey</c> (PEM label
    /// <c>RSA PRIVATE KEY</c>, what the QMC exports) or PKCS#8 <c>PrivateKeyInfo</c> (label
    /// <c>PRIVATE KEY</c>). netstandard2.0 has no key import of its own, so this is the only way
    /// Windows PowerShell 5.1 can use a PEM key. Errors never quote the key bytes.
    /// </summary>
    internal static class RsaPrivateKeyDer
    {
        // 1.2.840.113549.1.1.1 (rsaEncryption), DER-encoded without tag and length.
        private static readonly byte[] RsaEncryptionOid = { 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01 };

        /// <summary>PKCS#1: <c>SEQUENCE { version, n, e, d, p, q, dp, dq, qinv }</c>.</summary>
        public static RSAParameters ReadPkcs1(byte[] der)
        {
            var outer = new DerReader(der);
            var seq = outer.ReadSequence();
            outer.ExpectEnd();

            var version = seq.ReadInteger();
            if (version.Length != 1 || version[0] > 1)
            {
                throw new FormatException("The RSA private key has an unknown version.");
            }

            byte[] modulus = TrimLeadingZeros(seq.ReadInteger());
            byte[] exponent = TrimLeadingZeros(seq.ReadInteger());
            byte[] d = seq.ReadInteger();
            byte[] p = seq.ReadInteger();
            byte[] q = seq.ReadInteger();
            byte[] dp = seq.ReadInteger();
            byte[] dq = seq.ReadInteger();
            byte[] qinv = seq.ReadInteger();
            // version 1 (multi-prime) carries otherPrimeInfos, which RSAParameters cannot hold.
            if (!seq.AtEnd)
            {
                throw new FormatException("Multi-prime RSA keys are not supported.");
            }

            if (modulus.Length < 64)
            {
                throw new FormatException("The RSA modulus is too short to be a real key.");
            }

            // Windows' CAPI/CNG insist on fixed lengths: D as long as the modulus, the CRT
            // values half as long, each left-padded with zeros.
            int half = (modulus.Length + 1) / 2;
            return new RSAParameters
            {
                Modulus = modulus,
                Exponent = exponent,
                D = FitTo(d, modulus.Length),
                P = FitTo(p, half),
                Q = FitTo(q, half),
                DP = FitTo(dp, half),
                DQ = FitTo(dq, half),
                InverseQ = FitTo(qinv, half),
            };
        }

        /// <summary>PKCS#8: <c>SEQUENCE { version, AlgorithmIdentifier, OCTET STRING(PKCS#1), [0] attrs? }</c>.</summary>
        public static RSAParameters ReadPkcs8(byte[] der)
        {
            var outer = new DerReader(der);
            var seq = outer.ReadSequence();
            outer.ExpectEnd();

            var version = seq.ReadInteger();
            if (version.Length != 1 || version[0] > 1)
            {
                throw new FormatException("The PKCS#8 key has an unknown version.");
            }

            var algorithm = seq.ReadSequence();
            var oid = algorithm.ReadObjectIdentifier();
            if (!oid.AsSpan().SequenceEqual(RsaEncryptionOid))
            {
                throw new FormatException("The PKCS#8 key is not an RSA key.");
            }

            return ReadPkcs1(seq.ReadOctetString());
        }

        private static byte[] TrimLeadingZeros(byte[] value)
        {
            int i = 0;
            while (i < value.Length - 1 && value[i] == 0)
            {
                i++;
            }

            return i == 0 ? value : value.AsSpan(i).ToArray();
        }

        private static byte[] FitTo(byte[] value, int length)
        {
            var trimmed = TrimLeadingZeros(value);
            if (trimmed.Length > length)
            {
                throw new FormatException("An RSA key component is longer than the modulus allows.");
            }

            if (trimmed.Length == length)
            {
                return trimmed;
            }

            var padded = new byte[length];
            Buffer.BlockCopy(trimmed, 0, padded, length - trimmed.Length, trimmed.Length);
            return padded;
        }
    }

    /// <summary>A strict reader of the few DER types a private key uses.</summary>
    internal sealed class DerReader
    {
        private const byte IntegerTag = 0x02;
        private const byte OctetStringTag = 0x04;
        private const byte ObjectIdentifierTag = 0x06;
        private const byte SequenceTag = 0x30;

        private readonly byte[] _data;
        private readonly int _end;
        private int _position;

        public DerReader(byte[] data)
            : this(data, 0, data.Length)
        {
        }

        private DerReader(byte[] data, int start, int end)
        {
            _data = data;
            _position = start;
            _end = end;
        }

        public bool AtEnd => _position >= _end;

        public void ExpectEnd()
        {
            if (!AtEnd)
            {
                throw new FormatException("Unexpected bytes after the end of the DER structure.");
            }
        }

        public DerReader ReadSequence()
        {
            int length = ReadHeader(SequenceTag, "SEQUENCE");
            var inner = new DerReader(_data, _position, _position + length);
            _position += length;
            return inner;
        }

        /// <summary>The INTEGER's big-endian two's-complement bytes (a leading 0 kept).</summary>
        public byte[] ReadInteger()
        {
            int length = ReadHeader(IntegerTag, "INTEGER");
            if (length == 0)
            {
                throw new FormatException("An empty DER INTEGER.");
            }

            if ((_data[_position] & 0x80) != 0)
            {
                throw new FormatException("A negative DER INTEGER where a key component was expected.");
            }

            return Take(length);
        }

        public byte[] ReadOctetString() => Take(ReadHeader(OctetStringTag, "OCTET STRING"));

        public byte[] ReadObjectIdentifier() => Take(ReadHeader(ObjectIdentifierTag, "OBJECT IDENTIFIER"));

        private byte[] Take(int length)
        {
            var value = new byte[length];
            Buffer.BlockCopy(_data, _position, value, 0, length);
            _position += length;
            return value;
        }

        private int ReadHeader(byte tag, string name)
        {
            if (_position >= _end)
            {
                throw new FormatException($"The DER data ended where a {name} was expected.");
            }

            if (_data[_position] != tag)
            {
                throw new FormatException($"Expected a DER {name} (tag 0x{tag:X2}), found tag 0x{_data[_position]:X2}.");
            }

            _position++;
            if (_position >= _end)
            {
                throw new FormatException("The DER data ended inside a length.");
            }

            int first = _data[_position++];
            int length;
            if (first < 0x80)
            {
                length = first;
            }
            else
            {
                int count = first & 0x7F;
                if (count == 0 || count > 3)
                {
                    // 0x80 is BER's indefinite length (not DER); > 3 bytes would mean a key over 16 MB.
                    throw new FormatException("An unsupported DER length encoding.");
                }

                if (_position + count > _end)
                {
                    throw new FormatException("The DER data ended inside a length.");
                }

                length = 0;
                for (int i = 0; i < count; i++)
                {
                    length = (length << 8) | _data[_position++];
                }

                if (length < 0x80 || (count > 1 && length < (1 << (8 * (count - 1)))))
                {
                    throw new FormatException("A DER length is not in its shortest form.");
                }
            }

            if (length > _end - _position)
            {
                throw new FormatException($"A DER {name} is longer than the data that holds it.");
            }

            return length;
        }
    }
}
