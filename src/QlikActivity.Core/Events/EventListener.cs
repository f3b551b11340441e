using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Destinations;

namespace QlikActivity.Core.Events
{
    /// <summary>
    /// Receives the user events the Qlik Sense Proxy sends over UDP without losing any unseen.
    /// Three threads: a dedicated receive thread that only reads datagrams into a preallocated ring
    /// (no allocation, no waiting), a parse worker that parses, filters, tags, hands events to the
    /// destinations and to a bounded output queue, and the caller's thread, which drains that queue
    /// in <see cref="Listen"/> and is the only one that talks to the host.
    /// </summary>
    /// <example>
    /// <code>
    /// var listener = new EventListener(new EventListenerOptions { Port = 9997, Count = 10 });
    /// foreach (UserEvent e in listener.Listen(host)) { ... }
    /// ListenerStatistics summary = listener.Statistics;
    /// </code>
    /// </example>
    public sealed class EventListener
    {
        private const int NotesPerInterval = 10;

        /// <summary>How long after the last event the worker and the caller keep polling instead of sleeping.</summary>
        private const int BusyMilliseconds = 250;

        private readonly EventListenerOptions _options;
        private readonly TaskCompletionSource<IPEndPoint> _listening = new TaskCompletionSource<IPEndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentQueue<UserEvent> _output = new ConcurrentQueue<UserEvent>();
        private readonly ConcurrentQueue<string> _notes = new ConcurrentQueue<string>();
        private readonly ConsumerSignal _ringSignal = new ConsumerSignal();
        private readonly ConsumerSignal _outputSignal = new ConsumerSignal();
        private readonly long[] _rejectedByReason = new long[Enum.GetValues(typeof(RejectReason)).Length];

        private int _started;
        private Socket? _socket;
        private DatagramRing? _ring;
        private Thread? _receiveThread;
        private Thread? _workerThread;
        private IReadOnlyList<IEventDestination> _destinations = Array.Empty<IEventDestination>();
        private UserEventFilter _filter = UserEventFilter.All;
        private IReadOnlyDictionary<string, string>? _tags;
        private Exception? _fatal;
        private volatile bool _stopping;
        private volatile bool _stopWorker;
        private volatile bool _workerDone;
        private volatile bool _countReached;
        private string? _destinationError;

        // Counters, grouped by the one thread that writes them and padded apart, so that counting
        // costs no lock and no cache line bounces between the threads per datagram.
        private ReceiveCounters _r;
        private WorkerCounters _w;
        private ConsumerCounters _c;
        private int _notesThisInterval;

        private DateTime _startedAt;
        private Stopwatch _clock = new Stopwatch();
        private string _address = "";
        private int _port;
        private int _bufferGranted;
        private string? _inode;
        private long? _kernelDroppedAtStop;

        public EventListener(EventListenerOptions options)
        {
            _options = options ?? throw new ArgumentNullException(nameof(options));
        }

        /// <summary>Completes with the bound local end point once the socket listens (handy with port 0).</summary>
        public Task<IPEndPoint> Listening => _listening.Task;

        /// <summary>The summary of the run, set when <see cref="Listen"/> has finished (also after an early stop).</summary>
        public ListenerStatistics? Statistics { get; private set; }

        /// <summary>
        /// Binds the socket, starts the destinations and yields events on the calling thread as they
        /// arrive, until <see cref="EventListenerOptions.Count"/>, <see cref="EventListenerOptions.Timeout"/>
        /// or the host's cancellation token. Writes counters to the verbose stream every
        /// <see cref="EventListenerOptions.StatisticsInterval"/>. A listener runs once.
        /// </summary>
        public IEnumerable<UserEvent> Listen(IOperationHost host)
        {
            if (host == null)
            {
                throw new ArgumentNullException(nameof(host));
            }

            if (Interlocked.Exchange(ref _started, 1) != 0)
            {
                throw new InvalidOperationException("An EventListener runs once; create a new one.");
            }

            return ListenCore(host);
        }

        /// <summary>A snapshot of the counters; safe from any thread while the listener runs.</summary>
        public ListenerStatistics GetStatistics() => Snapshot(final: false);

