using System;
using System.Globalization;
using System.Management.Automation;

namespace QlikActivity
{
    /// <summary>
    /// Lets a nullable date parameter bind the text that Export-Csv/Import-Csv and JSON leave behind:
    /// an empty string is "none" (null), other text is parsed as a date (invariant culture, as
    /// Export-Csv writes it, or ISO 8601) and taken as UTC unless it names its own offset.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class UtcDateTextTransformationAttribute : ArgumentTransformationAttribute
    {
        /// <inheritdoc />
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            switch (value)
            {
                case null:
                    return null;
                case string text when text.Trim().Length == 0:
                    return null;
                case string text:
                    if (DateTime.TryParse(text.Trim(), CultureInfo.InvariantCulture,
                            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
                    {
                        return parsed;
                    }

                    throw new ArgumentTransformationMetadataException(
                        $"'{Shorten(text)}' is not a date: give a date such as 2024-11-15T08:30:00Z, or an empty string for none.");
                case DateTime date:
                    return date.Kind == DateTimeKind.Local ? date.ToUniversalTime() : DateTime.SpecifyKind(date, DateTimeKind.Utc);
                case DateTimeOffset offset:
                    return offset.UtcDateTime;
                default:
                    return inputData;
            }
        }

        internal static string Shorten(string text) => text.Length <= 64 ? text : text.Substring(0, 64) + "…";
    }

    /// <summary>
    /// Lets a bool parameter bind text from Import-Csv ("True", "False", empty for false) as well as
    /// real booleans; PowerShell's own binding takes only booleans and numbers for a bool.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class BooleanTextTransformationAttribute : ArgumentTransformationAttribute
    {
        /// <inheritdoc />
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            if (value is string text)
            {
                string trimmed = text.Trim();
                if (trimmed.Length == 0)
                {
                    return false;
                }

                if (bool.TryParse(trimmed, out bool parsed))
                {
                    return parsed;
                }

                throw new ArgumentTransformationMetadataException(
                    $"'{UtcDateTextTransformationAttribute.Shorten(text)}' is not a boolean: give True or False.");
            }

            return inputData;
        }
    }
}
