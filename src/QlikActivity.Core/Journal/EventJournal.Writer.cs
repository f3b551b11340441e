using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;

namespace QlikActivity.Core.Journal
{
    // The writer thread: batches from the queue, one transaction each, housekeeping between them, faults counted and reported.
    public sealed partial class EventJournal
    {
        private void WriterLoop()
        {
            Events.ListenerThreadPriority.RaiseCurrent(Events.ListenerThreadPriority.JournalWriterNice);
            var batch = new List<Pending>(Math.Min(_options.MaxBatchSize, 4096));
            var reader = _queue.Reader;
            Task<bool>? wait = null;
            while (!_abandoned)
            {
                if (!reader.TryPeek(out _))
                {
                    // Idle: wake at least once a second for positions and retention, at once while retention has work.
                    wait ??= reader.WaitToReadAsync().AsTask();
                    if (!wait.Wait(_pruneBacklog ? TimeSpan.Zero : TimeSpan.FromSeconds(1)))
                    {
                        Housekeeping();
                        continue;
                    }

                    bool more = wait.Result;
                    wait = null;
                    if (!more)
                    {
                        break; // closed and drained
                    }
                }

                batch.Clear();
                while (!_abandoned && batch.Count < _options.MaxBatchSize && reader.TryRead(out Pending item))
                {
                    if (item.Event != null)
                    {
                        batch.Add(item);
                    }
                }

                WriteBatch(batch);
                Housekeeping();
            }

            // Closing: positions advanced after the last batch (a crash, Abandon, saves nothing more).
            if (!_abandoned)
            {
                WriteBatch(new List<Pending>());
            }

            lock (_progress)
            {
                Monitor.PulseAll(_progress);
            }
        }

        private void Housekeeping()
        {
            DateTime now = _options.UtcNow();
            if (Volatile.Read(ref _pruneRequested) == 1 || now >= _nextPrune)
            {
                _nextPrune = now + _options.PruneInterval;
                _sessions.Sweep(_newestT);
                // Backlog first, then the request cleared: Prune() waits on both.
                _pruneBacklog = true;
                Interlocked.Exchange(ref _pruneRequested, 0);
            }

            if (_pruneBacklog)
            {
                // One chunk per turn, so retention never holds up the queue for long.
                _pruneBacklog = PruneChunk(now);
            }

            if (!_unsavedPositions.IsEmpty)
            {
                WriteBatch(new List<Pending>());
            }

            lock (_progress)
            {
                Monitor.PulseAll(_progress);
            }
        }

        private void WriteBatch(List<Pending> batch)
        {
            if (batch.Count == 0 && _unsavedPositions.IsEmpty)
            {
                return;
            }

            var positions = _unsavedPositions.ToArray();
            SqliteTransaction? tx = null;
            try
            {
                EnsureConnection();
                var s = _statements!;
                tx = _connection!.BeginTransaction();
                s.Use(tx);
                long newest = 0;
                foreach (var item in batch)
                {
                    newest = Math.Max(newest, Insert(s, item.Id, item.Event!));
                }

                _sessions.Write(s.UpsertSession, s.UpsertSessionApp, s.UpdateUserLast);
                foreach (var pair in positions)
                {
                    s.UpsertPosition.Parameters["$d"].Value = pair.Key;
                    s.UpsertPosition.Parameters["$id"].Value = pair.Value;
                    s.UpsertPosition.Parameters["$t"].Value = JournalSchema.ToMilliseconds(DateTime.UtcNow);
                    s.UpsertPosition.ExecuteNonQuery();
                }

                long maxId = batch.Count == 0 ? 0 : batch.Max(p => p.Id);
                if (maxId > 0)
                {
                    s.SetLastId.Parameters["$v"].Value = maxId.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    s.SetLastId.ExecuteNonQuery();
                }

                tx.Commit();
                tx.Dispose();
                _sessions.Written();
                foreach (var pair in positions)
                {
                    // Removed only if no newer position arrived meanwhile.
                    ((ICollection<KeyValuePair<string, long>>)_unsavedPositions).Remove(pair);
                }

                if (maxId > 0)
                {
                    InterlockedMax(ref _committedId, maxId);
                }

                _newestT = Math.Max(_newestT, newest);
                Interlocked.Add(ref _journaled, batch.Count);
                Interlocked.Increment(ref _batches);
            }
            catch (Exception ex) when (ex is SqliteException || ex is IOException || ex is InvalidOperationException || ex is UnauthorizedAccessException)
            {
                try
                {
                    tx?.Dispose();
                }
                catch (Exception)
                {
                    // The connection is gone with the failure; it is reopened below.
                }

                Interlocked.Add(ref _notJournaled, batch.Count);
                Interlocked.Increment(ref _writeFaults);
                var (kind, reason) = JournalSchema.Describe(ex, Path);
                Report(new JournalFault(DateTime.UtcNow, kind,
                    $"The journal could not write {batch.Count} event(s): {reason}. The events still go to the other destinations; {Interlocked.Read(ref _notJournaled)} event(s) not journaled so far.",
                    batch.Count, ex));
                ResetAfterFailure();
            }
            finally
            {
                if (batch.Count > 0)
                {
                    // Ids leave the queue in order: every id up to this one is now written or counted as not journaled.
                    InterlockedMax(ref _handledId, batch[batch.Count - 1].Id);
                }

                Interlocked.Add(ref _processed, batch.Count);
            }
        }

