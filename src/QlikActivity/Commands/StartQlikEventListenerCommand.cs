using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using QlikActivity.Completion;
using QlikActivity.Core;
using QlikActivity.Core.Destinations;
using QlikActivity.Core.Events;
using QlikActivity.Core.Journal;
using QlikActivity.Core.Qrs;

namespace QlikActivity.Commands
{
    /// <summary>
    /// Start-QlikEventListener: receives the Qlik Sense Proxy's user events over UDP and writes them
    /// to the pipeline as they arrive (it blocks and streams), then a <see cref="ListenerStatistics"/>.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Start, "QlikEventListener")]
    [OutputType(typeof(UserEvent), typeof(ListenerStatistics))]
    public sealed class StartQlikEventListenerCommand : QlikCmdlet, IDisposable
    {
        /// <summary>The local address to listen on; all interfaces when omitted.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Address { get; set; }

        /// <summary>The UDP port the Proxy's appenders send to.</summary>
        [Parameter(Position = 0)]
        [ValidateRange(1, 65535)]
        public int Port { get; set; } = EventListenerOptions.DefaultPort;

        /// <summary>Addresses, CIDR ranges or host names of the Sense servers; others are counted and dropped.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? AllowedSource { get; set; }

        /// <summary>Users to leave out, with wildcards: <c>LAB\svc_*</c> (DIRECTORY\user) or <c>sa_*</c> (user id in any directory).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[]? ExcludeUser { get; set; }

        /// <summary>The event types to keep; all when omitted.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(EventTypeCompleter))]
        public UserEventType[]? EventType { get; set; }

        /// <summary>Tags added to every event and forwarded by destinations, e.g. <c>@{env='PROD'}</c>.</summary>
        [Parameter]
        public Hashtable? Tag { get; set; }

        /// <summary>Stop after this many events.</summary>
        [Parameter]
        [ValidateRange(1, long.MaxValue)]
        public long Count { get; set; }

        /// <summary>Stop after this many seconds.</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int Timeout { get; set; }

        /// <summary>The socket receive buffer to ask for, in bytes.</summary>
        [Parameter]
        [ValidateRange(65536, 1073741824)]
        public int ReceiveBufferSize { get; set; } = EventListenerOptions.DefaultReceiveBufferSize;

        /// <summary>How many datagrams may wait to be parsed before they are counted as dropped.</summary>
        [Parameter]
        [ValidateRange(1024, 4194304)]
        public int QueueCapacity { get; set; } = EventListenerOptions.DefaultQueueCapacity;

        /// <summary>The largest datagram accepted, in bytes; longer ones are counted as rejected (Oversize). Real events are well under the 4096 default.</summary>
        [Parameter]
        [ValidateRange(EventListenerOptions.MinMaxDatagramBytes, 65535)]
        public int MaxDatagramSize { get; set; } = UserEventParser.DefaultMaxDatagramBytes;

        /// <summary>The most memory, in MB, the events waiting in all destinations' queues may take together; past it, events are dropped and counted.</summary>
        [Parameter]
        [ValidateRange(1, 65536)]
        public int DestinationQueueMB { get; set; } = (int)(EventListenerOptions.DefaultDestinationQueueBytes / (1024 * 1024));

        /// <summary>Destinations to forward every event to (New-QlikMqttDestination and others).</summary>
        [Parameter(ValueFromPipeline = true)]
        [ValidateNotNull]
        public IEventDestination[]? Destination { get; set; }

        /// <summary>Write no events to the pipeline, only the statistics: for forwarding-only runs.</summary>
        [Parameter]
        public SwitchParameter NoEvents { get; set; }

        /// <summary>How often, in seconds, the counters go to the verbose stream.</summary>
        [Parameter]
        [ValidateRange(1, 86400)]
        public int StatisticsInterval { get; set; } = 5;

        /// <summary>A connection to the repository: when given, events get the app's name (loaded from the QRS, cached and refreshed).</summary>
        [Parameter]
        public QlikSenseConnection? Connection { get; set; }

