using System;
using System.IO;
using System.Net.Http;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace QlikActivity.Core.Qrs
{
    /// <summary>
    /// Turns what went wrong with one <see cref="QrsClient"/> request (an error status, an HTML
    /// login page, a refused TLS handshake, an unreachable host, a timeout) into a
    /// <see cref="QrsException"/> whose message names the cause and what to do about it. It knows
    /// the client's endpoint and authentication so the message can be specific; it never quotes a
    /// secret.
    /// </summary>
    internal sealed class QrsFailures
    {
        private readonly string _endpoint;
        private readonly string? _virtualProxy;
        private readonly bool _usesJwt;
        private readonly DateTimeOffset? _jwtExpires;
        private readonly string? _user;
        private readonly X509Certificate2? _clientCertificate;
        private readonly ServerCertificateValidator? _validator;
        private readonly TimeSpan _timeout;

        public QrsFailures(string endpoint, string? virtualProxy, bool usesJwt, DateTimeOffset? jwtExpires, string? user,
            X509Certificate2? clientCertificate, ServerCertificateValidator? validator, TimeSpan timeout)
        {
            _endpoint = endpoint;
            _virtualProxy = virtualProxy;
            _usesJwt = usesJwt;
            _jwtExpires = jwtExpires;
            _user = user;
            _clientCertificate = clientCertificate;
            _validator = validator;
            _timeout = timeout;
        }

        /// <summary>A virtual proxy that does not accept the token answers with its HTML login page and 200.</summary>
        public void EnsureJson(HttpResponseMessage response, QrsClient.RequestTarget target)
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

        /// <summary>The exception for a response with an error status, its body quoted (bounded) and what to do about it.</summary>
        public async Task<QrsException> FromResponseAsync(HttpResponseMessage response, QrsClient.RequestTarget target, int retries)
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
                        : $" The user {_user ?? "(unknown)"} lacks access: connect as a user with the RootAdmin role (e.g. INTERNAL\\sa_repository) or allow it with a security rule.";
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

        private string UnauthorizedMessage(QrsClient.RequestTarget target)
        {
            if (!_usesJwt)
            {
                return $"The repository rejected {target} (401 Unauthorized): the client certificate '{_clientCertificate?.Subject}' was not accepted as authentication. Use the client certificate exported from this site's QMC, on port 4242.";
            }

            string proxy = _virtualProxy != null ? $"the virtual proxy '{_virtualProxy}'" : "the default virtual proxy";
            string expired = _jwtExpires is { } exp && exp <= DateTimeOffset.UtcNow
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

        /// <summary>
        /// The exception for a request that got no response, whether a retry may help, and whether
        /// the connection had opened (then the server may have seen the request).
        /// </summary>
        public (QrsException Exception, bool Retryable, bool ConnectionOpened) FromTransportFailure(HttpRequestException ex, QrsClient.RequestTarget target)
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

        /// <summary>Whether <paramref name="ex"/>, thrown while reading a body, means the connection failed or stalled (not that the caller cancelled).</summary>
        public static bool IsBodyFailure(Exception ex, CancellationToken cancellationToken) =>
            ex is IOException || ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);

        /// <summary>The exception for a request that outlived the client's timeout.</summary>
        public QrsException Timeout(QrsClient.RequestTarget target, Exception inner) =>
            Failure(target, QrsErrorIds.Timeout, OperationErrorCategory.OperationTimeout,
                $"{_endpoint} did not answer {target} within {_timeout.TotalSeconds:0.#} s. Raise -TimeoutSec if the repository is slow.", inner);

        /// <summary>A failure of <paramref name="target"/> that has no response to quote.</summary>
        public static QrsException Failure(QrsClient.RequestTarget target, string errorId, OperationErrorCategory category, string message, Exception? inner) =>
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

        /// <summary>The root cause, whose message usually says most (e.g. the socket error under an HttpRequestException).</summary>
        public static Exception Innermost(Exception ex)
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
    }
}
