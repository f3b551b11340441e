using System;
using System.Linq;
using System.Text.Json;
using QlikActivity.QrsSimulator.Entities;

namespace QlikActivity.QrsSimulator.Hosting
{
    /// <summary>
    /// <c>GET /qrs/license/accesstypeoverview</c> and <c>/accesstypeinfo</c>: the QMC's license counters,
    /// computed from the stored access types. The simulated site has a signed license key with
    /// allocations (no tokens): <see cref="Spare"/> unallocated seats per per-user access type.
    /// </summary>
    internal static class LicenseSummary
    {
        /// <summary>Seats the simulated license has beyond what is allocated.</summary>
        public const int Spare = 10;

        private readonly record struct Counts(int Allocated, int Used, int Quarantined, int Excess);

        private static Counts Count(QrsStore store, string path)
        {
            int allocated = 0, used = 0, quarantined = 0, excess = 0;
            foreach (var e in store.All(path))
            {
                bool q = e.TryGetProperty("quarantined", out var qv) && qv.ValueKind == JsonValueKind.True;
                quarantined += q ? 1 : 0;
                allocated += q ? 0 : 1;
                used += e.TryGetProperty("lastUsed", out var lu) && lu.GetString() != QrsDate.NeverText ? 1 : 0;
                excess += e.TryGetProperty("excess", out var ex) && ex.ValueKind == JsonValueKind.True ? 1 : 0;
            }

            return new Counts(allocated, used, quarantined, excess);
        }

        public static void WriteOverview(Utf8JsonWriter w, QrsStore store)
        {
            var professional = Count(store, QrsEntityTypes.ProfessionalAccessType);
            var analyzer = Count(store, QrsEntityTypes.AnalyzerAccessType);
            var user = Count(store, QrsEntityTypes.UserAccessType);
            w.WriteStartObject();
            w.WriteString("schemaPath", "AccessTypeOverview");
            w.WriteNumber("totalTokens", 0);
            w.WriteNumber("availableTokens", 0);
            w.WriteBoolean("tokensEnabled", false);

            w.WriteStartObject("userAccess");
            w.WriteString("schemaPath", "AccessTypeOverviewUserAccessDetails");
            w.WriteBoolean("enabled", false);
            w.WriteNumber("tokenCost", 1);
            w.WriteNumber("allocatedTokens", user.Allocated);
            w.WriteNumber("usedTokens", user.Used);
            w.WriteNumber("quarantinedTokens", user.Quarantined);
            w.WriteEndObject();

            w.WriteStartObject("loginAccess");
            w.WriteString("schemaPath", "AccessTypeOverviewLoginAccessDetails");
            w.WriteBoolean("enabled", false);
            w.WriteNumber("tokenCost", 0.1);
            w.WriteNumber("allocatedTokens", store.All(QrsEntityTypes.LoginAccessType).Sum(e => e.GetProperty("assignedTokens").GetInt32()));
            w.WriteNumber("usedTokens", 0);
            w.WriteNumber("unavailableTokens", 0);
            w.WriteEndObject();

            Details(w, "professionalAccess", professional);
            Details(w, "analyzerAccess", analyzer);

            w.WriteStartObject("analyzerTimeAccess");
            w.WriteString("schemaPath", "AccessTypeOverviewAnalyzerTimeAccessDetails");
            w.WriteBoolean("enabled", true);
            w.WriteNumber("allocatedMinutes", store.All(QrsEntityTypes.AnalyzerTimeAccessType).Sum(e => e.GetProperty("assignedUnits").GetInt32()) * 100);
            w.WriteNumber("usedMinutes", 0);
            w.WriteNumber("unavailableMinutes", 0);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        private static void Details(Utf8JsonWriter w, string name, Counts c)
        {
            w.WriteStartObject(name);
            w.WriteString("schemaPath", "AccessTypeOverviewDetails");
            w.WriteBoolean("enabled", true);
            int total = c.Allocated + c.Quarantined + Spare;
            w.WriteNumber("total", total);
            w.WriteNumber("allocated", c.Allocated);
            w.WriteNumber("used", c.Used);
            w.WriteNumber("quarantined", c.Quarantined);
            w.WriteNumber("excess", c.Excess);
            w.WriteNumber("available", Math.Max(0, total - c.Allocated - c.Quarantined));
            w.WriteEndObject();
        }

        public static void WriteInfo(Utf8JsonWriter w, QrsStore store)
        {
            w.WriteStartObject();
            w.WriteString("schemaPath", "AccessTypesInfo");
            w.WriteNumber("totalTokens", 0);
            w.WriteNumber("availableTokens", 0);
            Info(w, "professionalAccessType", "AccessTypesInfoProfessionalAccessType", Count(store, QrsEntityTypes.ProfessionalAccessType));
            Info(w, "userAccessType", "AccessTypesInfoUserAccessType", Count(store, QrsEntityTypes.UserAccessType));
            w.WriteStartObject("loginAccessType");
            w.WriteString("schemaPath", "AccessTypesInfoLoginAccessType");
            w.WriteNumber("tokenCost", 0.1);
            w.WriteNumber("allocatedTokens", 0);
            w.WriteNumber("usedTokens", 0);
            w.WriteNumber("unavailableTokens", 0);
            w.WriteEndObject();
            Info(w, "analyzerAccessType", "AccessTypesInfoAnalyzerAccessType", Count(store, QrsEntityTypes.AnalyzerAccessType));
            w.WriteEndObject();
        }

        // Without tokens the counters are seats, as the QMC shows them for a signed license key.
        private static void Info(Utf8JsonWriter w, string name, string schemaPath, Counts c)
        {
            w.WriteStartObject(name);
            w.WriteString("schemaPath", schemaPath);
            w.WriteNumber("tokenCost", 1);
            w.WriteNumber("allocatedTokens", c.Allocated);
            w.WriteNumber("usedTokens", c.Used);
            w.WriteNumber("quarantinedTokens", c.Quarantined);
            w.WriteEndObject();
        }
    }
}
