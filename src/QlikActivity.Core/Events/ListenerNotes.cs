using System.Collections.Concurrent;
using System.Threading;

namespace QlikActivity.Core.Events
{
    /// <summary>
    /// Debug lines from the parse worker (a rejected datagram, a sender not allowed) waiting for the
    /// caller's thread, the only one that may write to the host. At most
    /// <see cref="PerInterval"/> per statistics interval, so a flood of bad datagrams cannot flood the host.
    /// </summary>
    internal sealed class ListenerNotes
    {
        public const int PerInterval = 10;

        private readonly ConcurrentQueue<string> _queue = new ConcurrentQueue<string>();

        // Written by the worker (one per note) and reset by the caller's thread: hence Interlocked.
        private int _thisInterval;

        /// <summary>Worker: whether a note now would still be kept (saves formatting one that would not).</summary>
        public bool HasRoom => Volatile.Read(ref _thisInterval) < PerInterval;

        /// <summary>Worker: keeps the note unless this interval's share is used up.</summary>
        public void Add(string text)
        {
            if (Interlocked.Increment(ref _thisInterval) <= PerInterval)
            {
                _queue.Enqueue(text);
            }
        }

        /// <summary>Caller's thread: a new statistics interval, a new share of notes.</summary>
        public void StartInterval() => Interlocked.Exchange(ref _thisInterval, 0);

        /// <summary>Caller's thread: writes the waiting notes to the debug stream.</summary>
        public void WriteTo(IOperationHost host)
        {
            while (_queue.TryDequeue(out var note))
            {
                host.WriteDebug(note);
            }
        }
    }
}
