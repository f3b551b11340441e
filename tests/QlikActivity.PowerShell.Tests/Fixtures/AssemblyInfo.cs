using Xunit;

// The default connection is per runspace now (issue 9, section 2, item 5), but every runspace here
// imports the same module assembly and shares one simulator: runspace tests still run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

// Every test here runs the built module in a real PowerShell runspace (most against the QRS simulator,
// mosquitto or influxd too): the whole project is in the Integration category (docs/testing.md).
[assembly: AssemblyTrait("Category", "Integration")]
