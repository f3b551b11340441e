using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using QlikActivity.QrsSimulator.Entities;
using QlikActivity.QrsSimulator.Filtering;

namespace QlikActivity.QrsSimulator.Hosting
{
    /// <summary>
    /// <c>POST /qrs/{type}/table</c>, what the QMC's overviews call: a table definition names columns
    /// (a property path each, or a list property with its own sub-columns), the query string filters,
    /// sorts (<c>sortcolumn</c>, <c>orderascending</c>) and pages (<c>skip</c>, <c>take</c>; take 0 = all).
    /// The answer is 201 with <c>{schemaPath, columnNames, rows, id}</c>.
    /// </summary>
    internal sealed class TableQuery
    {
        // TableDefinitionColumn.columnType: 0 Undefined, 1 Property, 2 Function, 3 List, 4 Privileges.
        private const int Property = 1;
        private const int ListColumn = 3;

        private readonly List<Column> _columns;

        private TableQuery(List<Column> columns) => _columns = columns;

        private sealed record Column(string Name, int ColumnType, FilterPath? Path, List<Column> Items);

        /// <summary>Reads a table definition; throws <see cref="FilterExpressionException"/> (a 400) on an unknown property or a malformed column.</summary>
        public static TableQuery Parse(JsonObject definition, EntityType type)
        {
            if (definition["columns"] is not JsonArray columns || columns.Count == 0)
            {
                throw new FilterExpressionException("The table definition has no columns");
            }

            return new TableQuery(columns.Select(c => ParseColumn(c, type)).ToList());
        }

        private static Column ParseColumn(JsonNode? node, EntityType type)
        {
            if (node is not JsonObject c || c["name"] is not JsonValue nameValue || !nameValue.TryGetValue(out string? name) || name.Length == 0)
            {
                throw new FilterExpressionException("A table column needs a name");
            }

            int columnType = ColumnType(c["columnType"]);
            string definition = c["definition"] is JsonValue dv && dv.TryGetValue(out string? d) ? d : name;
            FilterPath? path = null;
            var items = new List<Column>();
            if (columnType is Property or ListColumn)
            {
                path = FilterPath.Resolve(type, definition) ?? throw FilterExpressionException.CannotParse(definition);
            }

            if (columnType == ListColumn)
            {
                var field = FieldAt(type, path!);
                if (field?.Kind is not (FieldKind.ObjectArray or FieldKind.RefArray))
                {
                    throw FilterExpressionException.CannotParse(definition);
                }

                var itemType = field.Kind == FieldKind.RefArray
                    ? QrsEntityTypes.Get(field.RefType!)
                    : new EntityType(path!.ToString(), field.Nested!, Array.Empty<string>());
                if (c["list"] is JsonArray sub)
                {
                    items.AddRange(sub.Select(s => ParseColumn(s, itemType)));
                }
            }

            return new Column(name, columnType, path, items);
        }

        private static FieldSpec? FieldAt(EntityType type, FilterPath path)
        {
            EntitySchema schema = type.Schema;
            FieldSpec? field = null;
            foreach (var segment in path.Segments)
            {
                field = schema.Field(segment);
                if (field == null)
                {
                    return null;
                }

                schema = field.Nested ?? (field.RefType != null ? QrsEntityTypes.Get(field.RefType).Schema : schema);
            }

            return field;
        }

        // The API documents integers; the QMC sends the names ("Property", "List").
        private static int ColumnType(JsonNode? node)
        {
            if (node is JsonValue v)
            {
                if (v.TryGetValue(out int i))
                {
                    return i;
                }

                if (v.TryGetValue(out string? s))
                {
                    int index = Array.FindIndex(new[] { "Undefined", "Property", "Function", "List", "Privileges" },
                        n => n.Equals(s, StringComparison.OrdinalIgnoreCase));
                    if (index >= 0)
                    {
                        return index;
                    }
                }
            }

            return node == null ? Property : throw new FilterExpressionException("Unknown column type " + node.ToJsonString());
        }

