using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using QlikActivity.QrsSimulator.Entities;

namespace QlikActivity.QrsSimulator.Filtering
{
    /// <summary>Comparison operators of the QRS filter language.</summary>
    public enum FilterOperator
    {
        Eq,
        Ne,
        Gt,
        Ge,
        Lt,
        Le,
        /// <summary>starts with</summary>
        Sw,
        /// <summary>ends with</summary>
        Ew,
        /// <summary>substring of (contains)</summary>
        So,
    }

    /// <summary>A parsed <c>?filter=</c> expression, evaluated against stored entities (JSON).</summary>
    public abstract class FilterExpression
    {
        /// <summary>True when the entity matches.</summary>
        public abstract bool Matches(JsonElement entity);

        /// <summary>Parses <paramref name="text"/> for entities of <paramref name="type"/>; throws <see cref="FilterExpressionException"/> with the QRS 400 body.</summary>
        public static FilterExpression Parse(string text, EntityType type) => new FilterParser(text, type).ParseAll();

        /// <summary>
        /// When the filter is only <c>id eq A or id eq B ...</c> (what clients send to fetch a batch), the ids;
        /// the store then looks them up instead of scanning.
        /// </summary>
        public bool TryGetIdSet(out HashSet<Guid> ids)
        {
            ids = new HashSet<Guid>();
            return CollectIds(this, ids);

            static bool CollectIds(FilterExpression f, HashSet<Guid> into)
            {
                switch (f)
                {
                    case OrFilter or:
                        return CollectIds(or.Left, into) && CollectIds(or.Right, into);
                    case ComparisonFilter c when c.Operator == FilterOperator.Eq && c.Path.Segments.Count == 1
                                                 && c.Path.Segments[0] == "id" && c.Literal.Guid is { } g:
                        into.Add(g);
                        return true;
                    default:
                        return false;
                }
            }
        }
    }

    internal sealed class AndFilter : FilterExpression
    {
        public AndFilter(FilterExpression left, FilterExpression right)
        {
            Left = left;
            Right = right;
        }

        public FilterExpression Left { get; }
        public FilterExpression Right { get; }

        public override bool Matches(JsonElement entity) => Left.Matches(entity) && Right.Matches(entity);

        public override string ToString() => $"({Left} and {Right})";
    }

    internal sealed class OrFilter : FilterExpression
    {
        public OrFilter(FilterExpression left, FilterExpression right)
        {
            Left = left;
            Right = right;
        }

        public FilterExpression Left { get; }
        public FilterExpression Right { get; }

        public override bool Matches(JsonElement entity) => Left.Matches(entity) || Right.Matches(entity);

        public override string ToString() => $"({Left} or {Right})";
    }

    /// <summary>A typed constant: exactly one of the members is set (or <see cref="IsNull"/>).</summary>
    internal sealed class FilterLiteral
    {
        public bool IsNull { get; init; }
        public string? Text { get; init; }
        /// <summary>Dates are kept in the canonical wire form, which sorts like the dates do.</summary>
        public string? DateText { get; init; }
        public Guid? Guid { get; init; }
        public byte[]? GuidUtf8 { get; init; }
        public bool? Bool { get; init; }
        public long? Number { get; init; }

        public override string ToString() =>
            IsNull ? "null" : Text != null ? "'" + Text + "'" : DateText ?? Guid?.ToString() ?? Bool?.ToString() ?? Number?.ToString() ?? "?";
    }

    internal sealed class ComparisonFilter : FilterExpression
    {
        public ComparisonFilter(FilterPath path, FilterOperator op, FilterLiteral literal)
        {
            Path = path;
            Operator = op;
            Literal = literal;
        }

        public FilterPath Path { get; }
        public FilterOperator Operator { get; }
        public FilterLiteral Literal { get; }

        public override string ToString() => $"{Path} {Operator.ToString().ToLowerInvariant()} {Literal}";

        public override bool Matches(JsonElement entity) => Walk(entity, 0);

        // Over a list the comparison is true when any item matches (the QRS joins the list).
        private bool Walk(JsonElement current, int depth)
        {
            if (depth == Path.Segments.Count)
            {
                if (current.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in current.EnumerateArray())
                    {
                        if (Compare(item))
                        {
                            return true;
                        }
                    }

                    return false;
                }

                return Compare(current);
            }

            switch (current.ValueKind)
            {
                case JsonValueKind.Array:
                    foreach (var item in current.EnumerateArray())
                    {
                        if (Walk(item, depth))
                        {
                            return true;
                        }
                    }

                    return false;
                case JsonValueKind.Object:
                    return current.TryGetProperty(Path.Segments[depth], out var next)
                        ? Walk(next, depth + 1)
                        : Compare(default);
                default:
                    // A null reference on the way (e.g. user of a deleted user's record) reads as null.
                    return Compare(default);
            }
        }

