using System.Collections;
using System.Collections.Generic;

namespace QlikActivity.Commands
{
    /// <summary>Turns the hashtables the destination cmdlets take (-Tag, -Attribute, -Header) into string maps.</summary>
    internal static class DestinationParameters
    {
        /// <summary>An address as an error's target: scheme, host and port only; a user:password part, path or query may hold a secret.</summary>
        public static string? SafeTarget(System.Uri? uri) =>
            uri == null ? null
            : uri.IsAbsoluteUri ? uri.GetComponents(System.UriComponents.SchemeAndServer, System.UriFormat.UriEscaped)
            : "(not an absolute URL)";

        public static Dictionary<string, string>? ToStrings(Hashtable? table)
        {
            if (table == null)
            {
                return null;
            }

            var result = new Dictionary<string, string>();
            foreach (DictionaryEntry entry in table)
            {
                result[entry.Key?.ToString() ?? ""] = entry.Value?.ToString() ?? "";
            }

            return result;
        }
    }
}
