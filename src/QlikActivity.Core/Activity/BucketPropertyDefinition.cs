using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using System.Threading;
using QlikActivity.Core.Qrs;

namespace QlikActivity.Core.Activity
{
    /// <summary>
    /// The custom property that holds the buckets, as the repository has it: read by name before
    /// anything is written, refused when it cannot hold the buckets (or differs and -Force is
    /// absent), then created or replaced. A POST or PUT whose fate is unknown is settled by
    /// reading the definition back.
    /// </summary>
    internal sealed class BucketPropertyDefinition
    {
        private const string DefinitionPath = "custompropertydefinition";

        private readonly QrsClient _client;
        private readonly CustomPropertyDefinitionCheck _check;
        private readonly JsonObject? _existing;

        private BucketPropertyDefinition(QrsClient client, CustomPropertyDefinitionCheck check, JsonObject? existing)
        {
            _client = client;
            _check = check;
            _existing = existing;
            Differences = existing != null ? check.Differences(existing) : Array.Empty<string>();
            Id = existing != null ? QrsEntityId.Of(existing) : Guid.Empty;
            Name = existing != null && existing["name"] is JsonValue nv && nv.TryGetValue(out string? n) ? n : check.Name;
        }

        public bool Exists => _existing != null;

        /// <summary>The definition's id; empty while it does not exist.</summary>
        public Guid Id { get; private set; }

        /// <summary>The name as the repository spells it (names are case-insensitive); the requested name while it does not exist.</summary>
        public string Name { get; }

        /// <summary>How the existing definition differs from what the buckets need; empty when right or missing.</summary>
        public IReadOnlyList<string> Differences { get; }

        /// <summary>True when it must be created or replaced before values can be written.</summary>
        public bool NeedsWrite => !Exists || Differences.Count > 0;

        /// <summary>The ShouldProcess target of <see cref="CreateOrReplace"/>.</summary>
        public string Target => $"Custom property '{Name}'";

        /// <summary>The ShouldProcess action of <see cref="CreateOrReplace"/>.</summary>
        public string PlannedAction => Exists
            ? $"Replace the custom property's definition ({string.Join("; ", Differences)}) with the choice values {ChoiceValues} for User objects"
            : $"Create a custom property for User objects with the choice values {ChoiceValues}";

        private string ChoiceValues => string.Join(", ", _check.ChoiceValues);

        /// <summary>Reads the definition named as <paramref name="check"/> says (GET only).</summary>
        public static BucketPropertyDefinition Read(QrsClient client, CustomPropertyDefinitionCheck check, CancellationToken token) =>
            new BucketPropertyDefinition(client, check, Find(client, check.Name, token));

        /// <summary>Stops the run, before anything is written, when the existing definition cannot be used as it is.</summary>
        public void EnsureUsable(bool force)
        {
            if (_existing == null || Differences.Count == 0)
            {
                return;
            }

            string listed = string.Join("; ", Differences);
            if (!CustomPropertyDefinitionCheck.CanReplace(_existing))
            {
                throw new QlikActivityException(
                    $"The custom property '{_check.Name}' exists but cannot hold activity buckets: {listed}. -Force does not change a value type; choose another -Name.",
                    ActivityErrorIds.DefinitionMismatch, OperationErrorCategory.InvalidData);
            }

            if (!force)
            {
                throw new QlikActivityException(
                    $"The custom property '{_check.Name}' exists but differs from what the buckets need: {listed}. Nothing was written. Run again with -Force to replace its choice values with {ChoiceValues} (and apply it to User objects), or choose another -Name.",
                    ActivityErrorIds.DefinitionMismatch, OperationErrorCategory.InvalidData);
            }
        }

        /// <summary>What was found, for the verbose stream.</summary>
        public string Describe() =>
            !Exists
                ? $"The custom property '{Name}' does not exist yet: it will be created with the choice values {ChoiceValues}."
                : Differences.Count == 0
                    ? $"The custom property '{Name}' exists with the right choice values."
                    : $"The custom property '{Name}' differs ({string.Join("; ", Differences)}); -Force replaces it.";

        /// <summary>Creates the definition when missing, else replaces its choice values and object types; sets <see cref="Id"/>.</summary>
        public CustomPropertyDefinitionAction CreateOrReplace(CancellationToken token)
        {
            if (_existing != null)
            {
                Replace(_existing, token);
                return CustomPropertyDefinitionAction.Replaced;
            }

            Id = Create(token);
            if (Id == Guid.Empty)
            {
                throw new QlikActivityException($"The repository created the custom property '{Name}' but did not answer with its id.",
                    QrsErrorIds.UnexpectedResponse, OperationErrorCategory.InvalidData);
            }

            return CustomPropertyDefinitionAction.Created;
        }

        private static JsonObject? Find(QrsClient client, string name, CancellationToken token)
        {
            var node = client.GetJsonAsync(DefinitionPath + "/full", QrsFilter.Eq("name", name), token).GetAwaiter().GetResult();
            if (node is JsonArray list)
            {
                foreach (var item in list)
                {
                    if (item is JsonObject o && o["name"] is JsonValue v && v.TryGetValue(out string? s)
                        && string.Equals(s, name, StringComparison.OrdinalIgnoreCase))
                    {
                        return o;
                    }
                }
            }

            return null;
        }

        /// <summary>
        /// POST the definition. A POST is not retried by the client once the connection was open
        /// (it may have been done), so a dropped one is settled here: the name is unique, so read
        /// it back — there it is, or it was not created and the POST goes again.
        /// </summary>
        private Guid Create(CancellationToken token)
        {
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    var created = _client.PostJsonAsync(DefinitionPath, _check.CreateBody(), token).GetAwaiter().GetResult() as JsonObject;
                    return created != null ? QrsEntityId.Of(created) : Guid.Empty;
                }
                catch (QrsException ex) when (attempt < 3 && (ex.ErrorId == QrsErrorIds.ConnectionDropped || ex.ErrorId == QrsErrorIds.Timeout
                    || ex.ErrorId == QrsErrorIds.ServerError || ex.ErrorId == QrsErrorIds.BadRequest))
                {
                    // BadRequest too: a POST that got through before a drop is refused as a duplicate name when sent again.
                    if (Find(_client, _check.Name, token) is { } existing)
                    {
                        if (_check.Differences(existing).Count > 0)
                        {
                            throw;
                        }

                        return QrsEntityId.Of(existing);
                    }

                    if (ex.ErrorId == QrsErrorIds.BadRequest)
                    {
                        throw;
                    }
                }
            }
        }

        private void Replace(JsonObject existing, CancellationToken token)
        {
            var current = existing;
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    _client.PutJsonAsync(DefinitionPath + "/" + QrsEntityId.Of(current).ToString("D"), _check.ReplaceBody(current), token).GetAwaiter().GetResult();
                    return;
                }
                catch (QrsConflictException) when (attempt < 3)
                {
                    // Someone edited it meanwhile: take their version and replace only the choice values again.
                    current = _client.GetJsonAsync(DefinitionPath + "/" + QrsEntityId.Of(current).ToString("D"), null, token).GetAwaiter().GetResult() as JsonObject
                        ?? throw new QlikActivityException($"The custom property '{_check.Name}' vanished while it was being replaced.",
                            QrsErrorIds.NotFound, OperationErrorCategory.ObjectNotFound);
                }
            }
        }
    }
}
