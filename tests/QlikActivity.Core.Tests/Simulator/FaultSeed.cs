using System;
using System.Threading.Tasks;
using QlikActivity.QrsSimulator;
using Xunit.Sdk;

namespace QlikActivity.Core.Tests.Simulator
{
    /// <summary>
    /// Runs a test body with the simulator's fault draws fixed to a seed. A failure names the seed
    /// (<see cref="FaultOptions.Seed"/>, <c>--fault-seed</c> on the runnable simulator) so the run can be repeated.
    /// Requests sent one at a time then meet the same faults every run; concurrent requests take the
    /// same draws in an order the scheduler picks.
    /// </summary>
    internal static class FaultSeed
    {
        public static async Task RunAsync(FaultOptions faults, int seed, Func<Task> body)
        {
            faults.Seed = seed;
            try
            {
                await body();
            }
            catch (Exception ex) when (ex is not FaultSeedFailure)
            {
                throw new FaultSeedFailure($"Failed with the simulator's fault seed {seed} (FaultOptions.Seed): {ex.Message}", ex);
            }
        }

        public static void Run(FaultOptions faults, int seed, Action body) =>
            RunAsync(faults, seed, () =>
            {
                body();
                return Task.CompletedTask;
            }).GetAwaiter().GetResult();

        private sealed class FaultSeedFailure : XunitException
        {
            public FaultSeedFailure(string message, Exception inner)
                : base(message, inner)
            {
            }
        }
    }
}
