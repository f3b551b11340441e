using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;

namespace QlikActivity.Core.Journal
{
    /// <summary>
    /// The writer of an event journal: a SQLite file in WAL mode that keeps every accepted
    /// <see cref="UserEvent"/>, the sessions built from them, and each destination's delivered
    /// position. <see cref="Append"/> never blocks: it puts the event in a bounded queue that the
    /// journal's own thread writes in batched transactions; when the queue is full or a write fails,
    /// the events are counted as not journaled and reported through <see cref="EventJournalOptions.OnFault"/>,
    /// and the caller carries on. One writer per file (a second one is refused with
    /// <see cref="JournalException"/>); any number of <see cref="JournalReader"/>s read meanwhile.
    /// </summary>
    public sealed class EventJournal : IDisposable
    {
        private readonly EventJournalOptions _options;
        private readonly FileStream _writerLock;
        private readonly Channel<Pending> _queue;
        private readonly Thread _thread;
        private readonly ConcurrentDictionary<string, long> _positions = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, long> _unsavedPositions = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        private readonly object _progress = new object();
        private SqliteConnection? _connection;
        private Statements? _statements;
        private SessionTracker _sessions;
        private long _lastId;
        private long _committedId;
        private long _accepted;
        private long _processed;
        private long _journaled;
        private long _notJournaled;
        private long _queueFull;
        private long _writeFaults;
        private long _batches;
        private long _pruned;
        private long _newestT;
        private int _pruneRequested;
        private JournalFault? _lastFault;
        private DateTime _nextPrune;
        private volatile bool _pruneBacklog;
        private int _disposed;

        private EventJournal(EventJournalOptions options, FileStream writerLock, SqliteConnection connection)
        {
            _options = options;
            _writerLock = writerLock;
            _connection = connection;
            _sessions = new SessionTracker(options.SessionTimeout);
            _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(options.QueueCapacity)
            {
                SingleReader = true,
                SingleWriter = false,
                FullMode = BoundedChannelFullMode.Wait,
            });
            _thread = new Thread(WriterLoop) { IsBackground = true, Name = "QlikActivity journal writer" };
        }

        /// <summary>The journal file.</summary>
        public string Path => _options.Path;

        /// <summary>The id of the newest event committed to the file (ids only grow, also across restarts).</summary>
        public long LastJournaledId => Interlocked.Read(ref _committedId);

