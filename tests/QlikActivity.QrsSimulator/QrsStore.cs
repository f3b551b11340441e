using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using QlikActivity.QrsSimulator.Entities;
using QlikActivity.QrsSimulator.Filtering;

namespace QlikActivity.QrsSimulator
{
    /// <summary>Outcome of a write through the store: an HTTP status, and the stored entity or the validation errors.</summary>
    public sealed class WriteOutcome
    {
        public int Status { get; init; }
        public JsonElement? Entity { get; init; }
        public IReadOnlyList<ValidationError> Errors { get; init; } = Array.Empty<ValidationError>();
    }

    /// <summary>
    /// The repository's data, in memory. Thread-safe: writers take one lock; each stored entity is an
    /// immutable <see cref="JsonElement"/> in its full form, so readers stream a snapshot without locking.
    /// Direct calls bypass HTTP and are not logged.
    /// </summary>
    public sealed class QrsStore
    {
        private static readonly string[] ServiceAccounts = { "sa_repository", "sa_api", "sa_scheduler", "sa_engine", "sa_proxy" };

        private readonly object _gate = new object();
        private readonly Dictionary<string, Table> _tables;
        private readonly Func<DateTime> _clock;
        private readonly EntityComposer _composer;

        internal QrsStore(Func<DateTime> clock)
        {
            _clock = clock;
            _tables = QrsEntityTypes.All.ToDictionary(t => t.Path, t => new Table(t), StringComparer.OrdinalIgnoreCase);
            _composer = new EntityComposer(LookupUnlocked);
        }

        private sealed class Table
        {
            public Table(EntityType type)
            {
                Type = type;
                // The QRS keeps users unique by directory + id, and custom property definitions and tags by name.
                UniqueFields = type.Path switch
                {
                    QrsEntityTypes.User => new[] { "userDirectory", "userId" },
                    QrsEntityTypes.CustomPropertyDefinition => new[] { "name" },
                    QrsEntityTypes.Tag => new[] { "name" },
                    _ => Array.Empty<string>(),
                };
            }

            public EntityType Type { get; }
            public OrderedDictionary<Guid, JsonElement> Rows { get; } = new OrderedDictionary<Guid, JsonElement>();
            public JsonElement[]? Snapshot { get; set; }
            public string[] UniqueFields { get; }
            /// <summary>Unique key (case-insensitive) to id, so a write checks uniqueness without a scan.</summary>
            public Dictionary<string, Guid> Unique { get; } = new Dictionary<string, Guid>(StringComparer.OrdinalIgnoreCase);

            public string? UniqueKey(JsonElement entity)
            {
                if (UniqueFields.Length == 0)
                {
                    return null;
                }

                var parts = new string?[UniqueFields.Length];
                for (int i = 0; i < parts.Length; i++)
                {
                    parts[i] = entity.TryGetProperty(UniqueFields[i], out var v) ? v.GetString() : null;
                }

                return string.Join("\n", parts);
            }
        }

        /// <summary>The simulator's current time (UTC): the configured Now plus the time since start.</summary>
        public DateTime Now => QrsDate.Truncate(_clock());

        // ---------- reads ----------

        /// <summary>All entities of a type in storage order (a consistent snapshot; entities are immutable).</summary>
        public IReadOnlyList<JsonElement> All(string typePath)
        {
            var table = TableOf(typePath);
            lock (_gate)
            {
                return table.Snapshot ??= table.Rows.Values.ToArray();
            }
        }

