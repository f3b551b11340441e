using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
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
        private readonly string? _virtualProxy;
        private readonly ServerCertificateValidator? _validator;
        private readonly X509Certificate2? _clientCertificate;
        private readonly QrsRetryPolicy _retry;
        private readonly TimeSpan _timeout;
        private int _disposed;

        internal QrsClient(QrsConnectionOptions options, HttpMessageHandler handler, ServerCertificateValidator? validator, X509Certificate2? clientCertificate)
        {
            BaseUri = options.BaseUri;
            _qrsBase = new Uri(BaseUri, "qrs/");
            _endpoint = BaseUri.Authority;
            _virtualProxy = options.NormalizedVirtualProxy;
            _validator = validator;
            _clientCertificate = clientCertificate;
            _timeout = options.Timeout;
            _retry = new QrsRetryPolicy(options.MaximumRetryCount, options.RetryBaseDelay, options.MaximumRetryDelay);
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
            X509Certificate2? client = null;
            X509Certificate2? root = null;
            try
            {
                if (options.AuthenticationMode == AuthenticationMode.Certificate)
                {
                    client = LoadClientCertificate(options);
                }

                string? rootPath = options.SkipCertificateCheck ? null : RootPathFor(options);
                root = rootPath != null ? ClientCertificateLoader.LoadRoot(rootPath) : null;
                var validator = new ServerCertificateValidator(root, rootPath, options.SkipCertificateCheck);
                var handler = CreateHandler(options, validator, client);
                return new QrsClient(options, options.WrapHandler?.Invoke(handler) ?? handler, validator, client);
            }
            catch
            {
                client?.Dispose();
                throw;
            }
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
                EnsureJson(response, target);
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
                        catch (Exception ex) when (IsBodyFailure(ex, cancellationToken))
                        {
                            var failure = body.TimedOut
                                ? Timeout(target, ex)
                                : Failure(target, QrsErrorIds.ConnectionDropped, OperationErrorCategory.ConnectionError,
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
                            throw Failure(target, QrsErrorIds.UnexpectedResponse, OperationErrorCategory.InvalidData,
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
                await Task.Delay(_retry.Delay(retries, null), cancellationToken).ConfigureAwait(false);
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

            throw Failure(new RequestTarget(HttpMethod.Get, path + "/count", filter), QrsErrorIds.UnexpectedResponse, OperationErrorCategory.InvalidData,
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
            return node as JsonObject ?? throw Failure(target, QrsErrorIds.UnexpectedResponse, OperationErrorCategory.InvalidData,
                $"The repository answered {target} without the stored entity.", null);
        }

        /// <summary>DELETE an entity. A 404 on a retry counts as done: the first attempt got through.</summary>
        public async Task DeleteAsync(string path, CancellationToken cancellationToken = default)
        {
            var target = new RequestTarget(HttpMethod.Delete, path, null);
            try
            {
                using var response = await SendAsync(target, null, HttpCompletionOption.ResponseContentRead, true, cancellationToken).ConfigureAwait(false);
            }
            catch (QrsException ex) when (ex.StatusCode == HttpStatusCode.NotFound && target.Retried)
            {
            }
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
                await ssl.AuthenticateAsClientAsync(BaseUri.Host, new X509CertificateCollection { certificate }, SslProtocols.None, false).ConfigureAwait(false);
                // No xrfkey: a server that accepted the certificate answers (403), one that did not closes.
                byte[] request = Encoding.ASCII.GetBytes($"GET /qrs/about HTTP/1.1\r\nHost: {BaseUri.Authority}\r\nConnection: close\r\n\r\n");
                await ssl.WriteAsync(request, 0, request.Length).ConfigureAwait(false);
                var buffer = new byte[64];
                int read = await ssl.ReadAsync(buffer, 0, buffer.Length).ConfigureAwait(false);
                return read > 0 ? null : "the server closed the connection without answering";
            }
            catch (Exception ex) when (ex is AuthenticationException || ex is IOException || ex is ObjectDisposedException || ex is SocketException)
            {
                return timeout.IsCancellationRequested ? null : Innermost(ex).Message.TrimEnd('.');
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
                        throw Timeout(target, ex);
                    }
                    catch (HttpRequestException ex)
                    {
                        var transport = ClassifyTransportFailure(ex, target);
                        bool retryable = transport.Retryable && (retryUnreachable || transport.ConnectionOpened)
                            && _retry.ShouldRetryTransport(target.Method, transport.ConnectionOpened, retries);
                        if (!retryable)
                        {
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
                                throw await ErrorFromResponseAsync(response, target, retries).ConfigureAwait(false);
                            }
                        }

                        retryAfter = QrsRetryPolicy.RetryAfter(response, DateTimeOffset.UtcNow);
                        response.Dispose();
                    }
                }

                RequestCounts.CountRetry();
                await Task.Delay(_retry.Delay(retries, retryAfter), cancellationToken).ConfigureAwait(false);
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
            EnsureJson(response, target);
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
                throw Failure(target, QrsErrorIds.UnexpectedResponse, OperationErrorCategory.InvalidData,
                    $"The repository's answer to {target} is not valid JSON: {ex.Message}", ex);
            }
        }

        /// <summary>A virtual proxy that does not accept the token answers with its HTML login page and 200.</summary>
        private void EnsureJson(HttpResponseMessage response, RequestTarget target)
        {
            string? mediaType = response.Content.Headers.ContentType?.MediaType;
            if (mediaType != null && mediaType.IndexOf("html", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                throw Failure(target, QrsErrorIds.LoginPage, OperationErrorCategory.AuthenticationError,
                    $"{_endpoint} answered {target} with an HTML page instead of JSON: " + LoginPageHint(), null);
            }
        }

        private string LoginPageHint() => _virtualProxy != null
            ? $"the virtual proxy '{_virtualProxy}' showed its login page, so it did not accept the JWT. Check that this virtual proxy uses JWT authentication."
            : "the server showed a login page. Use port 4242 with a client certificate, or -VirtualProxy with a JWT.";

        private async Task<QrsException> ErrorFromResponseAsync(HttpResponseMessage response, RequestTarget target, int retries)
        {
            string text = await ReadSnippetAsync(response).ConfigureAwait(false);
            var status = response.StatusCode;
            int code = (int)status;
            string method = target.Method.Method;
            string said = text.Length > 0 ? ": " + text : ".";
            string afterRetries = retries > 0 ? $" after {retries} retr{(retries == 1 ? "y" : "ies")}" : "";

            switch (code)
            {
                case 400:
                    string filter = target.Filter != null ? $" (filter: {target.Filter})" : "";
                    return new QrsException($"The repository refused {target} as a bad request (400){filter}{said}",
                        QrsErrorIds.BadRequest, OperationErrorCategory.InvalidArgument, method, target.DisplayPath, status, text);
                case 401:
                    return new QrsException(UnauthorizedMessage(target), QrsErrorIds.Unauthorized, OperationErrorCategory.AuthenticationError,
                        method, target.DisplayPath, status, text);
                case 403:
                    bool xsrf = text.IndexOf("XSRF", StringComparison.OrdinalIgnoreCase) >= 0;
                    string hint = xsrf
                        ? " The xrfkey did not reach the server intact (something between us and the server changed the URL or the headers)."
                        : $" The user {User ?? "(unknown)"} lacks access: connect as a user with the RootAdmin role (e.g. INTERNAL\\sa_repository) or allow it with a security rule.";
                    return new QrsException($"The repository refused {target} (403 Forbidden){said}{hint}",
                        QrsErrorIds.Forbidden, OperationErrorCategory.PermissionDenied, method, target.DisplayPath, status, text);
                case 404:
                    return new QrsException($"{target} was not found (404){said}",
                        QrsErrorIds.NotFound, OperationErrorCategory.ObjectNotFound, method, target.DisplayPath, status, text);
                case 409:
                    return new QrsConflictException(
                        $"{target} conflicts with a newer change (409 Conflict): the entity was modified after it was read. Read it again and re-apply the change.",
                        method, target.DisplayPath, text);
                case 429:
                    return new QrsException($"The repository still answers {target} with 429 Too Many Requests{afterRetries}. Try again later or with fewer parallel requests.",
                        QrsErrorIds.TooManyRequests, OperationErrorCategory.LimitsExceeded, method, target.DisplayPath, status, text);
            }

            if (code >= 300 && code < 400)
            {
                string location = response.Headers.Location is { } l ? " to " + StripQuery(l) : "";
                return new QrsException($"{_endpoint} redirected {target}{location} ({code}): " + LoginPageHint(),
                    QrsErrorIds.LoginPage, OperationErrorCategory.AuthenticationError, method, target.DisplayPath, status, text);
            }

            if (code >= 500)
            {
                return new QrsException($"The repository answered {target} with {code} {response.ReasonPhrase}{afterRetries}{said}",
                    QrsErrorIds.ServerError, OperationErrorCategory.ResourceUnavailable, method, target.DisplayPath, status, text);
            }

            return new QrsException($"The repository answered {target} with an unexpected {code} {response.ReasonPhrase}{said}",
                QrsErrorIds.UnexpectedResponse, OperationErrorCategory.InvalidData, method, target.DisplayPath, status, text);
        }

        private string UnauthorizedMessage(RequestTarget target)
        {
            if (_jwt == null)
            {
                return $"The repository rejected {target} (401 Unauthorized): the client certificate '{_clientCertificate?.Subject}' was not accepted as authentication. Use the client certificate exported from this site's QMC, on port 4242.";
            }

            string proxy = _virtualProxy != null ? $"the virtual proxy '{_virtualProxy}'" : "the default virtual proxy";
            string expired = JwtExpires is { } exp && exp <= DateTimeOffset.UtcNow
                ? $" The token expired at {exp.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC."
                : "";
            return $"{proxy} rejected the JWT for {target} (401 Unauthorized).{expired} Check that {proxy} uses JWT authentication with the certificate that signed the token, and the token's user directory and user id attribute names.";
        }

        private static async Task<string> ReadSnippetAsync(HttpResponseMessage response)
        {
            try
            {
                string text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                text = text.Trim();
                if (response.Content.Headers.ContentType?.MediaType?.IndexOf("html", StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    text = System.Text.RegularExpressions.Regex.Replace(text, "<[^>]*>", " ");
                    text = System.Text.RegularExpressions.Regex.Replace(text, "\\s+", " ").Trim();
                }

                return text.Length > 500 ? text.Substring(0, 500) + "..." : text;
            }
            catch (Exception ex) when (ex is HttpRequestException || ex is IOException)
            {
                return "";
            }
        }

        private (QrsException Exception, bool Retryable, bool ConnectionOpened) ClassifyTransportFailure(HttpRequestException ex, RequestTarget target)
        {
            string? refused = _validator?.LastFailure;
            if (refused != null && Has<AuthenticationException>(ex))
            {
                string trust = _validator!.RootSource != null ? $"the root certificate '{_validator.RootSource}'" : "this computer's certificate store";
                return (Failure(target, QrsErrorIds.ServerCertificateNotTrusted, OperationErrorCategory.SecurityError,
                    $"The server {_endpoint} is not trusted: {refused}. Trust is checked against {trust}. Connect with the host name its certificate names and the site's root.pem, or (for testing only) use -SkipCertificateCheck.", ex),
                    false, true);
            }

            if (Has<AuthenticationException>(ex) || FindSslAlert(ex))
            {
                string client = _clientCertificate != null
                    ? $" The server may have refused the client certificate '{_clientCertificate.Subject}': use the client certificate exported from this site's QMC."
                    : "";
                return (Failure(target, QrsErrorIds.TlsHandshakeFailed, OperationErrorCategory.SecurityError,
                    $"The TLS handshake with {_endpoint} failed: {Innermost(ex).Message}.{client}", ex), false, true);
            }

            var socket = Find<SocketException>(ex);
            bool unreachable = socket != null && socket.SocketErrorCode is SocketError.ConnectionRefused or SocketError.HostNotFound
                or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.TimedOut or SocketError.NoData
                or SocketError.TryAgain or SocketError.AddressNotAvailable;
#if NET8_0_OR_GREATER
            unreachable |= ex.HttpRequestError is HttpRequestError.NameResolutionError || (ex.HttpRequestError == HttpRequestError.ConnectionError && socket != null);
#endif
            if (unreachable)
            {
                string why = socket != null ? socket.Message : Innermost(ex).Message;
                return (Failure(target, QrsErrorIds.HostUnreachable, OperationErrorCategory.ConnectionError,
                    $"Cannot reach {_endpoint}: {why.TrimEnd('.')}. Check -Server and -Port, that the Qlik Sense Repository Service (or the proxy) runs there, and that a firewall lets the port through.", ex),
                    true, false);
            }

            return (Failure(target, QrsErrorIds.ConnectionDropped, OperationErrorCategory.ConnectionError,
                $"The connection to {_endpoint} dropped during {target}: {Innermost(ex).Message}", ex), true, true);
        }

        /// <summary>TLS 1.3 reports a refused client certificate after the handshake, as an alert on the first read.</summary>
        private static bool FindSslAlert(Exception ex)
        {
            for (var e = ex; e != null; e = e.InnerException)
            {
                if (e.GetType().Name.IndexOf("SslException", StringComparison.Ordinal) >= 0
                    || e.Message.IndexOf("alert", StringComparison.OrdinalIgnoreCase) >= 0 && e.Message.IndexOf("certificate", StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    return true;
                }
            }

            return false;
        }

        private bool IsBodyFailure(Exception ex, CancellationToken cancellationToken) =>
            ex is IOException || ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);

        private QrsException Timeout(RequestTarget target, Exception inner) =>
            Failure(target, QrsErrorIds.Timeout, OperationErrorCategory.OperationTimeout,
                $"{_endpoint} did not answer {target} within {_timeout.TotalSeconds:0.#} s. Raise -TimeoutSec if the repository is slow.", inner);

        private static QrsException Failure(RequestTarget target, string errorId, OperationErrorCategory category, string message, Exception? inner) =>
            new QrsException(message, errorId, category, target.Method.Method, target.DisplayPath, null, null, inner);

        private static bool Has<T>(Exception ex) where T : Exception => Find<T>(ex) != null;

        private static T? Find<T>(Exception ex) where T : Exception
        {
            for (Exception? e = ex; e != null; e = e.InnerException)
            {
                if (e is T t)
                {
                    return t;
                }
            }

            return null;
        }

        private static Exception Innermost(Exception ex)
        {
            var e = ex;
            while (e.InnerException != null)
            {
                e = e.InnerException;
            }

            return e;
        }

        private static string StripQuery(Uri uri)
        {
            string s = uri.IsAbsoluteUri ? uri.GetLeftPart(UriPartial.Path) : uri.OriginalString;
            int q = s.IndexOf('?');
            return q >= 0 ? s.Substring(0, q) : s;
        }

        private static X509Certificate2 LoadClientCertificate(QrsConnectionOptions options)
        {
            if (options.ClientCertificate != null)
            {
                if (!options.ClientCertificate.HasPrivateKey)
                {
                    throw new QlikActivityException($"The certificate '{options.ClientCertificate.Subject}' has no private key.",
                        QrsErrorIds.CertificateWithoutPrivateKey, OperationErrorCategory.InvalidArgument);
                }

                // Our own copy: disposing the connection must not dispose the caller's object.
                return new X509Certificate2(options.ClientCertificate);
            }

            if (options.Thumbprint != null)
            {
                return ClientCertificateLoader.FromStore(options.Thumbprint);
            }

            if (options.PfxBytes != null)
            {
                return ClientCertificateLoader.FromPfx(options.PfxBytes, options.PfxPassword, options.PfxPath ?? "the PFX data");
            }

            if (options.PfxPath != null)
            {
                return ClientCertificateLoader.FromPfxFile(options.PfxPath, options.PfxPassword);
            }

            return ClientCertificateLoader.FromPemFolder(options.CertificateFolder ?? Path.GetFullPath("cert"));
        }

        private static string? RootPathFor(QrsConnectionOptions options)
        {
            if (options.RootCertificatePath != null)
            {
                return options.RootCertificatePath;
            }

            if (options.AuthenticationMode != AuthenticationMode.Certificate)
            {
                return null;
            }

            if (options.PfxPath != null)
            {
                string? dir = Path.GetDirectoryName(Path.GetFullPath(options.PfxPath));
                foreach (var name in new[] { ClientCertificateLoader.RootCerName, ClientCertificateLoader.RootPemName })
                {
                    string candidate = Path.Combine(dir ?? ".", name);
                    if (File.Exists(candidate))
                    {
                        return candidate;
                    }
                }

                return null;
            }

            if (options.Thumbprint != null || options.ClientCertificate != null || options.PfxBytes != null)
            {
                return null;
            }

            string folder = options.CertificateFolder ?? Path.GetFullPath("cert");
            string root = Path.Combine(folder, ClientCertificateLoader.RootPemName);
            return File.Exists(root) ? root : null;
        }

        private static HttpMessageHandler CreateHandler(QrsConnectionOptions options, ServerCertificateValidator validator, X509Certificate2? client)
        {
#if NET8_0_OR_GREATER
            var ssl = new System.Net.Security.SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (sender, certificate, chain, errors) => validator.Validate(certificate, errors),
            };
            if (client != null)
            {
                ssl.ClientCertificates = new X509CertificateCollection { client };
                // Send our certificate even when the server's list of acceptable CAs does not name its issuer.
                ssl.LocalCertificateSelectionCallback = (sender, host, local, remote, issuers) => client;
            }

            return new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
                ConnectTimeout = options.Timeout,
                MaxConnectionsPerServer = options.MaximumConnections,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                SslOptions = ssl,
            };
#else
            var handler = new HttpClientHandler
            {
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
                MaxConnectionsPerServer = options.MaximumConnections,
                ClientCertificateOptions = ClientCertificateOption.Manual,
                ServerCertificateCustomValidationCallback = (message, certificate, chain, errors) => validator.Validate(certificate, errors),
            };
            if (client != null)
            {
                handler.ClientCertificates.Add(client);
            }

            return handler;
#endif
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
