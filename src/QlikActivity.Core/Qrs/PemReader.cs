using System;
using System.Collections.Generic;
using System.Text;

namespace QlikActivity.Core.Qrs
{
    /// <summary>One <c>-----BEGIN LABEL-----</c> block of a PEM file, decoded.</summary>
    internal sealed class PemBlock
    {
        public PemBlock(string label, byte[] data, bool hasHeaders)
        {
            Label = label;
            Data = data;
            HasHeaders = hasHeaders;
        }

        /// <summary>E.g. <c>CERTIFICATE</c>, <c>RSA PRIVATE KEY</c>, <c>PRIVATE KEY</c>.</summary>
        public string Label { get; }

        /// <summary>The DER bytes.</summary>
        public byte[] Data { get; }

        /// <summary>
        /// True when the block carried RFC 1421 headers such as <c>Proc-Type: 4,ENCRYPTED</c>:
        /// the legacy OpenSSL way of encrypting a key, which we cannot read without a password.
        /// </summary>
        public bool HasHeaders { get; }
    }

    /// <summary>
    /// Splits PEM text into its blocks. Written by hand because netstandard2.0 has no PEM
    /// support; errors are <see cref="FormatException"/>s that never quote the content (it may
    /// be a private key).
    /// </summary>
    internal static class PemReader
    {
        private const string Dashes = "-----";
        private const string BeginMarker = "-----BEGIN ";
        private const string EndMarker = "-----END ";

        public static IReadOnlyList<PemBlock> ReadAll(string text)
        {
            if (text == null)
            {
                throw new ArgumentNullException(nameof(text));
            }

            var blocks = new List<PemBlock>();
            int position = 0;
            while (true)
            {
                int begin = text.IndexOf(BeginMarker, position, StringComparison.Ordinal);
                if (begin < 0)
                {
                    break;
                }

                int labelStart = begin + BeginMarker.Length;
                int labelEnd = text.IndexOf(Dashes, labelStart, StringComparison.Ordinal);
                if (labelEnd < 0 || text.IndexOf('\n', labelStart, labelEnd - labelStart) >= 0)
                {
                    throw new FormatException("A PEM BEGIN line is not closed with dashes.");
                }

                string label = text.Substring(labelStart, labelEnd - labelStart).Trim();
                string end = EndMarker + label + Dashes;
                int bodyStart = labelEnd + Dashes.Length;
                int endIndex = text.IndexOf(end, bodyStart, StringComparison.Ordinal);
                if (endIndex < 0)
                {
                    throw new FormatException($"The PEM block '{label}' has no END line.");
                }

                blocks.Add(Decode(label, text.Substring(bodyStart, endIndex - bodyStart)));
                position = endIndex + end.Length;
            }

            return blocks;
        }

        /// <summary>The first block with one of <paramref name="labels"/>, or null.</summary>
        public static PemBlock? Find(IReadOnlyList<PemBlock> blocks, params string[] labels)
        {
            foreach (var block in blocks)
            {
                foreach (var label in labels)
                {
                    if (string.Equals(block.Label, label, StringComparison.Ordinal))
                    {
                        return block;
                    }
                }
            }

            return null;
        }

        private static PemBlock Decode(string label, string body)
        {
            // A char buffer, not a StringBuilder: it may hold a private key, and is cleared after use.
            var base64 = new char[body.Length];
            int length = 0;
            bool hasHeaders = false;
            foreach (var rawLine in body.Split('\n'))
            {
                string line = rawLine.Trim();
                if (line.Length == 0)
                {
                    continue;
                }

                if (line.IndexOf(':') >= 0)
                {
                    hasHeaders = true; // "Proc-Type: 4,ENCRYPTED", "DEK-Info: ..."
                    continue;
                }

                line.CopyTo(0, base64, length, line.Length);
                length += line.Length;
            }

            try
            {
                return new PemBlock(label, Convert.FromBase64CharArray(base64, 0, length), hasHeaders);
            }
            catch (FormatException)
            {
                throw new FormatException($"The PEM block '{label}' is not valid base64.");
            }
            finally
            {
                Array.Clear(base64, 0, base64.Length);
            }
        }
    }
}
