using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using QlikActivity.Core.Qrs;
using Xunit;

namespace QlikActivity.Core.Tests.Qrs
{
    public class PemAndDerTests
    {
        [Fact]
        public void PemReader_finds_every_block_with_its_label_and_bytes()
        {
            byte[] a = { 1, 2, 3, 4, 5 };
            byte[] b = Enumerable.Range(0, 200).Select(i => (byte)i).ToArray();
            string text = "junk before\r\n" + Pem("CERTIFICATE", a).Replace("\n", "\r\n") + "between\n" + Pem("RSA PRIVATE KEY", b);

            var blocks = PemReader.ReadAll(text);

            Assert.Equal(new[] { "CERTIFICATE", "RSA PRIVATE KEY" }, blocks.Select(x => x.Label));
            Assert.Equal(a, blocks[0].Data);
            Assert.Equal(b, blocks[1].Data);
            Assert.False(blocks[1].HasHeaders);
            Assert.Same(blocks[1], PemReader.Find(blocks, "PRIVATE KEY", "RSA PRIVATE KEY"));
            Assert.Null(PemReader.Find(blocks, "EC PRIVATE KEY"));
        }

        [Fact]
        public void PemReader_flags_legacy_encrypted_headers()
        {
            string text = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\nAQID\n-----END RSA PRIVATE KEY-----\n";
            var block = Assert.Single(PemReader.ReadAll(text));
            Assert.True(block.HasHeaders);
            Assert.Equal(new byte[] { 1, 2, 3 }, block.Data);
        }

        [Theory]
        [InlineData("-----BEGIN CERTIFICATE-----\nAQID\n")]
        [InlineData("-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----\n")]
        [InlineData("-----BEGIN CERTIFICATE\nAQID\n-----END CERTIFICATE-----\n")]
        public void PemReader_rejects_broken_blocks_without_quoting_them(string text)
        {
            var ex = Assert.Throws<FormatException>(() => PemReader.ReadAll(text));
            Assert.DoesNotContain("AQID", ex.Message);
            Assert.DoesNotContain("@@@@", ex.Message);
        }

        [Theory]
        [InlineData(1024)]
        [InlineData(2048)]
        [InlineData(3072)]
        public void Pkcs1_and_Pkcs8_keys_read_as_the_platform_reads_them(int bits)
        {
            using var rsa = RSA.Create(bits);
            var expected = rsa.ExportParameters(true);

            AssertSameKey(expected, RsaPrivateKeyDer.ReadPkcs1(rsa.ExportRSAPrivateKey()));
            AssertSameKey(expected, RsaPrivateKeyDer.ReadPkcs8(rsa.ExportPkcs8PrivateKey()));
        }

