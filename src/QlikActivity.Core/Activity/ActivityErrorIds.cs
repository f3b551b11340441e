namespace QlikActivity.Core.Activity
{
    /// <summary>
    /// The ErrorIds of activity reads and bucket writes, one per cause (repository failures keep
    /// <see cref="QlikActivity.Core.Qrs.QrsErrorIds"/>).
    /// </summary>
    public static class ActivityErrorIds
    {
        public const string InvalidRequest = "ActivityBucketInvalidRequest";
        public const string DefinitionMismatch = "ActivityBucketDefinitionMismatch";
        public const string WriteFailed = "ActivityBucketWriteFailed";
        public const string WriteUnknown = "ActivityBucketWriteUnknown";
        public const string ServerStoppedAnswering = "ActivityBucketServerStoppedAnswering";
        public const string Unexpected = "ActivityBucketUnexpectedError";
        public const string InvalidBucket = "InvalidActivityBucket";
    }
}
