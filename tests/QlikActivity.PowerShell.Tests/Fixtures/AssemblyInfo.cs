using Xunit;

// The default connection is per runspace now (issue 9, section 2, item 5), but every runspace here
// imports the same module assembly and shares one simulator: runspace tests still run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
