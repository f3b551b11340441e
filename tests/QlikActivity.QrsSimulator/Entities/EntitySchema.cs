using System;
using System.Collections.Generic;
using System.Linq;

namespace QlikActivity.QrsSimulator.Entities
{
    /// <summary>What a field holds; decides validation on write and literal types in filters.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The kinds are named for the QRS schema's own field types.")]
    public enum FieldKind
    {
        String,
        Guid,
        Date,
        Bool,
        Int,
        StringArray,
        GuidArray,
        /// <summary>An owned object (e.g. a custom property value) described by <see cref="FieldSpec.Nested"/>.</summary>
        Object,
        /// <summary>A list of owned objects described by <see cref="FieldSpec.Nested"/>.</summary>
        ObjectArray,
        /// <summary>A reference to another entity, written as that entity's condensed form.</summary>
        Ref,
        /// <summary>A list of references to other entities.</summary>
        RefArray,
        /// <summary>Stored and written as sent (e.g. <c>privileges</c>, <c>stream</c>).</summary>
        Any,
    }

    /// <summary>Who sets a field.</summary>
    public enum FieldOwner
    {
        Client,
        /// <summary>Set by the repository; what a client sends is ignored (id, dates, schemaPath...).</summary>
        Server,
    }

    /// <summary>One property of an entity schema.</summary>
    public sealed class FieldSpec
    {
        public FieldSpec(string name, FieldKind kind)
        {
            Name = name;
            Kind = kind;
        }

        public string Name { get; }
        public FieldKind Kind { get; }
        public FieldOwner Owner { get; init; } = FieldOwner.Client;
        public bool Required { get; init; }
        /// <summary>For Object/ObjectArray.</summary>
        public EntitySchema? Nested { get; init; }
        /// <summary>For Ref/RefArray: the referenced entity type's path, e.g. <c>user</c>.</summary>
        public string? RefType { get; init; }
        /// <summary>Written when a new entity does not give the field.</summary>
        public object? Default { get; init; }
    }

    /// <summary>The properties of one QRS object shape, in the order the QRS writes them.</summary>
    public sealed class EntitySchema
    {
        private readonly Dictionary<string, FieldSpec> _byName;

        public EntitySchema(string schemaPath, IEnumerable<FieldSpec> fields)
        {
            SchemaPath = schemaPath;
            Fields = fields.ToList();
            _byName = Fields.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);
        }

        public string SchemaPath { get; }
        public IReadOnlyList<FieldSpec> Fields { get; }

        /// <summary>Case-insensitive, as QRS filter property names are.</summary>
        public FieldSpec? Field(string name) => _byName.TryGetValue(name, out var f) ? f : null;
    }

    /// <summary>An endpoint family such as <c>/qrs/user</c>: full schema, condensed field list and allowed verbs.</summary>
    public sealed class EntityType
    {
        public EntityType(string path, EntitySchema schema, IReadOnlyList<string> condensed)
        {
            Path = path;
            Schema = schema;
            CondensedFields = condensed;
        }

        /// <summary>The part after <c>/qrs/</c>, lower case, e.g. <c>license/professionalaccesstype</c>.</summary>
        public string Path { get; }
        public EntitySchema Schema { get; }
        public IReadOnlyList<string> CondensedFields { get; }
        public bool CanCreate { get; init; } = true;
        public bool CanUpdate { get; init; } = true;
        public bool CanDelete { get; init; } = true;
        public string SchemaPath => Schema.SchemaPath;
    }
}