        private bool Compare(JsonElement value)
        {
            bool isNull = value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined;
            if (Literal.IsNull)
            {
                return Operator switch
                {
                    FilterOperator.Eq => isNull,
                    FilterOperator.Ne => !isNull,
                    _ => false,
                };
            }

            if (isNull)
            {
                // C# null semantics (what Entity Framework gives the QRS): null differs from any value.
                return Operator == FilterOperator.Ne;
            }

            int cmp;
            if (Literal.Text != null)
            {
                if (value.ValueKind != JsonValueKind.String)
                {
                    return false;
                }

                string s = value.GetString()!;
                switch (Operator)
                {
                    case FilterOperator.Sw: return s.StartsWith(Literal.Text, StringComparison.OrdinalIgnoreCase);
                    case FilterOperator.Ew: return s.EndsWith(Literal.Text, StringComparison.OrdinalIgnoreCase);
                    case FilterOperator.So: return s.IndexOf(Literal.Text, StringComparison.OrdinalIgnoreCase) >= 0;
                }

                cmp = string.Compare(s, Literal.Text, StringComparison.OrdinalIgnoreCase);
            }
            else if (Literal.GuidUtf8 != null)
            {
                if (value.ValueKind != JsonValueKind.String)
                {
                    return false;
                }

                // Stored ids are lower-case "D" strings, so a byte comparison is exact and cheap.
                bool equal = value.ValueEquals(Literal.GuidUtf8);
                return Operator == FilterOperator.Eq ? equal : !equal;
            }
            else if (Literal.DateText != null)
            {
                if (value.ValueKind != JsonValueKind.String)
                {
                    return false;
                }

                cmp = string.CompareOrdinal(value.GetString(), Literal.DateText);
            }
            else if (Literal.Bool is { } b)
            {
                bool v = value.ValueKind == JsonValueKind.True;
                return Operator == FilterOperator.Eq ? v == b : v != b;
            }
            else if (Literal.Number is { } n)
            {
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out long v))
                {
                    return false;
                }