        /// <summary>Writes the table of <paramref name="rows"/> (already filtered) as the QRS answers it.</summary>
        public void Write(Utf8JsonWriter w, IReadOnlyList<JsonElement> rows, IReadOnlyDictionary<string, string> parameters)
        {
            IEnumerable<JsonElement> ordered = rows;
            if (parameters.TryGetValue("sortcolumn", out var sortName) && sortName.Length > 0)
            {
                var sortColumn = _columns.FirstOrDefault(c => c.Name.Equals(sortName, StringComparison.OrdinalIgnoreCase) && c.ColumnType == Property)
                    ?? throw new FilterExpressionException("Unknown sort column " + sortName);
                bool ascending = !parameters.TryGetValue("orderascending", out var asc) || !asc.Equals("false", StringComparison.OrdinalIgnoreCase);
                var comparer = Comparer<JsonElement>.Create((a, b) => CompareValues(Value(a, sortColumn.Path!), Value(b, sortColumn.Path!)));
                ordered = ascending ? rows.OrderBy(r => r, comparer) : rows.OrderByDescending(r => r, comparer);
            }

            int skip = Number(parameters, "skip");
            int take = Number(parameters, "take");
            ordered = ordered.Skip(skip);
            if (take > 0)
            {
                ordered = ordered.Take(take);
            }

            w.WriteStartObject();
            w.WriteString("schemaPath", "Table");
            w.WriteStartArray("columnNames");
            foreach (var c in _columns)
            {
                w.WriteStringValue(c.Name);
            }

            w.WriteEndArray();
            w.WriteStartArray("rows");
            foreach (var row in ordered)
            {
                WriteRow(w, _columns, row);
            }

            w.WriteEndArray();
            w.WriteString("id", Guid.NewGuid().ToString("D"));
            w.WriteEndObject();
        }

        private static void WriteRow(Utf8JsonWriter w, List<Column> columns, JsonElement entity)
        {
            w.WriteStartArray();
            foreach (var c in columns)
            {
                switch (c.ColumnType)
                {
                    case Property:
                        var v = Value(entity, c.Path!);
                        if (v is { } value)
                        {
                            value.WriteTo(w);
                        }
                        else
                        {
                            w.WriteNullValue();
                        }

                        break;
                    case ListColumn:
                        w.WriteStartArray();
                        if (Value(entity, c.Path!) is { ValueKind: JsonValueKind.Array } list)
                        {
                            foreach (var item in list.EnumerateArray())
                            {
                                WriteRow(w, c.Items, item);
                            }
                        }

                        w.WriteEndArray();
                        break;
                    default:
                        // Function and privilege columns evaluate QRS rules the simulator does not have.
                        w.WriteNullValue();
                        break;
                }
            }

            w.WriteEndArray();
        }

        private static JsonElement? Value(JsonElement entity, FilterPath path)
        {
            JsonElement current = entity;
            foreach (var segment in path.Segments)
            {
                if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(segment, out current))
                {
                    return null;
                }
            }

            return current;
        }

        private static int CompareValues(JsonElement? a, JsonElement? b)
        {
            if (a is not { } x || x.ValueKind == JsonValueKind.Null)
            {
                return b is not { } y0 || y0.ValueKind == JsonValueKind.Null ? 0 : -1;
            }

            if (b is not { } y || y.ValueKind == JsonValueKind.Null)
            {
                return 1;
            }

            if (x.ValueKind == JsonValueKind.Number && y.ValueKind == JsonValueKind.Number)
            {
                return x.GetDouble().CompareTo(y.GetDouble());
            }

            return string.Compare(Text(x), Text(y), StringComparison.OrdinalIgnoreCase);
        }

        private static string Text(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText();

        private static int Number(IReadOnlyDictionary<string, string> parameters, string name) =>
            parameters.TryGetValue(name, out var text) && text.Length > 0
                ? (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : throw new FilterExpressionException($"Invalid value for {name}: {text}"))
                : 0;
    }
}
