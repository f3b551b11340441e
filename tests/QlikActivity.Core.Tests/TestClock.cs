using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace QlikActivity.Core.Tests
{
    /// <summary>
    /// A clock that moves only when told: <see cref="Delay"/> records the wait asked for and moves the time
    /// forward by it at once, <see cref="Advance"/> moves it from the test. Tests then assert the schedule the
    /// code asked for, exactly, instead of measuring a wall clock.
    /// </summary>
    internal sealed class TestClock : IClock
    {
        private readonly object _gate = new object();
        private readonly List<TimeSpan> _delays = new List<TimeSpan>();
        private TimeSpan _now;

        public TimeSpan Elapsed
        {
            get
            {
                lock (_gate)
                {
                    return _now;
                }
            }
        }

        /// <summary>Every delay asked for, in order.</summary>
        public IReadOnlyList<TimeSpan> Delays
        {
            get
            {
                lock (_gate)
                {
                    return _delays.ToArray();
                }
            }
        }

        public Task Delay(TimeSpan delay, CancellationToken cancellationToken)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return Task.FromCanceled(cancellationToken);
            }

            lock (_gate)
            {
                _delays.Add(delay);
                if (delay > TimeSpan.Zero)
                {
                    _now += delay;
                }
            }

            return Task.CompletedTask;
        }

        public void Advance(TimeSpan by)
        {
            lock (_gate)
            {
                _now += by;
            }
        }
    }
}
