using System;
using System.Globalization;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Destinations.Mqtt;

namespace QlikActivity.Core.Destinations
{
    /// <summary>What an HTTP destination got back: the status, a short body for errors, and Retry-After.</summary>
    internal readonly struct HttpAnswer
    {
        public HttpAnswer(int status, string body, TimeSpan? retryAfter, string? redirectTo = null)
        {
            Status = status;
            Body = body;
            RetryAfter = retryAfter;
            RedirectTo = redirectTo;
        }

        public int Status { get; }

        /// <summary>The start of the response body (Teams reports some failures in a 200's body).</summary>
        public string Body { get; }

        public TimeSpan? RetryAfter { get; }

        /// <summary>Scheme, host and port of a redirect's Location (never its path or query, which may be secret).</summary>
        public string? RedirectTo { get; }

        public bool IsRedirect => Status >= 300 && Status <= 399;

        public bool IsSuccess => Status >= 200 && Status <= 299;

        /// <summary>429, 408 and 5xx are worth retrying; other 4xx mean the request itself is wrong.</summary>
        public bool IsTransient => Status == 429 || Status == 408 || Status >= 500;
    }

    /// <summary>
    /// The HTTP plumbing the InfluxDB, New Relic and webhook destinations share: one client per destination,
    /// a timeout per request (a hanging server costs one timeout, never a stall), and socket failures turned
    /// into retryable <see cref="DestinationException"/>s whose messages hold no secret. Redirects are not
    /// followed: a redirected POST would carry the insert key, custom headers and events to another host
    /// (only Authorization is dropped on a redirect), so a 3xx is a failure naming its status.
    /// </summary>
    internal static class HttpDelivery
    {
        /// <summary>Longest Retry-After honoured, so a confused server cannot park a destination for hours.</summary>
        public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(10);

        private const int MaxBodyChars = 300;

        /// <summary>A client that trusts the server as <paramref name="trust"/> decides and follows no redirect.</summary>
        public static HttpClient CreateClient(BrokerCertificateValidator trust)
        {
#if NET8_0_OR_GREATER
            var handler = new SocketsHttpHandler
            {
                // DNS changes (a moved InfluxDB, a fail-over) are picked up without restarting the listener.
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                AutomaticDecompression = System.Net.DecompressionMethods.None,
                UseCookies = false,
                AllowAutoRedirect = false,
            };
            handler.SslOptions.RemoteCertificateValidationCallback = trust.Validate;
#else
            // .NET Framework's default may still be TLS 1.0: offer 1.2+ by name.
            var handler = new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false, SslProtocols = Certificates.TlsProtocols.Client };
            handler.ServerCertificateCustomValidationCallback = (request, certificate, chain, errors) => trust.Validate(request, certificate, chain, errors);
#endif
            var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
            client.DefaultRequestHeaders.ExpectContinue = false;
            client.DefaultRequestHeaders.UserAgent.ParseAdd("QlikActivity/" + typeof(HttpDelivery).Assembly.GetName().Version?.ToString(3));
            return client;
        }

        /// <summary>
        /// Sends a request built by <paramref name="createRequest"/> within <paramref name="timeout"/>.
        /// A timeout or a socket error throws a retryable <see cref="DestinationException"/> naming
        /// <paramref name="target"/>; <paramref name="scrub"/> removes secrets from any text taken from the error
        /// or the response. Cancelling <paramref name="stop"/> throws <see cref="OperationCanceledException"/>.
        /// </summary>
        public static async Task<HttpAnswer> SendAsync(
            HttpClient client,
            Func<HttpRequestMessage> createRequest,
            TimeSpan timeout,
            string target,
            Func<string, string> scrub,
            CancellationToken stop,
            BrokerCertificateValidator? trust = null)
        {
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(stop);
            timer.CancelAfter(timeout);
            try
            {
                using var request = createRequest();
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, timer.Token).ConfigureAwait(false);
                int status = (int)response.StatusCode;
                string body = scrub(Shorten(await response.Content.ReadAsStringAsync().ConfigureAwait(false)));

                return new HttpAnswer(status, body, RetryAfter(response), RedirectTarget(response));
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
            {
                throw new DestinationException(
                    $"{target} did not answer within {timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s.");
            }
            catch (HttpRequestException) when (trust?.LastFailure is string refused)
            {
                trust.ClearFailure();
                throw new DestinationException($"{target} is not trusted: {scrub(refused)}.");
            }
            catch (HttpRequestException ex)
            {
                throw new DestinationException($"{target} could not be reached: {scrub(Describe(ex))}");
            }
            catch (System.IO.IOException ex)
            {
                // A connection dropped while the answer was read.
                throw new DestinationException($"{target} broke off the connection: {scrub(ex.Message)}");
            }
        }