        /// <summary>
        /// Opens (or creates) the journal for writing and starts its writer thread. Throws
        /// <see cref="JournalException"/> when another writer has it open, when the file is damaged
        /// or is not a journal, or when it cannot be created.
        /// </summary>
        public static EventJournal Open(EventJournalOptions options)
        {
            if (options == null)
            {
                throw new ArgumentNullException(nameof(options));
            }

            options.Validate();
            string path = System.IO.Path.GetFullPath(options.Path);
            var resolved = Clone(options, path);
            string? folder = System.IO.Path.GetDirectoryName(path);
            try
            {
                if (!string.IsNullOrEmpty(folder))
                {
                    Directory.CreateDirectory(folder!);
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new JournalException($"The journal folder '{folder}' cannot be created: {ex.Message}", "JournalFolderNotCreated", OperationErrorCategory.WriteError, ex);
            }

            FileStream writerLock = TakeWriterLock(path);
            SqliteConnection? connection = null;
            try
            {
                connection = OpenConnection(path, resolved.BusyTimeout);
                var journal = new EventJournal(resolved, writerLock, connection);
                journal.Initialize();
                journal._thread.Start();
                return journal;
            }
            catch (SqliteException ex)
            {
                connection?.Dispose();
                writerLock.Dispose();
                var (kind, reason) = JournalSchema.Describe(ex, path);
                string advice = kind == JournalFaultKind.Corrupt
                    ? " Move the file away (or delete it) to start a new journal."
                    : "";
                throw new JournalException($"The journal cannot be opened: {reason}.{advice}", "JournalNotOpened",
                    kind == JournalFaultKind.Corrupt ? OperationErrorCategory.InvalidData : OperationErrorCategory.ResourceUnavailable, ex);
            }
            catch
            {
                connection?.Dispose();
                writerLock.Dispose();
                throw;
            }
        }

        /// <summary>
        /// Queues an event for the journal and returns its journal id, or 0 when it will not be
        /// journaled (queue full or journal closed; counted in <see cref="Statistics"/>). Never blocks.
        /// With one calling thread, ids follow the order of the calls.
        /// </summary>
        public long Append(UserEvent userEvent)
        {
            if (userEvent == null)
            {
                throw new ArgumentNullException(nameof(userEvent));
            }

            if (Volatile.Read(ref _disposed) != 0)
            {
                Interlocked.Increment(ref _notJournaled);
                return 0;
            }

            long id = Interlocked.Increment(ref _lastId);
            if (_queue.Writer.TryWrite(new Pending(id, userEvent)))
            {
                Interlocked.Increment(ref _accepted);
                return id;
            }

            long full = Interlocked.Increment(ref _queueFull);
            Interlocked.Increment(ref _notJournaled);
            // Reported once per power of two, so a flood does not turn into a flood of reports.
            if ((full & (full - 1)) == 0)
            {
                Report(new JournalFault(DateTime.UtcNow, JournalFaultKind.QueueFull,
                    $"The journal '{Path}' could not keep up: its queue of {_options.QueueCapacity} events is full; {full} event(s) not journaled so far.",
                    1, null));
            }

            return 0;
        }

        /// <summary>The delivered position (last event id) of a destination; 0 when it has none yet.</summary>
        public long GetPosition(string destination)
        {
            CheckDestination(destination);
            return _positions.TryGetValue(destination, out long id) ? id : 0;
        }

        /// <summary>
        /// Moves a destination's delivered position forward (never back); saved with the next batch,
        /// at the latest within a second, and at <see cref="Dispose"/>.
        /// </summary>
        public void AdvancePosition(string destination, long eventId)
        {
            CheckDestination(destination);
            long now = _positions.AddOrUpdate(destination, eventId, (_, current) => Math.Max(current, eventId));
            _unsavedPositions[destination] = now;
        }

        /// <summary>All destinations' delivered positions.</summary>
        public IReadOnlyDictionary<string, long> Positions => new Dictionary<string, long>(_positions, StringComparer.Ordinal);

        /// <summary>A snapshot of the counters.</summary>
        public JournalStatistics Statistics => new JournalStatistics
        {
            Accepted = Interlocked.Read(ref _accepted),
            Journaled = Interlocked.Read(ref _journaled),
            NotJournaled = Interlocked.Read(ref _notJournaled),
            QueueFull = Interlocked.Read(ref _queueFull),
            WriteFaults = Interlocked.Read(ref _writeFaults),
            Batches = Interlocked.Read(ref _batches),
            Pruned = Interlocked.Read(ref _pruned),
            Queued = Interlocked.Read(ref _accepted) - Interlocked.Read(ref _processed),
            LastFault = Volatile.Read(ref _lastFault),
        };

        /// <summary>A reader on the same file, for replay (<see cref="JournalReader.ReadAfter"/>) and queries.</summary>
        public JournalReader OpenReader() => JournalReader.Open(Path);

        /// <summary>Waits until every event accepted so far is written (or counted as not journaled) and positions are saved; false on timeout.</summary>
        public bool Flush(TimeSpan timeout)
        {
            long target = Interlocked.Read(ref _accepted);
            var watch = Stopwatch.StartNew();
            lock (_progress)
            {
                Wake();
                while (Interlocked.Read(ref _processed) < target || !_unsavedPositions.IsEmpty)
                {
                    TimeSpan left = timeout - watch.Elapsed;
                    if (left <= TimeSpan.Zero || !_thread.IsAlive)
                    {
                        return false;
                    }

                    Monitor.Wait(_progress, left < TimeSpan.FromMilliseconds(100) ? left : TimeSpan.FromMilliseconds(100));
                    Wake();
                }
            }

            return true;
        }

        /// <summary>Runs retention now (age and size cap) and waits for it; for tests and maintenance.</summary>
        public bool Prune(TimeSpan timeout)
        {
            Interlocked.Exchange(ref _pruneRequested, 1);
            var watch = Stopwatch.StartNew();
            lock (_progress)
            {
                Wake();
                while (Volatile.Read(ref _pruneRequested) != 0 || _pruneBacklog)
                {
                    TimeSpan left = timeout - watch.Elapsed;
                    if (left <= TimeSpan.Zero || !_thread.IsAlive)
                    {
                        return false;
                    }

                    Monitor.Wait(_progress, left < TimeSpan.FromMilliseconds(100) ? left : TimeSpan.FromMilliseconds(100));
                }
            }

            return true;
        }

        /// <summary>Writes what is queued, saves positions, closes the file and releases the writer lock.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            _queue.Writer.TryComplete();
            _thread.Join();
            _statements?.Dispose();
            _connection?.Dispose();
            _writerLock.Dispose();
        }

        private void Wake() => _queue.Writer.TryWrite(Pending.Wake);

        private static void CheckDestination(string destination)
        {
            if (string.IsNullOrEmpty(destination))
            {
                throw new ArgumentException("A destination needs a name to keep its position.", nameof(destination));
            }
        }

        private static EventJournalOptions Clone(EventJournalOptions o, string path) => new EventJournalOptions(path)
        {
            QueueCapacity = o.QueueCapacity,
            MaxBatchSize = o.MaxBatchSize,
            RetentionDays = o.RetentionDays,
            MaxSizeBytes = o.MaxSizeBytes,
            PruneInterval = o.PruneInterval,
            SessionTimeout = o.SessionTimeout,
            BusyTimeout = o.BusyTimeout,
            OnFault = o.OnFault,
            UtcNow = o.UtcNow,
        };

