using System;
#if NET8_0_OR_GREATER
using System.Buffers;
using System.Text.Unicode;
#endif

namespace QlikActivity.Core.Events
{
    /// <summary>
    /// Strict UTF-8 to UTF-16 decoding that reports invalid input instead of throwing or
    /// replacing it, so a bad datagram costs no exception on the hot path.
    /// </summary>
    internal static class Utf8Text
    {
        /// <summary>
        /// Decodes <paramref name="source"/> into <paramref name="destination"/> (which holds at least
        /// <c>source.Length</c> chars). False at the first invalid sequence; <paramref name="errorOffset"/> is where it starts.
        /// </summary>
        public static bool TryDecode(ReadOnlySpan<byte> source, Span<char> destination, out int charsWritten, out int errorOffset)
        {
#if NET8_0_OR_GREATER
            var status = Utf8.ToUtf16(source, destination, out int bytesRead, out charsWritten, replaceInvalidSequences: false, isFinalBlock: true);
            if (status == OperationStatus.Done)
            {
                errorOffset = -1;
                return true;
            }

            errorOffset = bytesRead;
            return false;
#else
            return TryDecodeManually(source, destination, out charsWritten, out errorOffset);
#endif
        }

        /// <summary>
        /// The netstandard2.0 path (no <c>Utf8.ToUtf16</c> there). Compiled on every target so the
        /// tests can hold it against the runtime's decoder.
        /// </summary>
        internal static bool TryDecodeManually(ReadOnlySpan<byte> source, Span<char> destination, out int charsWritten, out int errorOffset)
        {
            int i = 0;
            int o = 0;
            while (i < source.Length)
            {
                uint b = source[i];
                if (b < 0x80)
                {
                    destination[o++] = (char)b;
                    i++;
                    continue;
                }

                int trail;
                uint cp;
                uint min;
                if ((b & 0xE0) == 0xC0)
                {
                    trail = 1;
                    cp = b & 0x1F;
                    min = 0x80;
                }
                else if ((b & 0xF0) == 0xE0)
                {
                    trail = 2;
                    cp = b & 0x0F;
                    min = 0x800;
                }
                else if ((b & 0xF8) == 0xF0)
                {
                    trail = 3;
                    cp = b & 0x07;
                    min = 0x10000;
                }
                else
                {
                    return Fail(i, o, out charsWritten, out errorOffset);
                }

                if (i + trail >= source.Length)
                {
                    return Fail(i, o, out charsWritten, out errorOffset);
                }

                for (int k = 1; k <= trail; k++)
                {
                    uint c = source[i + k];
                    if ((c & 0xC0) != 0x80)
                    {
                        return Fail(i, o, out charsWritten, out errorOffset);
                    }

                    cp = (cp << 6) | (c & 0x3F);
                }

                // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
                if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                {
                    return Fail(i, o, out charsWritten, out errorOffset);
                }

                if (cp >= 0x10000)
                {
                    cp -= 0x10000;
                    destination[o++] = (char)(0xD800 + (cp >> 10));
                    destination[o++] = (char)(0xDC00 + (cp & 0x3FF));
                }
                else
                {
                    destination[o++] = (char)cp;
                }

                i += trail + 1;
            }

            charsWritten = o;
            errorOffset = -1;
            return true;
        }

        private static bool Fail(int at, int written, out int charsWritten, out int errorOffset)
        {
            charsWritten = written;
            errorOffset = at;
            return false;
        }
    }
}
