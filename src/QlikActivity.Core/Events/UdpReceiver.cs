using System;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading;

namespace QlikActivity.Core.Events
{
    /// <summary>
    /// The listener's UDP socket and its receive thread. The thread does nothing but read datagrams
    /// into the preallocated <see cref="DatagramRing"/>, stamped with the receive time and sender:
    /// no allocation, no lock, no waiting on parsing, destinations or the pipeline, so that the
    /// kernel's receive buffer is emptied as fast as it fills. When the ring is full the datagram is
    /// read all the same (into a scratch buffer) and counted as DroppedQueueFull, never left to
    /// overflow the kernel buffer uncounted.
    /// </summary>
    internal sealed class UdpReceiver : IDisposable
    {
        private readonly Socket _socket;
        private readonly string? _inode;
        private readonly string _addressText;
        private Thread? _thread;
        private volatile bool _stopping;
        private long? _kernelDroppedAtStop;
        private volatile Exception? _fatal;

        // Written only by the receive thread.
        private ReceiveCounters _counters;

        private UdpReceiver(Socket socket, int bufferGranted)
        {
            _socket = socket;
            BufferGranted = bufferGranted;
            _inode = KernelDrops.InodeOf(socket);
            LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
            _addressText = LocalEndPoint.Address.ToString();
        }

        /// <summary>The bound address and port (the port the system chose when asked for 0).</summary>
        public IPEndPoint LocalEndPoint { get; }

        /// <summary>The receive buffer granted, in the terms of the request (see <see cref="SetReceiveBuffer"/>).</summary>
        public int BufferGranted { get; }

        /// <summary>Why the receive thread ended early; null while it runs or after a clean stop.</summary>
        public Exception? Fatal => _fatal;

        /// <summary>
        /// Opens and binds the socket for <paramref name="options"/>: all interfaces (dual mode) or the
        /// one address, the receive buffer asked for (warning when granted less). Errors name the
        /// address and port and what to do.
        /// </summary>
        public static UdpReceiver Bind(EventListenerOptions options, IOperationHost host)
        {
            IPAddress address;
            bool dualMode = false;
            if (string.IsNullOrWhiteSpace(options.Address))
            {
                dualMode = Socket.OSSupportsIPv6;
                address = dualMode ? IPAddress.IPv6Any : IPAddress.Any;
            }
            else if (!IPAddress.TryParse(options.Address!.Trim(), out address!))
            {
                throw new QlikActivityException(
                    $"-Address '{options.Address}' is not an IPv4 or IPv6 address of this machine.",
                    EventErrorIds.InvalidListenerAddress,
                    OperationErrorCategory.InvalidArgument);
            }
            else
            {
                // '::' takes IPv4 too, and an IPv4-mapped address ('::ffff:10.1.2.3') is IPv4 in IPv6 clothes.
                dualMode = address.Equals(IPAddress.IPv6Any) || (address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv4MappedToIPv6);
            }

            var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            int bufferGranted;
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

                bufferGranted = SetReceiveBuffer(socket, options.ReceiveBufferSize, host);

                // Idle wake-ups let the receive thread notice a stop even where closing does not interrupt a blocked receive.
                socket.ReceiveTimeout = 500;
                socket.Bind(new IPEndPoint(address, options.Port));
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                string where = $"{address} port {options.Port}";
                throw ex.SocketErrorCode switch
                {
                    SocketError.AddressAlreadyInUse => new QlikActivityException(
                        $"UDP {where} is already in use by another program (another listener or Butler SOS?). Stop it or choose another -Port.",
                        EventErrorIds.PortInUse, OperationErrorCategory.ResourceUnavailable, ex),
                    SocketError.AddressNotAvailable => new QlikActivityException(
                        $"-Address {address} is not an address of this machine.",
                        EventErrorIds.AddressNotAvailable, OperationErrorCategory.InvalidArgument, ex),
                    SocketError.AccessDenied => new QlikActivityException(
                        $"Not allowed to listen on UDP {where}: {ex.Message}",
                        EventErrorIds.PortAccessDenied, OperationErrorCategory.PermissionDenied, ex),
                    _ => new QlikActivityException(
                        $"Could not listen on UDP {where}: {ex.Message}",
                        EventErrorIds.ListenFailed, OperationErrorCategory.ResourceUnavailable, ex),
                };
            }

