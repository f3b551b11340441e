namespace QlikActivity.Core
{
    /// <summary>A progress record, the Core twin of PowerShell's <c>ProgressRecord</c>.</summary>
    public sealed class OperationProgress
    {
        public OperationProgress(int activityId, string activity, string statusDescription)
        {
            ActivityId = activityId;
            Activity = activity;
            StatusDescription = statusDescription;
        }

        public int ActivityId { get; }
        public string Activity { get; }
        public string StatusDescription { get; }
        public string? CurrentOperation { get; set; }

        /// <summary>0–100, or -1 when unknown.</summary>
        public int PercentComplete { get; set; } = -1;

        /// <summary>-1 when unknown.</summary>
        public int SecondsRemaining { get; set; } = -1;

        /// <summary>True on the last record of an activity: the bar is removed.</summary>
        public bool Completed { get; set; }
    }
}
