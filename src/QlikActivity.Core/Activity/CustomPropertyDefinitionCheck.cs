using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;

namespace QlikActivity.Core.Activity
{
    /// <summary>
    /// What the activity custom property's definition must look like, how an existing one
    /// differs (in plain words, for the admin), and the bodies that create or replace it.
    /// The choice values are exactly the bucket labels as given — the overflow label comes from
    /// the bucket set, never from appending <c>+</c> to a value read back, so no run can make
    /// <c>365++</c>.
    /// </summary>
    public sealed class CustomPropertyDefinitionCheck
    {
        /// <summary>The object type the property must apply to.</summary>
        public const string UserObjectType = "User";

        /// <summary>The only value type a choice-list property has in the QMC.</summary>
        public const string TextValueType = "Text";

        /// <summary>The QRS limit on a definition's name.</summary>
        public const int MaximumNameLength = 100;

        /// <summary>The QRS limit on a definition's description.</summary>
        public const int MaximumDescriptionLength = 512;

        public CustomPropertyDefinitionCheck(string name, IEnumerable<string> choiceValues, string? description = null)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException("The custom property needs a name.", nameof(name));
            }

            if (name.Length > MaximumNameLength)
            {
                throw new ArgumentException($"A custom property name has at most {MaximumNameLength} characters; '{name}' has {name.Length}.", nameof(name));
            }

            Name = name;
            // Order kept (QMC shows them in this order), duplicates dropped.
            ChoiceValues = (choiceValues ?? throw new ArgumentNullException(nameof(choiceValues)))
                .Where(v => !string.IsNullOrEmpty(v))
                .Distinct(StringComparer.Ordinal)
                .ToList();
            if (ChoiceValues.Count == 0)
            {
                throw new ArgumentException("The custom property needs at least one choice value.", nameof(choiceValues));
            }

            string text = description ?? DefaultDescription(ChoiceValues);
            Description = text.Length > MaximumDescriptionLength ? text.Substring(0, MaximumDescriptionLength) : text;
        }

        public string Name { get; }

        /// <summary>Every value a user may hold: the bucket labels including the overflow, and the no-activity value if any.</summary>
        public IReadOnlyList<string> ChoiceValues { get; }

        public string Description { get; }

        /// <summary>
        /// How <paramref name="existing"/> (a definition from <c>/qrs/custompropertydefinition/full</c>)
        /// differs from what is wanted, one plain sentence per difference; empty when it is right.
        /// </summary>
        public IReadOnlyList<string> Differences(JsonObject existing)
        {
            if (existing == null)
            {
                throw new ArgumentNullException(nameof(existing));
            }

            var differences = new List<string>();
            string? valueType = Text(existing["valueType"]);
            if (!string.Equals(valueType, TextValueType, StringComparison.OrdinalIgnoreCase))
            {
                differences.Add($"value type is '{valueType ?? "(none)"}', not '{TextValueType}'");
            }

            var objectTypes = Strings(existing["objectTypes"]);
            if (!objectTypes.Contains(UserObjectType, StringComparer.OrdinalIgnoreCase))
            {
                differences.Add(objectTypes.Count == 0
                    ? "does not apply to User objects (it applies to no object type)"
                    : $"does not apply to User objects (it applies to {string.Join(", ", objectTypes)})");
            }

            var existingChoices = Strings(existing["choiceValues"]);
            if (existingChoices.Count == 0)
            {
                differences.Add("has no choice values (any text is allowed); wanted: " + string.Join(", ", ChoiceValues));
            }
            else
            {
                var missing = ChoiceValues.Where(v => !existingChoices.Contains(v, StringComparer.Ordinal)).ToList();
                var extra = existingChoices.Where(v => !ChoiceValues.Contains(v, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal).ToList();
                var doubled = existingChoices.GroupBy(v => v, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
                if (missing.Count > 0)
                {
                    differences.Add("choice values missing: " + string.Join(", ", missing));
                }

                if (extra.Count > 0)
                {
                    differences.Add("extra choice values: " + string.Join(", ", extra));
                }

                if (doubled.Count > 0)
                {
                    differences.Add("choice values listed more than once: " + string.Join(", ", doubled));
                }
            }

            return differences;
        }

        /// <summary>False when replacing cannot make the definition right: its value type is not Text (-Force does not change that).</summary>
        public static bool CanReplace(JsonObject existing) =>
            string.Equals(Text(existing["valueType"]), TextValueType, StringComparison.OrdinalIgnoreCase);

        /// <summary>The body of <c>POST /qrs/custompropertydefinition</c>.</summary>
        public JsonObject CreateBody() => new JsonObject
        {
            ["name"] = Name,
            ["valueType"] = TextValueType,
            ["choiceValues"] = StringArray(ChoiceValues),
            ["objectTypes"] = StringArray(new[] { UserObjectType }),
            ["description"] = Description,
        };

        /// <summary>
        /// The body of <c>PUT /qrs/custompropertydefinition/{id}</c>: the definition as read (so its
        /// <c>modifiedDate</c>, description and other object types stay), with exactly the wanted
        /// choice values and <c>User</c> among its object types.
        /// </summary>
        public JsonObject ReplaceBody(JsonObject existing)
        {
            if (existing == null)
            {
                throw new ArgumentNullException(nameof(existing));
            }

            var body = (JsonObject)existing.DeepClone();
            body["choiceValues"] = StringArray(ChoiceValues);
            var objectTypes = Strings(existing["objectTypes"]);
            if (!objectTypes.Contains(UserObjectType, StringComparer.OrdinalIgnoreCase))
            {
                objectTypes.Add(UserObjectType);
            }

            body["objectTypes"] = StringArray(objectTypes);
            return body;
        }

        /// <summary>
        /// The choice values for a bucket set: the bucket labels (overflow included) in order, then
        /// the no-activity value when the policy sets one.
        /// </summary>
        public static IReadOnlyList<string> ChoiceValuesFor(IEnumerable<string> bucketLabels, string? noActivityValue)
        {
            var values = new List<string>(bucketLabels ?? throw new ArgumentNullException(nameof(bucketLabels)));
            if (!string.IsNullOrEmpty(noActivityValue) && !values.Contains(noActivityValue!, StringComparer.Ordinal))
            {
                values.Add(noActivityValue!);
            }

            return values;
        }

        private static string DefaultDescription(IReadOnlyList<string> values) =>
            "Days since the user's last activity in a license record (" + string.Join(", ", values) + "). Set by Set-QlikActivityBucket.";

        private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? s) ? s : null;

        private static List<string> Strings(JsonNode? node)
        {
            var list = new List<string>();
            if (node is JsonArray array)
            {
                foreach (var item in array)
                {
                    if (Text(item) is { } s)
                    {
                        list.Add(s);
                    }
                }
            }

            return list;
        }

        private static JsonArray StringArray(IEnumerable<string> values) =>
            new JsonArray(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
    }
}