        private IEnumerable<UserEvent> ListenCore(IOperationHost host)
        {
            try
            {
                Start(host);
            }
            catch (Exception ex)
            {
                _listening.TrySetException(ex);
                throw;
            }

            var token = host.CancellationToken;
            try
            {
                using (token.Register(_outputSignal.Wake))
                {
                    long timeoutTicks = _options.Timeout.HasValue ? (long)(_options.Timeout.Value.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;
                    long intervalTicks = (long)(Math.Max(0.1, _options.StatisticsInterval.TotalSeconds) * Stopwatch.Frequency);
                    long nextStatistics = intervalTicks;
                    int sinceCheck = 0;
                    int lastBusy = Environment.TickCount;
                    Func<bool> hasWork = () => !_output.IsEmpty || _workerDone || token.IsCancellationRequested;
                    while (true)
                    {
                        if (_output.TryDequeue(out var userEvent))
                        {
                            Bump(ref _c.OutputDequeued);
                            Bump(ref _c.Written);
                            lastBusy = Environment.TickCount;
                            yield return userEvent;

                            // Keep an eye on the clock and the token while events stream without a pause.
                            if (++sinceCheck < 256)
                            {
                                continue;
                            }
                        }

                        sinceCheck = 0;
                        if (token.IsCancellationRequested || _fatal != null)
                        {
                            break;
                        }

                        if (_workerDone && _output.IsEmpty)
                        {
                            break;
                        }

                        long now = _clock.ElapsedTicks;
                        if (now >= timeoutTicks)
                        {
                            break;
                        }

                        WriteNotes(host);
                        if (_options.AppNames?.TakeError() is string appNamesError)
                        {
                            host.WriteWarning(appNamesError);
                        }

                        if (now >= nextStatistics)
                        {
                            host.WriteVerbose(Describe(Snapshot(final: false)));
                            Interlocked.Exchange(ref _notesThisInterval, 0);
                            nextStatistics = now + intervalTicks;
                        }

                        if (_output.IsEmpty)
                        {
                            if (unchecked(Environment.TickCount - lastBusy) < BusyMilliseconds)
                            {
                                // Events are flowing: take the next ones as a batch in a millisecond.
                                Thread.Sleep(1);
                                continue;
                            }

                            long wait = Math.Min(Math.Min(timeoutTicks, nextStatistics) - now, Stopwatch.Frequency / 4);
                            int waitMs = (int)Math.Max(1, wait * 1000 / Stopwatch.Frequency);
                            _outputSignal.Wait(hasWork, waitMs);
                        }
                    }
                }
            }
            finally
            {
                Shutdown();
            }

            // Only a run that ended by itself (not by its caller dropping the enumeration) reaches here.
            WriteNotes(host);
            if (_fatal != null)
            {
                throw _fatal as QlikActivityException ?? new QlikActivityException(
                    $"The event listener stopped: {_fatal.Message}", "ListenerFailed", OperationErrorCategory.InvalidOperation, _fatal);
            }

            if (_destinationError != null)
            {
                host.WriteWarning(_destinationError);
            }

            host.WriteVerbose(Describe(Statistics!));
        }

        // ------------------------------------------------------------------ start and stop

        private void Start(IOperationHost host)
        {
            ValidateOptions();
            _filter = UserEventFilter.Create(_options.ExcludeUsers, _options.EventTypes, _options.AllowedSources);
            _tags = _options.Tags != null && _options.Tags.Count > 0 ? _options.Tags.ToDictionary(p => p.Key, p => p.Value) : null;
            _destinations = _options.Destinations ?? Array.Empty<IEventDestination>();

            _socket = Bind(host);
            try
            {
                if (!_filter.RestrictsSources)
                {
                    host.WriteWarning(
                        $"No -AllowedSource given: the listener on UDP port {_port} accepts datagrams from any address, so anyone who can reach it can inject user events. Name your Sense servers with -AllowedSource.");
                }

                StartDestinations(host);

                // Bytes for the intake ring: about 512 per queued datagram (real ones are ~300-600).
                long ringBytes = Math.Min((long)_options.QueueCapacity * 512, 1L << 30);
                _ring = new DatagramRing((int)ringBytes, _options.QueueCapacity);

                _startedAt = DateTime.UtcNow;
                _clock = Stopwatch.StartNew();
                _workerThread = new Thread(WorkerLoop) { IsBackground = true, Name = "QlikActivity event parser", Priority = ThreadPriority.AboveNormal };
                _receiveThread = new Thread(ReceiveLoop) { IsBackground = true, Name = "QlikActivity UDP receive", Priority = ThreadPriority.AboveNormal };
                _workerThread.Start();
                _receiveThread.Start();
            }
            catch
            {
                _socket.Dispose();
                throw;
            }

            host.WriteVerbose(
                $"Listening for Qlik Sense user events on UDP {_address} port {_port}; receive buffer {_bufferGranted / 1024} KiB, queue {_options.QueueCapacity} datagrams, {_destinations.Count} destination(s).");
            _listening.TrySetResult((IPEndPoint)_socket.LocalEndPoint!);
        }

        private void ValidateOptions()
        {
            if (_options.Port < 0 || _options.Port > 65535)
            {
                throw Invalid($"The port {_options.Port} is not between 1 and 65535.");
            }

            if (_options.ReceiveBufferSize < 4096)
            {
                throw Invalid($"The receive buffer of {_options.ReceiveBufferSize} bytes is too small (at least 4096).");
            }

            if (_options.QueueCapacity < 16)
            {
                throw Invalid($"The queue capacity {_options.QueueCapacity} is too small (at least 16).");
            }

            if (_options.PipelineCapacity < 1)
            {
                throw Invalid("The pipeline capacity must be at least 1.");
            }

            if (_options.Count.HasValue && _options.Count.Value < 1)
            {
                throw Invalid("-Count must be at least 1.");
            }

            if (_options.Timeout.HasValue && _options.Timeout.Value <= TimeSpan.Zero)
            {
                throw Invalid("-Timeout must be positive.");
            }

            static QlikActivityException Invalid(string message) =>
                new QlikActivityException(message, "InvalidListenerOption", OperationErrorCategory.InvalidArgument);
        }

        private Socket Bind(IOperationHost host)
        {
            IPAddress address;
            bool dualMode = false;
            if (string.IsNullOrWhiteSpace(_options.Address))
            {
                dualMode = Socket.OSSupportsIPv6;
                address = dualMode ? IPAddress.IPv6Any : IPAddress.Any;
            }
            else if (!IPAddress.TryParse(_options.Address!.Trim(), out address!))
            {
                throw new QlikActivityException(
                    $"-Address '{_options.Address}' is not an IPv4 or IPv6 address of this machine.",
                    "InvalidListenerAddress",
                    OperationErrorCategory.InvalidArgument);
            }
            else
            {
                // '::' takes IPv4 too, and an IPv4-mapped address ('::ffff:10.1.2.3') is IPv4 in IPv6 clothes.
                dualMode = address.Equals(IPAddress.IPv6Any) || (address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv4MappedToIPv6);
            }

            var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                if (dualMode)
                {
                    socket.DualMode = true;
                }

                if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                {
                    // Another program must not be able to bind the same port and take our datagrams,
                    // and an ICMP "port unreachable" must not surface as a receive error.
                    socket.ExclusiveAddressUse = true;
                    const int SioUdpConnReset = unchecked((int)0x9800000C);
                    socket.IOControl(SioUdpConnReset, new byte[4], null);
                }

                _bufferGranted = SetReceiveBuffer(socket, _options.ReceiveBufferSize, host);

                // Idle wake-ups let the receive thread notice a stop even where closing does not interrupt a blocked receive.
                socket.ReceiveTimeout = 500;
                socket.Bind(new IPEndPoint(address, _options.Port));
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                string where = $"{address} port {_options.Port}";
                throw ex.SocketErrorCode switch
                {
                    SocketError.AddressAlreadyInUse => new QlikActivityException(
                        $"UDP {where} is already in use by another program (another listener or Butler SOS?). Stop it or choose another -Port.",
                        "PortInUse", OperationErrorCategory.ResourceUnavailable, ex),
                    SocketError.AddressNotAvailable => new QlikActivityException(
                        $"-Address {address} is not an address of this machine.",
                        "AddressNotAvailable", OperationErrorCategory.InvalidArgument, ex),
                    SocketError.AccessDenied => new QlikActivityException(
                        $"Not allowed to listen on UDP {where}: {ex.Message}",
                        "PortAccessDenied", OperationErrorCategory.PermissionDenied, ex),
                    _ => new QlikActivityException(
                        $"Could not listen on UDP {where}: {ex.Message}",
                        "ListenFailed", OperationErrorCategory.ResourceUnavailable, ex),
                };
            }

            _inode = KernelDrops.InodeOf(socket);
            var local = (IPEndPoint)socket.LocalEndPoint!;
            _address = local.Address.ToString();
            _port = local.Port;
            return socket;
        }

