using System;
using System.Collections.Generic;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace QlikActivity.Core.Journal
{
    /// <summary>The values the journal stores once (hosts, users, apps, user agents, event shapes), cached per reader.</summary>
    public sealed partial class JournalReader
    {
        private readonly Dictionary<long, string> _hosts = new Dictionary<long, string>();
        private readonly Dictionary<long, (string Directory, string Id)> _users = new Dictionary<long, (string, string)>();
        private readonly Dictionary<long, (Guid Guid, string? Name)> _apps = new Dictionary<long, (Guid, string?)>();
        private readonly Dictionary<long, JournalAgent> _agents = new Dictionary<long, JournalAgent>();
        private readonly Dictionary<long, Shape> _shapes = new Dictionary<long, Shape>();

        // Stored-once values, read once per reader; a miss means the writer added it since, so read again.
        private string Host(long id)
        {
            if (!_hosts.TryGetValue(id, out var name))
            {
                Load("SELECT id, name FROM hosts", r => _hosts[r.GetInt64(0)] = r.GetString(1));
                name = _hosts.TryGetValue(id, out var again) ? again : "";
            }

            return name;
        }

        private (string Directory, string Id) User(long id)
        {
            if (!_users.TryGetValue(id, out var user))
            {
                Load("SELECT id, directory, user_id FROM users", r => _users[r.GetInt64(0)] = (r.GetString(1), r.GetString(2)));
                user = _users.TryGetValue(id, out var again) ? again : ("", "");
            }

            return user;
        }

        private (Guid Guid, string? Name) App(long id)
        {
            if (!_apps.TryGetValue(id, out var app))
            {
                Load("SELECT id, guid, name FROM apps", r => _apps[r.GetInt64(0)] = (Guid.Parse(r.GetString(1)), r.IsDBNull(2) ? null : r.GetString(2)));
                app = _apps.TryGetValue(id, out var again) ? again : (Guid.Empty, null);
            }

            return app;
        }

        private JournalAgent? AgentOf(long id)
        {
            if (!_agents.TryGetValue(id, out var agent))
            {
                Load("SELECT id, text, browser, browser_major, os, os_version FROM agents", r => _agents[r.GetInt64(0)] = new JournalAgent(
                    r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5)));
                agent = _agents.TryGetValue(id, out var again) ? again : null;
            }

            return agent;
        }

        private Shape ShapeOf(long id)
        {
            if (!_shapes.TryGetValue(id, out var shape))
            {
                Load("SELECT s.id, mt.text, c.text, o.text, so.text, tg.text FROM shapes s JOIN texts mt ON mt.id = s.message_type JOIN texts c ON c.id = s.command " +
                     "JOIN texts o ON o.id = s.origin JOIN texts so ON so.id = s.source JOIN texts tg ON tg.id = s.tags",
                    r => _shapes[r.GetInt64(0)] = new Shape(r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), ParseTags(r.GetString(5))));
                shape = _shapes.TryGetValue(id, out var again) ? again : new Shape("", "", "", "", EventTags.None);
            }

            return shape;
        }

        private static EventTags ParseTags(string text) =>
            text.Length == 0 ? EventTags.None : new EventTags(JsonSerializer.Deserialize<Dictionary<string, string>>(text) ?? new Dictionary<string, string>());

        private void Load(string sql, Action<SqliteDataReader> row)
        {
            using var command = JournalSchema.Command(_connection, sql);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                row(reader);
            }
        }

        private sealed class Shape
        {
            public Shape(string messageType, string command, string origin, string source, IReadOnlyDictionary<string, string> tags)
            {
                MessageType = messageType;
                Command = command;
                Origin = origin;
                Source = source;
                Tags = tags;
            }

            public string MessageType { get; }
            public string Command { get; }
            public string Origin { get; }
            public string Source { get; }
            public IReadOnlyDictionary<string, string> Tags { get; }
        }
    }
}
