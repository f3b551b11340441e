using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using QlikActivity.Core.Events;
using Xunit;
using static QlikActivity.Core.Tests.Events.ListenerHarness;

namespace QlikActivity.Core.Tests.Events
{
    public class KernelDropsTests
    {
        [Fact]
        public void The_kernels_own_drop_count_of_a_socket_is_read()
        {
            using var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            receiver.ReceiveBufferSize = 4096;
            receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            string? inode = KernelDrops.InodeOf(receiver);
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            {
                Assert.Null(inode);
                Assert.Null(KernelDrops.Read(inode));
                return;
            }

            Assert.NotNull(inode);
            Assert.Equal(0, KernelDrops.Read(inode));

            // Nobody reads: a small buffer overflows at once.
            using var sender = Sender((IPEndPoint)receiver.LocalEndPoint!);
            for (int i = 0; i < 500; i++)
            {
                Send(sender, Datagram("u" + i));
            }

            Assert.True(KernelDrops.Read(inode) > 0);
        }

        [Fact]
        public void An_IPv6_socket_is_found_in_the_udp6_table_and_an_unknown_inode_has_no_count()
        {
            Assert.Null(KernelDrops.Read(null));
            Assert.Null(KernelDrops.Read("no-such-inode"));
            if (!Socket.OSSupportsIPv6)
            {
                return;
            }

            using var receiver = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
            receiver.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            string? inode = KernelDrops.InodeOf(receiver);
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            {
                Assert.Null(inode);
                return;
            }

            Assert.NotNull(inode);
            Assert.Matches("^[0-9]+$", inode);
            Assert.Equal(0, KernelDrops.Read(inode));
        }

        [Fact]
        public void A_run_reports_the_kernel_drop_count_where_the_system_keeps_one()
        {
            var options = Options();
            options.Count = 1;
            var (_, stats, _) = Run(options, async (_, to, _) =>
            {
                using var socket = Sender(to);
                Send(socket, Datagram("anna"));
                await Task.CompletedTask;
            });
            Assert.Equal(RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? 0 : (long?)null, stats.KernelDropped);
        }
    }
}
