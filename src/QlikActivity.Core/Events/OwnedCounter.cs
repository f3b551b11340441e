using System.Threading;

namespace QlikActivity.Core.Events
{
    /// <summary>
    /// Counters with exactly one writer, their owner thread, so that counting a datagram costs no
    /// lock and no interlocked instruction. Any thread may read them for live statistics (exact on
    /// 64-bit; the final statistics are read after the owners have ended, so they are exact everywhere).
    /// </summary>
    internal static class OwnedCounter
    {
        /// <summary>Owner thread only: adds one and returns the new value.</summary>
        public static long Increment(ref long counter)
        {
            long next = counter + 1;
            Volatile.Write(ref counter, next);
            return next;
        }

        /// <summary>Any thread: the counter's latest published value.</summary>
        public static long Read(ref long counter) => Volatile.Read(ref counter);
    }
}
