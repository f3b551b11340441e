using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace QlikActivity.Core.Activity
{
    /// <summary>
    /// The parts of a <c>/qrs/user/full</c> entity a bucket run plans with: who the user is and
    /// the custom property values it holds. Everything else is skipped while streaming, so
    /// 50,000 users never sit in memory whole.
    /// </summary>
    internal sealed class UserPropertyValuesRecord
    {
        [JsonPropertyName("id")]
        public Guid Id { get; set; }

        [JsonPropertyName("userDirectory")]
        public string? UserDirectory { get; set; }

        [JsonPropertyName("userId")]
        public string? UserId { get; set; }

        [JsonPropertyName("customProperties")]
        public List<CustomPropertyValueRecord>? CustomProperties { get; set; }

        /// <summary>The values of one property, matched as <see cref="UserCustomPropertyEdit"/> matches them.</summary>
        public IReadOnlyList<string> ValuesOf(Guid definitionId, string definitionName)
        {
            if (CustomProperties == null || CustomProperties.Count == 0)
            {
                return Array.Empty<string>();
            }

            List<string>? values = null;
            foreach (var item in CustomProperties)
            {
                var definition = item?.Definition;
                if (definition == null)
                {
                    continue;
                }

                bool match = definition.Id != Guid.Empty
                    ? definition.Id == definitionId
                    : string.Equals(definition.Name, definitionName, StringComparison.OrdinalIgnoreCase);
                if (match)
                {
                    (values ??= new List<string>()).Add(item!.Value ?? "");
                }
            }

            return values ?? (IReadOnlyList<string>)Array.Empty<string>();
        }
    }

    internal sealed class CustomPropertyValueRecord
    {
        [JsonPropertyName("value")]
        public string? Value { get; set; }

        [JsonPropertyName("definition")]
        public CustomPropertyDefinitionReference? Definition { get; set; }
    }

    internal sealed class CustomPropertyDefinitionReference
    {
        [JsonPropertyName("id")]
        public Guid Id { get; set; }

        [JsonPropertyName("name")]
        public string? Name { get; set; }
    }
}