        /// <summary>Entities matching an optional filter, in optional order.</summary>
        public IReadOnlyList<JsonElement> Query(string typePath, FilterExpression? filter, QrsOrder? order)
        {
            IReadOnlyList<JsonElement> rows;
            if (filter != null && filter.TryGetIdSet(out var ids))
            {
                var table = TableOf(typePath);
                var found = new List<(int Index, JsonElement Entity)>(ids.Count);
                lock (_gate)
                {
                    foreach (var id in ids)
                    {
                        int index = table.Rows.IndexOf(id);
                        if (index >= 0)
                        {
                            found.Add((index, table.Rows.GetAt(index).Value));
                        }
                    }
                }

                // Storage order, as a scan would give.
                found.Sort((a, b) => a.Index.CompareTo(b.Index));
                rows = found.Select(f => f.Entity).ToList();
            }
            else
            {
                rows = All(typePath);
                if (filter != null)
                {
                    var matched = new List<JsonElement>();
                    foreach (var e in rows)
                    {
                        if (filter.Matches(e))
                        {
                            matched.Add(e);
                        }
                    }

                    rows = matched;
                }
            }

            if (order != null)
            {
                var sorted = rows.ToArray();
                // Stable, so equal keys keep storage order.
                return sorted.OrderBy(e => e, order).ToArray();
            }

            return rows;
        }

        public JsonElement? Get(string typePath, Guid id)
        {
            var table = TableOf(typePath);
            lock (_gate)
            {
                return table.Rows.TryGetValue(id, out var e) ? e : null;
            }
        }

        public int Count(string typePath)
        {
            var table = TableOf(typePath);
            lock (_gate)
            {
                return table.Rows.Count;
            }
        }

        /// <summary>Deep copies of every user, for before/after comparisons in tests.</summary>
        public IReadOnlyList<JsonObject> Users() => All(QrsEntityTypes.User).Select(Copy).ToList();

        public JsonObject? User(Guid id) => Get(QrsEntityTypes.User, id) is { } e ? Copy(e) : null;

        /// <summary>Deep copies of every entity of a type (e.g. <c>license/professionalaccesstype</c>).</summary>
        public IReadOnlyList<JsonObject> Entities(string typePath) => All(typePath).Select(Copy).ToList();

        public JsonObject? Entity(string typePath, Guid id) => Get(typePath, id) is { } e ? Copy(e) : null;

        /// <summary>The user's id by directory and user id (case-insensitive), or null.</summary>
        public Guid? FindUser(string userDirectory, string userId)
        {
            var table = TableOf(QrsEntityTypes.User);
            lock (_gate)
            {
                return table.Unique.TryGetValue(userDirectory + "\n" + userId, out var id) ? id : null;
            }
        }

        /// <summary>The custom property definition's id by name (case-insensitive), or null.</summary>
        public Guid? FindCustomPropertyDefinition(string name)
        {
            var table = TableOf(QrsEntityTypes.CustomPropertyDefinition);
            lock (_gate)
            {
                return table.Unique.TryGetValue(name, out var id) ? id : null;
            }
        }

        // ---------- writes as the HTTP API does them ----------

        /// <summary>POST: validates, stores and returns 201 with the entity, or 400 with the errors.</summary>
        public WriteOutcome Create(string typePath, JsonObject body, string modifiedBy = "INTERNAL\\sa_repository")
        {
            var table = TableOf(typePath);
            lock (_gate)
            {
                Guid id = Guid.NewGuid();
                if (body["id"] is JsonValue idv && idv.TryGetValue(out string? ids) && Guid.TryParse(ids, out var given) && given != Guid.Empty)
                {
                    if (table.Rows.ContainsKey(given))
                    {
                        return Refused(table.Type.SchemaPath + ".id", "An entity with the id " + given.ToString("D") + " already exists");
                    }

                    id = given;
                }

                _composer.Now = Now;
                _composer.ModifiedBy = modifiedBy;
                _composer.IsCascade = false;
                var composed = _composer.Compose(table.Type, id, body, null);
                if (composed is not { } entity)
                {
                    return new WriteOutcome { Status = 400, Errors = _composer.Errors.ToList() };
                }

                if (UniquenessViolation(table, id, entity) is { } violation)
                {
                    return violation;
                }

                Put(table, id, entity);
                return new WriteOutcome { Status = 201, Entity = entity };
            }
        }

