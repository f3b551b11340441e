using System;
using System.Text;
using System.Text.Unicode;
using QlikActivity.Core.Events;
using Xunit;

namespace QlikActivity.Core.Tests.Events
{
    /// <summary>The netstandard2.0 decoder (Windows PowerShell 5.1) must agree with the runtime's own, byte for byte.</summary>
    public class Utf8TextTests
    {
        [Theory]
        [InlineData(new byte[] { 0x41, 0x42 }, true)]
        [InlineData(new byte[] { 0xC3, 0xA9 }, true)]                 // é
        [InlineData(new byte[] { 0xE2, 0x82, 0xAC }, true)]           // €
        [InlineData(new byte[] { 0xF0, 0x9F, 0x98, 0x80 }, true)]     // 😀
        [InlineData(new byte[] { 0xC0, 0xAF }, false)]                // overlong '/'
        [InlineData(new byte[] { 0xE0, 0x80, 0xAF }, false)]          // overlong
        [InlineData(new byte[] { 0xED, 0xA0, 0x80 }, false)]          // surrogate
        [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 }, false)]    // past U+10FFFF
        [InlineData(new byte[] { 0xF8, 0x88, 0x80, 0x80, 0x80 }, false)]
        [InlineData(new byte[] { 0x80 }, false)]                      // lone continuation
        [InlineData(new byte[] { 0x41, 0xE2, 0x82 }, false)]          // truncated at the end
        [InlineData(new byte[] { 0xE2, 0x41, 0x42 }, false)]
        [InlineData(new byte[] { 0xFF }, false)]
        public void Both_decoders_agree_on_known_sequences(byte[] bytes, bool valid)
        {
            AssertSame(bytes);
            Assert.Equal(valid, Utf8Text.TryDecodeManually(bytes, new char[bytes.Length], out _, out _));
        }

        [Fact]
        public void Both_decoders_agree_on_a_hundred_thousand_random_sequences()
        {
            var random = new Random(4711);
            var bytes = new byte[24];
            for (int n = 0; n < 100_000; n++)
            {
                int length = random.Next(1, bytes.Length);
                for (int i = 0; i < length; i++)
                {
                    // Mostly bytes near the UTF-8 boundaries, where the rules bite.
                    bytes[i] = (byte)(random.Next(4) switch
                    {
                        0 => random.Next(0x20, 0x80),
                        1 => random.Next(0x80, 0xC0),
                        2 => random.Next(0xC0, 0xF8),
                        _ => random.Next(256),
                    });
                }

                AssertSame(bytes.AsSpan(0, length).ToArray());
            }
        }

        private static void AssertSame(byte[] bytes)
        {
            var expected = new char[bytes.Length];
            var status = Utf8.ToUtf16(bytes, expected, out int read, out int written, replaceInvalidSequences: false);
            var actual = new char[bytes.Length];
            bool ok = Utf8Text.TryDecodeManually(bytes, actual, out int manualWritten, out int errorOffset);
            Assert.Equal(status == System.Buffers.OperationStatus.Done, ok);
            if (ok)
            {
                Assert.Equal(new string(expected, 0, written), new string(actual, 0, manualWritten));
                Assert.Equal(Encoding.UTF8.GetString(bytes), new string(actual, 0, manualWritten));
            }
            else
            {
                Assert.Equal(read, errorOffset);
            }

            // The runtime path used on net8.0 gives the same verdict.
            Assert.Equal(ok, Utf8Text.TryDecode(bytes, new char[bytes.Length], out _, out _));
        }
    }
}