            return new UdpReceiver(socket, bufferGranted);
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

        /// <summary>
        /// Starts the receive thread, writing into <paramref name="ring"/> and notifying
        /// <paramref name="ringSignal"/>; a failure wakes <paramref name="failureSignal"/>.
        /// </summary>
        public void Start(DatagramRing ring, ConsumerSignal ringSignal, ConsumerSignal failureSignal)
        {
            _thread = new Thread(() => ReceiveLoop(ring, ringSignal, failureSignal))
            {
                IsBackground = true,
                Name = "QlikActivity UDP receive",
                Priority = ThreadPriority.AboveNormal,
            };
            _thread.Start();
        }

        /// <summary>
        /// Reads the kernel's drop count while the socket still exists, closes it (which ends a
        /// blocked receive) and waits for the receive thread: after this every datagram it
        /// accepted is in the ring.
        /// </summary>
        public void Stop()
        {
            _stopping = true;
            _kernelDroppedAtStop = KernelDrops.Read(_inode);
            Dispose();
            _thread?.Join();
        }

        /// <summary>Closes the socket (for a listener that failed to start).</summary>
        public void Dispose()
        {
            try
            {
                _socket.Dispose();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        /// <summary>Any thread: Address, Port, the buffer granted, Received, DroppedQueueFull and KernelDropped.</summary>
        public void CopyCountersTo(ListenerStatistics statistics, bool final)
        {
            statistics.Address = _addressText;
            statistics.Port = LocalEndPoint.Port;
            statistics.ReceiveBufferBytes = BufferGranted;
            statistics.Received = OwnedCounter.Read(ref _counters.Received);
            statistics.DroppedQueueFull = OwnedCounter.Read(ref _counters.DroppedQueueFull);
            statistics.KernelDropped = final ? _kernelDroppedAtStop : KernelDrops.Read(_inode);
        }

        private void ReceiveLoop(DatagramRing ring, ConsumerSignal ringSignal, ConsumerSignal failureSignal)
        {
            ListenerThreadPriority.RaiseCurrent(ListenerThreadPriority.ReceiveNice);
            var socket = _socket;
            var scratch = new byte[DatagramRing.PayloadRoom];
#if NET8_0_OR_GREATER
            var from = new SocketAddress(socket.AddressFamily);
#else
            EndPoint any = socket.AddressFamily == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
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
                    OwnedCounter.Increment(ref _counters.Received);
#if NET8_0_OR_GREATER
                    short family = (short)from.Family;
                    ReadOnlySpan<byte> address = AddressBytes(from);
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
                        ringSignal.Notify();
                    }
                    else
                    {
                        OwnedCounter.Increment(ref _counters.DroppedQueueFull);
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
                failureSignal.Wake();
            }
        }

#if NET8_0_OR_GREATER
        /// <summary>
        /// The sender's IP address alone, without the port (and IPv6 flow info and scope): the sender cache
        /// keys on these bytes, and a Proxy sends from a new source port whenever it reopens its socket.
        /// sockaddr_in holds the address at bytes 4-7, sockaddr_in6 at 8-23, on every platform.
        /// </summary>
        internal static ReadOnlySpan<byte> AddressBytes(SocketAddress from)
        {
            var raw = from.Buffer.Span.Slice(0, from.Size);
            return from.Family switch
            {
                AddressFamily.InterNetwork when raw.Length >= 8 => raw.Slice(4, 4),
                AddressFamily.InterNetworkV6 when raw.Length >= 24 => raw.Slice(8, 16),
                _ => raw,
            };
        }
#endif

        // Padded onto a cache line of their own, away from the fields the other threads read.
        [StructLayout(LayoutKind.Explicit, Size = 192)]
        private struct ReceiveCounters
        {
            [FieldOffset(64)] public long Received;
            [FieldOffset(72)] public long DroppedQueueFull;
        }
    }
}
