using System;
using System.Collections.Generic;
using Microsoft.Data.Sqlite;

namespace QlikActivity.Core.Journal
{
    /// <summary>
    /// The writer's view of open sessions, per proxy host and user: a <c>Start session</c> opens
    /// one (its id is that event's id), a <c>Stop session</c> ends it, and a gap longer than the
    /// session timeout ends it too. An event of a user with no open session (the journal started
    /// mid-session, or the start was lost) opens one marked as not started. What changed in a
    /// batch is written with the batch, so queries read sessions instead of rebuilding them.
    /// </summary>
    internal sealed class SessionTracker
    {
        private readonly long _timeoutMs;
        private readonly Dictionary<(long Host, long User), OpenSession> _open = new Dictionary<(long, long), OpenSession>();
        private readonly Dictionary<long, OpenSession> _dirty = new Dictionary<long, OpenSession>();
        private readonly Dictionary<(long Session, long App), AppOpen> _apps = new Dictionary<(long, long), AppOpen>();
        private readonly Dictionary<long, long> _userLast = new Dictionary<long, long>();

        public SessionTracker(TimeSpan timeout)
        {
            _timeoutMs = (long)timeout.TotalMilliseconds;
        }

        public int OpenCount => _open.Count;

        /// <summary>Assigns the event to a session and returns the session's id (null for a stop or close with no open session).</summary>
        public long? Track(long eventId, long t, UserEventType kind, long host, long user, long? app, long? agent)
        {
            _userLast[user] = _userLast.TryGetValue(user, out long last) ? Math.Max(last, t) : t;
            var key = (host, user);
            _open.TryGetValue(key, out OpenSession? session);
            if (session != null && t - session.Last > _timeoutMs)
            {
                _open.Remove(key);
                session = null;
            }

            if (kind == UserEventType.SessionStart)
            {
                if (session != null)
                {
                    // A start while a session is open: the older one is over, though no stop came.
                    session.Replaced = true;
                    _dirty[session.Id] = session;
                }

                session = new OpenSession { Id = eventId, Host = host, User = user, Start = t, Last = t, Started = true };
                _open[key] = session;
            }
            else if (session == null)
            {
                if (kind == UserEventType.SessionStop || kind == UserEventType.ConnectionClose)
                {
                    return null;
                }

                session = new OpenSession { Id = eventId, Host = host, User = user, Start = t, Last = t, Started = false };
                _open[key] = session;
            }

            session.Last = Math.Max(session.Last, t);
            session.Events++;
            session.Agent ??= agent;
            _dirty[session.Id] = session;

            if (app is long appId && (kind == UserEventType.SessionStart || kind == UserEventType.ConnectionOpen))
            {
                var appKey = (session.Id, appId);
                if (_apps.TryGetValue(appKey, out AppOpen? open))
                {
                    open.Last = Math.Max(open.Last, t);
                    open.Opens++;
                }
                else
                {
                    _apps[appKey] = new AppOpen { User = user, First = t, Last = t, Opens = 1 };
                }
            }

            if (kind == UserEventType.SessionStop)
            {
                session.Stop = t;
                _open.Remove(key);
            }

            return session.Id;
        }

        /// <summary>Writes the batch's session, app and user changes (inside its transaction).</summary>
        public void Write(SqliteCommand upsertSession, SqliteCommand upsertApp, SqliteCommand updateUser)
        {
            foreach (var s in _dirty.Values)
            {
                var p = upsertSession.Parameters;
                p["$id"].Value = s.Id;
                p["$host"].Value = s.Host;
                p["$user"].Value = s.User;
                p["$start"].Value = s.Start;
                p["$stop"].Value = s.Stop is long stop ? stop : DBNull.Value;
                p["$last"].Value = s.Last;
                p["$agent"].Value = s.Agent is long agent ? agent : DBNull.Value;
                p["$started"].Value = s.Started ? 1 : 0;
                p["$events"].Value = s.Events;
                p["$replaced"].Value = s.Replaced ? 1 : 0;
                upsertSession.ExecuteNonQuery();
            }

            foreach (var pair in _apps)
            {
                var p = upsertApp.Parameters;
                p["$session"].Value = pair.Key.Session;
                p["$app"].Value = pair.Key.App;
                p["$user"].Value = pair.Value.User;
                p["$first"].Value = pair.Value.First;
                p["$last"].Value = pair.Value.Last;
                p["$opens"].Value = pair.Value.Opens;
                upsertApp.ExecuteNonQuery();
            }

            foreach (var pair in _userLast)
            {
                updateUser.Parameters["$id"].Value = pair.Key;
                updateUser.Parameters["$t"].Value = pair.Value;
                updateUser.ExecuteNonQuery();
            }
        }

        /// <summary>After a commit: the batch's changes are in the file.</summary>
        public void Written()
        {
            _dirty.Clear();
            _apps.Clear();
            _userLast.Clear();
        }

        /// <summary>Forgets sessions idle longer than the timeout (their rows stay as they are).</summary>
        public void Sweep(long newestT)
        {
            var stale = new List<(long, long)>();
            foreach (var pair in _open)
            {
                if (newestT - pair.Value.Last > _timeoutMs)
                {
                    stale.Add(pair.Key);
                }
            }

            foreach (var key in stale)
            {
                _open.Remove(key);
            }
        }

        /// <summary>Starts over from the file: at open, and after a failed batch whose changes were rolled back.</summary>
        public void Load(SqliteConnection connection)
        {
            _open.Clear();
            Written();
            using var command = JournalSchema.Command(connection,
                "SELECT id, host, user, start, last, agent, started, events FROM sessions " +
                "WHERE stop IS NULL AND last >= (SELECT max(last) FROM sessions) - $timeout ORDER BY id");
            command.Parameters.AddWithValue("$timeout", _timeoutMs);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var s = new OpenSession
                {
                    Id = reader.GetInt64(0),
                    Host = reader.GetInt64(1),
                    User = reader.GetInt64(2),
                    Start = reader.GetInt64(3),
                    Last = reader.GetInt64(4),
                    Agent = reader.IsDBNull(5) ? null : reader.GetInt64(5),
                    Started = reader.GetInt64(6) != 0,
                    Events = reader.GetInt64(7),
                };
                _open[(s.Host, s.User)] = s;
            }
        }

        private sealed class OpenSession
        {
            public long Id;
            public long Host;
            public long User;
            public long Start;
            public long? Stop;
            public long Last;
            public long? Agent;
            public bool Started;
            public long Events;
            public bool Replaced;
        }

        private sealed class AppOpen
        {
            public long User;
            public long First;
            public long Last;
            public long Opens;
        }
    }
}
