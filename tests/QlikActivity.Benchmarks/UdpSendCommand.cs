using System;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading;

namespace QlikActivity.Benchmarks
{
    /// <summary>
    /// The sender process of <c>udp</c>: sends realistic datagrams to a port at a steady rate, in
    /// batches each millisecond, and prints <c>{"sent":N,"seconds":S}</c>.
    /// </summary>
    public sealed class UdpSendCommand : IBenchmarkCommand
    {
        public string Name => "udp-send";

        public string Description => "(used by 'udp') send --events N datagrams to --port P at --rate R per second (0: flat out)";

        public int Run(BenchmarkArguments args)
        {
            int port = args.GetInt("port", 9997);
            long events = long.Parse(args.Get("events", "1000000"), CultureInfo.InvariantCulture);
            double rate = double.Parse(args.Get("rate", "100000"), CultureInfo.InvariantCulture);
            var datagrams = RealisticDatagrams.Create(4096);

            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.SendBufferSize = 4 * 1024 * 1024;
            socket.Connect(new IPEndPoint(IPAddress.Loopback, port));

            var clock = Stopwatch.StartNew();
            long sent = 0;
            long retries = 0;
            while (sent < events)
            {
                long due = rate <= 0 ? events : Math.Min(events, 1 + (long)(rate * clock.Elapsed.TotalSeconds));
                while (sent < due)
                {
                    try
                    {
                        socket.Send(datagrams[sent % datagrams.Length]);
                        sent++;
                    }
                    catch (SocketException ex) when (ex.SocketErrorCode == SocketError.NoBufferSpaceAvailable || ex.SocketErrorCode == SocketError.WouldBlock)
                    {
                        retries++;
                        Thread.Yield();
                    }
                }

                if (sent < events)
                {
                    Thread.Sleep(1);
                }
            }

            double seconds = clock.Elapsed.TotalSeconds;
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{{\"sent\":{0},\"seconds\":{1:0.000},\"retries\":{2}}}", sent, seconds, retries));
            return 0;
        }
    }
}
