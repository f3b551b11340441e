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
    public sealed partial class EventJournal : IDisposable
    {
        private readonly EventJournalOptions _options;
        private readonly FileStream _writerLock;
        private readonly Channel<Pending> _queue;
        private readonly Thread _thread;
        private readonly ConcurrentDictionary<string, long> _positions = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, long> _unsavedPositions = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        private readonly object _progress = new object();
        private SqliteConnection? _connection;
        private JournalStatements? _statements;
        private SessionTracker _sessions;
        private long _lastId;
        private long _committedId;
        private long _handledId;
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
        private volatile bool _abandoned;

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
        /// Every event id up to this one has been dealt with by the writer: committed, or counted as not
        /// journaled. A destination that replays up to an id waits for this, so it neither misses an
        /// event still in the queue nor waits for one that will never come.
        /// </summary>
        public long HandledThrough => Interlocked.Read(ref _handledId);

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
                throw new JournalException($"The journal folder '{folder}' cannot be created: {ex.Message}", JournalErrorIds.FolderNotCreated, OperationErrorCategory.WriteError, ex);
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

        /// <summary>
        /// Stops as a crash would: the writer thread ends without writing what is queued or saving
        /// positions not yet saved, and the file and the writer lock are released. What was committed
        /// stays (SQLite's WAL keeps it); for fault tests of restart and replay.
        /// </summary>
        internal void Abandon()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            _abandoned = true;
            _queue.Writer.TryComplete();
            _thread.Join();

            // Never written: the counters say so (a real crash would keep no counters at all).
            while (_queue.Reader.TryRead(out Pending left))
            {
                if (left.Event != null)
                {
                    Interlocked.Increment(ref _notJournaled);
                    Interlocked.Increment(ref _processed);
                }
            }

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

        private static EventJournalOptions Clone(EventJournalOptions o, string path) => o.CopyTo(path);

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
    }
}