        private long Insert(JournalStatements s, long id, UserEvent e)
        {
            long t = JournalSchema.ToMilliseconds(e.ReceivedAt);
            long host = s.Hosts.Get(e.Host ?? "");
            long user = s.Users.Get((e.UserDirectory ?? "", e.UserId ?? ""));
            long? app = null;
            if (e.AppId is Guid appId)
            {
                long a = s.Apps.Get(appId.ToString("D"));
                app = a;
                if (e.AppName != null && (!s.AppNames.TryGetValue(a, out string? known) || known != e.AppName))
                {
                    s.SetAppName.Parameters["$id"].Value = a;
                    s.SetAppName.Parameters["$name"].Value = e.AppName;
                    s.SetAppName.ExecuteNonQuery();
                    s.AppNames[a] = e.AppName;
                }
            }

            long? agent = string.IsNullOrEmpty(e.UserAgent) ? null : s.Agents.Get(new JournalAgent(e.UserAgent!, e.BrowserName, e.BrowserMajorVersion, e.OsName, e.OsVersion));
            long shape = s.Shapes.Get((
                s.Texts.Get(e.MessageType ?? ""),
                s.Texts.Get(e.Command ?? ""),
                s.Texts.Get(e.Origin ?? ""),
                s.Texts.Get(e.Source ?? ""),
                s.Texts.Get(TagsText(e.Tags))));
            long context = s.Texts.Get(JournalText.ContextTemplate(e.Context ?? "", e.AppId));
            long message = s.Texts.Get(JournalText.MessageTemplate(e.Message ?? "", e.UserAgent, e.UserDirectory ?? "", e.UserId ?? ""));
            _sessions.Track(id, t, e.EventType, host, user, app, agent);

            var p = s.InsertEvent.Parameters;
            p["$id"].Value = id;
            p["$t"].Value = t;
            p["$kind"].Value = (long)e.EventType;
            p["$host"].Value = host;
            p["$user"].Value = user;
            p["$app"].Value = app is long aid ? aid : DBNull.Value;
            p["$agent"].Value = agent is long gid ? gid : DBNull.Value;
            p["$shape"].Value = shape;
            p["$context"].Value = context;
            p["$message"].Value = message;
            s.InsertEvent.ExecuteNonQuery();
            return t;
        }

        internal static string TagsText(IReadOnlyDictionary<string, string>? tags)
        {
            if (tags == null || tags.Count == 0)
            {
                return "";
            }

            var sorted = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in tags)
            {
                sorted[pair.Key] = pair.Value;
            }

            return JsonSerializer.Serialize(sorted);
        }

        private void EnsureConnection()
        {
            if (_connection != null && _statements != null)
            {
                return;
            }

            _statements?.Dispose();
            _connection?.Dispose();
            _statements = null;
            _connection = OpenConnection(Path, _options.BusyTimeout);
            JournalSchema.Execute(_connection, $"PRAGMA busy_timeout = {(long)_options.BusyTimeout.TotalMilliseconds}");
            JournalSchema.Execute(_connection, "PRAGMA synchronous = NORMAL");
            _sessions.Load(_connection);
            _statements = new JournalStatements(_connection);
        }

        // A failed transaction may have left cached ids and session state that the file does not
        // have: start over from the file with a fresh connection at the next batch.
        private void ResetAfterFailure()
        {
            try
            {
                _statements?.Dispose();
                _connection?.Dispose();
            }
            catch (Exception)
            {
                // Closing a broken connection can fail as well; a new one is opened next time.
            }

            _statements = null;
            _connection = null;
            _sessions = new SessionTracker(_options.SessionTimeout);
        }
    }
}
