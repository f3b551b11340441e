using System;
using System.Collections.Generic;
using System.Threading;
using QlikActivity.Core.Journal;

namespace QlikActivity.Core.Destinations
{
    /// <summary>
    /// A destination's way back through the event journal. The memory queue stays the fast path; the
    /// journal covers what it cannot hold:
    /// <list type="bullet">
    /// <item>at start, the events after the position saved by the last run (a restart or a crash);</item>
    /// <item>while the memory queue is full, new events are <em>deferred</em>: they stay in the journal,
    /// and once the queue has drained the sender reads them back from there, then reopens the queue.</item>
    /// </list>
    /// The position only moves past events that were delivered (or given up on), so delivery is at
    /// least once and in journal order. The listener's thread calls <see cref="TryDefer"/>; every other
    /// member belongs to the destination's sender loop.
    /// </summary>
    internal sealed class JournalReplay : IDisposable
    {
        private readonly EventJournal _journal;
        private readonly Func<UserEvent, bool> _accepts;
        private readonly object _gate = new object();

        // Shared with the listener's thread (under _gate; the flag is also read without it).
        private volatile bool _deferring;
        private long _deferredThrough;

        // The sender loop's own.
        private long _delivered;
        private long _catchUpTo;
        private JournalReader? _reader;

        public JournalReplay(EventJournal journal, string key, Func<UserEvent, bool> accepts)
        {
            _journal = journal ?? throw new ArgumentNullException(nameof(journal));
            Key = key;
            _accepts = accepts;

            // Opened before the listener starts: every event already in the journal has an id up to here.
            long end = journal.HandledThrough;
            if (journal.Positions.TryGetValue(key, out long saved))
            {
                _delivered = Math.Min(saved, end);
                Resumed = true;
            }
            else
            {
                // A destination new to this journal starts at its end, not at 90 days of history.
                _delivered = end;
                journal.AdvancePosition(key, end);
            }

            StartPosition = _delivered;
            _catchUpTo = end;
        }

        /// <summary>What <see cref="TryDefer"/> decided for an event.</summary>
        public enum Outcome
        {
            /// <summary>Put it in the memory queue.</summary>
            UseQueue,
            /// <summary>Left in the journal: the sender reads it back later.</summary>
            Deferred,
            /// <summary>Neither queue nor journal has it (not journaled while the queue was full).</summary>
            Lost,
        }

        public string Key { get; }

        /// <summary>Whether a position from an earlier run was found.</summary>
        public bool Resumed { get; }

        /// <summary>The position the destination started from.</summary>
        public long StartPosition { get; }

        /// <summary>Events (by id) in the journal after the start position when the destination started.</summary>
        public long Backlog => _catchUpTo - StartPosition;

        /// <summary>
        /// Listener's thread, for every event the destination wants: <see cref="Outcome.UseQueue"/>
        /// normally; once the queue was full (<paramref name="queueFull"/>), every event is deferred
        /// until the sender has caught up through the journal, so none overtakes another.
        /// </summary>
        public Outcome TryDefer(long journalId, bool queueFull)
        {
            if (!queueFull && !_deferring)
            {
                return Outcome.UseQueue;
            }

            lock (_gate)
            {
                if (!queueFull && !_deferring)
                {
                    return Outcome.UseQueue;
                }

                if (journalId == 0)
                {
                    return Outcome.Lost;
                }

                _deferring = true;
                _deferredThrough = Math.Max(_deferredThrough, journalId);
                return Outcome.Deferred;
            }
        }

        /// <summary>
        /// Sender: the next events to deliver from the journal, or null when the memory queue comes
        /// first (or there is nothing to replay). An empty list means "nothing to send, but the
        /// position moves to <paramref name="through"/>" or, when <paramref name="through"/> did not
        /// move, "the journal has not written them yet: wait a moment".
        /// </summary>
        public List<UserEvent>? Next(bool queueEmpty, int max, out long through)
        {
            through = _delivered;
            if (_catchUpTo > _delivered)
            {
                // Everything up to _catchUpTo comes before the next event in the memory queue.
                long handled = _journal.HandledThrough;
                var events = Read(max, _catchUpTo, out through, out int rows);
                if (rows < max && handled >= _catchUpTo)
                {
                    // Read to the end of what the writer has dealt with: ids it could not journal are gaps.
                    through = _catchUpTo;
                }

                return events;
            }

            if (!queueEmpty || !_deferring)
            {
                return null;
            }

            // Only what the listener has deferred: an event it appended to the journal but has not yet
            // offered this destination would otherwise be delivered here and then again from the queue.
            long deferredThrough;
            lock (_gate)
            {
                deferredThrough = _deferredThrough;
            }

            var deferred = Read(max, deferredThrough, out through, out int read);
            if (read > 0)
            {
                return deferred;
            }

            // Caught up with what is committed: reopen the memory queue; events deferred until now
            // (some maybe not yet written by the journal) are delivered first, from the journal.
            lock (_gate)
            {
                _catchUpTo = Math.Max(_catchUpTo, _deferredThrough);
                _deferring = false;
            }

            return _catchUpTo > _delivered ? new List<UserEvent>() : null;
        }

        /// <summary>Sender: true while the journal still holds events this destination owes (also when its memory queue is closed).</summary>
        public bool HasWork => _catchUpTo > _delivered || _deferring;

        /// <summary>Sender: an event from the memory queue that replay has already delivered (a guard: replay reads only deferred events, so it should not happen): skip it.</summary>
        public bool AlreadyDelivered(UserEvent userEvent) => userEvent.JournalId != 0 && userEvent.JournalId <= _delivered;

        /// <summary>Sender: whether a position is past the delivered one.</summary>
        public bool Moves(long through) => through > _delivered;

        /// <summary>Sender: these ids are delivered (or given up on); saved as the position.</summary>
        public void Delivered(long through)
        {
            if (through > _delivered)
            {
                _delivered = through;
                _journal.AdvancePosition(Key, through);
            }
        }

        public void Dispose()
        {
            _reader?.Dispose();
            _reader = null;
        }

        private List<UserEvent> Read(int max, long upTo, out long through, out int rows)
        {
            _reader ??= _journal.OpenReader();
            var events = new List<UserEvent>();
            through = _delivered;
            rows = 0;
            foreach (var row in _reader.ReadAfter(_delivered, max))
            {
                if (row.Id > upTo)
                {
                    break;
                }

                rows++;
                through = row.Id;
                row.Event.JournalId = row.Id;
                if (_accepts(row.Event))
                {
                    events.Add(row.Event);
                }
            }

            return events;
        }
    }
}
