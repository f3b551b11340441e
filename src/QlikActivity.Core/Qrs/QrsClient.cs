using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace QlikActivity.Core.Qrs
{
    /// <summary>
    /// The repository's REST API over one <see cref="HttpClient"/>. Thread-safe: the activity
    /// reader runs several requests at once. Each request gets a fresh xrfkey, the
    /// authentication of its connection, a timeout, and retries as <see cref="QrsRetryPolicy"/>
    /// says. Paths are relative to <c>/qrs/</c>: <c>user/full</c> and <c>/qrs/user/full</c> are
    /// the same. Failures are <see cref="QrsException"/>s (409 on PUT:
    /// <see cref="QrsConflictException"/>).
    /// </summary>
    public sealed class QrsClient : IDisposable
    {
        private static readonly string UserAgent = "QlikActivity/" + typeof(QrsClient).Assembly.GetName().Version?.ToString(3);
        private static readonly MediaTypeHeaderValue JsonMediaType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };

        /// <summary>Case-insensitive names: the QRS writes camelCase, our types are PascalCase.</summary>
        internal static readonly JsonSerializerOptions SerializerOptions = new JsonSerializerOptions
        {
            PropertyNameCaseInsensitive = true,
        };

        private readonly HttpClient _http;
        private readonly Uri _qrsBase;
        private readonly string _endpoint;
        private readonly string? _xQlikUser;
        private readonly QrsSecret? _jwt;
        private readonly ServerCertificateValidator? _validator;
        private readonly X509Certificate2? _clientCertificate;
        private readonly QrsRetryPolicy _retry;
        private readonly IClock _clock;
        private readonly TimeSpan _timeout;
        private readonly QrsFailures _failures;
        private int _disposed;

        internal QrsClient(QrsConnectionOptions options, HttpMessageHandler handler, ServerCertificateValidator? validator, X509Certificate2? clientCertificate)
        {
            BaseUri = options.BaseUri;
            _qrsBase = new Uri(BaseUri, "qrs/");
            _endpoint = BaseUri.Authority;
            _validator = validator;
            _clientCertificate = clientCertificate;
            _timeout = options.Timeout;
            _retry = new QrsRetryPolicy(options.MaximumRetryCount, options.RetryBaseDelay, options.MaximumRetryDelay);
            _clock = options.Clock;
            if (options.AuthenticationMode == AuthenticationMode.Jwt)
            {
                _jwt = options.Jwt;
                var (user, expires) = JwtClaims.Describe(options.Jwt!.Reveal());
                User = user;
                JwtExpires = expires;
            }
            else
            {
                _xQlikUser = "UserDirectory=" + options.UserDirectory.Trim() + "; UserId=" + options.UserId.Trim();
                User = options.UserDirectory.Trim() + "\\" + options.UserId.Trim();
            }

            _failures = new QrsFailures(_endpoint, options.NormalizedVirtualProxy, _jwt != null, JwtExpires, User, clientCertificate, validator, _timeout);
            _http = new HttpClient(handler, disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        }

        /// <summary><c>https://server:port/</c> or <c>https://server:port/prefix/</c>.</summary>
        public Uri BaseUri { get; }

        /// <summary>The X-Qlik-User identity (<c>DIR\id</c>) or the JWT's user, if it names one.</summary>
        public string? User { get; }

        /// <summary>When the JWT expires (its <c>exp</c> claim), if it says.</summary>
        public DateTimeOffset? JwtExpires { get; }

        /// <summary>The client certificate in use (certificate authentication); internal, as it holds the key.</summary>
        internal X509Certificate2? ClientCertificate => _clientCertificate;

        /// <summary>Requests sent so far, per method; every attempt counts.</summary>
        public QrsRequestCounts RequestCounts { get; } = new QrsRequestCounts();

        /// <summary>
        /// Loads certificates, builds the handler, and returns a client; sends nothing yet
        /// (<see cref="QlikSenseConnection.ConnectAsync"/> does the first request).
        /// </summary>
        public static QrsClient Create(QrsConnectionOptions options)
        {
            if (options == null)
            {
                throw new ArgumentNullException(nameof(options));
            }

            options.Validate();
            var setup = QrsHandlerSetup.Create(options);
            return new QrsClient(options, setup.Handler, setup.Validator, setup.ClientCertificate);
        }

        /// <summary>GET a JSON document (an entity, a list, <c>about</c>, ...).</summary>
        public Task<JsonNode?> GetJsonAsync(string path, QrsFilter? filter = null, CancellationToken cancellationToken = default) =>
            GetJsonAsync(path, filter, retryUnreachable: true, cancellationToken);

        internal async Task<JsonNode?> GetJsonAsync(string path, QrsFilter? filter, bool retryUnreachable, CancellationToken cancellationToken)
        {
            var target = new RequestTarget(HttpMethod.Get, path, filter);
            using var response = await SendAsync(target, null, HttpCompletionOption.ResponseContentRead, retryUnreachable, cancellationToken).ConfigureAwait(false);
            return await ReadJsonAsync(response, target).ConfigureAwait(false);
        }

        /// <summary>
        /// GET a JSON array and deserialize its items one at a time from the stream, so 50,000
        /// users never sit in memory as text. If the connection drops before the first item the
        /// request is retried; after that it fails (the items already yielded cannot be taken back).
        /// </summary>
        public IAsyncEnumerable<T> GetArrayAsync<T>(string path, QrsFilter? filter = null, CancellationToken cancellationToken = default) =>
            GetArrayAsync(path, filter, (ref Utf8JsonReader reader) => JsonSerializer.Deserialize<T>(ref reader, SerializerOptions)!, cancellationToken);

        /// <summary>
        /// As <see cref="GetArrayAsync{T}(string, QrsFilter, CancellationToken)"/>, reading each
        /// element with <paramref name="read"/>: a hand-written reader that picks the few
        /// properties it needs is several times cheaper than the serializer on big lists.
        /// </summary>
        public async IAsyncEnumerable<T> GetArrayAsync<T>(string path, QrsFilter? filter, QrsElementReader<T> read,
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var target = new RequestTarget(HttpMethod.Get, path, filter);
            for (int retries = 0; ; retries++)
            {
                using var response = await SendAsync(target, null, HttpCompletionOption.ResponseHeadersRead, true, cancellationToken).ConfigureAwait(false);
                _failures.EnsureJson(response, target);
                using var body = new IdleTimeoutStream(await response.Content.ReadAsStreamAsync().ConfigureAwait(false), _timeout, cancellationToken);
                var items = JsonArrayStream<T>.ReadAsync(body, read, cancellationToken: body.Token).GetAsyncEnumerator(body.Token);
                int yielded = 0;
                bool retry = false;
                try
                {
                    while (true)
                    {
                        bool more;
                        try
                        {
                            more = await items.MoveNextAsync().ConfigureAwait(false);
                        }
                        catch (Exception ex) when (QrsFailures.IsBodyFailure(ex, cancellationToken))
                        {
                            var failure = body.TimedOut
                                ? _failures.Timeout(target, ex)
                                : QrsFailures.Failure(target, QrsErrorIds.ConnectionDropped, OperationErrorCategory.ConnectionError,
                                    $"The connection to {_endpoint} dropped while reading {target} (after {yielded} items).", ex);
                            if (yielded == 0 && !body.TimedOut && _retry.ShouldRetryTransport(HttpMethod.Get, true, retries))
                            {
                                retry = true;
                                break;
                            }

                            throw failure;
                        }
                        catch (JsonException ex)
                        {
                            throw QrsFailures.Failure(target, QrsErrorIds.UnexpectedResponse, OperationErrorCategory.InvalidData,
                                $"The repository's answer to {target} is not the JSON array expected: {ex.Message}", ex);
                        }

                        if (!more)
                        {
                            break;
                        }

                        yielded++;
                        if (items.Current is { } item)
                        {
                            yield return item;
                        }
                    }
                }
                finally
                {
                    await items.DisposeAsync().ConfigureAwait(false);
                }

                if (!retry)
                {
                    yield break;
                }

                RequestCounts.CountRetry();
                await _clock.Delay(_retry.Delay(retries, null), cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary><c>GET /qrs/{type}/count</c>: how many entities match.</summary>
        public async Task<long> GetCountAsync(string type, QrsFilter? filter = null, CancellationToken cancellationToken = default)
        {
            string path = NormalizePath(type).TrimEnd('/');
            var node = await GetJsonAsync(path + "/count", filter, cancellationToken).ConfigureAwait(false);
            if (node is JsonObject o && o["value"] is JsonValue v && v.TryGetValue(out long count))
            {
                return count;
            }

            throw QrsFailures.Failure(new RequestTarget(HttpMethod.Get, path + "/count", filter), QrsErrorIds.UnexpectedResponse, OperationErrorCategory.InvalidData,
                $"The repository's answer to GET /qrs/{path}/count has no numeric 'value'.", null);
        }

        /// <summary>POST a JSON body; returns the created entity (or whatever the QRS answers).</summary>
        public async Task<JsonNode?> PostJsonAsync(string path, JsonNode body, CancellationToken cancellationToken = default)
        {
            var target = new RequestTarget(HttpMethod.Post, path, null);
            using var response = await SendAsync(target, Serialize(body), HttpCompletionOption.ResponseContentRead, true, cancellationToken).ConfigureAwait(false);
            return await ReadJsonAsync(response, target).ConfigureAwait(false);
        }

        /// <summary>
        /// PUT a whole entity (with its current <c>modifiedDate</c>); returns the entity as
        /// stored, with its new <c>modifiedDate</c>. 409: <see cref="QrsConflictException"/>.
        /// </summary>
        public async Task<JsonObject> PutJsonAsync(string path, JsonObject entity, CancellationToken cancellationToken = default)
        {
            var target = new RequestTarget(HttpMethod.Put, path, null);
            using var response = await SendAsync(target, Serialize(entity), HttpCompletionOption.ResponseContentRead, true, cancellationToken).ConfigureAwait(false);
            var node = await ReadJsonAsync(response, target).ConfigureAwait(false);
            return node as JsonObject ?? throw QrsFailures.Failure(target, QrsErrorIds.UnexpectedResponse, OperationErrorCategory.InvalidData,
                $"The repository answered {target} without the stored entity.", null);
        }

        /// <summary>
        /// Why the server refuses our client certificate, or null if it answers a request made
        /// with it. A server that refuses a client certificate after a TLS 1.3 handshake (or
        /// checks it after the handshake, as .NET's own servers do) just closes the connection,
        /// which looks like a drop. This probe opens one connection, sends a bare request and
        /// sees whether any answer comes. Only called after a failure, to name the cause.
        /// </summary>
        internal async Task<string?> DiagnoseClientCertificateAsync(CancellationToken cancellationToken)
        {
            if (_clientCertificate == null)
            {
                return null;
            }

            var certificate = _clientCertificate;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_timeout);
            using var tcp = new TcpClient();
            using var registration = timeout.Token.Register(() => tcp.Dispose());
            try
            {
                await tcp.ConnectAsync(BaseUri.Host, BaseUri.Port).ConfigureAwait(false);
                using var ssl = new System.Net.Security.SslStream(tcp.GetStream(), false,
                    (sender, server, chain, errors) => _validator == null || _validator.Validate(server, errors),
                    (sender, host, local, remote, issuers) => certificate);
                await ssl.AuthenticateAsClientAsync(BaseUri.Host, new X509CertificateCollection { certificate }, Certificates.TlsProtocols.Client, false).ConfigureAwait(false);
                // No xrfkey: a server that accepted the certificate answers (403), one that did not closes.
                byte[] request = Encoding.ASCII.GetBytes($"GET /qrs/about HTTP/1.1\r\nHost: {BaseUri.Authority}\r\nConnection: close\r\n\r\n");
                await ssl.WriteAsync(request, 0, request.Length).ConfigureAwait(false);
                var buffer = new byte[64];
                int read = await ssl.ReadAsync(buffer, 0, buffer.Length).ConfigureAwait(false);
                return read > 0 ? null : "the server closed the connection without answering";
            }
            catch (Exception ex) when (ex is AuthenticationException || ex is IOException || ex is ObjectDisposedException || ex is SocketException)
            {
                return timeout.IsCancellationRequested ? null : QrsFailures.Innermost(ex).Message.TrimEnd('.');
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _http.Dispose();
                _clientCertificate?.Dispose();
            }
        }

        internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

        /// <summary><c>user/full</c> from <c>/qrs/user/full</c>, <c>qrs/user/full</c> or <c>user/full</c>.</summary>
        internal static string NormalizePath(string path)
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                throw new ArgumentException("A QRS path is needed, e.g. 'user/full'.", nameof(path));
            }

            string p = path.Trim().TrimStart('/');
            if (p.StartsWith("qrs/", StringComparison.OrdinalIgnoreCase))
            {
                p = p.Substring(4);
            }
            else if (string.Equals(p, "qrs", StringComparison.OrdinalIgnoreCase))
            {
                p = "";
            }

            return p;
        }

        /// <summary>The full request URI: path, the xrfkey and the URL-encoded filter.</summary>
        internal Uri BuildUri(RequestTarget target, string xrfkey)
        {
            var sb = new StringBuilder(target.RelativePath);
            sb.Append(target.RelativePath.IndexOf('?') >= 0 ? '&' : '?');
            sb.Append("xrfkey=").Append(xrfkey);
            if (target.Filter != null)
            {
                sb.Append("&filter=").Append(Uri.EscapeDataString(target.Filter.ToString()));
            }

            return new Uri(_qrsBase, sb.ToString());
        }

        private async Task<HttpResponseMessage> SendAsync(RequestTarget target, byte[]? body, HttpCompletionOption completion,
            bool retryUnreachable, CancellationToken cancellationToken)
        {
            // Whether any attempt may have reached the server: then a failed PUT may still have been applied.
            bool mayHaveArrived = false;
            for (int retries = 0; ; retries++)
            {
                if (IsDisposed)
                {
                    throw new QrsException($"The connection to {_endpoint} is closed (Disconnect-QlikSense); run Connect-QlikSense again.",
                        QrsErrorIds.Disposed, OperationErrorCategory.InvalidOperation, target.Method.Method, target.DisplayPath);
                }

                cancellationToken.ThrowIfCancellationRequested();
                target.Retried = retries > 0;
                TimeSpan? retryAfter = null;
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                using (var request = BuildRequest(target, body))
                {
                    timeout.CancelAfter(_timeout);
                    RequestCounts.Count(target.Method);
                    HttpResponseMessage? response = null;
                    try
                    {
                        response = await _http.SendAsync(request, completion, timeout.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                    {
                        var timedOut = _failures.Timeout(target, ex);
                        timedOut.MayHaveArrived = true;
                        throw timedOut;
                    }
                    catch (Exception ex) when (ex is HttpRequestException || ex is SocketException)
                    {
                        // The connection pool can let a bare SocketException out (a peer that resets while
                        // it connects): the same transport failure as the wrapped kind, retried alike.
                        var transport = _failures.FromTransportFailure(ex as HttpRequestException ?? new HttpRequestException(ex.Message, ex), target);
                        mayHaveArrived |= transport.ConnectionOpened;
                        bool retryable = transport.Retryable && (retryUnreachable || transport.ConnectionOpened)
                            && _retry.ShouldRetryTransport(target.Method, transport.ConnectionOpened, retries);
                        if (!retryable)
                        {
                            transport.Exception.MayHaveArrived = mayHaveArrived;
                            throw transport.Exception;
                        }
                    }

                    if (response != null)
                    {
                        int status = (int)response.StatusCode;
                        if (status < 300)
                        {
                            return response;
                        }

                        if (!_retry.ShouldRetry(target.Method, status, retries))
                        {
                            using (response)
                            {
                                throw await _failures.FromResponseAsync(response, target, retries).ConfigureAwait(false);
                            }
                        }

                        retryAfter = QrsRetryPolicy.RetryAfter(response, DateTimeOffset.UtcNow);
                        response.Dispose();
                    }
                }

                RequestCounts.CountRetry();
                await _clock.Delay(_retry.Delay(retries, retryAfter), cancellationToken).ConfigureAwait(false);
            }
        }

        private HttpRequestMessage BuildRequest(RequestTarget target, byte[]? body)
        {
            string xrfkey = Xrfkey.New();
            var request = new HttpRequestMessage(target.Method, BuildUri(target, xrfkey));
            request.Headers.TryAddWithoutValidation("X-Qlik-Xrfkey", xrfkey);
            request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (_xQlikUser != null)
            {
                request.Headers.TryAddWithoutValidation("X-Qlik-User", _xQlikUser);
            }

            if (_jwt != null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _jwt.Reveal());
            }

            if (body != null)
            {
                // A fresh content per attempt: .NET Framework cannot send one twice.
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = JsonMediaType;
            }

            return request;
        }

        private static byte[] Serialize(JsonNode body) =>
            Encoding.UTF8.GetBytes(body?.ToJsonString() ?? throw new ArgumentNullException(nameof(body)));

        private async Task<JsonNode?> ReadJsonAsync(HttpResponseMessage response, RequestTarget target)
        {
            _failures.EnsureJson(response, target);
            byte[] bytes = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            if (bytes.Length == 0 || (bytes.Length <= 3 && bytes[0] == 0xEF))
            {
                return null;
            }

            try
            {
                return JsonNode.Parse(bytes);
            }
            catch (JsonException ex)
            {
                throw QrsFailures.Failure(target, QrsErrorIds.UnexpectedResponse, OperationErrorCategory.InvalidData,
                    $"The repository's answer to {target} is not valid JSON: {ex.Message}", ex);
            }
        }

        /// <summary>One request's method, path and filter, as messages name them (never the query).</summary>
        internal sealed class RequestTarget
        {
            public RequestTarget(HttpMethod method, string path, QrsFilter? filter)
            {
                Method = method;
                RelativePath = NormalizePath(path);
                Filter = filter;
                int q = RelativePath.IndexOf('?');
                DisplayPath = "/qrs/" + (q >= 0 ? RelativePath.Substring(0, q) : RelativePath);
            }

            public HttpMethod Method { get; }
            public string RelativePath { get; }
            public QrsFilter? Filter { get; }
            public string DisplayPath { get; }

            /// <summary>True once the request has been sent more than once.</summary>
            public bool Retried { get; set; }

            public override string ToString() => Method.Method + " " + DisplayPath;
        }
    }
}
