using System;
using System.Collections.Concurrent;
using System.IO;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace QlikActivity.PowerShell.Tests.Fixtures
{
    /// <summary>One PUBLISH as a subscriber received it.</summary>
    public sealed record MqttMessage(string Topic, string Payload);

    /// <summary>
    /// A minimal MQTT 3.1.1 subscriber (QoS 0) written against the protocol, not the module: it
    /// proves what a real mosquitto delivered to a third party. The module's own MQTT code is not
    /// referenced here, so the runspace loads exactly what Import-Module loads.
    /// </summary>
    public sealed class MqttProbe : IDisposable
    {
        private readonly TcpClient _tcp;
        private readonly Stream _stream;
        private readonly BlockingCollection<MqttMessage> _messages = new BlockingCollection<MqttMessage>();
        private readonly Task _reader;

        private MqttProbe(TcpClient tcp)
        {
            _tcp = tcp;
            _stream = tcp.GetStream();
            _reader = Task.Run(ReadLoop);
        }

        /// <summary>Connects to 127.0.0.1:port and subscribes to <paramref name="filter"/>; returns after the SUBACK.</summary>
        public static MqttProbe Subscribe(int port, string filter = "#")
        {
            var tcp = new TcpClient();
            tcp.Connect("127.0.0.1", port);
            var stream = tcp.GetStream();
            string clientId = "probe-" + Guid.NewGuid().ToString("N").Substring(0, 8);
            var connect = new MemoryStream();
            WriteString(connect, "MQTT");
            connect.WriteByte(4);      // protocol level 3.1.1
            connect.WriteByte(0x02);   // clean session
            connect.WriteByte(0); connect.WriteByte(60);
            WriteString(connect, clientId);
            WritePacket(stream, 0x10, connect.ToArray());
            Expect(stream, 0x20, "CONNACK");

            var subscribe = new MemoryStream();
            subscribe.WriteByte(0); subscribe.WriteByte(1); // packet id 1
            WriteString(subscribe, filter);
            subscribe.WriteByte(0); // QoS 0
            WritePacket(stream, 0x82, subscribe.ToArray());
            Expect(stream, 0x90, "SUBACK");
            return new MqttProbe(tcp);
        }

        /// <summary>The next <paramref name="count"/> messages, or fails after the timeout.</summary>
        public MqttMessage[] Take(int count, TimeSpan timeout)
        {
            var result = new MqttMessage[count];
            var deadline = DateTime.UtcNow + timeout;
            for (int i = 0; i < count; i++)
            {
                var left = deadline - DateTime.UtcNow;
                if (left < TimeSpan.Zero || !_messages.TryTake(out result[i]!, left))
                {
                    throw new TimeoutException($"Only {i} of {count} MQTT messages arrived within {timeout}.");
                }
            }

            return result;
        }

        /// <summary>Messages that arrived within <paramref name="wait"/> (none expected).</summary>
        public int CountWithin(TimeSpan wait)
        {
            Thread.Sleep(wait);
            return _messages.Count;
        }

        public void Dispose()
        {
            _tcp.Dispose();
            try
            {
                _reader.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
            }
        }

        private void ReadLoop()
        {
            try
            {
                while (true)
                {
                    var (type, body) = ReadPacket(_stream);
                    if ((type & 0xF0) != 0x30)
                    {
                        continue;
                    }

                    int topicLength = (body[0] << 8) | body[1];
                    string topic = Encoding.UTF8.GetString(body, 2, topicLength);
                    int at = 2 + topicLength + (((type >> 1) & 3) > 0 ? 2 : 0);
                    _messages.Add(new MqttMessage(topic, Encoding.UTF8.GetString(body, at, body.Length - at)));
                }
            }
            catch (Exception ex) when (ex is IOException || ex is ObjectDisposedException || ex is EndOfStreamException)
            {
            }
        }

        private static void Expect(Stream stream, int type, string name)
        {
            var (got, _) = ReadPacket(stream);
            if ((got & 0xF0) != type)
            {
                throw new InvalidOperationException($"Expected {name}, got packet type 0x{got:X2}.");
            }
        }

        private static (int Type, byte[] Body) ReadPacket(Stream stream)
        {
            int type = stream.ReadByte();
            if (type < 0)
            {
                throw new EndOfStreamException();
            }

            int length = 0, shift = 0, b;
            do
            {
                b = stream.ReadByte();
                if (b < 0)
                {
                    throw new EndOfStreamException();
                }

                length |= (b & 0x7F) << shift;
                shift += 7;
            }
            while ((b & 0x80) != 0);
            var body = new byte[length];
            stream.ReadExactly(body, 0, length);
            return (type, body);
        }

        private static void WritePacket(Stream stream, int type, byte[] body)
        {
            var packet = new MemoryStream();
            packet.WriteByte((byte)type);
            int length = body.Length;
            do
            {
                byte digit = (byte)(length % 128);
                length /= 128;
                packet.WriteByte(length > 0 ? (byte)(digit | 0x80) : digit);
            }
            while (length > 0);
            packet.Write(body, 0, body.Length);
            stream.Write(packet.ToArray());
            stream.Flush();
        }

        private static void WriteString(Stream stream, string text)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(text);
            stream.WriteByte((byte)(bytes.Length >> 8));
            stream.WriteByte((byte)bytes.Length);
            stream.Write(bytes, 0, bytes.Length);
        }
    }
}
