using System;
using System.Collections.Generic;

namespace QlikActivity.Core.Activity
{
    /// <summary>The license access types whose records tell when a user was last active.</summary>
    public enum LicenseType
    {
        /// <summary>Professional access allocation (<c>professionalaccesstype</c>).</summary>
        Professional,

        /// <summary>Analyzer access allocation (<c>analyzeraccesstype</c>).</summary>
        Analyzer,

        /// <summary>User access allocation, token-based licenses (<c>useraccesstype</c>).</summary>
        User,

        /// <summary>Login access pass usage, token-based licenses (<c>loginaccessusage</c>).</summary>
        Login,

        /// <summary>Analyzer capacity (time) usage (<c>analyzertimeaccessusage</c>).</summary>
        AnalyzerTime,
    }
}

namespace QlikActivity.Core.Activity
{
    /// <summary>Where the QRS keeps each license type's records and which field holds the last activity.</summary>
    public static class LicenseTypes
    {
        /// <summary>All five, in a fixed order.</summary>
        public static IReadOnlyList<LicenseType> All { get; } = new[]
        {
            LicenseType.Professional, LicenseType.Analyzer, LicenseType.User, LicenseType.Login, LicenseType.AnalyzerTime,
        };

        /// <summary>The list endpoint (full entities) under <c>/qrs/</c>.</summary>
        public static string Endpoint(LicenseType type) => type switch
        {
            LicenseType.Professional => "license/professionalaccesstype/full",
            LicenseType.Analyzer => "license/analyzeraccesstype/full",
            // The access *type* carries the user; useraccessusage does not.
            LicenseType.User => "license/useraccesstype/full",
            LicenseType.Login => "license/loginaccessusage/full",
            LicenseType.AnalyzerTime => "license/analyzertimeaccessusage/full",
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };

        /// <summary>The entity type for <c>/count</c>.</summary>
        public static string CountType(LicenseType type) => Endpoint(type).Substring(0, Endpoint(type).Length - "/full".Length);

        /// <summary>The field with the last activity: <c>lastUsed</c> on access types, <c>latestActivity</c> on usages.</summary>
        public static string DateField(LicenseType type) =>
            type == LicenseType.Login || type == LicenseType.AnalyzerTime ? "latestActivity" : "lastUsed";
    }
}
