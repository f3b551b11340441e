using System;
using System.Text.Json.Nodes;

namespace QlikActivity.Core.Activity
{
    /// <summary>The <c>id</c> of an entity read as JSON from the QRS (a user, a custom property definition).</summary>
    internal static class QrsEntityId
    {
        /// <summary>The entity's id; <see cref="Guid.Empty"/> when it has none, or not a GUID.</summary>
        public static Guid Of(JsonObject entity) =>
            entity["id"] is JsonValue v && v.TryGetValue(out string? s) && Guid.TryParse(s, out var id) ? id : Guid.Empty;
    }
}
