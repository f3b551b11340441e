using Xunit;

// The module's default connection is process-wide today (issue 9, section 2, item 5), and every
// runspace here imports the same module assembly: runspace tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
