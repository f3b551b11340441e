using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;

namespace QlikActivity.Core.Activity
{
    /// <summary>
    /// Builds the body of <c>PUT /qrs/user/{id}</c> that changes one custom property of a user.
    /// A PUT replaces the user's whole <c>customProperties</c> list, so everything else — every
    /// field and every other property's value item, with its id, dates and definition — goes back
    /// exactly as it was read from <c>/qrs/user/full</c>; only this property's item changes.
    /// </summary>
    public static class UserCustomPropertyEdit
    {
        /// <summary>The values of the property that <paramref name="user"/> holds, in list order (usually zero or one).</summary>
        public static IReadOnlyList<string> ValuesOf(JsonObject user, Guid definitionId, string definitionName)
        {
            if (user == null)
            {
                throw new ArgumentNullException(nameof(user));
            }

            var values = new List<string>();
            if (user["customProperties"] is JsonArray items)
            {
                foreach (var item in items)
                {
                    if (item is JsonObject o && IsOfDefinition(o, definitionId, definitionName))
                    {
                        values.Add(ValueText(o) ?? "");
                    }
                }
            }

            return values;
        }

        /// <summary>True when the user holds exactly <paramref name="newValue"/> (or nothing, for a removal).</summary>
        public static bool Holds(JsonObject user, Guid definitionId, string definitionName, string? newValue)
        {
            var values = ValuesOf(user, definitionId, definitionName);
            return newValue == null ? values.Count == 0 : values.Count == 1 && string.Equals(values[0], newValue, StringComparison.Ordinal);
        }

        /// <summary>
        /// A copy of <paramref name="user"/> in which this property holds <paramref name="newValue"/>
        /// (null removes it). The first item of the property keeps its place and id and gets the new
        /// value; further items of the same property (a user should hold one) are dropped; with no
        /// item, a new one <c>{ value, definition: { id, name } }</c> is appended. The user's
        /// <c>modifiedDate</c> is the one read, as the QRS wants for a PUT.
        /// </summary>
        public static JsonObject Apply(JsonObject user, Guid definitionId, string definitionName, string? newValue)
        {
            if (user == null)
            {
                throw new ArgumentNullException(nameof(user));
            }

            if (definitionId == Guid.Empty)
            {
                throw new ArgumentException("The custom property definition's id is needed.", nameof(definitionId));
            }

            var body = (JsonObject)user.DeepClone();
            var edited = new JsonArray();
            bool placed = false;
            if (body["customProperties"] is JsonArray items)
            {
                // Detach the items from the cloned array so they can be re-parented as they are.
                var kept = new List<JsonNode?>(items.Count);
                while (items.Count > 0)
                {
                    var item = items[0];
                    items.RemoveAt(0);
                    kept.Add(item);
                }

                foreach (var item in kept)
                {
                    if (item is JsonObject o && IsOfDefinition(o, definitionId, definitionName))
                    {
                        if (newValue != null && !placed)
                        {
                            o["value"] = newValue;
                            edited.Add(o);
                            placed = true;
                        }

                        continue; // a removal, or a second value of the same property
                    }

                    edited.Add(item);
                }
            }

            if (newValue != null && !placed)
            {
                edited.Add(new JsonObject
                {
                    ["value"] = newValue,
                    ["definition"] = new JsonObject
                    {
                        ["id"] = definitionId.ToString("D"),
                        ["name"] = definitionName,
                    },
                });
            }

            body["customProperties"] = edited;
            return body;
        }

        private static bool IsOfDefinition(JsonObject item, Guid definitionId, string definitionName)
        {
            if (item["definition"] is not JsonObject definition)
            {
                return false;
            }

            if (definition["id"] is JsonValue idValue && idValue.TryGetValue(out string? idText) && Guid.TryParse(idText, out var id))
            {
                return id == definitionId;
            }

            // A reference without an id can only be matched by name (names are unique, case-insensitive).
            return definition["name"] is JsonValue nameValue && nameValue.TryGetValue(out string? name)
                && string.Equals(name, definitionName, StringComparison.OrdinalIgnoreCase);
        }

        private static string? ValueText(JsonObject item) =>
            item["value"] is JsonValue v && v.TryGetValue(out string? s) ? s : item["value"]?.ToJsonString();
    }
}
