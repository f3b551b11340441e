using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace QlikActivity.Core.Tests.Destinations
{
    /// <summary>One request as the server saw it; a gzip body is also given decoded.</summary>
    public sealed class RecordedRequest
    {
        public string Method { get; init; } = "";
        public string Path { get; init; } = "";
        public string Query { get; init; } = "";
        public Dictionary<string, string> Headers { get; init; } = new(StringComparer.OrdinalIgnoreCase);
        public byte[] RawBody { get; init; } = Array.Empty<byte>();
        public byte[] Body { get; init; } = Array.Empty<byte>();
        public string Text => Encoding.UTF8.GetString(Body);
        public int Number { get; init; }

        /// <summary>When the request arrived, on the server's own clock (for lower-bound checks such as Retry-After).</summary>
        public TimeSpan At { get; init; }

        public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
    }

    /// <summary>What the server answers; <see cref="Hang"/> never answers (until the client gives up).</summary>
    public sealed class Reply
    {
        public int Status { get; init; } = 200;
        public string Body { get; init; } = "";
        public Dictionary<string, string> Headers { get; init; } = new();
        public bool Hang { get; init; }

        public static Reply With(int status, string body = "") => new() { Status = status, Body = body };

        public static Reply Hanging() => new() { Hang = true };
    }

    /// <summary>
    /// A local HTTP server on a free loopback port (Kestrel from the shared framework) that records every
    /// request and answers what the test says: stands in for New Relic, Slack, Teams and webhooks.
    /// </summary>
    public sealed class RecordingHttpServer : IAsyncDisposable
    {
        private readonly object _gate = new();
        private readonly List<RecordedRequest> _requests = new();
        private readonly CancellationTokenSource _closing = new();
        private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
        private WebApplication? _app;
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private RecordingHttpServer()
        {
        }

        public Uri BaseUri { get; private set; } = null!;

        /// <summary>Decides the answer to each request; by default 200 "ok".</summary>
        public Func<RecordedRequest, Reply> Respond { get; set; } = _ => Reply.With(200, "ok");

        public IReadOnlyList<RecordedRequest> Requests
        {
            get
            {
                lock (_gate)
                {
                    return _requests.ToList();
                }
            }
        }

        /// <summary>Starts the server; with <paramref name="certificate"/> (which must hold its private key) it speaks HTTPS.</summary>
        public static async Task<RecordingHttpServer> StartAsync(X509Certificate2? certificate = null)
        {
            var server = new RecordingHttpServer();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
            {
                if (certificate != null)
                {
                    listen.UseHttps(certificate);
                }
            }));
            var app = builder.Build();
            app.Run(server.HandleAsync);
            await app.StartAsync();
            server._app = app;
            string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            server.BaseUri = new Uri(address.Replace("[::]", "127.0.0.1") + "/");
            return server;
        }

        public Uri Url(string pathAndQuery) => new(BaseUri, pathAndQuery.TrimStart('/'));

        /// <summary>Waits until <paramref name="condition"/> holds for the recorded requests.</summary>
        public async Task<IReadOnlyList<RecordedRequest>> WaitUntilAsync(Func<IReadOnlyList<RecordedRequest>, bool> condition, TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            while (true)
            {
                Task changed;
                lock (_gate)
                {
                    if (condition(_requests))
                    {
                        return _requests.ToList();
                    }

                    changed = _changed.Task;
                }

                try
                {
                    await changed.WaitAsync(cts.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"The condition did not hold within {timeout}; {Requests.Count} requests were recorded.");
                }
            }
        }

        public Task<IReadOnlyList<RecordedRequest>> WaitForRequestsAsync(int count, TimeSpan timeout) =>
            WaitUntilAsync(r => r.Count >= count, timeout);

        public async ValueTask DisposeAsync()
        {
            _closing.Cancel();
            if (_app != null)
            {
                using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _app.StopAsync(stopping.Token);
                await _app.DisposeAsync();
            }

            _closing.Dispose();
        }

        private async Task HandleAsync(HttpContext context)
        {
            using var copy = new MemoryStream();
            await context.Request.Body.CopyToAsync(copy);
            byte[] raw = copy.ToArray();
            byte[] body = raw;
            if (string.Equals(context.Request.Headers.ContentEncoding.ToString(), "gzip", StringComparison.OrdinalIgnoreCase))
            {
                using var gzip = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
                using var plain = new MemoryStream();
                gzip.CopyTo(plain);
                body = plain.ToArray();
            }

            RecordedRequest recorded;
            lock (_gate)
            {
                recorded = new RecordedRequest
                {
                    Method = context.Request.Method,
                    Path = context.Request.Path.Value ?? "",
                    Query = context.Request.QueryString.Value ?? "",
                    Headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                    RawBody = raw,
                    Body = body,
                    Number = _requests.Count + 1,
                    At = _clock.Elapsed,
                };
                _requests.Add(recorded);
                var changed = _changed;
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                changed.SetResult();
            }

            var reply = Respond(recorded);
            if (reply.Hang)
            {
                using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _closing.Token);
                try
                {
                    await Task.Delay(Timeout.Infinite, either.Token);
                }
                catch (OperationCanceledException)
                {
                }

                return;
            }

            context.Response.StatusCode = reply.Status;
            foreach (var header in reply.Headers)
            {
                context.Response.Headers[header.Key] = header.Value;
            }

            if (reply.Body.Length > 0)
            {
                await context.Response.WriteAsync(reply.Body);
            }
        }
    }
}
