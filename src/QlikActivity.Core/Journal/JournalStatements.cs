using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Data.Sqlite;

namespace QlikActivity.Core.Journal
{
    /// <summary>The writer's prepared statements, bound to one connection.</summary>
    internal sealed class JournalStatements : IDisposable
    {
        private static readonly string[] OneParameter = { "$a" };
        private static readonly string[] TwoParameters = { "$a", "$b" };
        private static readonly string[] FiveParameters = { "$a", "$b", "$c", "$d", "$e" };

        private readonly List<SqliteCommand> _all = new List<SqliteCommand>();

        public JournalStatements(SqliteConnection connection)
        {
            Hosts = new JournalLookup<string>(connection, "SELECT id FROM hosts WHERE name = $a", "INSERT INTO hosts (name) VALUES ($a)", OneParameter,
                (p, k) => p["$a"].Value = k, StringComparer.Ordinal);
            Users = new JournalLookup<(string, string)>(connection, "SELECT id FROM users WHERE directory = $a AND user_id = $b", "INSERT INTO users (directory, user_id) VALUES ($a, $b)", TwoParameters,
                (p, k) => { p["$a"].Value = k.Item1; p["$b"].Value = k.Item2; });
            Apps = new JournalLookup<string>(connection, "SELECT id FROM apps WHERE guid = $a", "INSERT INTO apps (guid) VALUES ($a)", OneParameter,
                (p, k) => p["$a"].Value = k, StringComparer.Ordinal);
            Agents = new JournalLookup<JournalAgent>(connection, "SELECT id FROM agents WHERE text = $a",
                "INSERT INTO agents (text, browser, browser_major, os, os_version) VALUES ($a, $b, $c, $d, $e)", FiveParameters,
                (p, e) =>
                {
                    p["$a"].Value = e.Text;
                    p["$b"].Value = (object?)e.Browser ?? DBNull.Value;
                    p["$c"].Value = (object?)e.BrowserMajor ?? DBNull.Value;
                    p["$d"].Value = (object?)e.Os ?? DBNull.Value;
                    p["$e"].Value = (object?)e.OsVersion ?? DBNull.Value;
                },
                new AgentComparer());
            Texts = new JournalLookup<string>(connection, "SELECT id FROM texts WHERE text = $a", "INSERT INTO texts (text) VALUES ($a)", OneParameter,
                (p, k) => p["$a"].Value = k, StringComparer.Ordinal);
            Shapes = new JournalLookup<(long, long, long, long, long)>(connection,
                "SELECT id FROM shapes WHERE message_type = $a AND command = $b AND origin = $c AND source = $d AND tags = $e",
                "INSERT INTO shapes (message_type, command, origin, source, tags) VALUES ($a, $b, $c, $d, $e)", FiveParameters,
                (p, k) => { p["$a"].Value = k.Item1; p["$b"].Value = k.Item2; p["$c"].Value = k.Item3; p["$d"].Value = k.Item4; p["$e"].Value = k.Item5; });
            foreach (var c in Hosts.Commands.Concat(Users.Commands).Concat(Apps.Commands).Concat(Agents.Commands).Concat(Texts.Commands).Concat(Shapes.Commands))
            {
                _all.Add(c);
            }

            InsertEvent = Add(connection,
                "INSERT INTO events (id, t, kind, host, user, app, agent, shape, context, message) VALUES ($id, $t, $kind, $host, $user, $app, $agent, $shape, $context, $message)",
                "$id", "$t", "$kind", "$host", "$user", "$app", "$agent", "$shape", "$context", "$message");
            SetAppName = Add(connection, "UPDATE apps SET name = $name WHERE id = $id", "$name", "$id");
            UpsertSession = Add(connection,
                "INSERT INTO sessions (id, host, user, start, stop, last, agent, started, events, replaced) VALUES ($id, $host, $user, $start, $stop, $last, $agent, $started, $events, $replaced) " +
                "ON CONFLICT (id) DO UPDATE SET stop = excluded.stop, last = excluded.last, agent = excluded.agent, events = excluded.events, replaced = excluded.replaced",
                "$id", "$host", "$user", "$start", "$stop", "$last", "$agent", "$started", "$events", "$replaced");
            UpsertSessionApp = Add(connection,
                "INSERT INTO session_apps (session, app, user, first, last, opens) VALUES ($session, $app, $user, $first, $last, $opens) " +
                "ON CONFLICT (session, app) DO UPDATE SET last = max(last, excluded.last), opens = opens + excluded.opens",
                "$session", "$app", "$user", "$first", "$last", "$opens");
            UpdateUserLast = Add(connection, "UPDATE users SET last = $t WHERE id = $id AND (last IS NULL OR last < $t)", "$t", "$id");
            UpsertPosition = Add(connection,
                "INSERT INTO positions (destination, event_id, updated) VALUES ($d, $id, $t) ON CONFLICT (destination) DO UPDATE SET event_id = max(event_id, excluded.event_id), updated = excluded.updated",
                "$d", "$id", "$t");
            SetLastId = Add(connection, "INSERT INTO meta (key, value) VALUES ('last_id', $v) ON CONFLICT (key) DO UPDATE SET value = excluded.value", "$v");

            using var names = JournalSchema.Command(connection, "SELECT id, name FROM apps WHERE name IS NOT NULL");
            using var reader = names.ExecuteReader();
            while (reader.Read())
            {
                AppNames[reader.GetInt64(0)] = reader.GetString(1);
            }
        }

        public JournalLookup<string> Hosts { get; }
        public JournalLookup<(string, string)> Users { get; }
        public JournalLookup<string> Apps { get; }
        public JournalLookup<JournalAgent> Agents { get; }
        public JournalLookup<string> Texts { get; }
        public JournalLookup<(long, long, long, long, long)> Shapes { get; }
        public Dictionary<long, string> AppNames { get; } = new Dictionary<long, string>();
        public SqliteCommand InsertEvent { get; }
        public SqliteCommand SetAppName { get; }
        public SqliteCommand UpsertSession { get; }
        public SqliteCommand UpsertSessionApp { get; }
        public SqliteCommand UpdateUserLast { get; }
        public SqliteCommand UpsertPosition { get; }
        public SqliteCommand SetLastId { get; }

        public void Use(SqliteTransaction tx)
        {
            foreach (var command in _all)
            {
                command.Transaction = tx;
            }
        }

        public void Dispose()
        {
            foreach (var command in _all)
            {
                command.Dispose();
            }
        }

        private SqliteCommand Add(SqliteConnection connection, string sql, params string[] parameters)
        {
            var command = JournalSchema.Command(connection, sql);
            foreach (var name in parameters)
            {
                command.Parameters.Add(new SqliteParameter(name, null));
            }

            _all.Add(command);
            return command;
        }

        // User agents are stored once per text; the parsed parts come from the same text.
        private sealed class AgentComparer : IEqualityComparer<JournalAgent>
        {
            public bool Equals(JournalAgent? x, JournalAgent? y) => string.Equals(x?.Text, y?.Text, StringComparison.Ordinal);

            public int GetHashCode(JournalAgent obj) => StringComparer.Ordinal.GetHashCode(obj.Text);
        }
    }
}