        /// <summary>
        /// Asks for the buffer and reads back what the OS granted. Linux caps the request at
        /// <c>net.core.rmem_max</c> and then doubles it for bookkeeping, so it compares half the
        /// read-back value; other systems may refuse a large request outright, so it steps down.
        /// </summary>
        internal static int SetReceiveBuffer(Socket socket, int requested, IOperationHost host)
        {
            int asked = requested;
            while (true)
            {
                try
                {
                    socket.ReceiveBufferSize = asked;
                    break;
                }
                catch (SocketException) when (asked > 256 * 1024)
                {
                    asked /= 2;
                }
            }

            bool linux = RuntimeInformation.IsOSPlatform(OSPlatform.Linux);
            int reported = socket.ReceiveBufferSize;
            int granted = linux ? reported / 2 : reported;
            if (granted < requested)
            {
                string hint = linux
                    ? $" The kernel caps it at net.core.rmem_max; raise that with 'sysctl -w net.core.rmem_max={requested}' (and in /etc/sysctl.conf to keep it)."
                    : RuntimeInformation.IsOSPlatform(OSPlatform.OSX)
                        ? " The system caps it at kern.ipc.maxsockbuf."
                        : "";
                host.WriteWarning(
                    $"The UDP receive buffer is {granted / 1024} KiB, less than the {requested / 1024} KiB asked for: bursts of events may be lost in the kernel before the listener sees them.{hint}");
            }

            return granted;
        }

