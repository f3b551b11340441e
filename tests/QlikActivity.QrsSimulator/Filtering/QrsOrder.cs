using System;
using System.Collections.Generic;
using System.Text.Json;
using QlikActivity.QrsSimulator.Entities;

namespace QlikActivity.QrsSimulator.Filtering
{
    /// <summary>A parsed <c>?orderby=field [asc|desc][, ...]</c>; compares stored entities.</summary>
    public sealed class QrsOrder : IComparer<JsonElement>
    {
        private readonly List<(FilterPath Path, bool Descending)> _keys;

        private QrsOrder(List<(FilterPath, bool)> keys) => _keys = keys;

        /// <summary>Throws <see cref="FilterExpressionException"/> (a 400) when a field is unknown or the direction is not asc/desc.</summary>
        public static QrsOrder Parse(string text, EntityType type)
        {
            var keys = new List<(FilterPath, bool)>();
            foreach (var part in text.Split(','))
            {
                var words = part.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (words.Length is 0 or > 2)
                {
                    throw FilterExpressionException.CannotParse(text);
                }

                var path = FilterPath.Resolve(type, words[0]) ?? throw FilterExpressionException.CannotParse(text);
                bool desc = false;
                if (words.Length == 2)
                {
                    if (words[1].Equals("desc", StringComparison.OrdinalIgnoreCase))
                    {
                        desc = true;
                    }
                    else if (!words[1].Equals("asc", StringComparison.OrdinalIgnoreCase))
                    {
                        throw FilterExpressionException.CannotParse(text);
                    }
                }

                keys.Add((path, desc));
            }

            return new QrsOrder(keys);
        }

        public int Compare(JsonElement x, JsonElement y)
        {
            foreach (var (path, desc) in _keys)
            {
                int c = CompareValues(Value(x, path), Value(y, path));
                if (c != 0)
                {
                    return desc ? -c : c;
                }
            }

            return 0;
        }

        private static JsonElement Value(JsonElement e, FilterPath path)
        {
            foreach (var seg in path.Segments)
            {
                if (e.ValueKind == JsonValueKind.Array)
                {
                    e = e.GetArrayLength() > 0 ? e[0] : default;
                }

                if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(seg, out e))
                {
                    return default;
                }
            }

            return e.ValueKind == JsonValueKind.Array ? (e.GetArrayLength() > 0 ? e[0] : default) : e;
        }

        // Nulls sort first, as in the database.
        private static int CompareValues(JsonElement a, JsonElement b)
        {
            bool an = a.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined;
            bool bn = b.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined;
            if (an || bn)
            {
                return an == bn ? 0 : an ? -1 : 1;
            }

            if (a.ValueKind == JsonValueKind.String && b.ValueKind == JsonValueKind.String)
            {
                return string.Compare(a.GetString(), b.GetString(), StringComparison.OrdinalIgnoreCase);
            }

            if (a.ValueKind == JsonValueKind.Number && b.ValueKind == JsonValueKind.Number)
            {
                return a.GetDouble().CompareTo(b.GetDouble());
            }

            if (a.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                return (a.ValueKind == JsonValueKind.True).CompareTo(b.ValueKind == JsonValueKind.True);
            }

            return 0;
        }
    }
}
