using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Tests.Destinations.Mqtt.Support;
using QlikActivity.PowerShell.Tests.Fixtures;
using Xunit;

namespace QlikActivity.PowerShell.Tests
{
    /// <summary>
    /// The scheduled-job example appends the listener's statistics to a CSV: the Destinations column
    /// must read as each destination's counters, not as a type name.
    /// </summary>
    public sealed class ListenerStatisticsCsvTests
    {
        [Fact]
        public void Statistics_exported_to_CSV_keep_each_destinations_counters_readable()
        {
            using var broker = MosquittoBroker.Start();
            int port = Udp.FreePort();
            string folder = Path.Combine(Path.GetTempPath(), "qa-stats-csv-" + Guid.NewGuid().ToString("N").Substring(0, 10));
            Directory.CreateDirectory(folder);
            try
            {
                using var session = ModuleSession.Start(120);
                string csv = Path.Combine(folder, "listener.csv");
                string script =
                    $"$live = New-QlikMqttDestination -Broker 127.0.0.1 -Port {broker.Port}; "
                    + $"$stats = Start-QlikEventListener -Address 127.0.0.1 -Port {port} -AllowedSource 127.0.0.1 -Destination $live -Count 2 -NoEvents -Timeout 120; "
                    + $"$stats | Export-Csv -LiteralPath '{csv}'; $stats | Export-Csv -LiteralPath '{csv}' -Append; Import-Csv -LiteralPath '{csv}'";
                var run = Task.Run(() => session.Run(script));
                Udp.WaitUntilBound(port, TimeSpan.FromMinutes(1));
                Udp.Send(port, SampleDatagrams.AnnaStart, SampleDatagrams.BobStop);
                Assert.True(run.Wait(TimeSpan.FromMinutes(2)), "the listener did not stop after 2 events");
                var result = run.Result;
                Assert.Null(result.Terminated);
                Assert.Empty(result.Errors);

                Assert.Equal(2, result.Output.Count);
                Assert.All(result.Output, row => Assert.Equal($"mqtt://127.0.0.1:{broker.Port}: sent 2, dropped 0, queued 0", row.Properties["Destinations"].Value));
                Assert.DoesNotContain("DestinationStatistics", File.ReadAllText(csv), StringComparison.Ordinal);

                // Several destinations: one cell, "; " between them; and the pipeline still sees a collection.
                var two = session.Run(
                    "$s = [QlikActivity.Core.Events.ListenerStatistics]::new(); "
                    + "$s.Destinations = [QlikActivity.Core.Destinations.DestinationStatistics[]]@([QlikActivity.Core.Destinations.DestinationStatistics]@{ Name = 'mqtt://a:1883'; Sent = 5 }, [QlikActivity.Core.Destinations.DestinationStatistics]@{ Name = 'influxdb://b:8086'; Dropped = 2; QueueDepth = 1 }); "
                    + "($s | ConvertTo-Csv | ConvertFrom-Csv).Destinations; $s.Destinations.Count; ($s.Destinations | Measure-Object Sent -Sum).Sum");
                Assert.Null(two.Terminated);
                Assert.Equal("mqtt://a:1883: sent 5, dropped 0, queued 0; influxdb://b:8086: sent 0, dropped 2, queued 1", two.Output[0].BaseObject);
                Assert.Equal(2, Convert.ToInt32(two.Output[1].BaseObject));
                Assert.Equal(5, Convert.ToInt32(two.Output[2].BaseObject));
            }
            finally
            {
                Directory.Delete(folder, true);
            }
        }
    }
}
