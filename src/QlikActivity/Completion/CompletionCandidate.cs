using System;
using System.Collections.Generic;
using System.Linq;

namespace QlikActivity.Completion
{
    /// <summary>A value a completer may offer, with the tool tip shown beside it.</summary>
    internal sealed class CompletionCandidate
    {
        public CompletionCandidate(string value, string? toolTip = null)
        {
            Value = value;
            ToolTip = string.IsNullOrEmpty(toolTip) ? value : toolTip!;
        }

        public string Value { get; }

        /// <summary>Never empty: PowerShell's CompletionResult rejects an empty tool tip.</summary>
        public string ToolTip { get; }

        /// <summary>
        /// The text to insert: the value as is when PowerShell reads it as one bare word (or, for
        /// <paramref name="allowComma"/>, a comma-separated array), otherwise single-quoted.
        /// </summary>
        public string CompletionText(bool allowComma) => NeedsQuotes(Value, allowComma) ? Quote(Value) : Value;

        /// <summary>
        /// The candidates whose value starts with what was typed (ignoring case and an opening quote),
        /// in the order given, without duplicates.
        /// </summary>
        public static IReadOnlyList<CompletionCandidate> Filter(IEnumerable<CompletionCandidate> candidates, string? wordToComplete)
        {
            string typed = (wordToComplete ?? "").Trim().TrimStart('\'', '"').TrimEnd('\'', '"');
            return candidates
                .Where(c => c.Value.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
                .GroupBy(c => c.Value, StringComparer.OrdinalIgnoreCase)
                .Select(g => g.First())
                .ToList();
        }

        internal static string Quote(string value) => "'" + value.Replace("'", "''") + "'";

        private static bool NeedsQuotes(string value, bool allowComma)
        {
            if (value.Length == 0)
            {
                return true;
            }

            foreach (char c in value)
            {
                bool plain = char.IsLetterOrDigit(c) || c == '_' || c == '-' || c == '.' || c == '+' || (allowComma && c == ',');
                if (!plain)
                {
                    return true;
                }
            }

            // A leading '-' would read as a parameter name.
            return value[0] == '-';
        }
    }
}