        /// <summary>
        /// PUT: 404 when missing; 409 when the body's modifiedDate is missing or older than the stored one;
        /// otherwise the fields sent replace the stored ones (lists such as customProperties wholesale),
        /// fields not sent are kept, and the entity gets a new, later modifiedDate.
        /// </summary>
        public WriteOutcome Update(string typePath, Guid id, JsonObject body, string modifiedBy = "INTERNAL\\sa_repository")
        {
            var table = TableOf(typePath);
            lock (_gate)
            {
                if (!table.Rows.TryGetValue(id, out var stored))
                {
                    return new WriteOutcome { Status = 404 };
                }

                if (body["modifiedDate"] is not JsonValue mv || !mv.TryGetValue(out string? ms))
                {
                    return new WriteOutcome { Status = 409 };
                }

                if (!QrsDate.TryParse(ms, out var sent))
                {
                    return Refused(table.Type.SchemaPath + ".modifiedDate", "The repository detected an invalid property of the following type: modifiedDate");
                }

                var storedModified = ModifiedDate(stored);
                if (QrsDate.Truncate(sent) < storedModified)
                {
                    return new WriteOutcome { Status = 409 };
                }

                _composer.Now = Later(storedModified);
                _composer.ModifiedBy = modifiedBy;
                _composer.IsCascade = false;
                var composed = _composer.Compose(table.Type, id, body, stored);
                if (composed is not { } entity)
                {
                    return new WriteOutcome { Status = 400, Errors = _composer.Errors.ToList() };
                }

                if (UniquenessViolation(table, id, entity) is { } violation)
                {
                    return violation;
                }

                Put(table, id, entity);
                CascadeChange(table.Type, id, stored, entity);
                return new WriteOutcome { Status = 200, Entity = entity };
            }
        }

        /// <summary>DELETE: 204, or 404 when missing. Dependents follow as in the QRS (see <see cref="CascadeDelete"/>).</summary>
        public int Delete(string typePath, Guid id)
        {
            var table = TableOf(typePath);
            lock (_gate)
            {
                if (!table.Rows.TryGetValue(id, out var stored))
                {
                    return 404;
                }

                Remove(table, id, stored);
                CascadeDelete(table.Type, id, stored);
                return 204;
            }
        }

        // ---------- direct helpers for tests and seeding ----------

        /// <summary>Adds a user; returns its id.</summary>
        public Guid AddUser(string directory, string userId, string? name = null) =>
            AddOrThrow(QrsEntityTypes.User, new JsonObject
            {
                ["userId"] = userId,
                ["userDirectory"] = directory,
                ["userDirectoryConnectorName"] = directory,
                ["name"] = name ?? userId,
            });

        /// <summary>
        /// Adds a license record. <paramref name="type"/> is professional, analyzer, user, login or analyzer-time;
        /// a null <paramref name="userId"/> makes a record of a deleted user. Returns the record's id.
        /// </summary>
        public Guid AddLicenseRecord(string type, Guid? userId, DateTime lastUsed, bool quarantined = false) =>
            AddLicenseRecord(type, userId, lastUsed, quarantined, null, null);

