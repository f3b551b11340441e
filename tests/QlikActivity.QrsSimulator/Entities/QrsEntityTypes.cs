using System;
using System.Collections.Generic;
using System.Linq;

namespace QlikActivity.QrsSimulator.Entities
{
    /// <summary>The QRS endpoints the simulator serves, with the shapes of QRS 38.22 (November 2022).</summary>
    public static class QrsEntityTypes
    {
        public const string User = "user";
        public const string CustomPropertyDefinition = "custompropertydefinition";
        public const string App = "app";
        public const string Tag = "tag";
        public const string ProfessionalAccessType = "license/professionalaccesstype";
        public const string AnalyzerAccessType = "license/analyzeraccesstype";
        public const string UserAccessType = "license/useraccesstype";
        public const string LoginAccessUsage = "license/loginaccessusage";
        public const string AnalyzerTimeAccessUsage = "license/analyzertimeaccessusage";
        public const string LoginAccessType = "license/loginaccesstype";
        public const string AnalyzerTimeAccessType = "license/analyzertimeaccesstype";
        public const string ProfessionalAccessUsage = "license/professionalaccessusage";
        public const string AnalyzerAccessUsage = "license/analyzeraccessusage";
        public const string UserAccessUsage = "license/useraccessusage";

        private static readonly Dictionary<string, EntityType> ByPath;

