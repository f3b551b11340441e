using System;

namespace QlikActivity.Core.Qrs
{
    /// <summary>
    /// A secret (JWT, PFX password) that does not print itself: <see cref="ToString"/> is a
    /// mask, so a secret that ends up in a message, a log or a debugger shows nothing.
    /// </summary>
    public sealed class QrsSecret
    {
        private readonly string _value;

        public QrsSecret(string value)
        {
            _value = value ?? throw new ArgumentNullException(nameof(value));
        }

        /// <summary>True when the secret is the empty string (e.g. a PFX without a password).</summary>
        public bool IsEmpty => _value.Length == 0;

        /// <summary>The secret itself; only the code that sends or decrypts with it calls this.</summary>
        internal string Reveal() => _value;

        public override string ToString() => "********";
    }
}