        private void StartDestinations(IOperationHost host)
        {
            _options.AppNames?.Start();
            var started = new List<IEventDestination>();
            foreach (var destination in _destinations)
            {
                // An unchecked certificate or a secret sent in clear is said at every start, not only at creation.
                if (destination is ISecurityWarnings risky)
                {
                    foreach (var warning in risky.SecurityWarnings)
                    {
                        host.WriteWarning(warning);
                    }
                }

                try
                {
                    destination.StartAsync(host.CancellationToken).GetAwaiter().GetResult();
                    started.Add(destination);
                    host.WriteVerbose($"Destination {destination.Name} started.");
                }
                catch
                {
                    StopDestinations(started, TimeSpan.FromSeconds(1));
                    throw;
                }
            }
        }

        private void Shutdown()
        {
            _stopping = true;
            _kernelDroppedAtStop = KernelDrops.Read(_inode);
            try
            {
                _socket?.Dispose();
            }
            catch (ObjectDisposedException)
            {
            }

            _receiveThread?.Join();
            _stopWorker = true;
            _ringSignal.Wake();
            _workerThread?.Join();
            _clock.Stop();

            // Emitted events the caller will not take any more.
            while (_output.TryDequeue(out _))
            {
                Bump(ref _c.OutputDequeued);
                Bump(ref _w.PipelineDropped);
            }

            var errors = StopDestinations(_destinations, _options.DestinationDrainTimeout);
            if (errors.Count > 0)
            {
                _destinationError = "Destinations did not stop cleanly: " + string.Join("; ", errors);
            }

            Statistics = Snapshot(final: true);
            _listening.TrySetCanceled();
        }

        private static List<string> StopDestinations(IReadOnlyList<IEventDestination> destinations, TimeSpan drainTimeout)
        {
            var errors = new List<string>();
            if (destinations.Count == 0)
            {
                return errors;
            }

            var stops = destinations.Select(d => (d, Task.Run(() => d.StopAsync(drainTimeout)))).ToList();
            var grace = drainTimeout + TimeSpan.FromSeconds(5);
            foreach (var (destination, stop) in stops)
            {
                try
                {
                    if (!stop.Wait(grace))
                    {
                        errors.Add($"{destination.Name} did not stop within {grace.TotalSeconds:0} s");
                    }
                }
                catch (AggregateException ex)
                {
                    errors.Add($"{destination.Name}: {ex.InnerException?.Message ?? ex.Message}");
                }
            }

            return errors;
        }

