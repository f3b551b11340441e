using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace QlikActivity.Core.Activity
{
    /// <summary>
    /// The license types a user has records of, read-only. As text (<see cref="ToString"/>, which
    /// Export-Csv writes) it is the names joined by ", "; enumerated without a type, as PowerShell,
    /// ConvertTo-Json and -join do, it yields the names, so every export carries names, not numbers.
    /// Typed enumeration and the indexer give <see cref="LicenseType"/> values.
    /// </summary>
    public sealed class LicenseTypeList : IReadOnlyList<LicenseType>
    {
        private readonly LicenseType[] _types;

        /// <summary>A list of <paramref name="types"/>, in the order given.</summary>
        public LicenseTypeList(IEnumerable<LicenseType> types) => _types = (types ?? throw new ArgumentNullException(nameof(types))).ToArray();

        /// <summary>No license types.</summary>
        public static LicenseTypeList Empty { get; } = new LicenseTypeList(Array.Empty<LicenseType>());

        /// <inheritdoc />
        public LicenseType this[int index] => _types[index];

        /// <inheritdoc />
        public int Count => _types.Length;

        /// <summary>The number of license types (as on an array).</summary>
        public int Length => _types.Length;

        /// <summary>Whether <paramref name="type"/> is in the list.</summary>
        public bool Contains(LicenseType type) => Array.IndexOf(_types, type) >= 0;

        /// <summary>The names, as PowerShell's -Name parameters and completion spell them.</summary>
        public string[] ToNames() => _types.Select(t => t.ToString()).ToArray();

        /// <inheritdoc />
        public IEnumerator<LicenseType> GetEnumerator() => ((IEnumerable<LicenseType>)_types).GetEnumerator();

        // Untyped enumeration is what serializers and PowerShell use: names keep exports readable.
        IEnumerator IEnumerable.GetEnumerator() => ToNames().GetEnumerator();

        /// <summary>The names joined by ", ", e.g. <c>Professional, Analyzer</c>.</summary>
        public override string ToString() => string.Join(", ", ToNames());

        /// <summary>The list of <paramref name="types"/>.</summary>
        public static implicit operator LicenseTypeList(LicenseType[] types) => new LicenseTypeList(types);
    }
}
