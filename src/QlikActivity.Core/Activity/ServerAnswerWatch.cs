using System;
using System.Threading;
using QlikActivity.Core.Qrs;

namespace QlikActivity.Core.Activity
{
    /// <summary>
    /// Decides, during a bucket run, that the repository stopped answering: a few requests in a
    /// row failed with no answer at all (refused, reset, timed out), each after the client's own
    /// retries, and none got an answer in between. A server that comes back within the retry
    /// window answers one of them and resets the count, so a restart is ridden through; a dead
    /// or frozen one trips it and the run stops starting work instead of failing every user.
    /// Thread-safe: the reader and every writer report here.
    /// </summary>
    internal sealed class ServerAnswerWatch : IDisposable
    {
        /// <summary>Requests in a row that got no answer before the run stops.</summary>
        public const int DefaultThreshold = 3;

        private readonly object _lock = new object();
        private readonly CancellationTokenSource _stopped = new CancellationTokenSource();
        private readonly int _threshold;
        private int _consecutive;
        private QrsException? _last;
        private bool _hasStopped;

        public ServerAnswerWatch(int threshold = DefaultThreshold)
        {
            _threshold = Math.Max(1, threshold);
        }

        /// <summary>Cancelled once the server is taken as gone.</summary>
        public CancellationToken Stopped => _stopped.Token;

        public bool HasStopped
        {
            get
            {
                lock (_lock)
                {
                    return _hasStopped;
                }
            }
        }

        /// <summary>Failures in a row when it stopped (or so far).</summary>
        public int ConsecutiveFailures
        {
            get
            {
                lock (_lock)
                {
                    return _consecutive;
                }
            }
        }

        /// <summary>The last request that got no answer (its message names host, request and cause).</summary>
        public QrsException? LastFailure
        {
            get
            {
                lock (_lock)
                {
                    return _last;
                }
            }
        }

        /// <summary>A request got an answer (any HTTP status): the server is there.</summary>
        public void Answered()
        {
            lock (_lock)
            {
                if (!_hasStopped)
                {
                    _consecutive = 0;
                }
            }
        }

        /// <summary>
        /// Reports how a request ended. Returns true when <paramref name="ex"/> is a failure
        /// without an answer (counted); any other outcome counts as an answer.
        /// </summary>
        public bool Report(Exception ex)
        {
            if (ex is QrsException q && q.IsTransportFailure)
            {
                bool trip;
                lock (_lock)
                {
                    _last = q;
                    _consecutive++;
                    trip = !_hasStopped && _consecutive >= _threshold;
                    if (trip)
                    {
                        _hasStopped = true;
                    }
                }

                if (trip)
                {
                    _stopped.Cancel();
                }

                return true;
            }

            if (ex is QrsException)
            {
                Answered();
            }

            return false;
        }

        public void Dispose() => _stopped.Dispose();
    }
}
