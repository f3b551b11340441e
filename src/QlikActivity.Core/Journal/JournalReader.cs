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
    public sealed partial class JournalReader : IDisposable
    {
        private readonly SqliteConnection _connection;

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
                throw new JournalException("The journal path is empty.", JournalErrorIds.PathEmpty, OperationErrorCategory.InvalidArgument);
            }

            string full = System.IO.Path.GetFullPath(path);
            if (!File.Exists(full))
            {
                throw new JournalException($"There is no journal at '{full}'. Start-QlikEventListener -JournalPath creates one.", JournalErrorIds.NotFound, OperationErrorCategory.ObjectNotFound);
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
                    throw new JournalException($"'{full}' is not a QlikActivity journal.", JournalErrorIds.NotAJournal, OperationErrorCategory.InvalidData);
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
    }
}
