using System.Security;

namespace QlikActivity.Core.Tests.Destinations
{
    internal static class TestSecrets
    {
        public static SecureString Secure(string text)
        {
            var s = new SecureString();
            foreach (char c in text)
            {
                s.AppendChar(c);
            }

            s.MakeReadOnly();
            return s;
        }
    }
}
