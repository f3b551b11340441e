using System.Net;
using System.Security.Cryptography.X509Certificates;
using QlikActivity.Core.Qrs;

namespace QlikActivity.Core.Destinations.Mqtt
{
    /// <summary>
    /// The client certificate an MQTT destination presents to a broker that requires one, read as
    /// Connect-QlikSense reads the QRS client certificate (same loader: PEM folder or file, PFX,
    /// or the certificate store), once, when the destination is made.
    /// </summary>
    internal static class MqttClientCertificate
    {
        /// <summary>The certificate, or null when none is asked for. Bad input throws a <see cref="QlikActivityException"/>.</summary>
        public static X509Certificate2? Load(MqttDestinationOptions options)
        {
            bool path = !string.IsNullOrEmpty(options.CertificatePath);
            bool thumbprint = !string.IsNullOrEmpty(options.Thumbprint);
            if (!path && !thumbprint)
            {
                if (options.CertificatePassword != null)
                {
                    throw Invalid("-CertificatePassword is for a .pfx -CertificatePath; no -CertificatePath was given.");
                }

                return null;
            }

            if (path && thumbprint)
            {
                throw Invalid("Give the client certificate by -CertificatePath or by -Thumbprint, not both.");
            }

            if (!options.UseTls)
            {
                throw Invalid("A client certificate is presented in the TLS handshake: add -UseTls.");
            }

            if (thumbprint)
            {
                return ClientCertificateLoader.FromStore(options.Thumbprint!);
            }

            QrsSecret? password = options.CertificatePassword is { Length: > 0 } secure
                ? new QrsSecret(new NetworkCredential(string.Empty, secure).Password)
                : null;
            return ClientCertificateLoader.FromPath(options.CertificatePath!, password);
        }

        private static QlikActivityException Invalid(string message) =>
            new QlikActivityException(message, DestinationErrorIds.MqttClientCertificateInvalid, OperationErrorCategory.InvalidArgument);
    }
}