        // ------------------------------------------------------------------ receive thread

        private void ReceiveLoop()
        {
            RaisePriority(-10);
            var socket = _socket!;
            var ring = _ring!;
            var scratch = new byte[DatagramRing.PayloadRoom];
#if NET8_0_OR_GREATER
            var from = new SocketAddress(socket.AddressFamily);
#else
            EndPoint any = socket.AddressFamily == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
            var addressBytes = new byte[16];
#endif
            try
            {
                while (!_stopping)
                {
                    int offset = ring.TryReserve();
                    int length;
#if !NET8_0_OR_GREATER
                    EndPoint remote = any;
#endif
                    try
                    {
#if NET8_0_OR_GREATER
                        length = offset >= 0
                            ? socket.ReceiveFrom(ring.Data.AsSpan(offset + DatagramRing.HeaderSize, DatagramRing.PayloadRoom), SocketFlags.None, from)
                            : socket.ReceiveFrom(scratch.AsSpan(), SocketFlags.None, from);
#else
                        length = offset >= 0
                            ? socket.ReceiveFrom(ring.Data, offset + DatagramRing.HeaderSize, DatagramRing.PayloadRoom, SocketFlags.None, ref remote)
                            : socket.ReceiveFrom(scratch, 0, scratch.Length, SocketFlags.None, ref remote);
#endif
                    }
                    catch (SocketException ex) when (!_stopping && (ex.SocketErrorCode == SocketError.TimedOut || ex.SocketErrorCode == SocketError.WouldBlock
                        || ex.SocketErrorCode == SocketError.ConnectionReset || ex.SocketErrorCode == SocketError.Interrupted))
                    {
                        continue;
                    }

                    long ticks = DateTime.UtcNow.Ticks;
                    Bump(ref _r.Received);
#if NET8_0_OR_GREATER
                    short family = (short)from.Family;
                    ReadOnlySpan<byte> address = from.Buffer.Span.Slice(0, from.Size);
#else
                    var sender = ((IPEndPoint)remote).Address;
                    short family = (short)sender.AddressFamily;
                    ReadOnlySpan<byte> address = sender.GetAddressBytes();
#endif
                    bool queued = offset >= 0
                        ? ring.Commit(offset, length, ticks, family, address)
                        : ring.TryWrite(scratch.AsSpan(0, length), ticks, family, address);
                    if (queued)
                    {
                        _ringSignal.Notify();
                    }
                    else
                    {
                        Bump(ref _r.DroppedQueueFull);
                    }
                }
            }
            catch (Exception) when (_stopping)
            {
                // Closing the socket ends a blocked receive with an exception: that is the stop.
            }
            catch (Exception ex)
            {
                _fatal = ex;
                _outputSignal.Wake();
            }
        }

        /// <summary>
        /// On a busy machine the receive thread must still get the CPU within milliseconds, or the
        /// kernel buffer overflows, and the parse worker must keep pace, or the intake queue does.
        /// Their work is bounded by the event rate (a few microseconds per event), so a higher
        /// priority costs others nothing when little arrives. Windows honours Thread.Priority (set at
        /// creation); .NET ignores it on Linux, where setpriority(PRIO_PROCESS, 0) sets the calling
        /// thread's nice value. Without the right to raise it (no CAP_SYS_NICE) nothing changes.
        /// </summary>
        private static void RaisePriority(int nice)
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            {
                return;
            }

            try
            {
                SetPriority(0, 0, nice);
            }
            catch (Exception ex) when (ex is DllNotFoundException || ex is EntryPointNotFoundException)
            {
            }
        }

        [DllImport("libc", EntryPoint = "setpriority", SetLastError = true)]
        private static extern int SetPriority(int which, int who, int priority);

        // ------------------------------------------------------------------ parse worker