        static QrsEntityTypes()
        {
            var cpValue = new EntitySchema("CustomPropertyValue", Header().Concat(new[]
            {
                new FieldSpec("value", FieldKind.String) { Required = true },
                new FieldSpec("definition", FieldKind.Ref) { RefType = CustomPropertyDefinition, Required = true },
            }).Append(SchemaPathField()));

            var attribute = new EntitySchema("UserAttribute", Header().Concat(new[]
            {
                new FieldSpec("attributeType", FieldKind.String) { Required = true },
                new FieldSpec("attributeValue", FieldKind.String),
                new FieldSpec("externalId", FieldKind.String),
            }).Append(SchemaPathField()));

            var session = new EntitySchema("License.LoginAccessUsageSession", Header().Concat(new[]
            {
                new FieldSpec("sessionID", FieldKind.String) { Required = true },
                new FieldSpec("latestActivity", FieldKind.Date) { Default = QrsDate.Never },
                new FieldSpec("serverNodeConfigurationId", FieldKind.String),
            }).Append(SchemaPathField()));

            var types = new List<EntityType>
            {
                new EntityType(User, Entity("User",
                    new FieldSpec("customProperties", FieldKind.ObjectArray) { Nested = cpValue },
                    new FieldSpec("userId", FieldKind.String) { Required = true },
                    new FieldSpec("userDirectory", FieldKind.String) { Required = true },
                    new FieldSpec("userDirectoryConnectorName", FieldKind.String),
                    new FieldSpec("name", FieldKind.String),
                    new FieldSpec("roles", FieldKind.StringArray),
                    new FieldSpec("attributes", FieldKind.ObjectArray) { Nested = attribute },
                    new FieldSpec("inactive", FieldKind.Bool),
                    new FieldSpec("removedExternally", FieldKind.Bool),
                    new FieldSpec("blacklisted", FieldKind.Bool),
                    new FieldSpec("deleteProhibited", FieldKind.Bool),
                    new FieldSpec("tags", FieldKind.RefArray) { RefType = Tag },
                    new FieldSpec("favorites", FieldKind.GuidArray)),
                    new[] { "id", "privileges", "userId", "userDirectory", "userDirectoryConnectorName", "name" }),

                new EntityType(CustomPropertyDefinition, Entity("CustomPropertyDefinition",
                    new FieldSpec("name", FieldKind.String) { Required = true },
                    new FieldSpec("valueType", FieldKind.String) { Required = true },
                    new FieldSpec("choiceValues", FieldKind.StringArray),
                    new FieldSpec("objectTypes", FieldKind.StringArray),
                    new FieldSpec("description", FieldKind.String) { Default = "" },
                    new FieldSpec("impactSecurityAccess", FieldKind.Bool) { Owner = FieldOwner.Server }),
                    new[] { "id", "privileges", "name", "valueType", "choiceValues" }),

                new EntityType(Tag, Entity("Tag",
                    new FieldSpec("name", FieldKind.String) { Required = true }),
                    new[] { "id", "privileges", "name" }),

                new EntityType(App, Entity("App",
                    new FieldSpec("customProperties", FieldKind.ObjectArray) { Nested = cpValue },
                    new FieldSpec("owner", FieldKind.Ref) { RefType = User },
                    new FieldSpec("name", FieldKind.String) { Required = true },
                    new FieldSpec("appId", FieldKind.String) { Default = "" },
                    new FieldSpec("sourceAppId", FieldKind.Guid) { Default = Guid.Empty },
                    new FieldSpec("targetAppId", FieldKind.Guid) { Default = Guid.Empty },
                    new FieldSpec("publishTime", FieldKind.Date) { Default = QrsDate.Never },
                    new FieldSpec("published", FieldKind.Bool),
                    new FieldSpec("tags", FieldKind.RefArray) { RefType = Tag },
                    new FieldSpec("description", FieldKind.String) { Default = "" },
                    new FieldSpec("stream", FieldKind.Any),
                    new FieldSpec("fileSize", FieldKind.Int),
                    new FieldSpec("lastReloadTime", FieldKind.Date) { Default = QrsDate.Never },
                    new FieldSpec("thumbnail", FieldKind.String) { Default = "" },
                    new FieldSpec("savedInProductVersion", FieldKind.String) { Default = "12.1477.2" },
                    new FieldSpec("migrationHash", FieldKind.String) { Default = "" },
                    new FieldSpec("dynamicColor", FieldKind.String) { Default = "" },
                    new FieldSpec("availabilityStatus", FieldKind.Int)),
                    new[] { "id", "privileges", "name", "appId", "publishTime", "published", "stream", "savedInProductVersion", "migrationHash", "availabilityStatus" })
                { CanCreate = false },

                AccessType(ProfessionalAccessType, "License.ProfessionalAccessType", withExcess: true),
                AccessType(AnalyzerAccessType, "License.AnalyzerAccessType", withExcess: true),
                AccessType(UserAccessType, "License.UserAccessType", withExcess: false),

                new EntityType(LoginAccessType, Entity("License.LoginAccessType",
                    new FieldSpec("name", FieldKind.String) { Required = true },
                    new FieldSpec("assignedTokens", FieldKind.Int),
                    new FieldSpec("usedAccessTypes", FieldKind.Int) { Owner = FieldOwner.Server },
                    new FieldSpec("remainingAccessTypes", FieldKind.Int) { Owner = FieldOwner.Server },
                    new FieldSpec("assignedAccessTypes", FieldKind.Int) { Owner = FieldOwner.Server }),
                    new[] { "id", "privileges", "name" }),

                new EntityType(AnalyzerTimeAccessType, Entity("License.AnalyzerTimeAccessType",
                    new FieldSpec("name", FieldKind.String) { Required = true },
                    new FieldSpec("assignedUnits", FieldKind.Int),
                    new FieldSpec("usedMinutes", FieldKind.Int) { Owner = FieldOwner.Server },
                    new FieldSpec("remainingMinutes", FieldKind.Int) { Owner = FieldOwner.Server },
                    new FieldSpec("assignedMinutes", FieldKind.Int) { Owner = FieldOwner.Server }),
                    new[] { "id", "privileges", "name" }),

                SessionUsage(ProfessionalAccessUsage, "License.ProfessionalAccessUsage", "professionalAccessType", ProfessionalAccessType),
                SessionUsage(AnalyzerAccessUsage, "License.AnalyzerAccessUsage", "analyzerAccessType", AnalyzerAccessType),
                SessionUsage(UserAccessUsage, "License.UserAccessUsage", "userAccessType", UserAccessType),

                Usage(LoginAccessUsage, "License.LoginAccessUsage", "loginAccessType", LoginAccessType, session),
                Usage(AnalyzerTimeAccessUsage, "License.AnalyzerTimeAccessUsage", "analyzerTimeAccessType", AnalyzerTimeAccessType,
                    new EntitySchema("License.AnalyzerTimeAccessUsageSession", session.Fields.Where(f => f.Name != "schemaPath").Append(SchemaPathField()))),
            };

            All = types;
            ByPath = types.ToDictionary(t => t.Path, StringComparer.OrdinalIgnoreCase);
        }

        /// <summary>Every served entity type.</summary>
        public static IReadOnlyList<EntityType> All { get; }

        /// <summary>The five license endpoints that carry activity, keyed by the admin's license type name.</summary>
        public static IReadOnlyDictionary<string, string> LicensePaths { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["professional"] = ProfessionalAccessType,
            ["analyzer"] = AnalyzerAccessType,
            ["user"] = UserAccessType,
            ["login"] = LoginAccessUsage,
            ["analyzer-time"] = AnalyzerTimeAccessUsage,
        };

