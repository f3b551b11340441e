using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.Data.Sqlite;

namespace QlikActivity.Core.Journal
{
    /// <summary>Sessions, app activity and each user's latest event: read from the tables the writer keeps up to date.</summary>
    public sealed partial class JournalReader
    {
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

        /// <summary>Every user the journal knows (directory, user id), ordered; for tab completion.</summary>
        public IReadOnlyList<(string UserDirectory, string UserId)> ReadUsers()
        {
            var result = new List<(string, string)>();
            using var command = JournalSchema.Command(_connection, "SELECT directory, user_id FROM users ORDER BY directory, user_id");
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                result.Add((reader.GetString(0), reader.GetString(1)));
            }

            return result;
        }
    }
}
