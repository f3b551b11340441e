using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Events;
using Xunit;

namespace QlikActivity.Core.Tests.Events
{
    public class DatagramRingTests
    {
        private static readonly byte[] Address = { 1, 2, 3, 4 };

        [Fact]
        public void Datagrams_come_out_in_order_with_time_and_sender()
        {
            var ring = new DatagramRing(0, 100);
            Assert.True(ring.TryWrite(new byte[] { 9, 8, 7 }, 42, 2, Address));
            int offset = ring.TryReserve();
            Assert.True(offset >= 0);
            ring.Data[offset + DatagramRing.HeaderSize] = 5;
            Assert.True(ring.Commit(offset, 1, 43, 23, new byte[] { 7, 7 }));
            Assert.Equal(2, ring.Count);

            Assert.True(ring.TryRead(out var first));
            Assert.Equal(new byte[] { 9, 8, 7 }, first.Payload.ToArray());
            Assert.Equal(42, first.Ticks);
            Assert.Equal(2, first.Family);
            Assert.Equal(Address, first.Address.ToArray());
            ring.Release();

            Assert.True(ring.TryRead(out var second));
            Assert.Equal(new byte[] { 5 }, second.Payload.ToArray());
            Assert.Equal(43, second.Ticks);
            Assert.Equal(new byte[] { 7, 7 }, second.Address.ToArray());
            ring.Release();
            Assert.False(ring.TryRead(out _));
            Assert.True(ring.IsEmpty);
        }

        [Fact]
        public void The_record_limit_refuses_more()
        {
            var ring = new DatagramRing(0, 3);
            Assert.True(ring.TryWrite(new byte[10], 1, 2, Address));
            Assert.True(ring.TryWrite(new byte[10], 1, 2, Address));
            Assert.True(ring.TryWrite(new byte[10], 1, 2, Address));
            Assert.False(ring.TryWrite(new byte[10], 1, 2, Address));
            Assert.False(ring.Commit(ring.TryReserve(), 10, 1, 2, Address));
            Assert.True(ring.TryRead(out _));
            ring.Release();
            Assert.True(ring.TryWrite(new byte[10], 1, 2, Address));
        }

        [Fact]
        public void A_full_ring_refuses_by_bytes_and_takes_again_when_drained()
        {
            var ring = new DatagramRing(0, int.MaxValue);
            int written = 0;
            while (ring.TryWrite(new byte[30_000], written, 2, Address))
            {
                written++;
            }

            Assert.True(written >= 4);
            Assert.Equal(-1, ring.TryReserve());
            for (int i = 0; i < written; i++)
            {
                Assert.True(ring.TryRead(out var d));
                Assert.Equal(i, d.Ticks);
                ring.Release();
            }

            Assert.True(ring.TryReserve() >= 0);
        }

        [Fact]
        public void A_producer_and_a_consumer_thread_pass_a_million_datagrams_intact_across_wraps()
        {
            var ring = new DatagramRing(300_000, 10_000);
            const int Total = 1_000_000;
            var producer = Task.Run(() =>
            {
                var random = new Random(1);
                var payload = new byte[2000];
                for (int i = 0; i < Total; i++)
                {
                    int length = random.Next(0, payload.Length);
                    BitConverter.TryWriteBytes(payload, i);
                    payload[Math.Max(4, length - 1)] = (byte)i;
                    bool direct = i % 3 == 0;
                    while (true)
                    {
                        if (direct)
                        {
                            int offset = ring.TryReserve();
                            if (offset >= 0)
                            {
                                payload.AsSpan(0, Math.Max(5, length)).CopyTo(ring.Data.AsSpan(offset + DatagramRing.HeaderSize));
                                if (ring.Commit(offset, Math.Max(5, length), i, 2, Address))
                                {
                                    break;
                                }
                            }
                        }
                        else if (ring.TryWrite(payload.AsSpan(0, Math.Max(5, length)), i, 2, Address))
                        {
                            break;
                        }

                        Thread.Yield();
                    }
                }
            });

            int expected = 0;
            while (expected < Total)
            {
                if (!ring.TryRead(out var d))
                {
                    Thread.Yield();
                    continue;
                }

                Assert.Equal(expected, d.Ticks);
                Assert.Equal(expected, BitConverter.ToInt32(d.Payload.Slice(0, 4)));
                Assert.Equal((byte)expected, d.Payload[d.Length - 1]);
                ring.Release();
                expected++;
            }

            producer.GetAwaiter().GetResult();
            Assert.True(ring.IsEmpty);
        }
    }
}