        /// <summary>As <see cref="AddLicenseRecord(string, Guid?, DateTime, bool)"/>, naming the deleted user of a user-less record.</summary>
        public Guid AddLicenseRecord(string type, Guid? userId, DateTime lastUsed, bool quarantined, string? deletedUserDirectory, string? deletedUserId)
        {
            if (!QrsEntityTypes.LicensePaths.TryGetValue(type, out var path))
            {
                throw new ArgumentException($"unknown license type '{type}' (professional, analyzer, user, login, analyzer-time)", nameof(type));
            }

            var date = QrsDate.Format(lastUsed);
            var o = new JsonObject { ["user"] = userId is { } u ? new JsonObject { ["id"] = u.ToString("D") } : null };
            if (path == QrsEntityTypes.LoginAccessUsage || path == QrsEntityTypes.AnalyzerTimeAccessUsage)
            {
                var accessTypePath = path == QrsEntityTypes.LoginAccessUsage ? QrsEntityTypes.LoginAccessType : QrsEntityTypes.AnalyzerTimeAccessType;
                o["latestActivity"] = date;
                o["useStartTime"] = QrsDate.Format(lastUsed.AddMinutes(-20));
                o["useStopTime"] = QrsDate.Format(lastUsed.AddMinutes(40));
                o["hostName"] = "qlikserver1.corp.example";
                o["serverNodeConfigurationId"] = "9e9e2a6a-7d6a-4f0e-9c42-3b1f0c3b2d11";
                o[path == QrsEntityTypes.LoginAccessUsage ? "loginAccessType" : "analyzerTimeAccessType"] =
                    new JsonObject { ["id"] = EnsureAccessGroup(accessTypePath).ToString("D") };
            }
            else
            {
                o["lastUsed"] = date;
                o["quarantined"] = quarantined;
                o["quarantineEnd"] = quarantined ? QrsDate.Format(Now.AddDays(7)) : QrsDate.NeverText;
                if (userId == null)
                {
                    o["deletedUserDirectory"] = deletedUserDirectory ?? "CORP";
                    o["deletedUserId"] = deletedUserId ?? "former.employee";
                }
            }

            return AddOrThrow(path, o, forceCreate: true);
        }

        /// <summary>Adds a custom property definition of value type Text; returns its id.</summary>
        public Guid AddCustomPropertyDefinition(string name, IEnumerable<string> choiceValues, IEnumerable<string> objectTypes, string description = "") =>
            AddOrThrow(QrsEntityTypes.CustomPropertyDefinition, new JsonObject
            {
                ["name"] = name,
                ["valueType"] = "Text",
                ["choiceValues"] = new JsonArray(choiceValues.Select(v => (JsonNode?)v).ToArray()),
                ["objectTypes"] = new JsonArray(objectTypes.Select(v => (JsonNode?)v).ToArray()),
                ["description"] = description,
            });

        /// <summary>Adds an app owned by a user; returns its id.</summary>
        public Guid AddApp(string name, Guid? ownerId, bool published = false, DateTime? lastReloadTime = null) =>
            AddOrThrow(QrsEntityTypes.App, new JsonObject
            {
                ["name"] = name,
                ["owner"] = ownerId is { } o ? new JsonObject { ["id"] = o.ToString("D") } : null,
                ["published"] = published,
                ["publishTime"] = published ? QrsDate.Format(Now.AddDays(-30)) : QrsDate.NeverText,
                ["lastReloadTime"] = QrsDate.Format(lastReloadTime ?? Now.AddHours(-6)),
                ["fileSize"] = 1048576,
            }, forceCreate: true);

        /// <summary>Adds one value item of a custom property to a user (keeps the others), as a QMC edit would.</summary>
        public void SetUserCustomProperty(Guid userId, string propertyName, string value)
        {
            lock (_gate)
            {
                var defId = FindCustomPropertyDefinition(propertyName) ?? throw new ArgumentException($"no custom property definition '{propertyName}'");
                var table = TableOf(QrsEntityTypes.User);
                if (!table.Rows.TryGetValue(userId, out var stored))
                {
                    throw new ArgumentException($"no user {userId}");
                }

                var body = (JsonObject)JsonNode.Parse(stored.GetRawText())!;
                var list = body["customProperties"] as JsonArray ?? new JsonArray();
                list.Add(new JsonObject { ["value"] = value, ["definition"] = new JsonObject { ["id"] = defId.ToString("D") } });
                body["customProperties"] = list.DeepClone();
                var outcome = Update(QrsEntityTypes.User, userId, body);
                if (outcome.Status != 200)
                {
                    throw new ArgumentException($"setting {propertyName}={value} failed: {string.Join("; ", outcome.Errors.Select(e => e.ErrorText))}");
                }
            }
        }

        /// <summary>Gives the user a new modifiedDate, as if someone else edited it (a client holding the old copy then gets 409).</summary>
        public void TouchUser(Guid id) => Touch(QrsEntityTypes.User, id);

