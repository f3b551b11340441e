using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace QlikActivity.QrsSimulator.Entities
{
    /// <summary>One reason the repository refuses a write, serialized as the QRS does: <c>{schemaPath, errorText}</c>.</summary>
    public sealed record ValidationError(string SchemaPath, string ErrorText);

    /// <summary>
    /// Turns what a client sent (merged over the stored entity on PUT) into the stored canonical JSON:
    /// schema order, canonical dates and GUIDs, server-owned fields set, references resolved to their
    /// current condensed form. Collects validation errors instead of throwing, for the 400 body.
    /// </summary>
    internal sealed class EntityComposer
    {
        private readonly Func<string, Guid, JsonElement?> _lookup;
        private readonly ArrayBufferWriter<byte> _buffer = new ArrayBufferWriter<byte>(4096);

        public EntityComposer(Func<string, Guid, JsonElement?> lookup) => _lookup = lookup;

        public List<ValidationError> Errors { get; } = new List<ValidationError>();

        public DateTime Now { get; set; }
        public string ModifiedBy { get; set; } = "INTERNAL\\sa_repository";
        /// <summary>False when re-writing dependents after a referenced entity changed (keeps their dates, skips choice checks).</summary>
        public bool IsCascade { get; set; }
        /// <summary>Seeding only: take createdDate/modifiedDate from the input when given (history that predates the simulator).</summary>
        public bool AcceptGivenDates { get; set; }

        /// <summary>Like Newtonsoft in the QRS: UTF-8 text stays as is, only what JSON requires is escaped.</summary>
        public static readonly JsonWriterOptions WriterOptions = new JsonWriterOptions
        {
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };

        /// <summary>Composes one top-level entity; null when <see cref="Errors"/> has entries.</summary>
        public JsonElement? Compose(EntityType type, Guid id, JsonObject input, JsonElement? previous)
        {
            Errors.Clear();
            _buffer.Clear();
            using (var w = new Utf8JsonWriter(_buffer, WriterOptions))
            {
                WriteObject(w, type.Schema, type.SchemaPath, id, input, previous);
            }

            if (Errors.Count > 0)
            {
                return null;
            }

            return JsonElement.Parse(_buffer.WrittenSpan);
        }

        private void WriteObject(Utf8JsonWriter w, EntitySchema schema, string ownerSchemaPath, Guid id, JsonObject input, JsonElement? previous)
        {
            w.WriteStartObject();
            foreach (var f in schema.Fields)
            {
                w.WritePropertyName(f.Name);
                if (f.Owner == FieldOwner.Server)
                {
                    WriteServerField(w, schema, f, id, input, previous);
                    continue;
                }

                bool given = input.TryGetPropertyValue(f.Name, out var node);
                if (!given && previous is { } p && p.TryGetProperty(f.Name, out var kept))
                {
                    // What the client did not send stays as stored.
                    kept.WriteTo(w);
                    continue;
                }

                if (f.Required && (node == null || (node is JsonValue v && v.TryGetValue(out string? s) && string.IsNullOrEmpty(s))))
                {
                    Invalid(schema, f);
                    w.WriteNullValue();
                    continue;
                }

                if (!given)
                {
                    WriteDefault(w, f);
                    continue;
                }

                WriteValue(w, schema, ownerSchemaPath, f, node, previous);
            }

            w.WriteEndObject();
        }

        private void WriteServerField(Utf8JsonWriter w, EntitySchema schema, FieldSpec f, Guid id, JsonObject input, JsonElement? previous)
        {
            JsonElement prev = default;
            bool hasPrev = previous is { } p && p.TryGetProperty(f.Name, out prev);
            if (AcceptGivenDates && f.Kind == FieldKind.Date && input[f.Name] is JsonValue gv && gv.TryGetValue(out string? gs) && QrsDate.TryParse(gs, out var gd))
            {
                w.WriteStringValue(QrsDate.IsCanonical(gs, out _) ? gs! : QrsDate.Format(gd));
                return;
            }

            switch (f.Name)
            {
                case "id":
                    w.WriteStringValue(id.ToString("D"));
                    break;
                case "createdDate":
                    if (hasPrev)
                    {
                        prev.WriteTo(w);
                    }
                    else
                    {
                        w.WriteStringValue(QrsDate.Format(Now));
                    }

                    break;
                case "modifiedDate":
                    if (hasPrev && (IsCascade || !ChangedNested(schema, input, previous!.Value)))
                    {
                        prev.WriteTo(w);
                    }
                    else
                    {
                        w.WriteStringValue(QrsDate.Format(Now));
                    }

                    break;
                case "modifiedByUserName":
                    if (hasPrev && (IsCascade || !ChangedNested(schema, input, previous!.Value)))
                    {
                        prev.WriteTo(w);
                    }
                    else
                    {
                        w.WriteStringValue(ModifiedBy);
                    }

                    break;
                case "schemaPath":
                    w.WriteStringValue(schema.SchemaPath);
                    break;
                case "privileges":
                    w.WriteNullValue();
                    break;
                default:
                    if (hasPrev)
                    {
                        prev.WriteTo(w);
                    }
                    else
                    {
                        WriteDefault(w, f);
                    }

                    break;
            }
        }

        // Top-level entities always get a new modifiedDate on write (the store decides); owned items
        // (custom property values, attributes, sessions) keep theirs unless their content changed.
        private static bool ChangedNested(EntitySchema schema, JsonObject input, JsonElement previous)
        {
            if (schema.Field("privileges") != null)
            {
                return true;
            }

            foreach (var f in schema.Fields)
            {
                if (f.Owner == FieldOwner.Server || !input.TryGetPropertyValue(f.Name, out var node))
                {
                    continue;
                }

                if (!previous.TryGetProperty(f.Name, out var prev))
                {
                    return true;
                }

                if (f.Kind is FieldKind.Ref)
                {
                    string? a = (node as JsonObject)?["id"]?.GetValue<string>();
                    string? b = prev.ValueKind == JsonValueKind.Object && prev.TryGetProperty("id", out var pid) ? pid.GetString() : null;
                    if (!string.Equals(a, b, StringComparison.OrdinalIgnoreCase))
                    {
                        return true;
                    }
                }
                else if (node?.ToJsonString() != prev.GetRawText())
                {
                    return true;
                }
            }

            return false;
        }

        private static void WriteDefault(Utf8JsonWriter w, FieldSpec f)
        {
            switch (f.Kind)
            {
                case FieldKind.Bool:
                    w.WriteBooleanValue(f.Default is bool b && b);
                    break;
                case FieldKind.Int:
                    w.WriteNumberValue(f.Default is int i ? i : 0);
                    break;
                case FieldKind.Date:
                    w.WriteStringValue(QrsDate.Format(f.Default is DateTime d ? d : QrsDate.Never));
                    break;
                case FieldKind.Guid:
                    if (f.Default is Guid g)
                    {
                        w.WriteStringValue(g.ToString("D"));
                    }
                    else
                    {
                        w.WriteNullValue();
                    }

                    break;
                case FieldKind.String:
                    if (f.Default is string s)
                    {
                        w.WriteStringValue(s);
                    }
                    else
                    {
                        w.WriteNullValue();
                    }

                    break;
                case FieldKind.StringArray:
                case FieldKind.GuidArray:
                case FieldKind.ObjectArray:
                case FieldKind.RefArray:
                    w.WriteStartArray();
                    w.WriteEndArray();
                    break;
                default:
                    w.WriteNullValue();
                    break;
            }
        }

        private void WriteValue(Utf8JsonWriter w, EntitySchema schema, string ownerSchemaPath, FieldSpec f, JsonNode? node, JsonElement? previous)
        {
            switch (f.Kind)
            {
                case FieldKind.String:
                    if (node == null)
                    {
                        w.WriteNullValue();
                    }
                    else if (node is JsonValue sv && sv.TryGetValue(out string? s))
                    {
                        w.WriteStringValue(s);
                    }
                    else
                    {
                        Invalid(schema, f);
                        w.WriteNullValue();
                    }

                    break;

                case FieldKind.Guid:
                    if (node == null)
                    {
                        w.WriteNullValue();
                    }
                    else if (TryGuid(node, out var g))
                    {
                        w.WriteStringValue(g.ToString("D"));
                    }
                    else
                    {
                        Invalid(schema, f);
                        w.WriteNullValue();
                    }

                    break;

                case FieldKind.Date:
                    if (node is JsonValue dv && dv.TryGetValue(out string? ds) && QrsDate.TryParse(ds, out var d))
                    {
                        w.WriteStringValue(QrsDate.IsCanonical(ds, out _) ? ds! : QrsDate.Format(d));
                    }
                    else
                    {
                        Invalid(schema, f);
                        w.WriteNullValue();
                    }

                    break;

                case FieldKind.Bool:
                    if (node is JsonValue bv && bv.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
                    {
                        w.WriteBooleanValue(bv.GetValueKind() == JsonValueKind.True);
                    }
                    else
                    {
                        Invalid(schema, f);
                        w.WriteBooleanValue(false);
                    }

                    break;

                case FieldKind.Int:
                    if (node is JsonValue nv && nv.GetValueKind() == JsonValueKind.Number
                        && double.TryParse(nv.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double num))
                    {
                        w.WriteNumberValue((long)num);
                    }
                    else
                    {
                        Invalid(schema, f);
                        w.WriteNumberValue(0);
                    }

                    break;

                case FieldKind.StringArray:
                case FieldKind.GuidArray:
                    w.WriteStartArray();
                    if (node is JsonArray arr)
                    {
                        foreach (var item in arr)
                        {
                            if (f.Kind == FieldKind.StringArray && item is JsonValue iv && iv.TryGetValue(out string? istr))
                            {
                                w.WriteStringValue(istr);
                            }
                            else if (f.Kind == FieldKind.GuidArray && item != null && TryGuid(item, out var ig))
                            {
                                w.WriteStringValue(ig.ToString("D"));
                            }
                            else
                            {
                                Invalid(schema, f);
                            }
                        }
                    }
                    else if (node != null)
                    {
                        Invalid(schema, f);
                    }

                    w.WriteEndArray();
                    break;

                case FieldKind.Object:
                    if (node is JsonObject o)
                    {
                        WriteNested(w, f.Nested!, ownerSchemaPath, o, PreviousItems(previous, f.Name));
                    }
                    else if (node == null)
                    {
                        w.WriteNullValue();
                    }
                    else
                    {
                        Invalid(schema, f);
                        w.WriteNullValue();
                    }

                    break;

                case FieldKind.ObjectArray:
                    w.WriteStartArray();
                    if (node is JsonArray items)
                    {
                        var prevItems = PreviousItems(previous, f.Name);
                        foreach (var item in items)
                        {
                            if (item is JsonObject io)
                            {
                                WriteNested(w, f.Nested!, ownerSchemaPath, io, prevItems);
                            }
                            else
                            {
                                Invalid(schema, f);
                            }
                        }
                    }
                    else if (node != null)
                    {
                        Invalid(schema, f);
                    }

                    w.WriteEndArray();
                    break;

                case FieldKind.Ref:
                    if (node == null)
                    {
                        w.WriteNullValue();
                    }
                    else
                    {
                        WriteReference(w, schema, f, node);
                    }

                    break;

                case FieldKind.RefArray:
                    w.WriteStartArray();
                    if (node is JsonArray refs)
                    {
                        foreach (var r in refs)
                        {
                            WriteReference(w, schema, f, r);
                        }
                    }
                    else if (node != null)
                    {
                        Invalid(schema, f);
                    }

                    w.WriteEndArray();
                    break;

                default:
                    if (node == null)
                    {
                        w.WriteNullValue();
                    }
                    else
                    {
                        node.WriteTo(w);
                    }

                    break;
            }
        }

        private static Dictionary<Guid, JsonElement>? PreviousItems(JsonElement? previous, string field)
        {
            if (previous is not { } p || !p.TryGetProperty(field, out var list))
            {
                return null;
            }

            var map = new Dictionary<Guid, JsonElement>();
            if (list.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in list.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("id", out var idEl) && Guid.TryParse(idEl.GetString(), out var g))
                    {
                        map[g] = item;
                    }
                }
            }
            else if (list.ValueKind == JsonValueKind.Object && list.TryGetProperty("id", out var oid) && Guid.TryParse(oid.GetString(), out var og))
            {
                map[og] = list;
            }

            return map;
        }

        private void WriteNested(Utf8JsonWriter w, EntitySchema nested, string ownerSchemaPath, JsonObject item, Dictionary<Guid, JsonElement>? previousItems)
        {
            // An item keeps its id (and created date) when the client sent it back; otherwise it is new.
            JsonElement? prev = null;
            Guid id = Guid.NewGuid();
            if (item.TryGetPropertyValue("id", out var idNode) && idNode != null && TryGuid(idNode, out var given) && given != Guid.Empty)
            {
                id = given;
                if (previousItems != null && previousItems.TryGetValue(given, out var pe))
                {
                    prev = pe;
                }
            }

            int errorsBefore = Errors.Count;
            WriteObject(w, nested, ownerSchemaPath, id, item, prev);
            if (Errors.Count == errorsBefore && nested.SchemaPath == "CustomPropertyValue" && !IsCascade)
            {
                CheckCustomPropertyValue(ownerSchemaPath, item);
            }
        }

        // The QRS refuses a value whose definition does not apply to the object type, or that is not one
        // of the definition's choices when it has any.
        private void CheckCustomPropertyValue(string ownerSchemaPath, JsonObject item)
        {
            string? value = (item["value"] as JsonValue)?.TryGetValue(out string? v) == true ? v : null;
            if (item["definition"] is not JsonObject defNode || defNode["id"] is not { } idNode || !TryGuid(idNode, out var defId)
                || _lookup(QrsEntityTypes.CustomPropertyDefinition, defId) is not { } def)
            {
                return; // already reported by the reference check
            }

            string name = def.GetProperty("name").GetString() ?? "";
            var objectTypes = def.GetProperty("objectTypes").EnumerateArray().Select(e => e.GetString()).ToList();
            if (!objectTypes.Contains(ownerSchemaPath, StringComparer.OrdinalIgnoreCase))
            {
                Errors.Add(new ValidationError(ownerSchemaPath + ".customProperties",
                    $"The custom property '{name}' is not available for objects of type {ownerSchemaPath}"));
                return;
            }

            var choices = def.GetProperty("choiceValues");
            if (choices.GetArrayLength() > 0 && !choices.EnumerateArray().Any(c => c.GetString() == value))
            {
                Errors.Add(new ValidationError(ownerSchemaPath + ".customProperties",
                    $"The value '{value}' is not a valid choice for the custom property '{name}'"));
            }
        }

        private void WriteReference(Utf8JsonWriter w, EntitySchema schema, FieldSpec f, JsonNode? node)
        {
            if (node is not JsonObject o || !o.TryGetPropertyValue("id", out var idNode) || idNode == null || !TryGuid(idNode, out var id))
            {
                Invalid(schema, f);
                w.WriteNullValue();
                return;
            }

            var target = QrsEntityTypes.Get(f.RefType!);
            if (_lookup(target.Path, id) is not { } found)
            {
                Errors.Add(new ValidationError(schema.SchemaPath + "." + f.Name,
                    $"The referenced {target.SchemaPath} with id {id:D} does not exist"));
                w.WriteNullValue();
                return;
            }

            WriteCondensed(w, target, found);
        }

        /// <summary>Writes the condensed form of a stored entity (what lists and references show).</summary>
        public static void WriteCondensed(Utf8JsonWriter w, EntityType type, JsonElement entity)
        {
            w.WriteStartObject();
            foreach (var name in type.CondensedFields)
            {
                if (entity.TryGetProperty(name, out var v))
                {
                    w.WritePropertyName(name);
                    v.WriteTo(w);
                }
            }

            w.WriteEndObject();
        }

        private static bool TryGuid(JsonNode node, out Guid g)
        {
            g = default;
            return node is JsonValue v && v.TryGetValue(out string? s) && Guid.TryParse(s, out g);
        }

        private void Invalid(EntitySchema schema, FieldSpec f) =>
            Errors.Add(new ValidationError(schema.SchemaPath + "." + f.Name,
                "The repository detected an invalid property of the following type: " + f.Name));
    }
}
