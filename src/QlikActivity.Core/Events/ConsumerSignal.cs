using System;
using System.Threading;

namespace QlikActivity.Core.Events
{
    /// <summary>
    /// Lets one consumer thread sleep while its queue is empty. The producer pays one fenced read
    /// per item and takes no lock unless the consumer is actually asleep.
    /// </summary>
    internal sealed class ConsumerSignal : IDisposable
    {
        private readonly ManualResetEventSlim _event = new ManualResetEventSlim(false, 0);
        private int _sleeping;

        /// <summary>Producer: call after publishing an item (the publish must be a full fence, e.g. Interlocked).</summary>
        public void Notify()
        {
            if (Volatile.Read(ref _sleeping) != 0)
            {
                _event.Set();
            }
        }

        /// <summary>Wakes the consumer whatever it waits for (stop, cancel).</summary>
        public void Wake() => _event.Set();

        /// <summary>Consumer: sleeps up to <paramref name="timeoutMs"/> unless <paramref name="hasWork"/> already holds.</summary>
        public void Wait(Func<bool> hasWork, int timeoutMs)
        {
            Interlocked.Exchange(ref _sleeping, 1);
            try
            {
                if (!hasWork())
                {
                    _event.Wait(Math.Max(0, timeoutMs));
                }
            }
            finally
            {
                Volatile.Write(ref _sleeping, 0);
                _event.Reset();
            }
        }

        public void Dispose() => _event.Dispose();
    }
}
