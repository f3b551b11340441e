using System;
using System.Text.Json;

namespace QlikActivity.Core.Qrs
{
    /// <summary>
    /// Reads the two things a connection may show about its JWT: who it names and when it
    /// expires. The signature is the server's business; the token itself is never kept or shown.
    /// </summary>
    internal static class JwtClaims
    {
        /// <summary>
        /// The user the token names (<c>userDirectory\userId</c> when both claims are present,
        /// else <c>sub</c>) and its expiry; nulls when the token is not a readable JWT.
        /// </summary>
        public static (string? User, DateTimeOffset? Expires) Describe(string jwt)
        {
            var parts = jwt.Split('.');
            if (parts.Length != 3)
            {
                return (null, null);
            }

            try
            {
                using var doc = JsonDocument.Parse(Base64UrlDecode(parts[1]));
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    return (null, null);
                }

                string? directory = StringClaim(root, "userDirectory") ?? StringClaim(root, "userdirectory");
                string? userId = StringClaim(root, "userId") ?? StringClaim(root, "userid");
                string? user = directory != null && userId != null ? directory + "\\" + userId : userId ?? StringClaim(root, "sub");
                DateTimeOffset? expires = root.TryGetProperty("exp", out var exp) && exp.ValueKind == JsonValueKind.Number && exp.TryGetInt64(out long seconds)
                    ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                    : null;
                return (user, expires);
            }
            catch (Exception ex) when (ex is FormatException || ex is JsonException || ex is ArgumentException)
            {
                return (null, null);
            }
        }

        private static string? StringClaim(JsonElement root, string name) =>
            root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        private static byte[] Base64UrlDecode(string text)
        {
            string s = text.Replace('-', '+').Replace('_', '/');
            s = s.PadRight(s.Length + ((4 - s.Length % 4) % 4), '=');
            return Convert.FromBase64String(s);
        }
    }
}
