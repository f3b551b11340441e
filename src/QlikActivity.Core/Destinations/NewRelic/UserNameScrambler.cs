using System;
using System.Security.Cryptography;
using System.Text;

namespace QlikActivity.Core.Destinations.NewRelic
{
    /// <summary>
    /// Turns user names into stable one-way pseudonyms: the first 8 bytes of HMAC-SHA256(salt, name) as 16
    /// lower-case hex digits. Butler SOS hashes with unsalted SHAKE256 (8 bytes); anyone holding a user list
    /// can reverse that by hashing every name, which a secret salt prevents. The same name and salt always
    /// give the same pseudonym, so distinct-user counts in New Relic still work.
    /// </summary>
    internal sealed class UserNameScrambler : IDisposable
    {
        private readonly HMACSHA256 _hmac;

        public UserNameScrambler(byte[] salt)
        {
            _hmac = new HMACSHA256(salt);
        }

        public string Scramble(string name)
        {
            byte[] hash = _hmac.ComputeHash(Encoding.UTF8.GetBytes(name));
            var hex = new StringBuilder(16);
            for (int i = 0; i < 8; i++)
            {
                hex.Append(hash[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }

            return hex.ToString();
        }

        public void Dispose() => _hmac.Dispose();
    }
}
