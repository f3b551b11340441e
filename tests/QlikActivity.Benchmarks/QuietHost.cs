using System;
using System.Threading;
using QlikActivity.Core;

namespace QlikActivity.Benchmarks
{
    /// <summary>
    /// The drivers' host: says yes to everything, drops progress, verbose and debug output (a benchmark
    /// measures the operation, not printing), and writes warnings and errors to stderr, where they stay
    /// out of the one JSON line on stdout. <see cref="Cancel"/> ends a run that waits for Ctrl+C.
    /// </summary>
    internal sealed class QuietHost : IOperationHost, IDisposable
    {
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();

        public CancellationToken CancellationToken => _cancel.Token;

        public void Cancel() => _cancel.Cancel();

        public bool ShouldProcess(string target, string action) => true;

        public bool ShouldContinue(string query, string caption) => true;

        public void WriteVerbose(string message)
        {
        }

        public void WriteWarning(string message) => Console.Error.WriteLine("WARNING: " + message);

        public void WriteDebug(string message)
        {
        }

        public void WriteProgress(OperationProgress progress)
        {
        }

        public void WriteError(OperationError failure) => Console.Error.WriteLine("ERROR: " + failure.Exception.Message);

        public void Dispose() => _cancel.Dispose();
    }
}
