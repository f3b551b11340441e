using System;
using System.IO;
using System.Threading;
using Microsoft.Data.Sqlite;

namespace QlikActivity.Core.Journal
{
    // Retention: events past the age limit or over the size cap, pruned a chunk at a time.
    public sealed partial class EventJournal
    {
        // Deletes one chunk of events past retention or over the size cap; true while more remain.</summary>
        private bool PruneChunk(DateTime now)
        {
            const int Chunk = 20_000;
            try
            {
                EnsureConnection();
                var connection = _connection!;
                long deleted = 0;
                bool more = false;
                using (var tx = connection.BeginTransaction())
                {
                    if (_options.RetentionDays > 0)
                    {
                        long cutoff = JournalSchema.ToMilliseconds(now.AddDays(-_options.RetentionDays));
                        deleted += Delete(connection, tx, "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE t < $cutoff ORDER BY t LIMIT $n)", cutoff, Chunk);
                        Delete(connection, tx, "DELETE FROM session_apps WHERE session IN (SELECT id FROM sessions WHERE last < $cutoff ORDER BY last LIMIT $n)", cutoff, Chunk);
                        more |= Delete(connection, tx, "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE last < $cutoff ORDER BY last LIMIT $n)", cutoff, Chunk) == Chunk;
                        more |= deleted == Chunk;
                    }

                    if (_options.MaxSizeBytes > 0 && !more && UsedBytes(connection, tx) > _options.MaxSizeBytes)
                    {
                        long count = JournalSchema.Scalar(connection, "SELECT count(*) FROM events", tx) is long c ? c : 0;
                        if (count > 0)
                        {
                            // The oldest tenth (at least one event) per turn, until the data fits.
                            int n = (int)Math.Max(1, Math.Min(Chunk, count / 10));
                            using var oldest = JournalSchema.Command(connection, "DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY id LIMIT $n)", tx);
                            oldest.Parameters.AddWithValue("$n", n);
                            deleted += oldest.ExecuteNonQuery();
                            long firstT = JournalSchema.Scalar(connection, "SELECT min(t) FROM events", tx) as long? ?? long.MaxValue;
                            Delete(connection, tx, "DELETE FROM session_apps WHERE session IN (SELECT id FROM sessions WHERE last < $cutoff ORDER BY last LIMIT $n)", firstT, Chunk);
                            Delete(connection, tx, "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE last < $cutoff ORDER BY last LIMIT $n)", firstT, Chunk);
                            more = true;
                        }
                    }

                    tx.Commit();
                }

                if (deleted > 0)
                {
                    Interlocked.Add(ref _pruned, deleted);
                    JournalSchema.Execute(connection, "PRAGMA incremental_vacuum");
                }

                if (!more && _options.MaxSizeBytes > 0)
                {
                    more = UsedBytes(connection, null) > _options.MaxSizeBytes
                        && (JournalSchema.Scalar(connection, "SELECT count(*) FROM events") as long? ?? 0) > 0;
                }

                return more;
            }
            catch (Exception ex) when (ex is SqliteException || ex is IOException || ex is InvalidOperationException)
            {
                var (kind, reason) = JournalSchema.Describe(ex, Path);
                Report(new JournalFault(DateTime.UtcNow, kind, $"The journal's retention could not prune: {reason}.", 0, ex));
                ResetAfterFailure();
                return false;
            }
        }

        private static long Delete(SqliteConnection connection, SqliteTransaction tx, string sql, long cutoff, int n)
        {
            using var command = JournalSchema.Command(connection, sql, tx);
            command.Parameters.AddWithValue("$cutoff", cutoff);
            command.Parameters.AddWithValue("$n", n);
            return command.ExecuteNonQuery();
        }

        // Bytes of pages in use: the file's size less free pages.</summary>
        internal static long UsedBytes(SqliteConnection connection, SqliteTransaction? tx)
        {
            using var command = JournalSchema.Command(connection,
                "SELECT (SELECT page_count FROM pragma_page_count()) - (SELECT freelist_count FROM pragma_freelist_count()), (SELECT page_size FROM pragma_page_size())", tx);
            using var reader = command.ExecuteReader();
            reader.Read();
            return reader.GetInt64(0) * reader.GetInt64(1);
        }
    }
}