        /// <summary>
        /// Appends " (edited meanwhile)" to the entity's description and gives it a new modifiedDate, as if an
        /// admin had changed it in the QMC: a client holding the old copy gets 409, and one that re-reads sees the edit.
        /// </summary>
        public void EditMeanwhile(string typePath, Guid id)
        {
            lock (_gate)
            {
                var table = TableOf(typePath);
                if (!table.Rows.TryGetValue(id, out var stored))
                {
                    return;
                }

                string description = stored.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : "";
                var body = new JsonObject
                {
                    ["modifiedDate"] = QrsDate.Format(ModifiedDate(stored)),
                    ["description"] = description + " (edited meanwhile)",
                };
                var outcome = Update(typePath, id, body, "INTERNAL\\sa_scheduler");
                if (outcome.Status != 200)
                {
                    throw new InvalidOperationException($"the edit failed with {outcome.Status}");
                }
            }
        }

        /// <summary>Gives any entity a new modifiedDate.</summary>
        public void Touch(string typePath, Guid id)
        {
            lock (_gate)
            {
                var table = TableOf(typePath);
                if (!table.Rows.TryGetValue(id, out var stored))
                {
                    return;
                }

                var body = new JsonObject { ["modifiedDate"] = QrsDate.Format(ModifiedDate(stored)) };
                var outcome = Update(typePath, id, body, "INTERNAL\\sa_scheduler");
                if (outcome.Status != 200)
                {
                    throw new InvalidOperationException($"touch failed with {outcome.Status}");
                }
            }
        }

        /// <summary>Creates or returns the first login access group / analyzer capacity allocation that usage records point at.</summary>
        internal Guid EnsureAccessGroup(string accessTypePath)
        {
            lock (_gate)
            {
                var table = TableOf(accessTypePath);
                if (table.Rows.Count > 0)
                {
                    return table.Rows.GetAt(0).Key;
                }

                return AddOrThrow(accessTypePath, new JsonObject
                {
                    ["name"] = accessTypePath == QrsEntityTypes.LoginAccessType ? "Login access group" : "Analyzer capacity allocation",
                    ["assignedTokens"] = 100,
                });
            }
        }

        internal static IReadOnlyList<string> ServiceAccountNames => ServiceAccounts;

        // ---------- internals ----------

        private Guid AddOrThrow(string typePath, JsonObject body, bool forceCreate = false)
        {
            lock (_gate)
            {
                var table = TableOf(typePath);
                var id = Guid.NewGuid();
                _composer.Now = Now;
                _composer.ModifiedBy = "INTERNAL\\sa_repository";
                _composer.IsCascade = false;
                var entity = _composer.Compose(table.Type, id, body, null)
                    ?? throw new ArgumentException($"invalid {typePath}: {string.Join("; ", _composer.Errors.Select(e => e.ErrorText))}");
                if (!forceCreate && UniquenessViolation(table, id, entity) is { } v)
                {
                    throw new ArgumentException($"invalid {typePath}: {v.Errors[0].ErrorText}");
                }

                Put(table, id, entity);
                return id;
            }
        }

        private readonly List<(string Type, Guid Id, JsonObject Body)> _pendingSeeds = new List<(string, Guid, JsonObject)>();

        /// <summary>
        /// Seeding: queues an entity; <see cref="FlushSeeds"/> composes the queue on every core and stores it
        /// in queue order. Entities in one flush must not reference each other.
        /// </summary>
        internal void SeedLater(string typePath, Guid id, JsonObject body)
        {
            _pendingSeeds.Add((typePath, id, body));
            if (_pendingSeeds.Count >= 4096)
            {
                FlushSeeds();
            }
        }

