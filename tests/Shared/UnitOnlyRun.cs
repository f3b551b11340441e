using System;

namespace QlikActivity.Testing
{
    /// <summary>
    /// Keeps the test categories honest. build.ps1 runs the tests without the Integration trait first,
    /// with QLIKACTIVITY_UNIT_ONLY=1; each place that starts a real server (the QRS simulator,
    /// mosquitto, influxd, a PowerShell runspace or pwsh) calls <see cref="Refuse"/>, so a test that
    /// needs one but lacks <c>[Trait("Category", "Integration")]</c> fails there with its name instead
    /// of slowing down, or breaking, <c>dotnet test --filter "Category!=Integration"</c> on a machine
    /// without the servers.
    /// </summary>
    /// <remarks>One source file, compiled into each test project as an internal class.</remarks>
    internal static class UnitOnlyRun
    {
        /// <summary>The environment variable that marks a unit-only run.</summary>
        public const string Variable = "QLIKACTIVITY_UNIT_ONLY";

        /// <summary>The trait every test class that needs a real server carries.</summary>
        public const string Category = "Category";

        /// <summary>The value of <see cref="Category"/> for those classes.</summary>
        public const string Integration = "Integration";

        /// <summary>Throws in a unit-only run: <paramref name="what"/> names the server the caller starts.</summary>
        public static void Refuse(string what)
        {
            if (Environment.GetEnvironmentVariable(Variable) == "1")
            {
                throw new InvalidOperationException(
                    $"This test starts {what}, which the unit tests do not ({Variable}=1): give its class [Trait(\"Category\", \"Integration\")].");
            }
        }
    }
}
