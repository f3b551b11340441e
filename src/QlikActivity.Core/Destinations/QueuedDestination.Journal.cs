using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Journal;

namespace QlikActivity.Core.Destinations
{
    // Delivery from the listener's event journal: the position key, replay steps, and what a stop leaves there.
    public abstract partial class QueuedDestination
    {
        /// <summary>The key this destination's delivered position is kept under in the event journal: the same for the same settings. Never holds a secret.</summary>
        public virtual string JournalKey => Name;

        /// <summary>Where the destination resumed in the journal, and how many journaled events it had to catch up on then; null without a journal.</summary>
        internal JournalReplay? Replay => _replay;

        void IJournaledDestination.UseJournal(EventJournal journal)
        {
            if (_loop != null)
            {
                throw new InvalidOperationException($"Destination {Name} is already started.");
            }

            _replay = new JournalReplay(journal, JournalKey, Accepts);
        }

        // One step of delivery from the journal; false when the memory queue comes first.
        private async Task<bool> ReplayAsync(JournalReplay replay, bool queueEmpty, CancellationToken stop)
        {
            List<UserEvent>? events;
            long through;
            try
            {
                events = replay.Next(queueEmpty, _options.BatchSize, out through);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException))
            {
                // The journal cannot be read now (locked, damaged): say so, and try again shortly.
                RecordError($"{Name}: cannot read the event journal to replay: {ex.Message}");
                await Task.Delay(1000, stop).ConfigureAwait(false);
                return true;
            }

            if (events == null)
            {
                return false;
            }

            if (events.Count > 0)
            {
                Interlocked.Add(ref _replayed, events.Count);
                long bytes = BytesOf(events);
                Interlocked.Add(ref _queueBytes, bytes);
                try
                {
                    await SendAsync(events, replayed: true, stop).ConfigureAwait(false);
                }
                finally
                {
                    Interlocked.Add(ref _queueBytes, -bytes);
                }
            }
            else if (!replay.Moves(through))
            {
                // The journal has not written them yet.
                await Task.Delay(10, stop).ConfigureAwait(false);
            }

            replay.Delivered(through);
            return true;
        }

        // Undelivered at stop: lost without a journal; with one, what it holds waits there for the next
        // run (its position is before them). Which of the batch arrived is not known, so events the
        // journal never had are counted as dropped first.
        private void LeftAtStop(List<UserEvent> batch, int delivered, bool replayed)
        {
            int rest = batch.Count - delivered;
            int notJournaled = _replay == null ? rest : replayed ? 0 : Math.Min(rest, batch.Count(e => e.JournalId == 0));
            Interlocked.Add(ref _dropped, notJournaled);
            Interlocked.Add(ref _deferred, rest - notJournaled);
        }
    }
}