        internal void FlushSeeds()
        {
            lock (_gate)
            {
                var items = _pendingSeeds.ToArray();
                _pendingSeeds.Clear();
                var results = new JsonElement[items.Length];
                var now = SeedTime ?? Now;
                // Composition only reads the tables (references), and nothing writes them until the puts below.
                System.Threading.Tasks.Parallel.For(
                    0,
                    items.Length,
                    () => new EntityComposer(LookupUnlocked) { AcceptGivenDates = true, Now = now },
                    (i, _, composer) =>
                    {
                        var (type, id, body) = items[i];
                        results[i] = composer.Compose(TableOf(type).Type, id, body, null)
                            ?? throw new InvalidOperationException($"seed {type}: {string.Join("; ", composer.Errors.Select(e => e.SchemaPath + ": " + e.ErrorText))}");
                        return composer;
                    },
                    _ => { });
                for (int i = 0; i < items.Length; i++)
                {
                    Put(TableOf(items[i].Type), items[i].Id, results[i]);
                }
            }
        }

        /// <summary>Stores a pre-composed entity (seeding writes many at once).</summary>
        internal void Load(string typePath, Guid id, JsonElement entity)
        {
            lock (_gate)
            {
                Put(TableOf(typePath), id, entity);
            }
        }

        /// <summary>While seeding: the fixed time server-set dates get, so the same seed gives the same data.</summary>
        internal DateTime? SeedTime { get; set; }

        /// <summary>Seeding: stores an entity under a given id, taking its history dates as given.</summary>
        internal void Seed(string typePath, Guid id, JsonObject body, string modifiedBy = "INTERNAL\\sa_repository")
        {
            lock (_gate)
            {
                var table = TableOf(typePath);
                _composer.Now = SeedTime ?? Now;
                _composer.ModifiedBy = modifiedBy;
                _composer.IsCascade = false;
                _composer.AcceptGivenDates = true;
                try
                {
                    var entity = _composer.Compose(table.Type, id, body, null)
                        ?? throw new InvalidOperationException($"seed {typePath}: {string.Join("; ", _composer.Errors.Select(e => e.SchemaPath + ": " + e.ErrorText))}");
                    Put(table, id, entity);
                }
                finally
                {
                    _composer.AcceptGivenDates = false;
                }
            }
        }

        internal JsonElement? LookupUnlocked(string typePath, Guid id) =>
            _tables[typePath].Rows.TryGetValue(id, out var e) ? e : null;

        private Table TableOf(string typePath) =>
            _tables.TryGetValue(typePath, out var t) ? t : throw new ArgumentException($"unknown entity type '{typePath}'");

        private static void Put(Table table, Guid id, JsonElement entity)
        {
            if (table.UniqueFields.Length > 0)
            {
                if (table.Rows.TryGetValue(id, out var old) && table.UniqueKey(old) is { } oldKey
                    && table.Unique.TryGetValue(oldKey, out var holder) && holder == id)
                {
                    table.Unique.Remove(oldKey);
                }

                table.Unique[table.UniqueKey(entity)!] = id;
            }

            table.Rows[id] = entity;
            table.Snapshot = null;
        }

        private static void Remove(Table table, Guid id, JsonElement entity)
        {
            if (table.UniqueKey(entity) is { } key && table.Unique.TryGetValue(key, out var holder) && holder == id)
            {
                table.Unique.Remove(key);
            }

            table.Rows.Remove(id);
            table.Snapshot = null;
        }

        private static WriteOutcome Refused(string schemaPath, string text) =>
            new WriteOutcome { Status = 400, Errors = new[] { new ValidationError(schemaPath, text) } };

        private static DateTime ModifiedDate(JsonElement e) =>
            e.TryGetProperty("modifiedDate", out var m) && QrsDate.TryParse(m.GetString(), out var d) ? d : QrsDate.Never;

        // A new modifiedDate is always later than the stored one, even within the same millisecond.
        private DateTime Later(DateTime stored)
        {
            var now = Now;
            return now > stored ? now : stored.AddMilliseconds(1);
        }

        private static WriteOutcome? UniquenessViolation(Table table, Guid id, JsonElement entity)
        {
            if (table.UniqueKey(entity) is not { } key || !table.Unique.TryGetValue(key, out var holder) || holder == id)
            {
                return null;
            }

            return Refused(table.Type.SchemaPath + "." + table.UniqueFields[table.UniqueFields.Length - 1],
                "The repository detected a duplicate value of the following unique property: " + string.Join(", ", table.UniqueFields));
        }