        /// <summary>
        /// The usage record types of the three per-user access types (one record per session of the
        /// allocation, linked to the access type, not to the user), keyed by their access type's path.
        /// </summary>
        public static IReadOnlyDictionary<string, string> SessionUsagePaths { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [ProfessionalAccessType] = ProfessionalAccessUsage,
            [AnalyzerAccessType] = AnalyzerAccessUsage,
            [UserAccessType] = UserAccessUsage,
        };

        /// <summary>Every type under <c>/qrs/license/</c>: access types, their groups and their usage records.</summary>
        public static IEnumerable<EntityType> License => All.Where(t => t.Path.StartsWith("license/", StringComparison.Ordinal));

        public static EntityType? Find(string path) => ByPath.TryGetValue(path, out var t) ? t : null;

        public static EntityType Get(string path) => Find(path) ?? throw new ArgumentException($"unknown entity type '{path}'");

        private static IEnumerable<FieldSpec> Header() => new[]
        {
            new FieldSpec("id", FieldKind.Guid) { Owner = FieldOwner.Server },
            new FieldSpec("createdDate", FieldKind.Date) { Owner = FieldOwner.Server },
            new FieldSpec("modifiedDate", FieldKind.Date) { Owner = FieldOwner.Server },
            new FieldSpec("modifiedByUserName", FieldKind.String) { Owner = FieldOwner.Server },
        };

        private static FieldSpec SchemaPathField() => new FieldSpec("schemaPath", FieldKind.String) { Owner = FieldOwner.Server };

        private static EntitySchema Entity(string schemaPath, params FieldSpec[] fields) =>
            new EntitySchema(schemaPath, Header().Concat(fields).Concat(new[]
            {
                new FieldSpec("privileges", FieldKind.Any) { Owner = FieldOwner.Server },
                SchemaPathField(),
            }));

        private static EntityType AccessType(string path, string schemaPath, bool withExcess)
        {
            var fields = new List<FieldSpec>
            {
                new FieldSpec("user", FieldKind.Ref) { RefType = User },
                new FieldSpec("lastUsed", FieldKind.Date) { Default = QrsDate.Never },
            };
            if (withExcess)
            {
                fields.Add(new FieldSpec("excess", FieldKind.Bool));
            }

            fields.Add(new FieldSpec("quarantined", FieldKind.Bool));
            fields.Add(new FieldSpec("quarantineEnd", FieldKind.Date) { Default = QrsDate.Never });
            fields.Add(new FieldSpec("deletedUserId", FieldKind.String));
            fields.Add(new FieldSpec("deletedUserDirectory", FieldKind.String));
            return new EntityType(path, Entity(schemaPath, fields.ToArray()), new[] { "id", "privileges" });
        }

        // The usage of a per-user access type: one record per session, pointing at the allocation.
        private static EntityType SessionUsage(string path, string schemaPath, string accessTypeField, string accessTypePath) =>
            new EntityType(path, Entity(schemaPath,
                new FieldSpec("useStartTime", FieldKind.Date) { Default = QrsDate.Never },
                new FieldSpec("latestActivity", FieldKind.Date) { Default = QrsDate.Never },
                new FieldSpec("hostName", FieldKind.String) { Required = true },
                new FieldSpec("serverNodeConfigurationId", FieldKind.String),
                new FieldSpec("sessionID", FieldKind.String) { Required = true },
                new FieldSpec(accessTypeField, FieldKind.Ref) { RefType = accessTypePath }),
                new[] { "id", "privileges" })
            {
                CanCreate = false,
                CanUpdate = false,
                CanDelete = false,
            };

        private static EntityType Usage(string path, string schemaPath, string accessTypeField, string accessTypePath, EntitySchema session) =>
            new EntityType(path, Entity(schemaPath,
                new FieldSpec("useStartTime", FieldKind.Date) { Default = QrsDate.Never },
                new FieldSpec("latestActivity", FieldKind.Date) { Default = QrsDate.Never },
                new FieldSpec("hostName", FieldKind.String) { Required = true },
                new FieldSpec("serverNodeConfigurationId", FieldKind.String),
                new FieldSpec("user", FieldKind.Ref) { RefType = User },
                new FieldSpec("useStopTime", FieldKind.Date) { Default = QrsDate.Never },
                new FieldSpec("sessions", FieldKind.ObjectArray) { Nested = session },
                new FieldSpec(accessTypeField, FieldKind.Ref) { RefType = accessTypePath }),
                new[] { "id", "privileges" })
            {
                // The usage endpoints are read-only in the QRS API: the proxy/engine record usage.
                CanCreate = false,
                CanUpdate = false,
                CanDelete = false,
            };
    }
}
