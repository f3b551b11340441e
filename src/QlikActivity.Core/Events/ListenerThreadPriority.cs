using System;
using System.Runtime.InteropServices;

namespace QlikActivity.Core.Events
{
    /// <summary>
    /// On a busy machine the receive thread must still get the CPU within milliseconds, or the
    /// kernel buffer overflows, and the parse worker must keep pace, or the intake queue does.
    /// Their work is bounded by the event rate (a few microseconds per event), so a higher
    /// priority costs others nothing when little arrives. Windows honours Thread.Priority (set at
    /// creation); .NET ignores it on Linux, where setpriority(PRIO_PROCESS, 0) sets the calling
    /// thread's nice value. Without the right to raise it (no CAP_SYS_NICE) nothing changes.
    /// </summary>
    internal static class ListenerThreadPriority
    {
        /// <summary>The receive thread's nice value on Linux.</summary>
        public const int ReceiveNice = -10;

        /// <summary>The parse worker's nice value on Linux.</summary>
        public const int ParseNice = -5;

        /// <summary>
        /// The event journal's writer thread on Linux: its work is bounded by the event rate too, and
        /// a writer starved by other processes fills its queue and misses events.
        /// </summary>
        public const int JournalWriterNice = -3;

        /// <summary>Sets the calling thread's nice value on Linux; does nothing elsewhere or without the right.</summary>
        public static void RaiseCurrent(int nice)
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            {
                return;
            }

            try
            {
                // Best effort: without the right to raise it, the listener runs at normal priority.
                _ = SetPriority(0, 0, nice);
            }
            catch (Exception ex) when (ex is DllNotFoundException || ex is EntryPointNotFoundException)
            {
            }
        }

        [DllImport("libc", EntryPoint = "setpriority", SetLastError = true)]
        private static extern int SetPriority(int which, int who, int priority);
    }
}
