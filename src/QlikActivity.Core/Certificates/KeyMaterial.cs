using System;
using System.Security.Cryptography;

namespace QlikActivity.Core.Certificates
{
    /// <summary>
    /// Clears buffers that held private-key bytes (decoded PEM keys, RSA parameters, PKCS#12
    /// bytes) once the key is in its crypto object, so the key does not linger in freed memory
    /// until the collector reuses it. Strings cannot be cleared; key text is kept out of them
    /// where the readers can.
    /// </summary>
    internal static class KeyMaterial
    {
        /// <summary>Tests see every buffer cleared (after it is cleared).</summary>
        internal static Action<byte[]>? ClearedForTests { get; set; }

        public static void Clear(byte[]? buffer)
        {
            if (buffer == null)
            {
                return;
            }

            Array.Clear(buffer, 0, buffer.Length);
            ClearedForTests?.Invoke(buffer);
        }

        /// <summary>The private parts of <paramref name="parameters"/> (the public modulus and exponent stay).</summary>
        public static void Clear(RSAParameters parameters)
        {
            Clear(parameters.D);
            Clear(parameters.P);
            Clear(parameters.Q);
            Clear(parameters.DP);
            Clear(parameters.DQ);
            Clear(parameters.InverseQ);
        }
    }
}
