using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using QlikActivity.Core;

namespace QlikActivity.Core.Tests
{
    /// <summary>An <see cref="IOperationHost"/> that records everything Core tells the host.</summary>
    public sealed class RecordingHost : IOperationHost
    {
        private readonly CancellationTokenSource _cts = new CancellationTokenSource();

        /// <summary>What ShouldProcess answers; false behaves like -WhatIf.</summary>
        public bool AnswerShouldProcess { get; set; } = true;

        public bool AnswerShouldContinue { get; set; } = true;

        public List<(string Target, string Action)> ShouldProcessCalls { get; } = new();
        public List<string> Verbose { get; } = new();
        public List<string> Warnings { get; } = new();
        public List<string> Debug { get; } = new();
        public List<OperationProgress> Progress { get; } = new();
        public List<OperationError> Errors { get; } = new();

        /// <summary>Set when a Write* call came from a thread other than the one that created the host.</summary>
        public bool WroteFromOtherThread { get; private set; }

        private readonly int _threadId = System.Environment.CurrentManagedThreadId;

        public CancellationToken CancellationToken => _cts.Token;

        public void Cancel() => _cts.Cancel();

        public void CancelAfter(System.TimeSpan delay) => _cts.CancelAfter(delay);

        public bool ShouldProcess(string target, string action)
        {
            Check();
            ShouldProcessCalls.Add((target, action));
            return AnswerShouldProcess;
        }

        public bool ShouldContinue(string query, string caption)
        {
            Check();
            return AnswerShouldContinue;
        }

        public void WriteVerbose(string message) { Check(); Verbose.Add(message); }
        public void WriteWarning(string message) { Check(); Warnings.Add(message); }
        public void WriteDebug(string message) { Check(); Debug.Add(message); }
        public void WriteProgress(OperationProgress progress) { Check(); Progress.Add(progress); }
        public void WriteError(OperationError failure) { Check(); Errors.Add(failure); }

        /// <summary>All text written to the verbose, warning, debug and error streams, for secret checks.</summary>
        public IEnumerable<string> AllText()
        {
            foreach (var s in Verbose) yield return s;
            foreach (var s in Warnings) yield return s;
            foreach (var s in Debug) yield return s;
            foreach (var e in Errors) yield return e.Exception.ToString();
        }

        private void Check()
        {
            if (System.Environment.CurrentManagedThreadId != _threadId)
            {
                WroteFromOtherThread = true;
            }
        }
    }
}
