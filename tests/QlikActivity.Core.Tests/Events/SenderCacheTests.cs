using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using QlikActivity.Core.Events;
using Xunit;

namespace QlikActivity.Core.Tests.Events
{
    public class SenderCacheTests
    {
        // A Proxy that reopens its socket sends from a new source port each time: the cache must
        // know the sender by its address alone, or every new port is a miss (and, past 4,096, a flush).
        [Fact]
        public void Many_source_ports_of_one_address_are_one_cache_entry()
        {
            const int Ports = 40;
            var options = new EventListenerOptions { Address = "127.0.0.1", Port = 0, ReceiveBufferSize = 1024 * 1024 };
            using var receiver = UdpReceiver.Bind(options, new RecordingHost());
            var ring = new DatagramRing(1024 * 1024, 1024);
            var signal = new ConsumerSignal();
            receiver.Start(ring, signal, signal);

            // All sockets stay open until every datagram is sent: a closed socket's port can be
            // handed out again at once, and then two "different" senders share one port.
            var sourcePorts = new HashSet<int>();
            var sockets = new List<Socket>();
            try
            {
                for (int i = 0; i < Ports; i++)
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                    sockets.Add(socket);
                    socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                    sourcePorts.Add(((IPEndPoint)socket.LocalEndPoint!).Port);
                    socket.SendTo(Encoding.UTF8.GetBytes("datagram " + i), receiver.LocalEndPoint);
                }
            }
            finally
            {
                foreach (var socket in sockets)
                {
                    socket.Dispose();
                }
            }

            Assert.Equal(Ports, sourcePorts.Count);
            var cache = new SenderCache(UserEventFilter.Create(null, null, new[] { "127.0.0.1" }));
            int read = 0;
            var deadline = DateTime.UtcNow + ListenerHarness.Patience;
            while (read < Ports && DateTime.UtcNow < deadline)
            {
                if (!ring.TryRead(out var datagram))
                {
                    Thread.Sleep(5);
                    continue;
                }

                var sender = cache.Get(datagram.Family, datagram.Address);
                Assert.Equal("127.0.0.1", sender.Text);
                Assert.True(sender.Allowed);
                ring.Release();
                read++;
            }

            receiver.Stop();
            Assert.Equal(Ports, read);
            Assert.Equal(1, cache.Count);
            Assert.Equal(1, cache.Misses);
        }
    }
}