        // References show the target's condensed form, so when that changes every holder is rewritten
        // (without a new modifiedDate: the holder itself did not change).
        private void CascadeChange(EntityType type, Guid id, JsonElement before, JsonElement after)
        {
            if (CondensedText(type, before) == CondensedText(type, after))
            {
                return;
            }

            RewriteHolders(type, id, null);
        }

        /// <summary>
        /// What the QRS does to holders of a deleted entity: a license access type of a deleted user used in the
        /// last seven days keeps the user's directory and id in deletedUserDirectory/deletedUserId and stays in
        /// quarantine until seven days after its last use, one not used lately is released (deleted); usage
        /// records and app owners lose the reference; custom property values and tags of it disappear.
        /// </summary>
        private void CascadeDelete(EntityType type, Guid id, JsonElement deleted) => RewriteHolders(type, id, deleted);

        private void RewriteHolders(EntityType target, Guid id, JsonElement? deleted)
        {
            var idUtf8 = Encoding.UTF8.GetBytes(id.ToString("D"));
            foreach (var table in _tables.Values)
            {
                var sites = table.Type.Schema.Fields
                    .Where(f => (f.Kind is FieldKind.Ref or FieldKind.RefArray && f.RefType == target.Path)
                             || (f.Kind is FieldKind.ObjectArray or FieldKind.Object && f.Nested!.Fields.Any(n => n.Kind is FieldKind.Ref && n.RefType == target.Path)))
                    .ToList();
                if (sites.Count == 0)
                {
                    continue;
                }

                var changed = new List<(Guid, JsonElement)>();
                var released = new List<Guid>();
                foreach (var pair in table.Rows)
                {
                    var holder = pair.Value;
                    bool refers = false;
                    foreach (var site in sites)
                    {
                        if (References(holder, site, target.Path, idUtf8))
                        {
                            refers = true;
                            break;
                        }
                    }

                    if (!refers)
                    {
                        continue;
                    }

                    var body = (JsonObject)JsonNode.Parse(holder.GetRawText())!;
                    bool bump = false;
                    if (deleted is { } gone)
                    {
                        bump = DetachDeleted(table.Type, body, sites, target, idUtf8, gone, out bool release);
                        if (release)
                        {
                            released.Add(pair.Key);
                            continue;
                        }
                    }

                    _composer.IsCascade = !bump;
                    _composer.Now = Later(ModifiedDate(holder));
                    _composer.ModifiedBy = "INTERNAL\\sa_repository";
                    var rewritten = _composer.Compose(table.Type, pair.Key, body, holder);
                    if (rewritten == null && bump)
                    {
                        // A value no longer among its definition's choices stays: the QRS does not re-validate holders.
                        _composer.IsCascade = true;
                        rewritten = _composer.Compose(table.Type, pair.Key, body, holder);
                    }

                    if (rewritten is { } r)
                    {
                        changed.Add((pair.Key, r));
                    }
                }

                foreach (var (key, value) in changed)
                {
                    Put(table, key, value);
                }

                foreach (var key in released)
                {
                    var gone = table.Rows[key];
                    Remove(table, key, gone);
                    RewriteHolders(table.Type, key, gone);
                }
            }

            _composer.IsCascade = false;
        }

