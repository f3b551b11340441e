using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;

namespace QlikActivity.PowerShell.Tests.Fixtures
{
    /// <summary>Real loopback UDP for the event cmdlets: free ports, "is the port held?", and a receiver that records datagrams.</summary>
    public static class Udp
    {
        /// <summary>A UDP port nobody holds right now.</summary>
        public static int FreePort()
        {
            using var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            return ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
        }

        /// <summary>
        /// True while something (the listener) holds the port. Asks the OS for its UDP listeners instead of
        /// binding the port to see whether that fails: such a probe holds the port for a moment, and a
        /// listener binding in that moment failed with "address in use" (seen once in CI).
        /// </summary>
        public static bool IsBound(int port)
        {
            foreach (var endpoint in System.Net.NetworkInformation.IPGlobalProperties.GetIPGlobalProperties().GetActiveUdpListeners())
            {
                if (endpoint.Port == port)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Waits until the port is held (the listener has bound it); fails after the timeout.</summary>
        public static void WaitUntilBound(int port, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (!IsBound(port))
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"Nothing bound UDP port {port} within {timeout}.");
                }

                Thread.Sleep(20);
            }
        }

        /// <summary>Sends datagrams to 127.0.0.1:port, as a Sense Proxy's appender would.</summary>
        public static void Send(int port, params string[] datagrams)
        {
            using var client = new UdpClient();
            foreach (var d in datagrams)
            {
                byte[] bytes = Encoding.UTF8.GetBytes(d);
                client.Send(bytes, bytes.Length, new IPEndPoint(IPAddress.Loopback, port));
            }
        }
    }

    /// <summary>A real UDP socket bound on loopback that records what arrives: proves what Send-QlikUserEvent sent, or that nothing was sent.</summary>
    public sealed class UdpReceiver : IDisposable
    {
        private readonly UdpClient _client;

        public UdpReceiver()
        {
            _client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            Port = ((IPEndPoint)_client.Client.LocalEndPoint!).Port;
        }

        public int Port { get; }

        /// <summary>Every datagram that arrives within <paramref name="wait"/> (stops early once <paramref name="expected"/> arrived).</summary>
        public List<string> Receive(TimeSpan wait, int expected = int.MaxValue)
        {
            var received = new List<string>();
            var deadline = DateTime.UtcNow + wait;
            while (received.Count < expected)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    break;
                }

                _client.Client.ReceiveTimeout = Math.Max(1, (int)left.TotalMilliseconds);
                try
                {
                    var from = new IPEndPoint(IPAddress.Any, 0);
                    received.Add(Encoding.UTF8.GetString(_client.Receive(ref from)));
                }
                catch (SocketException ex) when (ex.SocketErrorCode == SocketError.TimedOut)
                {
                    break;
                }
            }

            return received;
        }

        public void Dispose() => _client.Dispose();
    }
}