        private void WorkerLoop()
        {
            RaisePriority(-5);
            var ring = _ring!;
            var parser = new UserEventParser(Math.Min(_options.MaxDatagramBytes, UserEventParser.MaxUdpPayload));
            var sources = new SourceCache(_filter);
            int lastBusy = Environment.TickCount;
            try
            {
                while (true)
                {
                    if (ring.TryRead(out var datagram))
                    {
                        Process(datagram, parser, sources);
                        ring.Release();
                        lastBusy = Environment.TickCount;
                        continue;
                    }

                    if (_stopWorker)
                    {
                        // The receive thread has ended: whatever it published is in the ring now.
                        while (ring.TryRead(out datagram))
                        {
                            Process(datagram, parser, sources);
                            ring.Release();
                        }

                        break;
                    }

                    // While events flow, poll every millisecond and take what came as a batch: a wake-up
                    // per datagram would cost more CPU than parsing it. Idle, sleep until signalled.
                    if (unchecked(Environment.TickCount - lastBusy) < BusyMilliseconds)
                    {
                        Thread.Sleep(1);
                        continue;
                    }

                    _ringSignal.Wait(() => !ring.IsEmpty || _stopWorker, 200);
                }
            }
            catch (Exception ex)
            {
                _fatal = ex;
            }
            finally
            {
                _workerDone = true;
                _outputSignal.Wake();
            }
        }

        private void Process(DatagramRing.Datagram datagram, UserEventParser parser, SourceCache sources)
        {
            if (_countReached)
            {
                Bump(ref _w.DiscardedAtStop);
                return;
            }

            var source = sources.Get(datagram.Family, datagram.Address);
            if (!source.Allowed)
            {
                Bump(ref _w.DroppedSource);
                if (!source.Noted && WantNote())
                {
                    source.Noted = true;
                    Note($"Dropped a datagram from {source.Text}: not in -AllowedSource.");
                }

                return;
            }

            var result = parser.Parse(datagram.Payload, new DateTime(datagram.Ticks, DateTimeKind.Utc), source.Text);
            var userEvent = result.Event;
            if (userEvent == null)
            {
                Bump(ref _w.Rejected);
                Bump(ref _rejectedByReason[(int)result.Reason]);
                if (WantNote())
                {
                    Note($"Rejected a datagram from {source.Text}: {result.Reason}, {result.Detail}.");
                }

                return;
            }

            Bump(ref _w.Parsed);
            if (_filter.IsExcluded(userEvent))
            {
                Bump(ref _w.Excluded);
                return;
            }

            if (_tags != null)
            {
                userEvent.Tags = _tags;
            }

            // A dictionary read: the names load on their own task and never hold up parsing.
            if (_options.AppNames != null && userEvent.AppId is Guid appId && userEvent.AppName == null)
            {
                userEvent.AppName = _options.AppNames.Find(appId);
            }

            long emitted = Bump(ref _w.Emitted);
            foreach (var destination in _destinations)
            {
                bool taken;
                try
                {
                    taken = destination.TryEnqueue(userEvent);
                }
                catch (Exception ex)
                {
                    taken = false;
                    Note($"Destination {destination.Name} failed to take an event: {ex.Message}");
                }

                if (!taken)
                {
                    Bump(ref _w.DestinationDropped);
                }
            }

            if (_options.WriteEvents)
            {
                if (OutputHasRoom())
                {
                    _output.Enqueue(userEvent);
                    Bump(ref _w.OutputEnqueued);
                    _outputSignal.Notify();
                }
                else
                {
                    Bump(ref _w.PipelineDropped);
                }
            }

            if (_options.Count.HasValue && emitted >= _options.Count.Value)
            {
                _countReached = true;
                _workerDone = true;
                _outputSignal.Wake();
            }
        }

        /// <summary>
        /// Adds one to a counter that only the calling thread writes. Other threads read it with
        /// Volatile.Read for live statistics (exact on 64-bit; the final statistics are read after
        /// the threads have ended, so they are exact everywhere).
        /// </summary>
        private static long Bump(ref long counter)
        {
            long next = counter + 1;
            Volatile.Write(ref counter, next);
            return next;
        }

        // The worker checks the caller's progress only when its own count says the buffer is full.
        private bool OutputHasRoom()
        {
            long capacity = _options.PipelineCapacity;
            if (_w.OutputEnqueued - _w.CachedDequeued < capacity)
            {
                return true;
            }

            _w.CachedDequeued = Volatile.Read(ref _c.OutputDequeued);
            return _w.OutputEnqueued - _w.CachedDequeued < capacity;
        }

        [StructLayout(LayoutKind.Explicit, Size = 192)]
        private struct ReceiveCounters
        {
            [FieldOffset(64)] public long Received;
            [FieldOffset(72)] public long DroppedQueueFull;
        }

