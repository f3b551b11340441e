using System.Collections;
using System.Collections.Generic;

namespace QlikActivity.Commands
{
    /// <summary>Turns the hashtables the destination cmdlets take (-Tag, -Attribute, -Header) into string maps.</summary>
    internal static class DestinationParameters
    {
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
