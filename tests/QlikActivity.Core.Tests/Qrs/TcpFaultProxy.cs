using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace QlikActivity.Core.Tests.Qrs
{
    /// <summary>What a <see cref="TcpFaultProxy"/> does with traffic.</summary>
    internal enum ProxyMode
    {
        /// <summary>Bytes flow both ways (TLS stays end to end).</summary>
        Forward,

        /// <summary>A host that drops packets silently: connections are accepted and never answered; open ones go quiet.</summary>
        Silent,

        /// <summary>A restarting server: new connections are reset at once, open ones are cut.</summary>
        Refuse,
    }

    /// <summary>
    /// A loopback TCP proxy in front of a real server, switchable between forwarding, going
    /// silent and refusing, so tests can freeze or restart "the server" under a live client.
    /// </summary>
    internal sealed class TcpFaultProxy : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly IPEndPoint _target;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly List<Socket> _open = new List<Socket>();
        private int _mode;
        private long _accepted;

        public TcpFaultProxy(int targetPort)
        {
            _target = new IPEndPoint(IPAddress.Loopback, targetPort);
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start(512);
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _ = AcceptLoopAsync();
        }

        public int Port { get; }

        /// <summary>Connections accepted so far (in any mode).</summary>
        public long Accepted => Interlocked.Read(ref _accepted);

        public ProxyMode Mode
        {
            get => (ProxyMode)Volatile.Read(ref _mode);
            set
            {
                Volatile.Write(ref _mode, (int)value);
                if (value == ProxyMode.Refuse)
                {
                    CutAll();
                }
            }
        }

        private async Task AcceptLoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await _listener.AcceptSocketAsync().ConfigureAwait(false);
                }
                catch (Exception) when (_stop.IsCancellationRequested)
                {
                    return;
                }

                Interlocked.Increment(ref _accepted);
                switch (Mode)
                {
                    case ProxyMode.Refuse:
                        Reset(client);
                        break;
                    case ProxyMode.Silent:
                        Track(client); // held open, never read, never answered
                        break;
                    default:
                        _ = ForwardAsync(client);
                        break;
                }
            }
        }

        private async Task ForwardAsync(Socket client)
        {
            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await server.ConnectAsync(_target).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                Reset(client);
                server.Dispose();
                return;
            }

            Track(client);
            Track(server);
            _ = PumpAsync(client, server);
            _ = PumpAsync(server, client);
        }

        private async Task PumpAsync(Socket from, Socket to)
        {
            var buffer = new byte[16384];
            try
            {
                while (true)
                {
                    int n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token).ConfigureAwait(false);
                    if (n == 0)
                    {
                        to.Shutdown(SocketShutdown.Send);
                        return;
                    }

                    if (Mode == ProxyMode.Silent)
                    {
                        continue; // swallowed: the other side hears nothing, the connection stays up
                    }

                    await to.SendAsync(new ArraySegment<byte>(buffer, 0, n), SocketFlags.None, _stop.Token).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException || ex is OperationCanceledException)
            {
                Reset(from);
                Reset(to);
            }
        }

        private void Track(Socket socket)
        {
            lock (_open)
            {
                _open.Add(socket);
            }
        }

        private void CutAll()
        {
            List<Socket> open;
            lock (_open)
            {
                open = new List<Socket>(_open);
                _open.Clear();
            }

            foreach (var socket in open)
            {
                Reset(socket);
            }
        }

        private static void Reset(Socket socket)
        {
            try
            {
                socket.LingerState = new LingerOption(true, 0); // RST, not FIN: what a dying server's kernel sends
                socket.Close();
            }
            catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException)
            {
                // Already gone.
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            CutAll();
            _stop.Dispose();
        }
    }
}