                cmp = v.CompareTo(n);
            }
            else
            {
                return false;
            }

            return Operator switch
            {
                FilterOperator.Eq => cmp == 0,
                FilterOperator.Ne => cmp != 0,
                FilterOperator.Gt => cmp > 0,
                FilterOperator.Ge => cmp >= 0,
                FilterOperator.Lt => cmp < 0,
                FilterOperator.Le => cmp <= 0,
                _ => false,
            };
        }
    }

    /// <summary>Recursive descent: <c>or</c> of <c>and</c> of (parenthesised expression | path op literal).</summary>
    internal sealed class FilterParser
    {
        private readonly string _text;
        private readonly EntityType _type;
        private readonly List<Token> _tokens;
        private int _pos;

        public FilterParser(string text, EntityType type)
        {
            _text = text;
            _type = type;
            _tokens = Tokenize(text);
        }

        private enum TokenKind
        {
            Word,
            Quoted,
            Open,
            Close,
        }

        private readonly struct Token
        {
            public Token(TokenKind kind, string text)
            {
                Kind = kind;
                Text = text;
            }

            public TokenKind Kind { get; }
            public string Text { get; }
        }

        public FilterExpression ParseAll()
        {
            if (_tokens.Count == 0)
            {
                throw FilterExpressionException.CannotParse(_text);
            }

            var f = ParseOr();
            if (_pos != _tokens.Count)
            {
                throw FilterExpressionException.CannotParse(_text);
            }

            return f;
        }

        private FilterExpression ParseOr()
        {
            var left = ParseAnd();
            while (PeekKeyword("or"))
            {
                _pos++;
                left = new OrFilter(left, ParseAnd());
            }

            return left;
        }

        private FilterExpression ParseAnd()
        {
            var left = ParsePrimary();
            while (PeekKeyword("and"))
            {
                _pos++;
                left = new AndFilter(left, ParsePrimary());
            }

            return left;
        }

        private FilterExpression ParsePrimary()
        {
            var t = Next();
            if (t.Kind == TokenKind.Open)
            {
                if (_pos < _tokens.Count && _tokens[_pos].Kind == TokenKind.Close)
                {
                    throw new FilterExpressionException("Invalid expression");
                }

                var inner = ParseOr();
                if (Next().Kind != TokenKind.Close)
                {
                    throw FilterExpressionException.CannotParse(_text);
                }

                return inner;
            }

            if (t.Kind != TokenKind.Word)
            {
                throw FilterExpressionException.CannotParse(_text);
            }

            var path = FilterPath.Resolve(_type, t.Text) ?? throw FilterExpressionException.CannotParse(_text);
            var opToken = Next();
            if (opToken.Kind != TokenKind.Word || !TryOperator(opToken.Text, out var op))
            {
                throw FilterExpressionException.CannotParse(_text);
            }

            var literalToken = Next();
            if (literalToken.Kind is TokenKind.Open or TokenKind.Close)
            {
                throw FilterExpressionException.CannotParse(_text);
            }

            return new ComparisonFilter(path, op, Literal(path, op, literalToken));
        }

        private FilterLiteral Literal(FilterPath path, FilterOperator op, Token token)
        {
            bool quoted = token.Kind == TokenKind.Quoted;
            if (!quoted && token.Text.Equals("null", StringComparison.OrdinalIgnoreCase))
            {
                return op is FilterOperator.Eq or FilterOperator.Ne
                    ? new FilterLiteral { IsNull = true }
                    : throw FilterExpressionException.CannotParse(_text);
            }

            bool ordering = op is FilterOperator.Gt or FilterOperator.Ge or FilterOperator.Lt or FilterOperator.Le;
            bool textOnly = op is FilterOperator.Sw or FilterOperator.Ew or FilterOperator.So;
            switch (path.Kind)
            {
                case FieldKind.String:
                case FieldKind.StringArray:
                    if (!quoted)
                    {
                        throw new FilterExpressionException("The value of constant \"String\" must begin and end with single quote: " + token.Text);
                    }

                    return new FilterLiteral { Text = token.Text };

                case FieldKind.Guid:
                case FieldKind.GuidArray:
                    // The QRS wants GUIDs bare: id eq 4ddfbcb0-...; a quoted GUID is a 400.
                    if (quoted || ordering || textOnly || !System.Guid.TryParse(token.Text, out var g))
                    {
                        throw FilterExpressionException.CannotParse(_text);
                    }

                    return new FilterLiteral { Guid = g, GuidUtf8 = Encoding.UTF8.GetBytes(g.ToString("D")) };

                case FieldKind.Date:
                    if (!quoted || textOnly || !QrsDate.TryParse(token.Text, out var d))
                    {
                        throw FilterExpressionException.CannotParse(_text);
                    }

                    return new FilterLiteral { DateText = QrsDate.Format(d) };

                case FieldKind.Bool:
                    if (quoted || ordering || textOnly || !bool.TryParse(token.Text, out bool b))
                    {
                        throw FilterExpressionException.CannotParse(_text);
                    }

                    return new FilterLiteral { Bool = b };

                case FieldKind.Int:
                    if (quoted || textOnly || !long.TryParse(token.Text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long n))
                    {
                        throw FilterExpressionException.CannotParse(_text);
                    }

                    return new FilterLiteral { Number = n };

                default:
                    // References and owned objects compare only with null.
                    throw FilterExpressionException.CannotParse(_text);
            }
        }

        private static bool TryOperator(string word, out FilterOperator op)
        {
            switch (word.ToLowerInvariant())
            {
                case "eq": op = FilterOperator.Eq; return true;
                case "ne": op = FilterOperator.Ne; return true;
                case "gt": op = FilterOperator.Gt; return true;
                case "ge": op = FilterOperator.Ge; return true;
                case "lt": op = FilterOperator.Lt; return true;
                case "le": op = FilterOperator.Le; return true;
                case "sw": op = FilterOperator.Sw; return true;
                case "ew": op = FilterOperator.Ew; return true;
                case "so": op = FilterOperator.So; return true;
                default: op = default; return false;
            }
        }

        private bool PeekKeyword(string keyword) =>
            _pos < _tokens.Count && _tokens[_pos].Kind == TokenKind.Word
                                 && _tokens[_pos].Text.Equals(keyword, StringComparison.OrdinalIgnoreCase);

        private Token Next() => _pos < _tokens.Count ? _tokens[_pos++] : throw FilterExpressionException.CannotParse(_text);

        private List<Token> Tokenize(string text)
        {
            var tokens = new List<Token>();
            int i = 0;
            while (i < text.Length)
            {
                char c = text[i];
                if (char.IsWhiteSpace(c))
                {
                    i++;
                }
                else if (c == '(')
                {
                    tokens.Add(new Token(TokenKind.Open, "("));
                    i++;
                }
                else if (c == ')')
                {
                    tokens.Add(new Token(TokenKind.Close, ")"));
                    i++;
                }
                else if (c == '\'')
                {
                    var sb = new StringBuilder();
                    i++;
                    bool closed = false;
                    while (i < text.Length)
                    {
                        char q = text[i];
                        if (q == '\\' && i + 1 < text.Length && (text[i + 1] == '\'' || text[i + 1] == '\\'))
                        {
                            sb.Append(text[i + 1]);
                            i += 2;
                        }
                        else if (q == '\'')
                        {
                            i++;
                            closed = true;
                            break;
                        }
                        else
                        {
                            sb.Append(q);
                            i++;
                        }
                    }

                    // An unescaped apostrophe ends the string early; what follows then fails to parse, and an
                    // apostrophe right after a closing one ('' doubling, OData style) is not an escape here.
                    if (!closed || (i < text.Length && text[i] == '\''))
                    {
                        throw FilterExpressionException.CannotParse(_text);
                    }

                    tokens.Add(new Token(TokenKind.Quoted, sb.ToString()));
                }
                else if (IsWordChar(c))
                {
                    int start = i;
                    while (i < text.Length && IsWordChar(text[i]))
                    {
                        i++;
                    }

                    tokens.Add(new Token(TokenKind.Word, text.Substring(start, i - start)));
                }
                else
                {
                    // Double quotes and other punctuation are not part of the language.
                    throw FilterExpressionException.CannotParse(_text);
                }
            }

            return tokens;
        }

        private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '.' or '-' or ':' or '+' or '@';
    }
}