        // Returns true when the holder's own content changed (values removed), so it gets a new modifiedDate.
        // Sets release when the holder itself goes (an access type of a deleted user that was not used lately).
        private bool DetachDeleted(EntityType holderType, JsonObject body, List<FieldSpec> sites, EntityType target, byte[] idUtf8, JsonElement gone, out bool release)
        {
            release = false;
            string id = Encoding.UTF8.GetString(idUtf8);
            bool contentChanged = false;
            foreach (var site in sites)
            {
                switch (site.Kind)
                {
                    case FieldKind.Ref:
                        if ((body[site.Name] as JsonObject)?["id"]?.GetValue<string>() == id)
                        {
                            body[site.Name] = null;
                            if (target.Path == QrsEntityTypes.User && holderType.Schema.Field("deletedUserId") != null)
                            {
                                // Like a deallocation: used in the last seven days, the access stays in quarantine
                                // until seven days after that use, naming the deleted user; otherwise it is released.
                                bool inQuarantine = body["quarantined"] is JsonValue qv && qv.TryGetValue(out bool q) && q;
                                var lastUsed = body["lastUsed"] is JsonValue lv && lv.TryGetValue(out string? ls) && QrsDate.TryParse(ls, out var lu) ? lu : QrsDate.Never;
                                if (!inQuarantine && (lastUsed == QrsDate.Never || Now - lastUsed >= SeedData.QuarantinePeriod))
                                {
                                    release = true;
                                    return false;
                                }

                                body["deletedUserDirectory"] = gone.GetProperty("userDirectory").GetString();
                                body["deletedUserId"] = gone.GetProperty("userId").GetString();
                                if (!inQuarantine)
                                {
                                    body["quarantined"] = true;
                                    body["quarantineEnd"] = QrsDate.Format(lastUsed + SeedData.QuarantinePeriod);
                                }
                            }
                        }

                        break;
                    case FieldKind.RefArray:
                    case FieldKind.ObjectArray:
                        if (body[site.Name] is JsonArray list)
                        {
                            var keep = new JsonArray();
                            foreach (var item in list)
                            {
                                var refId = site.Kind == FieldKind.RefArray
                                    ? (item as JsonObject)?["id"]?.GetValue<string>()
                                    : NestedRefId(item as JsonObject, site, target.Path);
                                if (refId == id)
                                {
                                    contentChanged = true;
                                }
                                else
                                {
                                    keep.Add(item?.DeepClone());
                                }
                            }

                            body[site.Name] = keep;
                        }

                        break;
                }
            }

            return contentChanged;
        }

        private static string? NestedRefId(JsonObject? item, FieldSpec site, string targetPath)
        {
            foreach (var n in site.Nested!.Fields)
            {
                if (n.Kind == FieldKind.Ref && n.RefType == targetPath)
                {
                    return (item?[n.Name] as JsonObject)?["id"]?.GetValue<string>();
                }
            }

            return null;
        }

        private static bool References(JsonElement holder, FieldSpec site, string targetPath, byte[] idUtf8)
        {
            if (!holder.TryGetProperty(site.Name, out var v))
            {
                return false;
            }

            switch (site.Kind)
            {
                case FieldKind.Ref:
                    return IdIs(v, idUtf8);
                case FieldKind.RefArray:
                    return v.ValueKind == JsonValueKind.Array && v.EnumerateArray().Any(i => IdIs(i, idUtf8));
                default:
                    var nestedRef = site.Nested!.Fields.First(n => n.Kind == FieldKind.Ref && n.RefType == targetPath).Name;
                    if (v.ValueKind == JsonValueKind.Array)
                    {
                        return v.EnumerateArray().Any(i => i.ValueKind == JsonValueKind.Object && i.TryGetProperty(nestedRef, out var r) && IdIs(r, idUtf8));
                    }

                    return v.ValueKind == JsonValueKind.Object && v.TryGetProperty(nestedRef, out var one) && IdIs(one, idUtf8);
            }
        }

        private static bool IdIs(JsonElement reference, byte[] idUtf8) =>
            reference.ValueKind == JsonValueKind.Object && reference.TryGetProperty("id", out var id) && id.ValueEquals(idUtf8);

        private static string CondensedText(EntityType type, JsonElement entity)
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var w = new Utf8JsonWriter(buffer, EntityComposer.WriterOptions))
            {
                EntityComposer.WriteCondensed(w, type, entity);
            }

            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }

        private static JsonObject Copy(JsonElement e) => (JsonObject)JsonNode.Parse(e.GetRawText())!;
    }
}
