using System;
using System.Threading;

namespace QlikActivity.Core
{
    /// <summary>
    /// The one seam between Core and PowerShell. Its methods mirror <c>Cmdlet</c>'s own, so the
    /// module implements it over a real cmdlet and tests implement it with a recording host.
    /// Core calls it only from the thread that called the operation (the pipeline thread).
    /// </summary>
    public interface IOperationHost
    {
        /// <summary>Mirrors <c>Cmdlet.ShouldProcess(target, action)</c>; false under -WhatIf or a "No" answer.</summary>
        bool ShouldProcess(string target, string action);

        /// <summary>Mirrors <c>Cmdlet.ShouldContinue(query, caption)</c>; used where -Force skips a question.</summary>
        bool ShouldContinue(string query, string caption);

        void WriteVerbose(string message);

        void WriteWarning(string message);

        void WriteDebug(string message);

        void WriteProgress(OperationProgress progress);

        /// <summary>A non-terminating error: the operation goes on.</summary>
        void WriteError(OperationError failure);

        /// <summary>Cancelled by Ctrl+C (<c>StopProcessing</c>).</summary>
        CancellationToken CancellationToken { get; }
    }
}