        [StructLayout(LayoutKind.Explicit, Size = 256)]
        private struct WorkerCounters
        {
            [FieldOffset(64)] public long Parsed;
            [FieldOffset(72)] public long Rejected;
            [FieldOffset(80)] public long DroppedSource;
            [FieldOffset(88)] public long DiscardedAtStop;
            [FieldOffset(96)] public long Excluded;
            [FieldOffset(104)] public long Emitted;
            [FieldOffset(112)] public long PipelineDropped;
            [FieldOffset(120)] public long DestinationDropped;
            [FieldOffset(128)] public long OutputEnqueued;
            [FieldOffset(136)] public long CachedDequeued;
        }

        [StructLayout(LayoutKind.Explicit, Size = 192)]
        private struct ConsumerCounters
        {
            [FieldOffset(64)] public long Written;
            [FieldOffset(72)] public long OutputDequeued;
        }

        private bool WantNote() => Volatile.Read(ref _notesThisInterval) < NotesPerInterval;

        private void Note(string text)
        {
            if (Interlocked.Increment(ref _notesThisInterval) <= NotesPerInterval)
            {
                _notes.Enqueue(text);
            }
        }

        private void WriteNotes(IOperationHost host)
        {
            while (_notes.TryDequeue(out var note))
            {
                host.WriteDebug(note);
            }
        }

        // ------------------------------------------------------------------ statistics

        private ListenerStatistics Snapshot(bool final)
        {
            var byReason = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
            foreach (RejectReason reason in Enum.GetValues(typeof(RejectReason)))
            {
                if (reason != RejectReason.None)
                {
                    byReason[reason.ToString()] = Volatile.Read(ref _rejectedByReason[(int)reason]);
                }
            }

            var duration = _clock.Elapsed;
            long emitted = Volatile.Read(ref _w.Emitted);
            return new ListenerStatistics
            {
                StartedAt = _startedAt,
                Duration = duration,
                Address = _address,
                Port = _port,
                ReceiveBufferRequested = _options.ReceiveBufferSize,
                ReceiveBufferBytes = _bufferGranted,
                Received = Volatile.Read(ref _r.Received),
                Parsed = Volatile.Read(ref _w.Parsed),
                Rejected = Volatile.Read(ref _w.Rejected),
                RejectedByReason = byReason,
                DroppedSource = Volatile.Read(ref _w.DroppedSource),
                DroppedQueueFull = Volatile.Read(ref _r.DroppedQueueFull),
                DiscardedAtStop = Volatile.Read(ref _w.DiscardedAtStop),
                Excluded = Volatile.Read(ref _w.Excluded),
                Emitted = emitted,
                Written = Volatile.Read(ref _c.Written),
                PipelineDropped = Volatile.Read(ref _w.PipelineDropped),
                QueueBacklog = _ring?.Count ?? 0,
                PipelineBacklog = Math.Max(0, Volatile.Read(ref _w.OutputEnqueued) - Volatile.Read(ref _c.OutputDequeued)),
                DestinationDropped = Volatile.Read(ref _w.DestinationDropped),
                KernelDropped = final ? _kernelDroppedAtStop : KernelDrops.Read(_inode),
                EventsPerSecond = duration.TotalSeconds > 0 ? Math.Round(emitted / duration.TotalSeconds, 1) : 0,
                Destinations = _destinations.Select(SafeStatistics).ToArray(),
                IsFinal = final,
            };
        }

        private static DestinationStatistics SafeStatistics(IEventDestination destination)
        {
            try
            {
                return destination.GetStatistics();
            }
            catch (Exception ex)
            {
                return new DestinationStatistics { Name = destination.Name, LastError = ex.Message };
            }
        }

