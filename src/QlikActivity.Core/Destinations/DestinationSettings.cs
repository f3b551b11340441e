using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Security;

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
                throw Invalid($"The batch size must be between 1 and {maxBatchSize}.", "DestinationBatchSizeInvalid");
            }

            if (queueCapacity < 1)
            {
                throw Invalid("The queue capacity must be at least 1.", "DestinationQueueCapacityInvalid");
            }

            if (timeout <= TimeSpan.Zero)
            {
                throw Invalid("The request timeout must be positive.", "DestinationTimeoutInvalid");
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
                    throw Invalid($"{article} {kind} name must not be empty.", errorIdPrefix + "Invalid");
                }

                if (isBuiltIn(field.Key))
                {
                    throw Invalid(
                        $"The {kind} '{field.Key}' is written by every user event and cannot be set; built-in {kind}s are {string.Join(", ", builtInNames)}.",
                        errorIdPrefix + "Reserved");
                }

                checkedFields[field.Key] = field.Value ?? "";
            }

            return checkedFields;
        }

        public static QlikActivityException Invalid(string message, string errorId) =>
            new QlikActivityException(message, errorId, OperationErrorCategory.InvalidArgument);
    }
}