        /// <summary>An exclusive lock on <c>&lt;journal&gt;.lock</c>, held while the writer lives: a second writer, in this process or another, is refused.</summary>
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
                    "JournalInUse", OperationErrorCategory.ResourceUnavailable, ex);
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new JournalException($"The journal's lock file '{lockPath}' cannot be created: {ex.Message}", "JournalNotOpened", OperationErrorCategory.PermissionDenied, ex);
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
                    throw new JournalException($"'{Path}' is a SQLite database but not a QlikActivity journal; give the journal another path.", "NotAJournal", OperationErrorCategory.InvalidData);
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
            _statements = new Statements(connection);
            _pruneRequested = 1;
        }

        private void WriterLoop()
        {
            var batch = new List<Pending>(Math.Min(_options.MaxBatchSize, 4096));
            var reader = _queue.Reader;
            Task<bool>? wait = null;
            while (true)
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
                while (batch.Count < _options.MaxBatchSize && reader.TryRead(out Pending item))
                {
                    if (item.Event != null)
                    {
                        batch.Add(item);
                    }
                }

                WriteBatch(batch);
                Housekeeping();
            }

            // Closing: positions advanced after the last batch.
            WriteBatch(new List<Pending>());
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
                Interlocked.Add(ref _processed, batch.Count);
            }
        }

        private long Insert(Statements s, long id, UserEvent e)
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
            _statements = new Statements(_connection);
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

        /// <summary>Deletes one chunk of events past retention or over the size cap; true while more remain.</summary>
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

        /// <summary>Bytes of pages in use: the file's size less free pages.</summary>
        internal static long UsedBytes(SqliteConnection connection, SqliteTransaction? tx)
        {
            using var command = JournalSchema.Command(connection,
                "SELECT (SELECT page_count FROM pragma_page_count()) - (SELECT freelist_count FROM pragma_freelist_count()), (SELECT page_size FROM pragma_page_size())", tx);
            using var reader = command.ExecuteReader();
            reader.Read();
            return reader.GetInt64(0) * reader.GetInt64(1);
        }

        private void Report(JournalFault fault)
        {
            Volatile.Write(ref _lastFault, fault);
            try
            {
                _options.OnFault?.Invoke(fault);
            }
            catch (Exception)
            {
                // A failing callback must not stop the journal; the counters still tell.
            }
        }

        private static void InterlockedMax(ref long target, long value)
        {
            long current;
            do
            {
                current = Interlocked.Read(ref target);
                if (value <= current)
                {
                    return;
                }
            }
            while (Interlocked.CompareExchange(ref target, value, current) != current);
        }

        private readonly struct Pending
        {
            public static readonly Pending Wake = new Pending(0, null);

            public Pending(long id, UserEvent? userEvent)
            {
                Id = id;
                Event = userEvent;
            }

            public long Id { get; }
            public UserEvent? Event { get; }
        }

        /// <summary>The writer's prepared statements, bound to one connection.</summary>
        private sealed class Statements : IDisposable
        {
            private readonly List<SqliteCommand> _all = new List<SqliteCommand>();

            public Statements(SqliteConnection connection)
            {
                Hosts = new JournalLookup<string>(connection, "SELECT id FROM hosts WHERE name = $a", "INSERT INTO hosts (name) VALUES ($a)", new[] { "$a" },
                    (p, k) => p["$a"].Value = k, StringComparer.Ordinal);
                Users = new JournalLookup<(string, string)>(connection, "SELECT id FROM users WHERE directory = $a AND user_id = $b", "INSERT INTO users (directory, user_id) VALUES ($a, $b)", new[] { "$a", "$b" },
                    (p, k) => { p["$a"].Value = k.Item1; p["$b"].Value = k.Item2; });
                Apps = new JournalLookup<string>(connection, "SELECT id FROM apps WHERE guid = $a", "INSERT INTO apps (guid) VALUES ($a)", new[] { "$a" },
                    (p, k) => p["$a"].Value = k, StringComparer.Ordinal);
                Agents = new JournalLookup<JournalAgent>(connection, "SELECT id FROM agents WHERE text = $a",
                    "INSERT INTO agents (text, browser, browser_major, os, os_version) VALUES ($a, $b, $c, $d, $e)", new[] { "$a", "$b", "$c", "$d", "$e" },
                    (p, e) =>
                    {
                        p["$a"].Value = e.Text;
                        p["$b"].Value = (object?)e.Browser ?? DBNull.Value;
                        p["$c"].Value = (object?)e.BrowserMajor ?? DBNull.Value;
                        p["$d"].Value = (object?)e.Os ?? DBNull.Value;
                        p["$e"].Value = (object?)e.OsVersion ?? DBNull.Value;
                    },
                    new AgentComparer());
                Texts = new JournalLookup<string>(connection, "SELECT id FROM texts WHERE text = $a", "INSERT INTO texts (text) VALUES ($a)", new[] { "$a" },
                    (p, k) => p["$a"].Value = k, StringComparer.Ordinal);
                Shapes = new JournalLookup<(long, long, long, long, long)>(connection,
                    "SELECT id FROM shapes WHERE message_type = $a AND command = $b AND origin = $c AND source = $d AND tags = $e",
                    "INSERT INTO shapes (message_type, command, origin, source, tags) VALUES ($a, $b, $c, $d, $e)", new[] { "$a", "$b", "$c", "$d", "$e" },
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
}