        private static string Describe(ListenerStatistics s)
        {
            var c = CultureInfo.InvariantCulture;
            string rejected = string.Join(", ", s.RejectedByReason.Where(p => p.Value > 0).Select(p => $"{p.Key} {p.Value.ToString("N0", c)}"));
            string text = string.Format(
                c,
                "{0} after {1:hh\\:mm\\:ss}: received {2:N0}, parsed {3:N0}, emitted {4:N0} ({5:N1}/s), excluded {6:N0}, rejected {7:N0}{8}, dropped {9:N0} (not allowed source) + {10:N0} (queue full), queue {11:N0}, pipeline backlog {12:N0}, pipeline dropped {13:N0}",
                s.IsFinal ? "Listener stopped" : "Listener",
                s.Duration,
                s.Received,
                s.Parsed,
                s.Emitted,
                s.EventsPerSecond,
                s.Excluded,
                s.Rejected,
                rejected.Length > 0 ? " (" + rejected + ")" : "",
                s.DroppedSource,
                s.DroppedQueueFull,
                s.QueueBacklog,
                s.PipelineBacklog,
                s.PipelineDropped);
            if (s.KernelDropped.HasValue)
            {
                text += string.Format(c, ", dropped by the kernel before reading {0:N0}", s.KernelDropped.Value);
            }

            if (s.DiscardedAtStop > 0)
            {
                text += string.Format(c, ", discarded at stop {0:N0}", s.DiscardedAtStop);
            }

            foreach (var d in s.Destinations)
            {
                text += string.Format(c, "; {0}: sent {1:N0}, dropped {2:N0}, queued {3:N0}", d.Name, d.Sent, d.Dropped, d.QueueDepth);
            }

            return text + ".";
        }

        // Sender address -> text and verdict, so a repeated sender costs no allocation and no range check.
        private sealed class SourceCache
        {
            private const int MaxEntries = 4096;
            private readonly Dictionary<SourceKey, SourceInfo> _known = new Dictionary<SourceKey, SourceInfo>();
            private readonly UserEventFilter _filter;

            public SourceCache(UserEventFilter filter) => _filter = filter;

            public SourceInfo Get(short family, ReadOnlySpan<byte> address)
            {
                var key = SourceKey.From(family, address);
                if (_known.TryGetValue(key, out var info))
                {
                    return info;
                }

                if (_known.Count >= MaxEntries)
                {
                    _known.Clear();
                }

                var ip = ToAddress(family, address);
                info = ip == null
                    ? new SourceInfo("unknown", !_filter.RestrictsSources)
                    : new SourceInfo(AddressRange.Normalize(ip).ToString(), _filter.IsSourceAllowed(ip));
                _known[key] = info;
                return info;
            }

            private static IPAddress? ToAddress(short family, ReadOnlySpan<byte> address)
            {
#if NET8_0_OR_GREATER
                var socketAddress = new SocketAddress((AddressFamily)family, address.Length);
                address.CopyTo(socketAddress.Buffer.Span);
                var template = new IPEndPoint(family == (short)AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
                return ((IPEndPoint)template.Create(socketAddress)).Address;
#else
                return address.Length == 4 || address.Length == 16 ? new IPAddress(address.ToArray()) : null;
#endif
            }
        }

        private sealed class SourceInfo
        {
            public SourceInfo(string text, bool allowed)
            {
                Text = text;
                Allowed = allowed;
            }

            public string Text { get; }

            public bool Allowed { get; }

            public bool Noted { get; set; }
        }

        private readonly struct SourceKey : IEquatable<SourceKey>
        {
            private readonly ulong _a;
            private readonly ulong _b;
            private readonly ulong _c;
            private readonly ulong _d;
            private readonly int _meta;

            private SourceKey(ulong a, ulong b, ulong c, ulong d, int meta)
            {
                _a = a;
                _b = b;
                _c = c;
                _d = d;
                _meta = meta;
            }

            public static SourceKey From(short family, ReadOnlySpan<byte> address)
            {
                Span<byte> padded = stackalloc byte[32];
                address.Slice(0, Math.Min(32, address.Length)).CopyTo(padded);
                return new SourceKey(
                    MemoryMarshal.Read<ulong>(padded),
                    MemoryMarshal.Read<ulong>(padded.Slice(8)),
                    MemoryMarshal.Read<ulong>(padded.Slice(16)),
                    MemoryMarshal.Read<ulong>(padded.Slice(24)),
                    (family << 8) | address.Length);
            }

            public bool Equals(SourceKey other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d && _meta == other._meta;

            public override bool Equals(object? obj) => obj is SourceKey other && Equals(other);

            public override int GetHashCode() => unchecked((int)(_a ^ (_a >> 32) ^ _b ^ (_b >> 29) ^ _c ^ (_c >> 31) ^ _d ^ (ulong)_meta));
        }
    }
}