        /// <summary>
        /// An event journal (SQLite file, created when missing): every accepted event is kept there, and
        /// destinations resume from it after a restart or an outage longer than their queue.
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? JournalPath { get; set; }

        /// <summary>Days of events the journal keeps; older ones are pruned in the background. 0 keeps everything.</summary>
        [Parameter]
        [ValidateRange(0, 36500)]
        public int JournalRetentionDays { get; set; } = 90;

        /// <summary>The most megabytes the journal's data may take; the oldest events are pruned beyond it. 0: no cap.</summary>
        [Parameter]
        [ValidateRange(0, 16L * 1024 * 1024)]
        public long JournalMaxSizeMB { get; set; } = 8192;

        private readonly List<IEventDestination> _destinations = new List<IEventDestination>();

        // Whether the admin has been told how the run ended (statistics object or Stopped line).
        private bool _reported;

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (Destination != null)
            {
                _destinations.AddRange(Destination);
            }
        }

        /// <inheritdoc />
        protected override void EndProcessing()
        {
            var options = new EventListenerOptions
            {
                Address = Address,
                Port = Port,
                AllowedSources = AllowedSource ?? Array.Empty<string>(),
                ExcludeUsers = ExcludeUser ?? Array.Empty<string>(),
                EventTypes = EventType,
                Tags = Tag?.Cast<DictionaryEntry>().ToDictionary(e => e.Key.ToString()!, e => e.Value?.ToString() ?? "", StringComparer.OrdinalIgnoreCase),
                Count = MyInvocation.BoundParameters.ContainsKey(nameof(Count)) ? Count : (long?)null,
                Timeout = MyInvocation.BoundParameters.ContainsKey(nameof(Timeout)) ? TimeSpan.FromSeconds(Timeout) : (TimeSpan?)null,
                ReceiveBufferSize = ReceiveBufferSize,
                QueueCapacity = QueueCapacity,
                MaxDatagramBytes = MaxDatagramSize,
                DestinationQueueBytes = DestinationQueueMB * 1024L * 1024L,
                Destinations = _destinations,
                WriteEvents = !NoEvents.IsPresent,
                StatisticsInterval = TimeSpan.FromSeconds(StatisticsInterval),
                AppNames = Connection != null ? new AppNames(Connection) : null,
                Journal = JournalPath == null ? null : new EventJournalOptions(GetUnresolvedProviderPathFromPSPath(JournalPath))
                {
                    RetentionDays = JournalRetentionDays,
                    MaxSizeBytes = JournalMaxSizeMB * 1024 * 1024,
                },
            };

            // The endpoint is what a failure to listen is about (port in use, address not on this machine).
            string endpoint = (Address ?? "0.0.0.0") + ":" + Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Run(() =>
            {
                using (options.AppNames)
                {
                    var listener = new EventListener(options);
                    try
                    {
                        foreach (var userEvent in listener.Listen(this))
                        {
                            WriteObject(userEvent);
                        }
                    }
                    finally
                    {
                        // After Ctrl+C PowerShell accepts no more output objects: the admin still gets the counters.
                        if (Stopping)
                        {
                            WriteStopped(listener.Statistics);
                        }
                    }

                    if (!Stopping)
                    {
                        _reported = true;
                        WriteObject(listener.Statistics);
                    }
                }
            }, endpoint);
        }

        /// <summary>
        /// Ctrl+C before the listener was listening (while destinations were piped in, or during
        /// start-up) ends the command without EndProcessing's own line: say so here, on the pipeline thread.
        /// </summary>
        public void Dispose()
        {
            if (Stopping && !_reported)
            {
                WriteStopped(null);
            }
        }

        private void WriteStopped(ListenerStatistics? statistics)
        {
            _reported = true;
            Host?.UI?.WriteWarningLine(statistics != null
                ? "Stopped: " + statistics.ToSummaryLine()
                : $"Stopped while the listener was starting (UDP {Address ?? "0.0.0.0"} port {Port}): no events were received.");
        }
    }
}
