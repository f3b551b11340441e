using System;
using System.Diagnostics;
using System.IO;
using Microsoft.Data.Sqlite;

namespace QlikActivity.Core.Journal
{
    // Opening: the writer lock, the connection, the schema and what the file already holds.
    public sealed partial class EventJournal
    {
        // An exclusive lock on <c>&lt;journal&gt;.lock</c>, held while the writer lives: a second writer, in this process or another, is refused.</summary>
        private static FileStream TakeWriterLock(string path)
        {
            string lockPath = path + ".lock";
            try
            {
                var stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                return stream;
            }
            catch (IOException ex)
            {
                string holder = ReadWriterInfo(path);
                throw new JournalException(
                    $"The journal '{path}' is already open for writing{holder}. Only one listener can write a journal: stop the other one, or give this one another journal path. Queries can read the journal meanwhile.",
                    JournalErrorIds.InUse, OperationErrorCategory.ResourceUnavailable, ex);
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new JournalException($"The journal's lock file '{lockPath}' cannot be created: {ex.Message}", JournalErrorIds.NotOpened, OperationErrorCategory.PermissionDenied, ex);
            }
        }

        private static string ReadWriterInfo(string path)
        {
            try
            {
                using var reader = JournalReader.Open(path);
                string? info = reader.Meta("writer");
                return info == null ? "" : " by " + info;
            }
            catch (Exception)
            {
                return "";
            }
        }

        internal static SqliteConnection OpenConnection(string path, TimeSpan busyTimeout)
        {
            var builder = new SqliteConnectionStringBuilder
            {
                DataSource = path,
                Mode = SqliteOpenMode.ReadWriteCreate,
                Pooling = false,
                DefaultTimeout = Math.Max(1, (int)Math.Ceiling(busyTimeout.TotalSeconds)),
            };
            var connection = new SqliteConnection(builder.ToString());
            connection.Open();
            return connection;
        }

        private void Initialize()
        {
            var connection = _connection!;
            // Damage and foreign files show here, before anything is written.
            long tables = (long)JournalSchema.Scalar(connection, "SELECT count(*) FROM sqlite_master")!;
            bool isNew = tables == 0;
            if (!isNew)
            {
                bool hasMeta = (long)JournalSchema.Scalar(connection, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'")! == 1;
                string? format = hasMeta ? JournalSchema.Scalar(connection, "SELECT value FROM meta WHERE key = 'format'") as string : null;
                if (format != "QlikActivity.Journal")
                {
                    throw new JournalException($"'{Path}' is a SQLite database but not a QlikActivity journal; give the journal another path.", JournalErrorIds.NotAJournal, OperationErrorCategory.InvalidData);
                }
            }

            if (isNew)
            {
                // Must precede the first table: lets retention hand freed pages back to the file system.
                JournalSchema.Execute(connection, "PRAGMA auto_vacuum = INCREMENTAL");
            }

            JournalSchema.Execute(connection, "PRAGMA journal_mode = WAL");
            JournalSchema.Execute(connection, "PRAGMA synchronous = NORMAL");
            JournalSchema.Execute(connection, $"PRAGMA busy_timeout = {(long)_options.BusyTimeout.TotalMilliseconds}");
            JournalSchema.Execute(connection, JournalSchema.Create);
            using (var tx = connection.BeginTransaction())
            {
                using var meta = JournalSchema.Command(connection, "INSERT INTO meta (key, value) VALUES ($k, $v) ON CONFLICT (key) DO UPDATE SET value = excluded.value", tx);
                meta.Parameters.AddWithValue("$k", "format");
                meta.Parameters.AddWithValue("$v", "QlikActivity.Journal");
                meta.ExecuteNonQuery();
                meta.Parameters["$k"].Value = "schema";
                meta.Parameters["$v"].Value = JournalSchema.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
                meta.ExecuteNonQuery();
                meta.Parameters["$k"].Value = "writer";
                meta.Parameters["$v"].Value = $"process {Process.GetCurrentProcess().Id} on {Environment.MachineName} since {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss}Z";
                meta.ExecuteNonQuery();
                tx.Commit();
            }

            // Ids never go back, even when retention emptied the table.
            long maxEvent = JournalSchema.Scalar(connection, "SELECT max(id) FROM events") as long? ?? 0;
            long savedLast = long.TryParse(JournalSchema.Scalar(connection, "SELECT value FROM meta WHERE key = 'last_id'") as string, out long v) ? v : 0;
            long maxPosition = JournalSchema.Scalar(connection, "SELECT max(event_id) FROM positions") as long? ?? 0;
            _lastId = Math.Max(maxEvent, Math.Max(savedLast, maxPosition));
            _committedId = maxEvent;
            _handledId = _lastId;
            _newestT = JournalSchema.Scalar(connection, "SELECT max(t) FROM events") as long? ?? 0;

            using (var command = JournalSchema.Command(connection, "SELECT destination, event_id FROM positions"))
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    _positions[reader.GetString(0)] = reader.GetInt64(1);
                }
            }

            _sessions.Load(connection);
            _statements = new JournalStatements(connection);
            _pruneRequested = 1;
        }
    }
}
