using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace QlikActivity.Core
{
    /// <summary>
    /// The time that pacing, retries and timeouts read and wait on. Production uses <see cref="SystemClock"/>;
    /// tests pass a clock of their own and check the waits the code asked for instead of timing it.
    /// </summary>
    internal interface IClock
    {
        /// <summary>Monotonic time since an arbitrary start; only differences mean anything.</summary>
        TimeSpan Elapsed { get; }

        /// <summary>Waits <paramref name="delay"/>, as <see cref="Task.Delay(TimeSpan, CancellationToken)"/> does.</summary>
        Task Delay(TimeSpan delay, CancellationToken cancellationToken);
    }

    /// <summary>The real clock: a <see cref="Stopwatch"/> and <see cref="Task.Delay(TimeSpan, CancellationToken)"/>.</summary>
    internal sealed class SystemClock : IClock
    {
        public static readonly SystemClock Instance = new SystemClock();

        private readonly Stopwatch _watch = Stopwatch.StartNew();

        private SystemClock()
        {
        }

        public TimeSpan Elapsed => _watch.Elapsed;

        public Task Delay(TimeSpan delay, CancellationToken cancellationToken) => Task.Delay(delay, cancellationToken);
    }
}
