using System.Security.Cryptography;

namespace QlikActivity.Core.Qrs
{
    /// <summary>
    /// The QRS's XSRF key: 16 characters of [0-9a-zA-Z], sent both as the <c>xrfkey</c> query
    /// parameter and the <c>X-Qlik-Xrfkey</c> header. A fresh random one per request.
    /// </summary>
    internal static class Xrfkey
    {
        public const int Length = 16;
        private const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        private static readonly RandomNumberGenerator Rng = RandomNumberGenerator.Create();

        public static string New()
        {
            var chars = new char[Length];
            var bytes = new byte[Length * 2];
            int filled = 0;
            while (filled < Length)
            {
                lock (Rng)
                {
                    Rng.GetBytes(bytes);
                }

                foreach (byte b in bytes)
                {
                    // 248 = 4 * 62: rejecting the rest keeps every character equally likely.
                    if (b < 248 && filled < Length)
                    {
                        chars[filled++] = Alphabet[b % Alphabet.Length];
                    }
                }
            }

            return new string(chars);
        }
    }
}
