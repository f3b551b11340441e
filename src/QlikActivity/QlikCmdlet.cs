using System;
using System.Diagnostics.CodeAnalysis;
using System.Management.Automation;
using System.Threading;
using QlikActivity.Core;

namespace QlikActivity
{
    /// <summary>
    /// Base of every QlikActivity cmdlet: implements Core's <see cref="IOperationHost"/> over the
    /// cmdlet's own methods, and turns Ctrl+C into a cancelled token.
    /// </summary>
    [SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "A CancellationTokenSource without a timer holds nothing to release; PowerShell may call StopProcessing on another thread at any time, and a disposed source would throw there.")]
    public abstract class QlikCmdlet : PSCmdlet, IOperationHost
    {
        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();

        /// <inheritdoc />
        public CancellationToken CancellationToken => _stopping.Token;

        /// <summary>Ctrl+C: cancel the token; Core returns promptly with what it has.</summary>
        protected override void StopProcessing()
        {
            _stopping.Cancel();
            base.StopProcessing();
        }

        /// <summary>Runs a Core call and turns its explained failures into terminating errors about <paramref name="target"/>.</summary>
        protected void Run(Action operation, object? target = null)
        {
            try
            {
                operation();
            }
            catch (QlikActivityException ex)
            {
                ThrowTerminatingError(ErrorRecordFrom(ex, ex.ErrorId, ex.Category, target));
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                // Ctrl+C: PowerShell stops the pipeline itself.
            }
        }

        // ShouldProcess, ShouldContinue, WriteVerbose, WriteWarning and WriteDebug are Cmdlet's own.

        void IOperationHost.WriteProgress(OperationProgress progress)
        {
            var record = new ProgressRecord(progress.ActivityId, progress.Activity, progress.StatusDescription)
            {
                PercentComplete = progress.PercentComplete,
                SecondsRemaining = progress.SecondsRemaining,
                RecordType = progress.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            };
            if (progress.CurrentOperation != null)
            {
                record.CurrentOperation = progress.CurrentOperation;
            }

            WriteProgress(record);
        }

        void IOperationHost.WriteError(OperationError failure) =>
            WriteError(ErrorRecordFrom(failure.Exception, failure.ErrorId, failure.Category, failure.TargetObject));

        internal static ErrorRecord ErrorRecordFrom(Exception exception, string errorId, OperationErrorCategory category, object? target) =>
            new ErrorRecord(exception, errorId, ToErrorCategory(category), target);

        internal static ErrorCategory ToErrorCategory(OperationErrorCategory category) => category switch
        {
            OperationErrorCategory.InvalidArgument => ErrorCategory.InvalidArgument,
            OperationErrorCategory.InvalidData => ErrorCategory.InvalidData,
            OperationErrorCategory.InvalidOperation => ErrorCategory.InvalidOperation,
            OperationErrorCategory.ObjectNotFound => ErrorCategory.ObjectNotFound,
            OperationErrorCategory.PermissionDenied => ErrorCategory.PermissionDenied,
            OperationErrorCategory.AuthenticationError => ErrorCategory.AuthenticationError,
            OperationErrorCategory.SecurityError => ErrorCategory.SecurityError,
            OperationErrorCategory.ConnectionError => ErrorCategory.ConnectionError,
            OperationErrorCategory.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
            OperationErrorCategory.OperationTimeout => ErrorCategory.OperationTimeout,
            OperationErrorCategory.WriteError => ErrorCategory.WriteError,
            OperationErrorCategory.ReadError => ErrorCategory.ReadError,
            OperationErrorCategory.LimitsExceeded => ErrorCategory.LimitsExceeded,
            _ => ErrorCategory.NotSpecified,
        };
    }
}
