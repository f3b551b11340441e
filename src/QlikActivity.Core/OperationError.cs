using System;

namespace QlikActivity.Core
{
    /// <summary>Which PowerShell <c>ErrorCategory</c> an <see cref="OperationError"/> maps to.</summary>
    public enum OperationErrorCategory
    {
        NotSpecified,
        InvalidArgument,
        InvalidData,
        InvalidOperation,
        ObjectNotFound,
        PermissionDenied,
        AuthenticationError,
        SecurityError,
        ConnectionError,
        ResourceUnavailable,
        OperationTimeout,
        WriteError,
        ReadError,
        LimitsExceeded,
    }

    /// <summary>A non-terminating error, the Core twin of PowerShell's <c>ErrorRecord</c>.</summary>
    public sealed class OperationError
    {
        public OperationError(Exception exception, string errorId, OperationErrorCategory category, object? targetObject)
        {
            Exception = exception ?? throw new ArgumentNullException(nameof(exception));
            ErrorId = errorId;
            Category = category;
            TargetObject = targetObject;
        }

        public Exception Exception { get; }
        public string ErrorId { get; }
        public OperationErrorCategory Category { get; }
        public object? TargetObject { get; }
    }
}
