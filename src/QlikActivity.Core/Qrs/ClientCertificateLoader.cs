using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace QlikActivity.Core.Qrs
{
    /// <summary>
    /// Loads the client certificate (with its private key) and the root CA from what the QMC
    /// exports, or from the certificate store. Every failure is a <see cref="QlikActivityException"/>
    /// that names the file and the cause, never the key or the password.
    /// </summary>
    internal static class ClientCertificateLoader
    {
        public const string ClientPemName = "client.pem";
        public const string ClientKeyPemName = "client_key.pem";
        public const string RootPemName = "root.pem";
        public const string RootCerName = "root.cer";

        /// <summary>
        /// A client certificate from one path, as -CertificatePath takes it: a folder exported by
        /// the QMC (client.pem + client_key.pem), a .pfx/.p12 file (with <paramref name="password"/>),
        /// or a PEM certificate file whose key is in the same file or beside it (client_key.pem, or
        /// name_key.pem for name.pem). Used by Connect-QlikSense's loader and the MQTT destination.
        /// </summary>
        public static X509Certificate2 FromPath(string path, QrsSecret? password)
        {
            if (Directory.Exists(path))
            {
                return FromPemFolder(path);
            }

            if (path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase))
            {
                return FromPfxFile(path, password);
            }

            if (!File.Exists(path))
            {
                throw FileNotFound(path, "client certificate");
            }

            return FromPemFiles(path, KeyFileFor(path));
        }

        /// <summary>The key of a PEM certificate file: in the file itself, name_key.pem beside it, else client_key.pem beside it.</summary>
        private static string KeyFileFor(string certificatePath)
        {
            if (File.ReadAllText(certificatePath).IndexOf("PRIVATE KEY-----", StringComparison.Ordinal) >= 0)
            {
                return certificatePath;
            }

            string folder = Path.GetDirectoryName(Path.GetFullPath(certificatePath)) ?? ".";
            string named = Path.Combine(folder, Path.GetFileNameWithoutExtension(certificatePath) + "_key.pem");
            return File.Exists(named) ? named : Path.Combine(folder, ClientKeyPemName);
        }

        /// <summary>client.pem + client_key.pem from a folder exported by the QMC (PEM format).</summary>
        public static X509Certificate2 FromPemFolder(string folder)
        {
            if (!Directory.Exists(folder))
            {
                throw new QlikActivityException(
                    $"The certificate folder '{folder}' does not exist. Export the certificates from the QMC (Certificates, format \"Platform independent PEM-format\") and pass that folder with -CertificatePath.",
                    QrsErrorIds.CertificateFolderNotFound, OperationErrorCategory.ObjectNotFound);
            }

            return FromPemFiles(Path.Combine(folder, ClientPemName), Path.Combine(folder, ClientKeyPemName));
        }

        public static X509Certificate2 FromPemFiles(string certificatePath, string keyPath)
        {
            var certificate = ReadCertificateFile(certificatePath, "client certificate");
            string keyText = ReadText(keyPath, "private key");

            IReadOnlyList<PemBlock>? blocks = null;
            try
            {
                blocks = ReadPem(keyText, keyPath, "private key");
                var key = PemReader.Find(blocks, "RSA PRIVATE KEY", "PRIVATE KEY");
                if (key == null)
                {
                    string what = PemReader.Find(blocks, "ENCRYPTED PRIVATE KEY") != null ? "is encrypted (export it from the QMC without a password)"
                        : PemReader.Find(blocks, "EC PRIVATE KEY") != null ? "is an EC key; only RSA keys (as the QMC exports) are supported"
                        : "holds no 'RSA PRIVATE KEY' or 'PRIVATE KEY' block";
                    throw KeyUnreadable(keyPath, what, null);
                }

                if (key.HasHeaders)
                {
                    throw KeyUnreadable(keyPath, "is encrypted (export it from the QMC without a password)", null);
                }

                return AttachPrivateKey(certificate, key, keyPath);
            }
            finally
            {
                certificate.Dispose();
                // The decoded key (DER) is in the RSA object now, or was refused: clear our copy.
                foreach (var block in blocks ?? Array.Empty<PemBlock>())
                {
                    Certificates.KeyMaterial.Clear(block.Data);
                }
            }
        }

        /// <summary>A PKCS#12 file or its bytes; <paramref name="source"/> names it in messages.</summary>
        public static X509Certificate2 FromPfx(byte[] pfx, QrsSecret? password, string source)
        {
            if (LooksLikePem(pfx))
            {
                throw new QlikActivityException(
                    $"'{source}' is not a PFX (PKCS#12) file: it looks like PEM text. Pass the folder with client.pem and client_key.pem as -CertificatePath instead.",
                    QrsErrorIds.CertificateUnreadable, OperationErrorCategory.InvalidData);
            }

            X509Certificate2 certificate;
            try
            {
                // Default key storage: Windows' SChannel cannot use ephemeral keys for client auth.
                certificate = new X509Certificate2(pfx, password?.Reveal(), X509KeyStorageFlags.DefaultKeySet);
            }
            catch (CryptographicException ex)
            {
                // A PKCS#12 file is a DER SEQUENCE; anything else is the wrong kind of file.
                if (pfx.Length < 2 || pfx[0] != 0x30)
                {
                    throw new QlikActivityException(
                        $"'{source}' is not a PFX (PKCS#12) file.",
                        QrsErrorIds.CertificateUnreadable, OperationErrorCategory.InvalidData, ex);
                }

                throw new QlikActivityException(
                    $"The PFX file '{source}' could not be opened: the password is wrong (or the file is damaged). Pass the password the certificates were exported with as -CertificatePassword.",
                    QrsErrorIds.CertificatePasswordInvalid, OperationErrorCategory.SecurityError, ex);
            }

            if (!certificate.HasPrivateKey)
            {
                string subject = certificate.Subject;
                certificate.Dispose();
                throw new QlikActivityException(
                    $"The PFX file '{source}' holds the certificate '{subject}' but no private key. Export the client certificate with its key from the QMC.",
                    QrsErrorIds.CertificateWithoutPrivateKey, OperationErrorCategory.InvalidData);
            }

            return certificate;
        }

        public static X509Certificate2 FromPfxFile(string path, QrsSecret? password)
        {
            if (!File.Exists(path))
            {
                throw FileNotFound(path, "PFX file");
            }

            byte[] pfx = File.ReadAllBytes(path);
            try
            {
                return FromPfx(pfx, password, path);
            }
            finally
            {
                Certificates.KeyMaterial.Clear(pfx);
            }
        }

        /// <summary>
        /// A certificate by thumbprint from CurrentUser\My, then (on Windows) LocalMachine\My.
        /// .NET has a CurrentUser\My store on Linux and macOS too, so this works there as well.
        /// </summary>
        public static X509Certificate2 FromStore(string thumbprint) =>
            FromStore(
                thumbprint,
                RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
                    ? new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine }
                    : new[] { StoreLocation.CurrentUser },
                FindInStore);

        /// <summary>The search itself, over <paramref name="locations"/> in order; <paramref name="find"/> throws <see cref="CryptographicException"/> for a store that does not exist.</summary>
        internal static X509Certificate2 FromStore(string thumbprint, IReadOnlyList<StoreLocation> locations, Func<StoreLocation, string, X509Certificate2Collection> find)
        {
            string normalized = NormalizeThumbprint(thumbprint);
            foreach (var location in locations)
            {
                X509Certificate2Collection found;
                try
                {
                    found = find(location, normalized);
                }
                catch (CryptographicException)
                {
                    continue; // the store does not exist for this account: look in the next one
                }

                var certificate = found.Cast<X509Certificate2>().FirstOrDefault();
                if (certificate == null)
                {
                    continue;
                }

                if (!certificate.HasPrivateKey)
                {
                    throw new QlikActivityException(
                        $"The certificate {normalized} in Cert:\\{location}\\My has no private key that this account can use. Import the QMC's client.pfx with its key, or grant this account read access to the key.",
                        QrsErrorIds.CertificateWithoutPrivateKey, OperationErrorCategory.SecurityError);
                }

                return certificate;
            }

            string where = string.Join(" or ", locations.Select(l => $"Cert:\\{l}\\My"));
            string platform = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? ""
                : " The Windows certificate store does not exist on this system (only .NET's own CurrentUser\\My): use -CertificatePath or -PfxPath.";
            throw new QlikActivityException(
                $"No certificate with thumbprint {normalized} in {where}.{platform}",
                QrsErrorIds.CertificateNotInStore, OperationErrorCategory.ObjectNotFound);
        }

        // My of the location, read-only; throws CryptographicException when this account has no such store.
        private static X509Certificate2Collection FindInStore(StoreLocation location, string thumbprint)
        {
            using var store = new X509Store(StoreName.My, location);
            store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
            return store.Certificates.Find(X509FindType.FindByThumbprint, thumbprint, validOnly: false);
        }

        /// <summary>A root CA certificate file, PEM (root.pem) or DER (root.cer).</summary>
        public static X509Certificate2 LoadRoot(string path) => ReadCertificateFile(path, "root certificate");

        /// <summary>Thumbprints copied from MMC carry spaces and an invisible left-to-right mark.</summary>
        internal static string NormalizeThumbprint(string thumbprint)
        {
            var sb = new StringBuilder(40);
            foreach (char c in thumbprint ?? "")
            {
                if (Uri.IsHexDigit(c))
                {
                    sb.Append(char.ToUpperInvariant(c));
                }
                else if (!char.IsWhiteSpace(c) && c != ':' && c != '\u200E' && c != '\u200F')
                {
                    throw BadThumbprint(thumbprint ?? "");
                }
            }

            if (sb.Length != 40)
            {
                throw BadThumbprint(thumbprint ?? "");
            }

            return sb.ToString();
        }

        /// <summary>
        /// Attaches a PKCS#1/PKCS#8 RSA key to a certificate. net8.0 uses the platform's key
        /// import; netstandard2.0 uses <see cref="AttachWithDerReader"/>.
        /// </summary>
        private static X509Certificate2 AttachPrivateKey(X509Certificate2 certificate, PemBlock key, string keyPath)
        {
#if NET8_0_OR_GREATER
            using var rsa = RSA.Create();
            try
            {
                if (key.Label == "RSA PRIVATE KEY")
                {
                    rsa.ImportRSAPrivateKey(key.Data, out _);
                }
                else
                {
                    rsa.ImportPkcs8PrivateKey(key.Data, out _);
                }
            }
            catch (CryptographicException ex)
            {
                throw KeyUnreadable(keyPath, "is not a readable RSA private key", ex);
            }

            CheckKeyMatches(certificate, rsa.ExportParameters(false), keyPath);
            return ForSChannel(certificate.CopyWithPrivateKey(rsa));
#else
            return AttachWithDerReader(certificate, key, keyPath);
#endif
        }

        /// <summary>
        /// The netstandard2.0 way: our own DER reader, then <c>CopyWithPrivateKey</c> found by
        /// reflection (it exists on .NET Framework 4.7.2+ and .NET Core but not in the
        /// netstandard2.0 reference). Compiled on both targets so the tests reach it.
        /// </summary>
        internal static X509Certificate2 AttachWithDerReader(X509Certificate2 certificate, PemBlock key, string keyPath)
        {
            RSAParameters parameters;
            try
            {
                parameters = key.Label == "RSA PRIVATE KEY" ? RsaPrivateKeyDer.ReadPkcs1(key.Data) : RsaPrivateKeyDer.ReadPkcs8(key.Data);
            }
            catch (FormatException ex)
            {
                throw KeyUnreadable(keyPath, "is not a readable RSA private key (" + ex.Message + ")", ex);
            }

            try
            {
                return AttachParameters(certificate, parameters, keyPath);
            }
            finally
            {
                Certificates.KeyMaterial.Clear(parameters);
            }
        }

        private static X509Certificate2 AttachParameters(X509Certificate2 certificate, RSAParameters parameters, string keyPath)
        {
            CheckKeyMatches(certificate, parameters, keyPath);

            var copyWithPrivateKey = typeof(RSACertificateExtensions).GetMethod(
                "CopyWithPrivateKey", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(X509Certificate2), typeof(RSA) }, null);
            if (copyWithPrivateKey == null)
            {
                throw new QlikActivityException(
                    "This .NET cannot attach a PEM private key to a certificate (it needs .NET Framework 4.7.2 or later). Use the QMC's client.pfx with -PfxPath instead.",
                    QrsErrorIds.PrivateKeyUnreadable, OperationErrorCategory.NotSpecified);
            }

            using var rsa = RSA.Create();
            try
            {
                rsa.ImportParameters(parameters);
                var withKey = (X509Certificate2)copyWithPrivateKey.Invoke(null, new object[] { certificate, rsa })!;
                return ForSChannel(withKey);
            }
            catch (Exception ex) when (ex is CryptographicException || ex is TargetInvocationException)
            {
                throw KeyUnreadable(keyPath, "could not be used with the certificate", ex.InnerException ?? ex);
            }
        }

        private static void CheckKeyMatches(X509Certificate2 certificate, RSAParameters key, string keyPath)
        {
            using var publicKey = certificate.GetRSAPublicKey();
            if (publicKey == null)
            {
                throw new QlikActivityException(
                    $"The client certificate '{certificate.Subject}' does not have an RSA key.",
                    QrsErrorIds.CertificateUnreadable, OperationErrorCategory.InvalidData);
            }

            var expected = publicKey.ExportParameters(false);
            if (!expected.Modulus.AsSpan().SequenceEqual(key.Modulus) || !expected.Exponent.AsSpan().SequenceEqual(key.Exponent))
            {
                throw new QlikActivityException(
                    $"The private key '{keyPath}' does not belong to the certificate '{certificate.Subject}'. Use client.pem and client_key.pem from the same QMC export.",
                    QrsErrorIds.PrivateKeyMismatch, OperationErrorCategory.InvalidData);
            }
        }

        /// <summary>
        /// Windows' SChannel runs outside our process and cannot use an in-memory key: a round
        /// trip through PKCS#12 gives the key a (temporary) key container it can open.
        /// </summary>
        private static X509Certificate2 ForSChannel(X509Certificate2 certificate)
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                return certificate;
            }

            using (certificate)
            {
                byte[] pkcs12 = certificate.Export(X509ContentType.Pkcs12);
                try
                {
                    return new X509Certificate2(pkcs12, (string?)null, X509KeyStorageFlags.DefaultKeySet);
                }
                finally
                {
                    Certificates.KeyMaterial.Clear(pkcs12);
                }
            }
        }

        private static X509Certificate2 ReadCertificateFile(string path, string what)
        {
            if (!File.Exists(path))
            {
                throw FileNotFound(path, what);
            }

            byte[] bytes = File.ReadAllBytes(path);
            try
            {
                if (LooksLikePem(bytes))
                {
                    var blocks = ReadPem(Encoding.ASCII.GetString(bytes), path, what);
                    var block = PemReader.Find(blocks, "CERTIFICATE")
                        ?? throw new QlikActivityException($"The {what} file '{path}' holds no CERTIFICATE block.",
                            QrsErrorIds.CertificateUnreadable, OperationErrorCategory.InvalidData);
                    bytes = block.Data;
                }

                return new X509Certificate2(bytes);
            }
            catch (CryptographicException ex)
            {
                throw new QlikActivityException($"The {what} file '{path}' is not a readable X.509 certificate.",
                    QrsErrorIds.CertificateUnreadable, OperationErrorCategory.InvalidData, ex);
            }
        }

        private static string ReadText(string path, string what)
        {
            if (!File.Exists(path))
            {
                throw FileNotFound(path, what);
            }

            return File.ReadAllText(path);
        }

        private static System.Collections.Generic.IReadOnlyList<PemBlock> ReadPem(string text, string path, string what)
        {
            try
            {
                return PemReader.ReadAll(text);
            }
            catch (FormatException ex)
            {
                // PemReader's messages never quote the content.
                throw new QlikActivityException($"The {what} file '{path}' is not valid PEM: {ex.Message}",
                    what == "private key" ? QrsErrorIds.PrivateKeyUnreadable : QrsErrorIds.CertificateUnreadable,
                    OperationErrorCategory.InvalidData, ex);
            }
        }

        private static bool LooksLikePem(byte[] bytes)
        {
            int i = 0;
            while (i < bytes.Length && (bytes[i] == 0xEF || bytes[i] == 0xBB || bytes[i] == 0xBF || char.IsWhiteSpace((char)bytes[i])))
            {
                i++; // UTF-8 BOM and blank lines
            }

            return bytes.Length - i >= 5 && bytes[i] == (byte)'-' && bytes[i + 4] == (byte)'-';
        }

        private static QlikActivityException FileNotFound(string path, string what) =>
            new QlikActivityException(
                $"The {what} '{path}' was not found. Export the certificates from the QMC and point -CertificatePath (or -PfxPath / -RootCertificatePath) at them.",
                QrsErrorIds.CertificateFileNotFound, OperationErrorCategory.ObjectNotFound);

        private static QlikActivityException KeyUnreadable(string keyPath, string what, Exception? inner) =>
            new QlikActivityException($"The private key file '{keyPath}' {what}.",
                QrsErrorIds.PrivateKeyUnreadable, OperationErrorCategory.InvalidData, inner);

        private static QlikActivityException BadThumbprint(string thumbprint) =>
            new QlikActivityException($"'{thumbprint}' is not a certificate thumbprint (40 hexadecimal characters).",
                QrsErrorIds.InvalidConnectionOptions, OperationErrorCategory.InvalidArgument);
    }
}