        /// <summary>
        /// Checks at start that the server answers: a HEAD request to <paramref name="uri"/> with no key,
        /// header or body (or, with <paramref name="method"/>, another bodiless request). Any HTTP answer
        /// proves the name resolves, the port is open and the certificate is trusted; with
        /// <paramref name="requireSuccess"/> the answer must also be 2xx (InfluxDB's /ping). Throws a
        /// <see cref="DestinationException"/> saying why not.
        /// </summary>
        public static async Task ProbeAsync(
            HttpClient client,
            Uri uri,
            TimeSpan timeout,
            string target,
            Func<string, string> scrub,
            CancellationToken stop,
            BrokerCertificateValidator? trust = null,
            HttpMethod? method = null,
            bool requireSuccess = false)
        {
            var answer = await SendAsync(client, () => new HttpRequestMessage(method ?? HttpMethod.Head, uri), timeout, target, scrub, stop, trust)
                .ConfigureAwait(false);
            if (requireSuccess && !answer.IsSuccess)
            {
                throw new DestinationException($"{target} answered {answer.Status} to {uri.AbsolutePath}.");
            }
        }

        /// <summary>Explains a failed answer: transient statuses are retried after Retry-After (when sent), others are given up.</summary>
        public static DestinationException Failure(string target, HttpAnswer answer, string? advice = null)
        {
            if (answer.IsRedirect)
            {
                return new DestinationException(
                    $"{target} answered {answer.Status}, a redirect{(answer.RedirectTo == null ? "" : " to " + answer.RedirectTo)}. Redirects are not followed, so that keys, headers and events go only to the address given: give the address the server redirects to.",
                    retryable: false);
            }

            string text = $"{target} answered {answer.Status}";
            if (answer.Body.Length > 0)
            {
                text += ": " + answer.Body;
            }

            if (!string.IsNullOrEmpty(advice))
            {
                text += " " + advice;
            }

            return new DestinationException(text, retryable: answer.IsTransient, retryAfter: answer.IsTransient ? answer.RetryAfter : null);
        }

        internal static TimeSpan? RetryAfter(HttpResponseMessage response)
        {
            var header = response.Headers.RetryAfter;
            TimeSpan? delay = null;
            if (header?.Delta is TimeSpan delta)
            {
                delay = delta;
            }
            else if (header?.Date is DateTimeOffset date)
            {
                delay = date - DateTimeOffset.UtcNow;
            }

            if (delay == null)
            {
                return null;
            }

            if (delay < TimeSpan.Zero)
            {
                return TimeSpan.Zero;
            }

            return delay > MaxRetryAfter ? MaxRetryAfter : delay;
        }

        private static string? RedirectTarget(HttpResponseMessage response)
        {
            var location = response.Headers.Location;
            if (location == null || !location.IsAbsoluteUri)
            {
                return null;
            }

            return location.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped);
        }

        private static string Describe(HttpRequestException ex)
        {
            string text = ex.Message;
            if (ex.InnerException != null && !text.Contains(ex.InnerException.Message))
            {
                text += " (" + ex.InnerException.Message + ")";
            }

            return text;
        }

        private static string Shorten(string body)
        {
            body = body.Trim().Replace('\r', ' ').Replace('\n', ' ');
            return body.Length <= MaxBodyChars ? body : body.Substring(0, MaxBodyChars) + "…";
        }
    }
}
