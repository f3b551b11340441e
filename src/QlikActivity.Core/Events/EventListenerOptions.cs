using System;
using System.Collections.Generic;
using QlikActivity.Core.Destinations;
using QlikActivity.Core.Journal;

namespace QlikActivity.Core.Events
{
    /// <summary>What <see cref="EventListener"/> listens on, keeps, and when it stops.</summary>
    public sealed class EventListenerOptions
    {
        public const int DefaultPort = 9997;
        public const int DefaultReceiveBufferSize = 8 * 1024 * 1024;
        public const int DefaultQueueCapacity = 32 * 1024;
        public const int DefaultPipelineCapacity = 20_000;

        /// <summary>The default bound on the memory all destinations' queues may hold together: 256 MB.</summary>
        public const long DefaultDestinationQueueBytes = 256L * 1024 * 1024;

        /// <summary>The smallest and largest datagram bound that may be set.</summary>
        public const int MinMaxDatagramBytes = 512;

        /// <summary>The local IPv4 or IPv6 address to listen on; null or empty for all interfaces (IPv4 and IPv6).</summary>
        public string? Address { get; set; }

        /// <summary>The UDP port; 0 picks a free one (see <see cref="EventListener.Listening"/>).</summary>
        public int Port { get; set; } = DefaultPort;

        /// <summary>Addresses, CIDR ranges or host names of the Sense servers; empty accepts any sender.</summary>
        public IReadOnlyList<string> AllowedSources { get; set; } = Array.Empty<string>();

        /// <summary>Wildcards of users to leave out (<c>LAB\svc_*</c>; without a backslash: the user id in any directory).</summary>
        public IReadOnlyList<string> ExcludeUsers { get; set; } = Array.Empty<string>();

        /// <summary>The event types to keep; null or empty keeps all.</summary>
        public IReadOnlyList<UserEventType>? EventTypes { get; set; }

        /// <summary>Tags added to every event (and forwarded by destinations).</summary>
        public IReadOnlyDictionary<string, string>? Tags { get; set; }

        /// <summary>Stop after this many emitted events; null runs on.</summary>
        public long? Count { get; set; }

        /// <summary>Stop after this long; null runs on.</summary>
        public TimeSpan? Timeout { get; set; }

        /// <summary>The socket receive buffer (SO_RCVBUF) to ask for, in bytes.</summary>
        public int ReceiveBufferSize { get; set; } = DefaultReceiveBufferSize;

        /// <summary>How many datagrams may wait to be parsed; past that they are counted as DroppedQueueFull.</summary>
        public int QueueCapacity { get; set; } = DefaultQueueCapacity;

        /// <summary>How many events may wait for a slow pipeline; past that they are counted as PipelineDropped.</summary>
        public int PipelineCapacity { get; set; } = DefaultPipelineCapacity;

        /// <summary>Longer datagrams are rejected as Oversize (512..65535; real events are well under the 4 KiB default).</summary>
        public int MaxDatagramBytes { get; set; } = UserEventParser.DefaultMaxDatagramBytes;

        /// <summary>
        /// The most memory the events held by all destinations (queued or being sent) may take, as
        /// estimated per event; each destination gets an equal share and drops (and counts) past it.
        /// </summary>
        public long DestinationQueueBytes { get; set; } = DefaultDestinationQueueBytes;

        /// <summary>Where events are forwarded; the listener starts them and stops them at the end.</summary>
        public IReadOnlyList<IEventDestination> Destinations { get; set; } = Array.Empty<IEventDestination>();

        /// <summary>False: emit nothing to the caller, only count and forward (a forwarding-only run).</summary>
        public bool WriteEvents { get; set; } = true;

        /// <summary>App names from the repository; when set, events with a known app id get <see cref="UserEvent.AppName"/>.</summary>
        public AppNames? AppNames { get; set; }

        /// <summary>How often the counters go to the verbose stream.</summary>
        public TimeSpan StatisticsInterval { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary>
        /// The event journal to keep (null: none). The listener opens it before it binds (a journal
        /// another listener writes is refused with <c>JournalInUse</c>), appends every emitted event
        /// before handing it on, lets destinations resume from their journal positions, and closes it
        /// at the end. Its <see cref="EventJournalOptions.OnFault"/> is the listener's own.
        /// </summary>
        public EventJournalOptions? Journal { get; set; }

        /// <summary>How long destinations may take to deliver what they hold when the listener stops.</summary>
        public TimeSpan DestinationDrainTimeout { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary>What -Timeout and the statistics interval are measured on; tests give their own clock.</summary>
        internal IClock Clock { get; set; } = SystemClock.Instance;

        /// <summary>
        /// Throws a <see cref="QlikActivityException"/> (error id <c>InvalidListenerOption</c>) naming the
        /// first value out of range. The listener calls it before it binds; whether the address is one
        /// of this machine only binding can tell.
        /// </summary>
        public void Validate()
        {
            if (Port < 0 || Port > 65535)
            {
                throw Invalid($"The port {Port} is not between 1 and 65535.");
            }

            if (ReceiveBufferSize < 4096)
            {
                throw Invalid($"The receive buffer of {ReceiveBufferSize} bytes is too small (at least 4096).");
            }

            if (QueueCapacity < 16)
            {
                throw Invalid($"The queue capacity {QueueCapacity} is too small (at least 16).");
            }

            if (MaxDatagramBytes < MinMaxDatagramBytes || MaxDatagramBytes > UserEventParser.MaxUdpPayload)
            {
                throw Invalid($"The largest datagram of {MaxDatagramBytes} bytes is not between {MinMaxDatagramBytes} and {UserEventParser.MaxUdpPayload}.");
            }

            if (DestinationQueueBytes < 1024 * 1024)
            {
                throw Invalid($"The destination queue bound of {DestinationQueueBytes} bytes is too small (at least 1 MB).");
            }

            if (PipelineCapacity < 1)
            {
                throw Invalid("The pipeline capacity must be at least 1.");
            }

            if (Count.HasValue && Count.Value < 1)
            {
                throw Invalid("-Count must be at least 1.");
            }

            if (Timeout.HasValue && Timeout.Value <= TimeSpan.Zero)
            {
                throw Invalid("-Timeout must be positive.");
            }

            static QlikActivityException Invalid(string message) =>
                new QlikActivityException(message, EventErrorIds.InvalidListenerOption, OperationErrorCategory.InvalidArgument);
        }
    }
}
