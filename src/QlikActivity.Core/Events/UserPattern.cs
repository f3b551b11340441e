using System;
using System.Collections.Generic;

namespace QlikActivity.Core.Events
{
    /// <summary>
    /// A PowerShell-style wildcard for user names (<c>*</c>, <c>?</c>, <c>[abc]</c>, <c>[a-z]</c>,
    /// <c>`</c> to escape), matched case-insensitively. A pattern with a backslash matches
    /// <c>DIRECTORY\userid</c>; one without matches the user id in any directory. Core has no
    /// PowerShell, hence its own matcher.
    /// </summary>
    public sealed class UserPattern
    {
        private readonly Token[] _tokens;

        private UserPattern(string text, Token[] tokens, bool matchesFullName)
        {
            Text = text;
            _tokens = tokens;
            MatchesFullName = matchesFullName;
        }

        public string Text { get; }

        /// <summary>True when the pattern names a directory (has an unescaped or escaped backslash).</summary>
        public bool MatchesFullName { get; }

        /// <summary>Reads a pattern; throws <see cref="QlikActivityException"/> when it is malformed (e.g. an unclosed <c>[</c>).</summary>
        public static UserPattern Parse(string pattern)
        {
            if (string.IsNullOrWhiteSpace(pattern))
            {
                throw new QlikActivityException("An -ExcludeUser pattern is empty.", EventErrorIds.InvalidUserPattern, OperationErrorCategory.InvalidArgument);
            }

            var tokens = new List<Token>();
            bool hasBackslash = false;
            for (int i = 0; i < pattern.Length; i++)
            {
                char c = pattern[i];
                if (c == '`' && i + 1 < pattern.Length)
                {
                    char lit = pattern[++i];
                    hasBackslash |= lit == '\\';
                    tokens.Add(Token.Literal(lit));
                }
                else if (c == '*')
                {
                    if (tokens.Count == 0 || tokens[tokens.Count - 1].Kind != TokenKind.Star)
                    {
                        tokens.Add(new Token { Kind = TokenKind.Star });
                    }
                }
                else if (c == '?')
                {
                    tokens.Add(new Token { Kind = TokenKind.Any });
                }
                else if (c == '[')
                {
                    int close = i + 2 < pattern.Length ? pattern.IndexOf(']', i + 2) : -1;
                    if (close < 0)
                    {
                        throw new QlikActivityException(
                            $"The -ExcludeUser pattern '{pattern}' has a '[' without a closing ']' (escape it as '`[').",
                            EventErrorIds.InvalidUserPattern,
                            OperationErrorCategory.InvalidArgument);
                    }

                    tokens.Add(Token.Set(ReadSet(pattern.Substring(i + 1, close - i - 1))));
                    i = close;
                }
                else
                {
                    hasBackslash |= c == '\\';
                    tokens.Add(Token.Literal(c));
                }
            }

            return new UserPattern(pattern, tokens.ToArray(), hasBackslash);
        }

        /// <summary>Whether the user matches: <c>DIRECTORY\userid</c> for a pattern with a backslash, else the user id.</summary>
        public bool IsMatch(string userDirectory, string userId) =>
            MatchesFullName ? IsMatch(userDirectory + "\\" + userId) : IsMatch(userId);

        /// <summary>Matches the whole text.</summary>
        public bool IsMatch(string text)
        {
            // Greedy with one backtrack point per star: linear in practice, never exponential.
            int t = 0;
            int p = 0;
            int starP = -1;
            int starT = 0;
            while (t < text.Length)
            {
                if (p < _tokens.Length && _tokens[p].Kind != TokenKind.Star && _tokens[p].Matches(text[t]))
                {
                    p++;
                    t++;
                }
                else if (p < _tokens.Length && _tokens[p].Kind == TokenKind.Star)
                {
                    starP = p++;
                    starT = t;
                }
                else if (starP >= 0)
                {
                    p = starP + 1;
                    t = ++starT;
                }
                else
                {
                    return false;
                }
            }

            while (p < _tokens.Length && _tokens[p].Kind == TokenKind.Star)
            {
                p++;
            }

            return p == _tokens.Length;
        }

        public override string ToString() => Text;

        private static (char From, char To)[] ReadSet(string body)
        {
            var ranges = new List<(char, char)>();
            for (int i = 0; i < body.Length; i++)
            {
                char from = body[i];
                if (i + 2 < body.Length && body[i + 1] == '-')
                {
                    char to = body[i + 2];
                    ranges.Add(from <= to ? (from, to) : (to, from));
                    i += 2;
                }
                else
                {
                    ranges.Add((from, from));
                }
            }

            return ranges.ToArray();
        }

        private enum TokenKind
        {
            Literal,
            Any,
            Star,
            Set,
        }

        private struct Token
        {
            public TokenKind Kind;
            public char Char;
            public (char From, char To)[]? Ranges;

            public static Token Literal(char c) => new Token { Kind = TokenKind.Literal, Char = char.ToUpperInvariant(c) };

            public static Token Set((char, char)[] ranges) => new Token { Kind = TokenKind.Set, Ranges = ranges };

            public bool Matches(char c)
            {
                switch (Kind)
                {
                    case TokenKind.Any:
                        return true;
                    case TokenKind.Literal:
                        return char.ToUpperInvariant(c) == Char;
                    case TokenKind.Set:
                        char upper = char.ToUpperInvariant(c);
                        char lower = char.ToLowerInvariant(c);
                        foreach (var (from, to) in Ranges!)
                        {
                            if ((upper >= from && upper <= to) || (lower >= from && lower <= to))
                            {
                                return true;
                            }
                        }

                        return false;
                    default:
                        return false;
                }
            }
        }
    }
}
