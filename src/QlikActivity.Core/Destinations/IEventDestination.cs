using System;
using System.Threading;
using System.Threading.Tasks;

namespace QlikActivity.Core.Destinations
{
    /// <summary>
    /// Somewhere events are forwarded to (MQTT, InfluxDB, New Relic, a webhook). Each destination
    /// owns a bounded queue and its own background sender, so a slow or dead destination never
    /// stalls the socket or the other destinations.
    /// </summary>
    public interface IEventDestination : IAsyncDisposable
    {
        /// <summary>A short name for statistics and messages, e.g. <c>mqtt://127.0.0.1:1883</c>. Never holds a secret.</summary>
        string Name { get; }

        /// <summary>Starts the background sender.</summary>
        Task StartAsync(CancellationToken cancellationToken);

        /// <summary>Queues an event without blocking; false when the queue is full (the event is counted as dropped). An event the destination filters out returns true and is not counted.</summary>
        bool TryEnqueue(UserEvent userEvent);

        /// <summary>Stops taking events, tries to deliver what is queued within <paramref name="drainTimeout"/>, then stops.</summary>
        Task StopAsync(TimeSpan drainTimeout);

        /// <summary>A snapshot of the counters.</summary>
        DestinationStatistics GetStatistics();
    }
}
