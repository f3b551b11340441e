using System;
using System.Collections.Generic;
using QlikActivity.QrsSimulator.Entities;

namespace QlikActivity.QrsSimulator.Filtering
{
    /// <summary>A dotted property path resolved against a schema, e.g. <c>customProperties.definition.name</c>.</summary>
    public sealed class FilterPath
    {
        private FilterPath(string[] segments, FieldKind kind)
        {
            Segments = segments;
            Kind = kind;
        }

        /// <summary>The property names as stored (canonical case).</summary>
        public IReadOnlyList<string> Segments { get; }

        /// <summary>The kind of the last property.</summary>
        public FieldKind Kind { get; }

        public override string ToString() => string.Join(".", Segments);

        /// <summary>Resolves each segment case-insensitively; references expose only their condensed fields, as the QRS does.</summary>
        public static FilterPath? Resolve(EntityType type, string dotted)
        {
            var parts = dotted.Split('.');
            var segments = new string[parts.Length];
            EntitySchema schema = type.Schema;
            IReadOnlyList<string>? allowed = null;
            FieldKind kind = FieldKind.Any;
            for (int i = 0; i < parts.Length; i++)
            {
                if (parts[i].Length == 0)
                {
                    return null;
                }

                var field = schema.Field(parts[i]);
                if (field == null || (allowed != null && !Contains(allowed, field.Name)))
                {
                    return null;
                }

                segments[i] = field.Name;
                kind = field.Kind;
                bool last = i == parts.Length - 1;
                if (last)
                {
                    break;
                }

                switch (field.Kind)
                {
                    case FieldKind.Object:
                    case FieldKind.ObjectArray:
                        schema = field.Nested!;
                        allowed = null;
                        break;
                    case FieldKind.Ref:
                    case FieldKind.RefArray:
                        var target = QrsEntityTypes.Get(field.RefType!);
                        schema = target.Schema;
                        allowed = target.CondensedFields;
                        break;
                    default:
                        return null;
                }
            }

            return new FilterPath(segments, kind);
        }

        private static bool Contains(IReadOnlyList<string> list, string name)
        {
            foreach (var s in list)
            {
                if (string.Equals(s, name, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