        [Fact]
        public void Keys_read_by_the_der_reader_sign_what_the_original_key_verifies()
        {
            for (int i = 0; i < 8; i++)
            {
                using var original = RSA.Create(1024);
                using var imported = RSA.Create();
                imported.ImportParameters(RsaPrivateKeyDer.ReadPkcs1(original.ExportRSAPrivateKey()));
                byte[] data = Encoding.UTF8.GetBytes("activity " + i);
                byte[] signature = imported.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                Assert.True(original.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
            }
        }

        [Fact]
        public void Short_components_are_left_padded_to_the_lengths_windows_requires()
        {
            // A modulus of 128 bytes: D must come out as 128 bytes, the CRT values as 64,
            // however few bytes their minimal DER INTEGER took.
            byte[] modulus = Enumerable.Repeat((byte)0xC1, 128).ToArray();
            byte[] der = Sequence(Integer(0), Integer(modulus), Integer(1, 0, 1), Integer(0x05, 0x06),
                Integer(0x07), Integer(0x08), Integer(0x09), Integer(0x0A), Integer(0x0B));

            var p = RsaPrivateKeyDer.ReadPkcs1(der);

            Assert.Equal(128, p.Modulus!.Length);
            Assert.Equal(new byte[] { 1, 0, 1 }, p.Exponent);
            Assert.Equal(128, p.D!.Length);
            Assert.Equal(new byte[] { 0x05, 0x06 }, p.D.Skip(126));
            Assert.All(new[] { p.P!, p.Q!, p.DP!, p.DQ!, p.InverseQ! }, c => Assert.Equal(64, c.Length));
            Assert.Equal(0x0B, p.InverseQ![63]);
            Assert.All(p.InverseQ.Take(63), b => Assert.Equal(0, b));
        }

        [Fact]
        public void A_leading_sign_byte_on_the_modulus_is_dropped()
        {
            byte[] modulus = new byte[] { 0x00 }.Concat(Enumerable.Repeat((byte)0x81, 128)).ToArray();
            byte[] der = Sequence(Integer(0), Integer(modulus), Integer(3), Integer(1), Integer(1), Integer(1), Integer(1), Integer(1), Integer(1));
            Assert.Equal(128, RsaPrivateKeyDer.ReadPkcs1(der).Modulus!.Length);
        }

        public static IEnumerable<object[]> BrokenKeys()
        {
            byte[] modulus = Enumerable.Repeat((byte)0x41, 128).ToArray();
            byte[] good = Sequence(Integer(0), Integer(modulus), Integer(3), Integer(1), Integer(1), Integer(1), Integer(1), Integer(1), Integer(1));
            yield return new object[] { "truncated", good.Take(good.Length - 3).ToArray() };
            yield return new object[] { "trailing bytes", good.Concat(new byte[] { 0 }).ToArray() };
            yield return new object[] { "not a sequence", new byte[] { 0x02, 0x01, 0x00 } };
            yield return new object[] { "indefinite length", new byte[] { 0x30, 0x80, 0x02, 0x01, 0x00, 0x00, 0x00 } };
            yield return new object[] { "non-minimal length", new byte[] { 0x30, 0x81, 0x03, 0x02, 0x01, 0x00 } };
            yield return new object[] { "negative integer", Sequence(Integer(0), new byte[] { 0x02, 0x01, 0x80 }) };
            yield return new object[] { "unknown version", Sequence(Integer(7), Integer(modulus)) };
            yield return new object[] { "too few components", Sequence(Integer(0), Integer(modulus), Integer(3)) };
            yield return new object[] { "empty", Array.Empty<byte>() };
        }

        [Theory]
        [MemberData(nameof(BrokenKeys))]
        public void Broken_pkcs1_is_a_format_error(string why, byte[] der)
        {
            Assert.NotNull(why);
            Assert.Throws<FormatException>(() => RsaPrivateKeyDer.ReadPkcs1(der));
        }

        [Fact]
        public void Pkcs8_with_an_ec_key_is_refused_as_not_rsa()
        {
            using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var ex = Assert.Throws<FormatException>(() => RsaPrivateKeyDer.ReadPkcs8(ec.ExportPkcs8PrivateKey()));
            Assert.Contains("not an RSA key", ex.Message);
        }

        [Fact]
        public void Error_messages_never_carry_key_bytes()
        {
            using var rsa = RSA.Create(1024);
            byte[] der = rsa.ExportRSAPrivateKey();
            der[der.Length / 2] ^= 0xFF; // damage the middle
            var truncated = der.Take(der.Length - 10).ToArray();
            var ex = Assert.ThrowsAny<FormatException>(() => RsaPrivateKeyDer.ReadPkcs1(truncated));
            string b64 = Convert.ToBase64String(der);
            Assert.DoesNotContain(b64.Substring(20, 16), ex.Message);
        }

        private static void AssertSameKey(RSAParameters expected, RSAParameters actual)
        {
            Assert.Equal(expected.Modulus, actual.Modulus);
            Assert.Equal(expected.Exponent, actual.Exponent);
            Assert.Equal(expected.D, actual.D);
            Assert.Equal(expected.P, actual.P);
            Assert.Equal(expected.Q, actual.Q);
            Assert.Equal(expected.DP, actual.DP);
            Assert.Equal(expected.DQ, actual.DQ);
            Assert.Equal(expected.InverseQ, actual.InverseQ);
        }

        internal static string Pem(string label, byte[] data) =>
            $"-----BEGIN {label}-----\n{Convert.ToBase64String(data, Base64FormattingOptions.InsertLineBreaks).Replace("\r\n", "\n")}\n-----END {label}-----\n";

        private static byte[] Integer(params byte[] value)
        {
            // Minimal two's complement: add a 0x00 when the top bit is set.
            var body = value.Length > 0 && (value[0] & 0x80) != 0 ? new byte[] { 0 }.Concat(value).ToArray() : value;
            return Tlv(0x02, body);
        }

        private static byte[] Integer(int value) => Integer((byte)value);

        private static byte[] Sequence(params byte[][] parts) => Tlv(0x30, parts.SelectMany(p => p).ToArray());

        private static byte[] Tlv(byte tag, byte[] body)
        {
            var bytes = new List<byte> { tag };
            if (body.Length < 0x80)
            {
                bytes.Add((byte)body.Length);
            }
            else if (body.Length < 0x100)
            {
                bytes.Add(0x81);
                bytes.Add((byte)body.Length);
            }
            else
            {
                bytes.Add(0x82);
                bytes.Add((byte)(body.Length >> 8));
                bytes.Add((byte)body.Length);
            }

            bytes.AddRange(body);
            return bytes.ToArray();
        }
    }
}
