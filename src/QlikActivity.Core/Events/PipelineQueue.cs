using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace QlikActivity.Core.Events
{
    /// <summary>
    /// Events on their way from the parse worker to the caller's thread, which writes them to the
    /// pipeline. Bounded by <see cref="EventListenerOptions.PipelineCapacity"/> without a lock: the
    /// worker never waits on a slow pipeline, it counts what does not fit as PipelineDropped.
    /// </summary>
    internal sealed class PipelineQueue
    {
        private readonly ConcurrentQueue<UserEvent> _queue = new ConcurrentQueue<UserEvent>();
        private readonly long _capacity;
        private readonly ConsumerSignal _signal;

        // Written only by the parse worker.
        private WorkerCounters _worker;

        // Written only by the caller's thread.
        private CallerCounters _caller;

        /// <param name="capacity">How many events may wait.</param>
        /// <param name="signal">Wakes the caller's thread when an event arrives while it sleeps.</param>
        public PipelineQueue(int capacity, ConsumerSignal signal)
        {
            _capacity = capacity;
            _signal = signal;
        }

        /// <summary>Caller's thread: whether nothing waits.</summary>
        public bool IsEmpty => _queue.IsEmpty;

        /// <summary>Parse worker: queues the event, or counts it as dropped when the pipeline is that far behind.</summary>
        public void Add(UserEvent userEvent)
        {
            if (!HasRoom())
            {
                OwnedCounter.Increment(ref _worker.Dropped);
                return;
            }

            _queue.Enqueue(userEvent);
            OwnedCounter.Increment(ref _worker.Added);
            _signal.Notify();
        }

        /// <summary>Caller's thread: the next event to write, counted as written.</summary>
        public bool TryTake(out UserEvent userEvent)
        {
            if (!_queue.TryDequeue(out userEvent!))
            {
                return false;
            }

            OwnedCounter.Increment(ref _caller.Taken);
            return true;
        }

        /// <summary>Caller's thread, after the worker has ended: what the caller will not take any more counts as dropped.</summary>
        public void DiscardRest()
        {
            while (_queue.TryDequeue(out _))
            {
                OwnedCounter.Increment(ref _caller.DiscardedAtStop);
            }
        }

        /// <summary>Any thread: Written, PipelineDropped and PipelineBacklog.</summary>
        public void CopyCountersTo(ListenerStatistics statistics)
        {
            long taken = OwnedCounter.Read(ref _caller.Taken);
            long discarded = OwnedCounter.Read(ref _caller.DiscardedAtStop);
            statistics.Written = taken;
            statistics.PipelineDropped = OwnedCounter.Read(ref _worker.Dropped) + discarded;
            statistics.PipelineBacklog = System.Math.Max(0, OwnedCounter.Read(ref _worker.Added) - taken - discarded);
        }

        // The worker checks the caller's progress only when its own count says the queue is full.
        private bool HasRoom()
        {
            if (_worker.Added - _worker.CachedRemoved < _capacity)
            {
                return true;
            }

            _worker.CachedRemoved = OwnedCounter.Read(ref _caller.Taken) + OwnedCounter.Read(ref _caller.DiscardedAtStop);
            return _worker.Added - _worker.CachedRemoved < _capacity;
        }

        // Each side's counters on cache lines of their own, so that counting does not bounce a line between the threads.
        [StructLayout(LayoutKind.Explicit, Size = 192)]
        private struct WorkerCounters
        {
            [FieldOffset(64)] public long Added;
            [FieldOffset(72)] public long Dropped;

            // The worker's last look at the caller's Taken + DiscardedAtStop.
            [FieldOffset(80)] public long CachedRemoved;
        }

        [StructLayout(LayoutKind.Explicit, Size = 192)]
        private struct CallerCounters
        {
            [FieldOffset(64)] public long Taken;
            [FieldOffset(72)] public long DiscardedAtStop;
        }
    }
}
