using System;
using Microsoft.Data.Sqlite;

namespace QlikActivity.Core.Journal
{
    /// <summary>
    /// The journal's tables. Everything repeated is stored once and referenced by an integer id
    /// (hosts, users, apps, user agents, texts, and the "shape" of an event: message type,
    /// command, origin, sender, tags); times are integer milliseconds since 1970 UTC. Contexts and
    /// messages are kept as templates with the app id, user agent and user name cut out
    /// (<see cref="JournalText"/>), so an event row is a handful of small integers.
    /// Sessions and the apps opened in them are kept up to date by the writer as events arrive,
    /// so session and app queries read thousands of rows, not millions of events.
    /// </summary>
    internal static class JournalSchema
    {
        public const int Version = 1;

        public const string Create = @"
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS hosts (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, directory TEXT NOT NULL, user_id TEXT NOT NULL, last INTEGER, UNIQUE (directory, user_id));
CREATE TABLE IF NOT EXISTS apps (id INTEGER PRIMARY KEY, guid TEXT NOT NULL UNIQUE, name TEXT);
CREATE TABLE IF NOT EXISTS agents (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE, browser TEXT, browser_major TEXT, os TEXT, os_version TEXT);
CREATE TABLE IF NOT EXISTS texts (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS shapes (id INTEGER PRIMARY KEY, message_type INTEGER NOT NULL, command INTEGER NOT NULL, origin INTEGER NOT NULL, source INTEGER NOT NULL, tags INTEGER NOT NULL,
    UNIQUE (message_type, command, origin, source, tags));
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    t INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    host INTEGER NOT NULL,
    user INTEGER NOT NULL,
    app INTEGER,
    agent INTEGER,
    shape INTEGER NOT NULL,
    context INTEGER NOT NULL,
    message INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS events_t ON events (t);
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY,
    host INTEGER NOT NULL,
    user INTEGER NOT NULL,
    start INTEGER NOT NULL,
    stop INTEGER,
    last INTEGER NOT NULL,
    agent INTEGER,
    started INTEGER NOT NULL,
    events INTEGER NOT NULL,
    replaced INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_start ON sessions (start);
CREATE INDEX IF NOT EXISTS sessions_last ON sessions (last);
CREATE TABLE IF NOT EXISTS session_apps (
    session INTEGER NOT NULL,
    app INTEGER NOT NULL,
    user INTEGER NOT NULL,
    first INTEGER NOT NULL,
    last INTEGER NOT NULL,
    opens INTEGER NOT NULL,
    PRIMARY KEY (session, app)) WITHOUT ROWID;
-- Covers app activity (last opened, distinct users, sessions, opens per app) without touching the table;
-- it replaces session_apps_app (app, user, last), which made that query look up every row for opens.
DROP INDEX IF EXISTS session_apps_app;
CREATE INDEX IF NOT EXISTS session_apps_by_app ON session_apps (app, user, last, opens);
CREATE TABLE IF NOT EXISTS positions (destination TEXT PRIMARY KEY, event_id INTEGER NOT NULL, updated INTEGER NOT NULL) WITHOUT ROWID;
";

        private static readonly DateTime Epoch = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        public static long ToMilliseconds(DateTime utc)
        {
            if (utc.Kind == DateTimeKind.Local)
            {
                utc = utc.ToUniversalTime();
            }

            return (utc.Ticks - Epoch.Ticks) / TimeSpan.TicksPerMillisecond;
        }

        public static DateTime FromMilliseconds(long ms) => new DateTime(Epoch.Ticks + ms * TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);

        public static SqliteCommand Command(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            command.Transaction = transaction;
            return command;
        }

        public static void Execute(SqliteConnection connection, string sql)
        {
            using var command = Command(connection, sql);
            command.ExecuteNonQuery();
        }

        public static object? Scalar(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
        {
            using var command = Command(connection, sql, transaction);
            return command.ExecuteScalar();
        }

        /// <summary>A SQLite failure in the admin's words, with the file's name.</summary>
        public static (JournalFaultKind Kind, string Reason) Describe(Exception exception, string path)
        {
            if (exception is SqliteException sqlite)
            {
                switch (sqlite.SqliteErrorCode)
                {
                    case 13: // SQLITE_FULL
                        return (JournalFaultKind.DiskFull, $"the disk holding '{path}' is full");
                    case 5: // SQLITE_BUSY
                    case 6: // SQLITE_LOCKED
                        return (JournalFaultKind.Locked, $"'{path}' is locked by another program");
                    case 11: // SQLITE_CORRUPT
                    case 26: // SQLITE_NOTADB
                        return (JournalFaultKind.Corrupt, $"'{path}' is damaged or is not a QlikActivity journal");
                    case 8: // SQLITE_READONLY
                    case 23: // SQLITE_AUTH
                    case 14: // SQLITE_CANTOPEN
                        return (JournalFaultKind.IOError, $"'{path}' cannot be written (permissions, read-only file or missing folder)");
                    default:
                        return (JournalFaultKind.IOError, $"'{path}' could not be written ({sqlite.Message.Trim()})");
                }
            }

            return (JournalFaultKind.IOError, $"'{path}' could not be written ({exception.Message})");
        }
    }
}
