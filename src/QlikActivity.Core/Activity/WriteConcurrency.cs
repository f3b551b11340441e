using System;

namespace QlikActivity.Core.Activity
{
    /// <summary>What <see cref="WriteConcurrency.Record"/> decided after a write.</summary>
    internal enum ConcurrencyDecision
    {
        /// <summary>The window is not full yet, or the limit stays as it is.</summary>
        None,

        /// <summary>Latency held: one more write (or twice as many, before the first back-off) at once.</summary>
        Grow,

        /// <summary>Latency grew but not so much: the limit stays.</summary>
        Hold,

        /// <summary>Latency grew past the back-off ratio: a quarter fewer.</summary>
        Shrink,

        /// <summary>The server pushed back (429/503): half as many.</summary>
        BackOff,
    }

    /// <summary>
    /// How many user writes are in flight at once, found from the server's answers (AIMD, like
    /// TCP): grow while latency stays near the lowest seen, back off by half when the server
    /// refuses (429/503) and by a quarter when latency keeps growing (the server queues), never
    /// past the ceiling. Decides per window of writes (at least <see cref="MinimumWindow"/>, and
    /// at least the current limit) so that one slow write does not move it. No clock, no I/O and
    /// not thread-safe: the caller measures and locks.
    /// </summary>
    internal sealed class WriteConcurrency
    {
        /// <summary>The ceiling when the admin gives no -ThrottleLimit.</summary>
        public const int DefaultCeiling = 16;

        /// <summary>Writes per decision at the least; service times vary a lot (lognormal), means of fewer are noise.</summary>
        public const int MinimumWindow = 8;

        /// <summary>Window mean up to this times the baseline: latency holds, grow.</summary>
        public const double GrowthTolerance = 1.5;

        /// <summary>Window mean above this times the baseline: the server queues, shrink.</summary>
        public const double BackoffRatio = 2.5;

        private double _windowSum;
        private int _windowCount;
        private int _sinceBackOff = int.MaxValue;
        private bool _slowStart = true;

        /// <summary>Adapts between 1 and <paramref name="ceiling"/>, starting at <paramref name="initial"/>.</summary>
        public WriteConcurrency(int ceiling, int initial = 1)
        {
            if (ceiling < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(ceiling), ceiling, "The ceiling is at least 1.");
            }

            Ceiling = ceiling;
            Limit = Math.Max(1, Math.Min(initial, ceiling));
        }

        /// <summary>Writes allowed in flight now.</summary>
        public int Limit { get; private set; }

        /// <summary>Never more than this (-ThrottleLimit, or <see cref="DefaultCeiling"/>).</summary>
        public int Ceiling { get; }

        /// <summary>The highest limit so far.</summary>
        public int PeakLimit { get; private set; }

        /// <summary>The lowest window mean latency so far (ms), the "unloaded" latency; null before the first window.</summary>
        public double? BaselineMilliseconds { get; private set; }

        /// <summary>
        /// One finished write: its latency, and whether the server pushed back on it (429/503,
        /// retried or not). Returns the decision taken, if any.
        /// </summary>
        public ConcurrencyDecision Record(TimeSpan latency, bool pushedBack)
        {
            PeakLimit = Math.Max(PeakLimit, Limit);
            if (pushedBack)
            {
                // Writers in flight when the server pushed back see it too: halve once per round of them.
                if (_sinceBackOff < Limit)
                {
                    _sinceBackOff++;
                    return ConcurrencyDecision.None;
                }

                Limit = Math.Max(1, Limit / 2);
                _slowStart = false;
                _sinceBackOff = 0;
                ResetWindow();
                return ConcurrencyDecision.BackOff;
            }

            if (_sinceBackOff != int.MaxValue)
            {
                _sinceBackOff++;
            }

            _windowSum += Math.Max(0, latency.TotalMilliseconds);
            _windowCount++;
            if (_windowCount < Math.Max(MinimumWindow, Limit))
            {
                return ConcurrencyDecision.None;
            }

            double mean = _windowSum / _windowCount;
            ResetWindow();
            // The baseline is the lowest window mean: latency the server gives when not queueing. At one write at a
            // time nothing queues behind us, so that window is the baseline whatever it was (a server that got slower for good).
            if (BaselineMilliseconds is not { } baseline || mean < baseline || Limit == 1)
            {
                BaselineMilliseconds = mean;
                baseline = mean;
            }

            ConcurrencyDecision decision;
            if (mean <= baseline * GrowthTolerance)
            {
                int next = _slowStart ? Limit * 2 : Limit + 1;
                decision = Limit < Ceiling ? ConcurrencyDecision.Grow : ConcurrencyDecision.Hold;
                Limit = Math.Min(Ceiling, next);
            }
            else if (mean > baseline * BackoffRatio)
            {
                _slowStart = false;
                Limit = Math.Max(1, Limit - Math.Max(1, Limit / 4));
                decision = ConcurrencyDecision.Shrink;
            }
            else
            {
                _slowStart = false;
                decision = ConcurrencyDecision.Hold;
            }

            PeakLimit = Math.Max(PeakLimit, Limit);
            return decision;
        }

        private void ResetWindow()
        {
            _windowSum = 0;
            _windowCount = 0;
        }
    }
}
