using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace QlikActivity.Core.Qrs
{
    /// <summary>
    /// A QRS filter expression, built so that quoting is always right: strings in single quotes
    /// with <c>\</c> escaped as <c>\\</c> and <c>'</c> as <c>\'</c>, GUIDs, booleans, numbers and null unquoted (a quoted
    /// GUID is a 400). <see cref="ToString"/> gives the expression; <see cref="QrsClient"/>
    /// URL-encodes the whole of it.
    /// </summary>
    public sealed class QrsFilter
    {
        private static readonly char[] NotInPropertyPath = { ' ', '\'', '(', ')' };

        private readonly string _expression;
        // Combined and raw expressions are wrapped in parentheses when combined again, so
        // "a or b" inside an "and" keeps its meaning.
        private readonly bool _compound;

        private QrsFilter(string expression, bool compound)
        {
            _expression = expression;
            _compound = compound;
        }

        public static QrsFilter Eq(string field, object? value) => Compare(field, "eq", value);

        public static QrsFilter Ne(string field, object? value) => Compare(field, "ne", value);

        /// <summary><c>sw</c>: starts with (strings).</summary>
        public static QrsFilter StartsWith(string field, string value) => Compare(field, "sw", value);

        /// <summary><c>ew</c>: ends with (strings).</summary>
        public static QrsFilter EndsWith(string field, string value) => Compare(field, "ew", value);

        /// <summary><c>so</c>: substring of (strings).</summary>
        public static QrsFilter Contains(string field, string value) => Compare(field, "so", value);

        /// <summary>An expression taken as it is, for what the builder does not cover.</summary>
        public static QrsFilter Raw(string expression)
        {
            if (string.IsNullOrWhiteSpace(expression))
            {
                throw new ArgumentException("A filter expression cannot be empty.", nameof(expression));
            }

            return new QrsFilter(expression.Trim(), compound: true);
        }

        /// <summary>Any of <paramref name="filters"/>; one filter is returned as it is.</summary>
        public static QrsFilter Or(params QrsFilter[] filters) => Combine("or", filters);

        /// <summary>
        /// <c>field eq v1 or field eq v2 ...</c>, or null for no values (no filter: the QRS
        /// rejects an empty group).
        /// </summary>
        public static QrsFilter? AnyOf(string field, IEnumerable<object?>? values)
        {
            var list = values?.Select(v => Eq(field, v)).ToArray() ?? Array.Empty<QrsFilter>();
            return list.Length == 0 ? null : Or(list);
        }

        /// <summary>The literal for <paramref name="value"/> as the QRS filter grammar wants it.</summary>
        public static string Literal(object? value) => value switch
        {
            null => "null",
            // The backslash first: left bare, a value ending in \ would escape the closing quote.
            string s => "'" + s.Replace("\\", "\\\\").Replace("'", "\\'") + "'",
            Guid g => g.ToString("D"),
            bool b => b ? "true" : "false",
            DateTime d => "'" + d.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) + "'",
            DateTimeOffset d => "'" + d.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) + "'",
            Enum e => "'" + e.ToString() + "'",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => throw new ArgumentException($"A {value.GetType().Name} cannot be used in a QRS filter.", nameof(value)),
        };

        public override string ToString() => _expression;

        private static QrsFilter Compare(string field, string op, object? value)
        {
            if (string.IsNullOrWhiteSpace(field) || field.IndexOfAny(NotInPropertyPath) >= 0)
            {
                throw new ArgumentException($"'{field}' is not a QRS property path.", nameof(field));
            }

            return new QrsFilter(field + " " + op + " " + Literal(value), compound: false);
        }

        private static QrsFilter Combine(string op, QrsFilter[] filters)
        {
            if (filters == null || filters.Length == 0)
            {
                throw new ArgumentException("Combine at least one filter: the QRS rejects an empty group.", nameof(filters));
            }

            if (filters.Length == 1)
            {
                return filters[0];
            }

            var parts = filters.Select(f => f._compound ? "(" + f._expression + ")" : f._expression);
            return new QrsFilter(string.Join(" " + op + " ", parts), compound: true);
        }
    }
}
