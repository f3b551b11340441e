using System;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace QlikActivity.Core.Tests.Qrs
{
    /// <summary>
    /// A real TLS server on a free loopback port with a certificate the test chooses (e.g. one
    /// issued for another host name), answering every request with a small /qrs/about body.
    /// </summary>
    internal sealed class TlsTestServer : IDisposable
    {
        private readonly TcpListener _listener = new TcpListener(IPAddress.Loopback, 0);
        private readonly X509Certificate2 _certificate;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly Task _loop;

        public TlsTestServer(X509Certificate2 certificate)
        {
            _certificate = certificate;
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _loop = Task.Run(AcceptLoopAsync);
        }

        public int Port { get; }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            try
            {
                _loop.Wait(TimeSpan.FromSeconds(10));
            }
            catch (AggregateException)
            {
            }
        }

        private async Task AcceptLoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception) when (_stop.IsCancellationRequested)
                {
                    return;
                }

                _ = Task.Run(() => ServeAsync(client));
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using (client)
            {
                try
                {
                    using var ssl = new SslStream(client.GetStream(), false);
                    await ssl.AuthenticateAsServerAsync(_certificate, clientCertificateRequired: false, checkCertificateRevocation: false);
                    var buffer = new byte[4096];
                    if (await ssl.ReadAsync(buffer, 0, buffer.Length) == 0)
                    {
                        return;
                    }

                    string body = "{\"buildVersion\":\"test\"}";
                    byte[] response = Encoding.ASCII.GetBytes(
                        $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}");
                    await ssl.WriteAsync(response, 0, response.Length);
                }
                catch (Exception ex) when (ex is IOException || ex is System.Security.Authentication.AuthenticationException || ex is ObjectDisposedException)
                {
                    // The client refused our certificate: that is what the tests expect.
                }
            }
        }
    }
}
