using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using QlikActivity.Core.Events;

namespace QlikActivity.Core.Journal
{
    /// <summary>
    /// A read-only view of a journal: events, sessions, app activity, each user's latest event,
    /// and replay after a destination's position. Reads while a listener writes (WAL); results
    /// are streamed, so enumerate them before disposing the reader. Not thread-safe: one reader per thread.
    /// </summary>
    public sealed class JournalReader : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly Dictionary<long, string> _hosts = new Dictionary<long, string>();
        private readonly Dictionary<long, (string Directory, string Id)> _users = new Dictionary<long, (string, string)>();
        private readonly Dictionary<long, (Guid Guid, string? Name)> _apps = new Dictionary<long, (Guid, string?)>();
        private readonly Dictionary<long, JournalAgent> _agents = new Dictionary<long, JournalAgent>();
        private readonly Dictionary<long, Shape> _shapes = new Dictionary<long, Shape>();

        private JournalReader(string path, SqliteConnection connection)
        {
            Path = path;
            _connection = connection;
        }

        public string Path { get; }

        /// <summary>Opens a journal for reading; throws <see cref="JournalException"/> when there is none or it is not a journal.</summary>
        public static JournalReader Open(string path)
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                throw new JournalException("The journal path is empty.", "JournalPathEmpty", OperationErrorCategory.InvalidArgument);
            }

            string full = System.IO.Path.GetFullPath(path);
            if (!File.Exists(full))
            {
                throw new JournalException($"There is no journal at '{full}'. Start-QlikEventListener -JournalPath creates one.", "JournalNotFound", OperationErrorCategory.ObjectNotFound);
            }

            SqliteConnection? connection = null;
            try
            {
                // Read-write without create, but query-only: a read-only handle cannot always open a
                // WAL file whose -shm is missing; query_only still refuses every write.
                connection = new SqliteConnection(new SqliteConnectionStringBuilder
                {
                    DataSource = full,
                    Mode = SqliteOpenMode.ReadWrite,
                    Pooling = false,
                    DefaultTimeout = 5,
                }.ToString());
                try
                {
                    connection.Open();
                }
                catch (SqliteException)
                {
                    connection.Dispose();
                    connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
                    connection.Open();
                }

                JournalSchema.Execute(connection, "PRAGMA query_only = 1");
                JournalSchema.Execute(connection, "PRAGMA busy_timeout = 5000");
                bool hasMeta = (long)JournalSchema.Scalar(connection, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'")! == 1;
                string? format = hasMeta ? JournalSchema.Scalar(connection, "SELECT value FROM meta WHERE key = 'format'") as string : null;
                if (format != "QlikActivity.Journal")
                {
                    throw new JournalException($"'{full}' is not a QlikActivity journal.", "NotAJournal", OperationErrorCategory.InvalidData);
                }

                return new JournalReader(full, connection);
            }
            catch (SqliteException ex)
            {
                connection?.Dispose();
                var (kind, reason) = JournalSchema.Describe(ex, full);
                throw new JournalException($"The journal cannot be read: {reason}.", "JournalNotReadable",
                    kind == JournalFaultKind.Corrupt ? OperationErrorCategory.InvalidData : OperationErrorCategory.ReadError, ex);
            }
            catch
            {
                connection?.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            _connection.Dispose();
        }

        internal string? Meta(string key)
        {
            using var command = JournalSchema.Command(_connection, "SELECT value FROM meta WHERE key = $k");
            command.Parameters.AddWithValue("$k", key);
            return command.ExecuteScalar() as string;
        }

        /// <summary>The oldest event's receive time; null for an empty journal.</summary>
        public DateTime? FirstEventAt => JournalSchema.Scalar(_connection, "SELECT min(t) FROM events") is long t ? JournalSchema.FromMilliseconds(t) : (DateTime?)null;

        /// <summary>The newest event's receive time; null for an empty journal.</summary>
        public DateTime? LastEventAt => JournalSchema.Scalar(_connection, "SELECT max(t) FROM events") is long t ? JournalSchema.FromMilliseconds(t) : (DateTime?)null;

        /// <summary>The newest event id; 0 for an empty journal.</summary>
        public long LastEventId => JournalSchema.Scalar(_connection, "SELECT max(id) FROM events") as long? ?? 0;

        /// <summary>A destination's delivered position as saved in the file; 0 when it has none.</summary>
        public long GetPosition(string destination)
        {
            using var command = JournalSchema.Command(_connection, "SELECT event_id FROM positions WHERE destination = $d");
            command.Parameters.AddWithValue("$d", destination);
            return command.ExecuteScalar() as long? ?? 0;
        }

        /// <summary>Every destination's saved position.</summary>
        public IReadOnlyDictionary<string, long> Positions
        {
            get
            {
                var result = new Dictionary<string, long>(StringComparer.Ordinal);
                using var command = JournalSchema.Command(_connection, "SELECT destination, event_id FROM positions");
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    result[reader.GetString(0)] = reader.GetInt64(1);
                }

                return result;
            }
        }

        /// <summary>Events after a position (exclusive), in journal order, at most <paramref name="max"/>: what a destination replays.</summary>
        public IEnumerable<JournaledEvent> ReadAfter(long position, int max = int.MaxValue)
        {
            var command = JournalSchema.Command(_connection, EventColumns + " WHERE e.id > $p ORDER BY e.id LIMIT $n");
            command.Parameters.AddWithValue("$p", position);
            command.Parameters.AddWithValue("$n", max);
            return ReadEventRows(command);
        }

        /// <summary>Events matching the query, oldest first (streamed).</summary>
        public IEnumerable<JournaledEvent> ReadEvents(UserEventQuery query)
        {
            if (query == null)
            {
                throw new ArgumentNullException(nameof(query));
            }

            var where = new List<string>();
            var command = JournalSchema.Command(_connection, "");
            if (query.Since is DateTime since)
            {
                where.Add("e.t >= $since");
                command.Parameters.AddWithValue("$since", JournalSchema.ToMilliseconds(since));
            }

            if (query.Until is DateTime until)
            {
                where.Add("e.t < $until");
                command.Parameters.AddWithValue("$until", JournalSchema.ToMilliseconds(until));
            }

            if (query.EventTypes is { Count: > 0 } types)
            {
                where.Add("e.kind IN (" + string.Join(",", types.Distinct().Select(t => ((int)t).ToString(CultureInfo.InvariantCulture))) + ")");
            }

            var users = MatchingUsers(query.UserDirectory, query.UserId);
            if (users != null)
            {
                if (users.Count == 0)
                {
                    command.Dispose();
                    return Array.Empty<JournaledEvent>();
                }

                where.Add("e.user IN (" + IdList(users) + ")");
            }

            if (query.AppIds is { Count: > 0 } appIds)
            {
                var ids = AppIds(appIds);
                if (ids.Count == 0)
                {
                    command.Dispose();
                    return Array.Empty<JournaledEvent>();
                }

                where.Add("e.app IN (" + IdList(ids) + ")");
            }

            string filter = where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where);
            if (query.Last is int last)
            {
                if (last <= 0)
                {
                    command.Dispose();
                    return Array.Empty<JournaledEvent>();
                }

                command.CommandText = EventColumns + filter + " ORDER BY e.t DESC, e.id DESC LIMIT $last";
                command.Parameters.AddWithValue("$last", last);
                return ReadEventRows(command).Reverse();
            }

            command.CommandText = EventColumns + filter + " ORDER BY e.t, e.id";
            return ReadEventRows(command);
        }

        /// <summary>Sessions matching the query, by start time (streamed).</summary>
        public IEnumerable<UserSession> ReadSessions(UserSessionQuery query)
        {
            if (query == null)
            {
                throw new ArgumentNullException(nameof(query));
            }

            DateTime at = query.At ?? DateTime.UtcNow;
            long atMs = JournalSchema.ToMilliseconds(at);
            long timeoutMs = (long)query.SessionTimeout.TotalMilliseconds;
            var where = new List<string>();
            var command = JournalSchema.Command(_connection, "");
            if (query.Since is DateTime since)
            {
                where.Add("s.start >= $since");
                command.Parameters.AddWithValue("$since", JournalSchema.ToMilliseconds(since));
            }

            if (query.Until is DateTime until)
            {
                where.Add("s.start < $until");
                command.Parameters.AddWithValue("$until", JournalSchema.ToMilliseconds(until));
            }

            if (query.Active)
            {
                // sessions_last: only the sessions touched within the timeout are read.
                where.Add("s.last >= $activeFrom AND s.last <= $at AND s.stop IS NULL AND s.replaced = 0");
                command.Parameters.AddWithValue("$activeFrom", atMs - timeoutMs);
                command.Parameters.AddWithValue("$at", atMs);
            }

            var users = MatchingUsers(query.UserDirectory, query.UserId);
            if (users != null)
            {
                if (users.Count == 0)
                {
                    command.Dispose();
                    return Array.Empty<UserSession>();
                }

                where.Add("s.user IN (" + IdList(users) + ")");
            }

            command.CommandText =
                "SELECT s.id, s.host, s.user, s.start, s.stop, s.last, s.agent, s.started, s.events, s.replaced, " +
                "(SELECT group_concat(app) FROM (SELECT app FROM session_apps WHERE session = s.id ORDER BY first, app)) " +
                "FROM sessions s" + (where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where)) + " ORDER BY s.start, s.id";
            var sessions = ReadSessionRows(command, atMs, timeoutMs);
            return query.Active ? LatestPerHostAndUser(sessions) : sessions;
        }

        /// <summary>Every app seen in the journal, least recently opened first (never opened first of all).</summary>
        public IEnumerable<AppActivity> ReadAppActivity()
        {
            DateTime? startsAt = FirstEventAt;
            using var command = JournalSchema.Command(_connection,
                "SELECT a.guid, a.name, x.last, x.users, x.sessions, x.opens FROM apps a LEFT JOIN " +
                "(SELECT app, max(last) AS last, count(DISTINCT user) AS users, count(*) AS sessions, sum(opens) AS opens FROM session_apps GROUP BY app) x " +
                "ON x.app = a.id ORDER BY x.last, a.guid");
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                yield return new AppActivity
                {
                    AppId = Guid.Parse(reader.GetString(0)),
                    AppName = reader.IsDBNull(1) ? null : reader.GetString(1),
                    LastOpened = reader.IsDBNull(2) ? null : JournalSchema.FromMilliseconds(reader.GetInt64(2)),
                    DistinctUsers = reader.IsDBNull(3) ? 0 : (int)reader.GetInt64(3),
                    Sessions = reader.IsDBNull(4) ? 0 : reader.GetInt64(4),
                    Opens = reader.IsDBNull(5) ? 0 : reader.GetInt64(5),
                    JournalStartsAt = startsAt,
                };
            }
        }

        /// <summary>Each user's newest event time (kept even after retention pruned the event itself).</summary>
        public IEnumerable<UserLatestEvent> ReadLatestEventPerUser()
        {
            using var command = JournalSchema.Command(_connection, "SELECT directory, user_id, last FROM users WHERE last IS NOT NULL ORDER BY directory, user_id");
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                yield return new UserLatestEvent(reader.GetString(0), reader.GetString(1), JournalSchema.FromMilliseconds(reader.GetInt64(2)));
            }
        }

        private const string EventColumns =
            "SELECT e.id, e.t, e.kind, e.host, e.user, e.app, e.agent, e.shape, c.text, m.text FROM events e " +
            "JOIN texts c ON c.id = e.context JOIN texts m ON m.id = e.message";

        private IEnumerable<JournaledEvent> ReadEventRows(SqliteCommand command)
        {
            using (command)
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    long id = reader.GetInt64(0);
                    var (directory, userId) = User(reader.GetInt64(4));
                    Guid? appId = null;
                    string? appName = null;
                    if (!reader.IsDBNull(5))
                    {
                        (appId, appName) = App(reader.GetInt64(5));
                    }

                    JournalAgent? agent = reader.IsDBNull(6) ? null : AgentOf(reader.GetInt64(6));
                    Shape shape = ShapeOf(reader.GetInt64(7));
                    var e = new UserEvent
                    {
                        ReceivedAt = JournalSchema.FromMilliseconds(reader.GetInt64(1)),
                        Source = shape.Source,
                        MessageType = shape.MessageType,
                        Host = Host(reader.GetInt64(3)),
                        EventType = (UserEventType)reader.GetInt64(2),
                        Command = shape.Command,
                        UserDirectory = directory,
                        UserId = userId,
                        Origin = shape.Origin,
                        AppId = appId,
                        AppName = appName,
                        UserAgent = agent?.Text,
                        BrowserName = agent?.Browser,
                        BrowserMajorVersion = agent?.BrowserMajor,
                        OsName = agent?.Os,
                        OsVersion = agent?.OsVersion,
                        Tags = shape.Tags,
                        Context = JournalText.Context(reader.GetString(8), appId),
                    };
                    e.Message = JournalText.Message(reader.GetString(9), e.UserAgent, directory, userId);
                    yield return new JournaledEvent(id, e);
                }
            }
        }

        private IEnumerable<UserSession> ReadSessionRows(SqliteCommand command, long atMs, long timeoutMs)
        {
            using (command)
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    var (directory, userId) = User(reader.GetInt64(2));
                    long start = reader.GetInt64(3);
                    long? stop = reader.IsDBNull(4) ? null : reader.GetInt64(4);
                    long last = reader.GetInt64(5);
                    JournalAgent? agent = reader.IsDBNull(6) ? null : AgentOf(reader.GetInt64(6));
                    UserSessionState state = stop != null ? UserSessionState.Stopped
                        : (reader.GetInt64(9) == 0 && atMs - last <= timeoutMs && last <= atMs) ? UserSessionState.Active
                        : UserSessionState.TimedOut;
                    long end = state switch
                    {
                        UserSessionState.Stopped => stop!.Value,
                        UserSessionState.Active => Math.Max(atMs, last),
                        _ => last,
                    };
                    var apps = new List<SessionApp>();
                    if (!reader.IsDBNull(10))
                    {
                        foreach (var part in reader.GetString(10).Split(','))
                        {
                            var (guid, name) = App(long.Parse(part, CultureInfo.InvariantCulture));
                            apps.Add(new SessionApp(guid, name));
                        }
                    }

                    yield return new UserSession
                    {
                        StartEventId = reader.GetInt64(0),
                        ProxyHost = Host(reader.GetInt64(1)),
                        UserDirectory = directory,
                        UserId = userId,
                        Start = JournalSchema.FromMilliseconds(start),
                        Stop = stop is long s ? JournalSchema.FromMilliseconds(s) : null,
                        LastEvent = JournalSchema.FromMilliseconds(last),
                        Duration = TimeSpan.FromMilliseconds(Math.Max(0, end - start)),
                        State = state,
                        StartSeen = reader.GetInt64(7) != 0,
                        EventCount = reader.GetInt64(8),
                        Apps = apps,
                        UserAgent = agent?.Text,
                        BrowserName = agent?.Browser,
                        BrowserMajorVersion = agent?.BrowserMajor,
                        OsName = agent?.Os,
                        OsVersion = agent?.OsVersion,
                    };
                }
            }
        }

        // A start that replaced an open session leaves the older one without a stop: only the newest is online.
        private static IEnumerable<UserSession> LatestPerHostAndUser(IEnumerable<UserSession> sessions)
        {
            var latest = new Dictionary<(string, string, string), UserSession>();
            foreach (var s in sessions)
            {
                var key = (s.ProxyHost, s.UserDirectory, s.UserId);
                if (!latest.TryGetValue(key, out var known) || s.Start >= known.Start)
                {
                    latest[key] = s;
                }
            }

            return latest.Values.OrderBy(s => s.Start).ThenBy(s => s.StartEventId);
        }

        /// <summary>User ids matching the patterns; null when no user filter was given.</summary>
        private List<long>? MatchingUsers(string? directoryPattern, string? userPattern)
        {
            bool byDirectory = !string.IsNullOrEmpty(directoryPattern) && directoryPattern != "*";
            bool byUser = !string.IsNullOrEmpty(userPattern) && userPattern != "*";
            if (!byDirectory && !byUser)
            {
                return null;
            }

            UserPattern? directory = byDirectory ? UserPattern.Parse(directoryPattern!) : null;
            UserPattern? user = byUser ? UserPattern.Parse(userPattern!) : null;
            var result = new List<long>();
            using var command = JournalSchema.Command(_connection, "SELECT id, directory, user_id FROM users");
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if ((directory == null || directory.IsMatch(reader.GetString(1))) && (user == null || user.IsMatch(reader.GetString(2))))
                {
                    result.Add(reader.GetInt64(0));
                }
            }

            return result;
        }

        private List<long> AppIds(IEnumerable<Guid> guids)
        {
            var result = new List<long>();
            using var command = JournalSchema.Command(_connection, "SELECT id FROM apps WHERE guid = $g");
            var parameter = command.Parameters.Add(new SqliteParameter("$g", null));
            foreach (var guid in guids.Distinct())
            {
                parameter.Value = guid.ToString("D");
                if (command.ExecuteScalar() is long id)
                {
                    result.Add(id);
                }
            }

            return result;
        }

        private static string IdList(List<long> ids)
        {
            var text = new StringBuilder(ids.Count * 6);
            for (int i = 0; i < ids.Count; i++)
            {
                if (i > 0)
                {
                    text.Append(',');
                }

                text.Append(ids[i].ToString(CultureInfo.InvariantCulture));
            }

            return text.ToString();
        }

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
                shape = _shapes.TryGetValue(id, out var again) ? again : new Shape("", "", "", "", new Dictionary<string, string>());
            }

            return shape;
        }

        private static IReadOnlyDictionary<string, string> ParseTags(string text) =>
            text.Length == 0 ? new Dictionary<string, string>() : JsonSerializer.Deserialize<Dictionary<string, string>>(text) ?? new Dictionary<string, string>();

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
