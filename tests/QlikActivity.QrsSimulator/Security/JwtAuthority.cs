using System;
using System.IO;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace QlikActivity.QrsSimulator.Security
{
    /// <summary>Outcome of checking a bearer token the way a JWT virtual proxy does.</summary>
    public readonly record struct JwtCheck(bool Valid, string? UserDirectory, string? UserId, string? Reason);

    /// <summary>
    /// Signs (RS256) and checks JWTs as a Qlik virtual proxy configured for JWT authentication: the
    /// signature against the configured key, <c>exp</c> (and <c>nbf</c>), and the <c>userId</c> and
    /// <c>userDirectory</c> attributes. Protocol code only, no I/O besides loading the key.
    /// </summary>
    public sealed class JwtAuthority : IDisposable
    {
        private readonly RSA _key;
        private readonly bool _canSign;

        private JwtAuthority(RSA key, bool canSign)
        {
            _key = key;
            _canSign = canSign;
        }

        public bool CanSign => _canSign;

        private static readonly Lazy<byte[]> ProcessKey = new Lazy<byte[]>(() =>
        {
            using var rsa = RSA.Create(2048);
            return rsa.ExportPkcs8PrivateKey();
        });

        /// <summary>A fresh RSA-2048 key pair.</summary>
        public static JwtAuthority Generate() => new JwtAuthority(RSA.Create(2048), true);

        /// <summary>The key pair shared by simulators of this process (key generation is slow on a busy machine).</summary>
        public static JwtAuthority ForProcess()
        {
            var rsa = RSA.Create();
            rsa.ImportPkcs8PrivateKey(ProcessKey.Value, out _);
            return new JwtAuthority(rsa, true);
        }

        /// <summary>Loads a PEM private key (PKCS#1 or PKCS#8), a public key, or a certificate (verify only).</summary>
        public static JwtAuthority FromPemFile(string path)
        {
            string pem = File.ReadAllText(path);
            if (pem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            {
                var cert = X509Certificate2.CreateFromPem(pem);
                var pub = cert.GetRSAPublicKey() ?? throw new InvalidDataException("the JWT certificate has no RSA key");
                bool hasPrivate = pem.Contains("PRIVATE KEY-----", StringComparison.Ordinal);
                if (hasPrivate)
                {
                    pub.ImportFromPem(pem);
                }

                return new JwtAuthority(pub, hasPrivate);
            }

            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return new JwtAuthority(rsa, pem.Contains("PRIVATE KEY-----", StringComparison.Ordinal));
        }

        /// <summary>Writes jwt_private_key.pem (PKCS#8) and jwt_public_key.pem (SubjectPublicKeyInfo).</summary>
        public void Export(string directory)
        {
            if (_canSign)
            {
                File.WriteAllText(Path.Combine(directory, "jwt_private_key.pem"), _key.ExportPkcs8PrivateKeyPem() + "\n");
            }

            File.WriteAllText(Path.Combine(directory, "jwt_public_key.pem"), _key.ExportSubjectPublicKeyInfoPem() + "\n");
        }

        /// <summary>An RS256 token with the userDirectory/userId attributes the virtual proxy maps.</summary>
        public string Create(string userDirectory, string userId, DateTime nowUtc, TimeSpan lifetime)
        {
            if (!_canSign)
            {
                throw new InvalidOperationException("the JWT key given holds no private key; tokens cannot be signed");
            }

            long iat = new DateTimeOffset(nowUtc).ToUnixTimeSeconds();
            string header = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new { alg = "RS256", typ = "JWT" }));
            var payloadJson = new
            {
                userId,
                userDirectory,
                name = userId,
                iat,
                exp = iat + (long)lifetime.TotalSeconds,
            };
            string payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(payloadJson));
            string signingInput = header + "." + payload;
            byte[] signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            return signingInput + "." + Base64Url(signature);
        }

        /// <summary>Checks a token at <paramref name="nowUtc"/>; the reason names what failed (never the token).</summary>
        public JwtCheck Check(string token, DateTime nowUtc)
        {
            var parts = token.Split('.');
            if (parts.Length != 3)
            {
                return Fail("not a JWS compact token");
            }

            try
            {
                using var header = JsonDocument.Parse(FromBase64Url(parts[0]));
                if (!header.RootElement.TryGetProperty("alg", out var alg) || alg.GetString() != "RS256")
                {
                    return Fail("algorithm is not RS256");
                }

                byte[] signature = FromBase64Url(parts[2]);
                if (!_key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
                {
                    return Fail("bad signature");
                }

                using var payload = JsonDocument.Parse(FromBase64Url(parts[1]));
                var root = payload.RootElement;
                long now = new DateTimeOffset(nowUtc).ToUnixTimeSeconds();
                if (!root.TryGetProperty("exp", out var exp) || exp.ValueKind != JsonValueKind.Number || exp.GetInt64() <= now)
                {
                    return Fail("expired");
                }

                if (root.TryGetProperty("nbf", out var nbf) && nbf.ValueKind == JsonValueKind.Number && nbf.GetInt64() > now)
                {
                    return Fail("not yet valid");
                }

                string? dir = root.TryGetProperty("userDirectory", out var d) ? d.GetString() : null;
                string? id = root.TryGetProperty("userId", out var u) ? u.GetString() : null;
                if (string.IsNullOrEmpty(dir) || string.IsNullOrEmpty(id))
                {
                    return Fail("userDirectory or userId attribute missing");
                }

                return new JwtCheck(true, dir, id, null);
            }
            catch (Exception e) when (e is FormatException or JsonException or CryptographicException or InvalidOperationException)
            {
                return Fail("malformed token");
            }
        }

        public void Dispose() => _key.Dispose();

        private static JwtCheck Fail(string reason) => new JwtCheck(false, null, null, reason);

        private static string Base64Url(byte[] data) =>
            Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        private static byte[] FromBase64Url(string s)
        {
            string b = s.Replace('-', '+').Replace('_', '/');
            b += (b.Length % 4) switch { 2 => "==", 3 => "=", 0 => "", _ => throw new FormatException() };
            return Convert.FromBase64String(b);
        }
    }
}
