using System;
using QlikActivity.Core.Destinations;
using QlikActivity.Core.Events;
using Xunit;

namespace QlikActivity.Core.Tests.Events
{
    /// <summary>The warnings the listener gives about a destination, from its counters alone (no destination runs).</summary>
    public class DestinationWatchTests
    {
        private static DestinationStatistics Failing(long deferred, long replayed) => new DestinationStatistics
        {
            Name = "mqtt://broker:1883",
            Failed = 1,
            QueueDepth = 50,
            InFlight = 98,
            Deferred = deferred,
            Replayed = replayed,
            LastError = "Cannot reach the MQTT broker.",
        };

        private static string FirstWarning(DestinationStatistics s)
        {
            var host = new RecordingHost();
            var watch = new DestinationWatch(new IEventDestination[1], TimeSpan.FromSeconds(60));
            watch.Check(host, new[] { s }, nowTicks: 1);
            return Assert.Single(host.Warnings);
        }

        [Fact]
        public void A_failing_destination_says_how_many_events_wait_in_its_queue()
        {
            Assert.Equal(
                "mqtt://broker:1883 is failing: Cannot reach the MQTT broker. Its events wait in its queue (148 queued) and are retried.",
                FirstWarning(Failing(deferred: 0, replayed: 0)));
        }

        [Fact]
        public void With_a_journal_it_also_says_how_many_wait_there_not_yet_read_back()
        {
            // 300 went to the journal while the queue was full; 48 of them have been read back so far.
            Assert.Equal(
                "mqtt://broker:1883 is failing: Cannot reach the MQTT broker. Its events wait in its queue (148 queued, 252 more in the journal) and are retried.",
                FirstWarning(Failing(deferred: 300, replayed: 48)));
        }
    }
}
