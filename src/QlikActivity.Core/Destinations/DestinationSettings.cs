using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Security;
using QlikActivity.Core.Destinations.Mqtt;

namespace QlikActivity.Core.Destinations
{
    /// <summary>Reads secrets and checks the settings every HTTP destination shares.</summary>
    internal static class DestinationSettings
    {
        /// <summary>The plain text of a secret, for a header built once and kept privately.</summary>
        public static string Reveal(SecureString secret) => new NetworkCredential(string.Empty, secret).Password;

        /// <summary><c>https://hooks.slack.com/…</c>: enough to recognise a webhook, not enough to post to it.</summary>
        public static string SchemeAndHost(Uri url) => url.GetLeftPart(UriPartial.Authority) + "/…";

        /// <summary>Replaces the secret (and its path, which is the secret part of a webhook URL) in text taken from errors or answers.</summary>
        public static string Scrub(string text, IEnumerable<string> secrets)
        {
            foreach (var secret in secrets.Where(s => s.Length >= 4).OrderByDescending(s => s.Length))
            {
                text = text.Replace(secret, "…");
            }

            return text;
        }

        public static void CheckQueue(int batchSize, int maxBatchSize, int queueCapacity, TimeSpan timeout)
        {
            if (batchSize < 1 || batchSize > maxBatchSize)
            {
                throw Invalid($"The batch size must be between 1 and {maxBatchSize}.", DestinationErrorIds.BatchSizeInvalid);
            }

            if (queueCapacity < 1)
            {
                throw Invalid("The queue capacity must be at least 1.", DestinationErrorIds.QueueCapacityInvalid);
            }

            if (timeout <= TimeSpan.Zero)
            {
                throw Invalid("The request timeout must be positive.", DestinationErrorIds.TimeoutInvalid);
            }
        }

        /// <summary>
        /// Checks the custom tags or attributes an admin adds to every event: no empty name, none that
        /// the destination writes itself. <paramref name="kind"/> is "tag" or "attribute" in messages.
        /// </summary>
        public static Dictionary<string, string> CustomFields(
            IEnumerable<KeyValuePair<string, string>>? fields, Func<string, bool> isBuiltIn, IEnumerable<string> builtInNames, string kind, string errorIdPrefix)
        {
            var checkedFields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var field in fields ?? new Dictionary<string, string>())
            {
                if (string.IsNullOrWhiteSpace(field.Key))
                {
                    string article = "aeiou".IndexOf(kind[0]) >= 0 ? "An" : "A";
                    throw Invalid($"{article} {kind} name must not be empty.", errorIdPrefix + DestinationErrorIds.FieldNameInvalid);
                }

                if (isBuiltIn(field.Key))
                {
                    throw Invalid(
                        $"The {kind} '{field.Key}' is written by every user event and cannot be set; built-in {kind}s are {string.Join(", ", builtInNames)}.",
                        errorIdPrefix + DestinationErrorIds.FieldNameReserved);
                }

                checkedFields[field.Key] = field.Value ?? "";
            }

            return checkedFields;
        }

        /// <summary>
        /// How an HTTP destination trusts <paramref name="url"/>'s server: this computer's store, the CA file
        /// (https only, not with -SkipCertificateCheck; read now so a wrong path fails at once), or not at all.
        /// </summary>
        public static BrokerCertificateValidator Trust(Uri url, bool skipCertificateCheck, string? caCertificatePath, string errorIdPrefix)
        {
            if (!string.IsNullOrEmpty(caCertificatePath))
            {
                if (url.Scheme != Uri.UriSchemeHttps)
                {
                    throw Invalid("-CaCertificatePath needs an https:// URL: over http:// no certificate is checked.", errorIdPrefix + DestinationErrorIds.CaWithoutTls);
                }

                if (skipCertificateCheck)
                {
                    throw Invalid("-CaCertificatePath and -SkipCertificateCheck contradict each other: choose one.", errorIdPrefix + DestinationErrorIds.CaAndSkip);
                }
            }

            return new BrokerCertificateValidator(
                skipCertificateCheck, caCertificatePath, "the server", "use a URL with a host name the certificate lists", errorIdPrefix);
        }

        /// <summary>
        /// What an admin should know before an HTTP destination named <paramref name="name"/> starts: its
        /// server's certificate is not checked, or <paramref name="secret"/> (e.g. "the token") crosses the
        /// network without TLS. The listener writes these as warnings when it starts.
        /// </summary>
        public static IReadOnlyList<string> SecurityWarnings(string name, Uri url, bool skipCertificateCheck, string? secret)
        {
            var warnings = new List<string>();
            bool tls = url.Scheme == Uri.UriSchemeHttps;
            if (skipCertificateCheck && tls)
            {
                warnings.Add($"{name}: -SkipCertificateCheck: the server's certificate is not checked, so anyone who can intercept the connection can pose as the server and read the events{(secret == null ? "" : " and " + secret)}. Use -CaCertificatePath instead where you can.");
            }
            else if (skipCertificateCheck)
            {
                warnings.Add($"{name}: -SkipCertificateCheck has no effect on an http:// URL.");
            }

            if (!tls && secret != null)
            {
                warnings.Add($"{name}: without TLS (http://), {secret} can be read by anyone on the network path. Use an https:// URL.");
            }

            return warnings;
        }

        public static QlikActivityException Invalid(string message, string errorId) =>
            new QlikActivityException(message, errorId, OperationErrorCategory.InvalidArgument);
    }
}
