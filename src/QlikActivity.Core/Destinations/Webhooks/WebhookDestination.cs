using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core;
using QlikActivity.Core.Destinations;
using QlikActivity.Core.Destinations.Mqtt;
using QlikActivity.Core.Destinations.Webhooks;

namespace QlikActivity.Core.Destinations.Webhooks
{
    /// <summary>
    /// Posts user events to a Slack or Teams incoming webhook as readable messages, or to any URL as JSON
    /// (PowerShell type name <c>QlikActivity.Core.Destinations.Webhooks.WebhookDestination</c>). Built by
    /// <c>New-QlikWebhookDestination</c>. The URL is a secret: only its scheme and host are ever shown.
    /// </summary>
    /// <remarks>
    /// Slack takes about one message per second per webhook (api.slack.com, "Rate limits": incoming webhooks,
    /// one per second with short bursts; a 429 carries Retry-After). Events arriving faster are not dropped:
    /// they wait in the queue and leave together, several lines in one message, at most one message a second.
    /// </remarks>
    public sealed class WebhookDestination : QueuedDestination, ISecurityWarnings
    {
        private readonly Settings _settings;
        private readonly HttpClient _client;
        private readonly MessagePacer? _pacer;
        private readonly PartialDelivery _progress = new PartialDelivery();
        private readonly MemoryStream _body = new MemoryStream();

        /// <summary>Checks the options (throws <see cref="QlikActivityException"/>) and prepares the destination; nothing is sent before <c>StartAsync</c>.</summary>
        public WebhookDestination(WebhookDestinationOptions options)
            : this(Settings.From(options))
        {
        }

        private WebhookDestination(Settings settings)
            : base(settings.Name, settings.Queue)
        {
            _settings = settings;
            _client = HttpDelivery.CreateClient(settings.Trust);
            if (settings.MinInterval > TimeSpan.Zero)
            {
                _pacer = MessagePacer.For(settings.Url.AbsoluteUri, settings.MinInterval, settings.Queue.Clock);
            }
        }

        public WebhookFormat Format => _settings.Format;

        /// <summary>
        /// Scheme and host of the webhook only, e.g. <c>https://hooks.slack.com/…</c>: the rest of a webhook URL is
        /// its secret, so no property is named Url (a reader would take it for the whole address).
        /// </summary>
        public string Host => _settings.DisplayUrl;

        /// <summary>The event types posted; empty means all.</summary>
        public IReadOnlyList<UserEventType> EventType => _settings.EventTypes;

        /// <summary>Names of the extra headers sent; their values are never shown.</summary>
        public IReadOnlyList<string> HeaderNames => _settings.Headers.Select(h => h.Key).ToArray();

        public int BatchSize => _settings.Queue.BatchSize;

        public int QueueCapacity => _settings.Queue.QueueCapacity;

        public int MaxAttempts => _settings.Queue.MaxAttempts;

        /// <summary>Least time between two requests to this webhook.</summary>
        public TimeSpan MinInterval => _settings.MinInterval;

        /// <summary>The CA file the webhook server's certificate must chain to; empty means this computer's store.</summary>
        public string CaCertificatePath => _settings.CaCertificatePath ?? "";

        public bool SkipCertificateCheck => _settings.SkipCertificateCheck;

        /// <inheritdoc />
        public IReadOnlyList<string> SecurityWarnings => _settings.Warnings;

        public override string ToString() => Name;

        /// <summary>The name and a digest of the full URL (never the URL itself): two webhooks on one host keep separate journal positions.</summary>
        public override string JournalKey => $"{Name} #{_settings.UrlDigest}";

        /// <inheritdoc />
        protected override bool Accepts(UserEvent userEvent) => _settings.Accepted[(int)userEvent.EventType & 3];

        /// <inheritdoc />
        protected override async Task SendBatchAsync(IReadOnlyList<UserEvent> batch, CancellationToken cancellationToken)
        {
            int start = _progress.Resume(batch);
            await SendRangeAsync(batch, start, batch.Count - start, cancellationToken).ConfigureAwait(false);
            _progress.Complete();
        }

        /// <inheritdoc />
        protected override int DeliveredOf(IReadOnlyList<UserEvent> batch) => _progress.DeliveredOf(batch);

        /// <inheritdoc />
        protected override Task ProbeCoreAsync(CancellationToken cancellationToken) =>
            HttpDelivery.ProbeAsync(_client, _settings.Url, _settings.Timeout, _settings.Target, _settings.Scrub, cancellationToken, _settings.Trust);

        /// <inheritdoc />
        protected override Task OnStoppedAsync()
        {
            _client.Dispose();
            _body.Dispose();
            return Task.CompletedTask;
        }

        private async Task SendRangeAsync(IReadOnlyList<UserEvent> batch, int start, int count, CancellationToken cancellationToken)
        {
            if (count == 0)
            {
                return;
            }

            _body.SetLength(0);
            _settings.MessageFormat.Write(_body, batch, start, count);
            if (_body.Length > _settings.MessageFormat.MaxBytes && count > 1)
            {
                int half = count / 2;
                await SendRangeAsync(batch, start, half, cancellationToken).ConfigureAwait(false);
                await SendRangeAsync(batch, start + half, count - half, cancellationToken).ConfigureAwait(false);
                return;
            }

            HttpAnswer answer;
            using (_pacer == null ? null : await _pacer.TakeTurnAsync(cancellationToken).ConfigureAwait(false))
            {
                answer = await HttpDelivery.SendAsync(_client, CreateRequest, _settings.Timeout, _settings.Target, _settings.Scrub, cancellationToken, _settings.Trust)
                    .ConfigureAwait(false);
            }

            var failure = Check(answer);
            if (failure != null)
            {
                if (failure.RetryAfter is TimeSpan wait)
                {
                    _pacer?.Hold(wait);
                }

                throw failure;
            }

            _progress.DeliveredUpTo(start + count);
        }

        private HttpRequestMessage CreateRequest()
        {
            var content = new ByteArrayContent(_body.GetBuffer(), 0, (int)_body.Length);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            var request = new HttpRequestMessage(HttpMethod.Post, _settings.Url) { Content = content };
            foreach (var header in _settings.Headers)
            {
                if (!request.Headers.TryAddWithoutValidation(header.Key, header.Value))
                {
                    content.Headers.Remove(header.Key);
                    content.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
            }

            return request;
        }

        // Teams' classic connectors answer 200 even when they did not post, with the reason in the body
        // (e.g. "Microsoft Teams endpoint returned HTTP error 429" or "Summary or Text is required.").
        private DestinationException? Check(HttpAnswer answer)
        {
            if (answer.IsSuccess)
            {
                if (_settings.Format != WebhookFormat.Teams || answer.Body.Length == 0 || answer.Body == "1")
                {
                    return null;
                }

                if (answer.Body.IndexOf("429", StringComparison.Ordinal) >= 0)
                {
                    return new DestinationException($"{_settings.Target} is throttling: {answer.Body}", retryable: true, retryAfter: TimeSpan.FromSeconds(2));
                }

                if (answer.Body.IndexOf("fail", StringComparison.OrdinalIgnoreCase) >= 0
                    || answer.Body.IndexOf("required", StringComparison.OrdinalIgnoreCase) >= 0
                    || answer.Body.IndexOf("error", StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    return new DestinationException($"{_settings.Target} did not post the message: {answer.Body}", retryable: false);
                }

                return null;
            }

            if (answer.Status == 429 && answer.RetryAfter == null)
            {
                // A 429 without Retry-After: wait a little more than the pace before trying again.
                return new DestinationException($"{_settings.Target} answered 429: {answer.Body}", retryable: true, retryAfter: TimeSpan.FromSeconds(2));
            }

            return HttpDelivery.Failure(_settings.Target, answer);
        }

        private sealed class Settings
        {
            private static readonly HashSet<string> ForbiddenHeaders = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
            {
                "Host", "Content-Length", "Transfer-Encoding", "Connection", "Content-Encoding",
            };

            public string Name = "";
            public string Target = "";
            public string DisplayUrl = "";
            public string UrlDigest = "";
            public Uri Url = null!;
            public WebhookFormat Format;
            public IWebhookMessageFormat MessageFormat = null!;
            public bool[] Accepted = { true, true, true, true };
            public IReadOnlyList<UserEventType> EventTypes = Array.Empty<UserEventType>();
            public KeyValuePair<string, string>[] Headers = Array.Empty<KeyValuePair<string, string>>();
            public string[] Secrets = Array.Empty<string>();
            public DestinationQueueOptions Queue = null!;
            public TimeSpan MinInterval;
            public TimeSpan Timeout;
            public bool SkipCertificateCheck;
            public string? CaCertificatePath;
            public BrokerCertificateValidator Trust = null!;
            public IReadOnlyList<string> Warnings = Array.Empty<string>();

            public string Scrub(string text) => DestinationSettings.Scrub(text, Secrets);

            public static Settings From(WebhookDestinationOptions options)
            {
                if (options == null)
                {
                    throw new ArgumentNullException(nameof(options));
                }

                if (options.Url == null || options.Url.Length == 0)
                {
                    throw DestinationSettings.Invalid("A webhook needs its URL (-Uri).", DestinationErrorIds.WebhookUrlMissing);
                }

                string plain = DestinationSettings.Reveal(options.Url).Trim();
                if (!Uri.TryCreate(plain, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
                {
                    // The URL itself is not repeated: it is a secret.
                    throw DestinationSettings.Invalid("The webhook URL must be an absolute http:// or https:// URL.", DestinationErrorIds.WebhookUrlInvalid);
                }

                var s = new Settings
                {
                    Url = url,
                    Format = options.Format,
                    DisplayUrl = DestinationSettings.SchemeAndHost(url),
                    Timeout = options.Timeout,
                    SkipCertificateCheck = options.SkipCertificateCheck,
                    CaCertificatePath = string.IsNullOrEmpty(options.CaCertificatePath) ? null : options.CaCertificatePath,
                    Trust = DestinationSettings.Trust(url, options.SkipCertificateCheck, options.CaCertificatePath, "Webhook"),
                };
                (int batch, TimeSpan interval, TimeSpan pace) defaults;
                switch (options.Format)
                {
                    case WebhookFormat.Slack:
                        s.MessageFormat = new SlackMessageFormat();
                        defaults = (20, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
                        break;
                    case WebhookFormat.Teams:
                        s.MessageFormat = new TeamsMessageFormat();
                        defaults = (10, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
                        break;
                    case WebhookFormat.Json:
                        s.MessageFormat = new UserEventJsonFormat();
                        defaults = (100, TimeSpan.FromMilliseconds(200), TimeSpan.Zero);
                        break;
                    default:
                        throw DestinationSettings.Invalid("The webhook format must be Json, Slack or Teams.", DestinationErrorIds.WebhookFormatInvalid);
                }

                int batchSize = options.BatchSize ?? defaults.batch;
                DestinationSettings.CheckQueue(batchSize, 10_000, options.QueueCapacity, options.Timeout);
                if (options.MaxAttempts < 1)
                {
                    throw DestinationSettings.Invalid("A webhook needs at least one attempt per batch.", DestinationErrorIds.WebhookMaxAttemptsInvalid);
                }

                s.MinInterval = options.MinInterval ?? defaults.pace;
                s.Queue = new DestinationQueueOptions
                {
                    BatchSize = batchSize,
                    BatchInterval = options.BatchInterval ?? defaults.interval,
                    QueueCapacity = options.QueueCapacity,
                    MaxAttempts = options.MaxAttempts,
                    MaxRetryDelay = options.MaxRetryDelay,
                    Clock = options.Clock,
                };

                if (options.EventTypes != null && options.EventTypes.Count > 0)
                {
                    s.EventTypes = options.EventTypes.Distinct().OrderBy(t => t).ToArray();
                    s.Accepted = new bool[4];
                    foreach (var type in s.EventTypes)
                    {
                        s.Accepted[(int)type & 3] = true;
                    }
                }

                var headers = new List<KeyValuePair<string, string>>();
                foreach (var header in options.Headers ?? new Dictionary<string, string>())
                {
                    if (string.IsNullOrWhiteSpace(header.Key) || ForbiddenHeaders.Contains(header.Key) || !IsToken(header.Key))
                    {
                        throw DestinationSettings.Invalid($"'{header.Key}' cannot be sent as a webhook header.", DestinationErrorIds.WebhookHeaderInvalid);
                    }

                    headers.Add(new KeyValuePair<string, string>(header.Key, header.Value ?? ""));
                }

                s.Headers = headers.ToArray();
                var secrets = new List<string> { plain, url.AbsoluteUri, url.PathAndQuery, Uri.UnescapeDataString(url.PathAndQuery) };
                secrets.AddRange(headers.Select(h => h.Value));
                s.Secrets = secrets.Where(x => x.Length > 1).Distinct().ToArray();

                string kind = options.Format switch
                {
                    WebhookFormat.Slack => "Slack webhook",
                    WebhookFormat.Teams => "Teams webhook",
                    _ => "Webhook",
                };
                s.Name = $"{kind} {s.DisplayUrl}";
                // The path of a Slack or Teams webhook URL is what lets anyone post to the channel.
                s.Warnings = DestinationSettings.SecurityWarnings(
                    s.Name, url, s.SkipCertificateCheck, headers.Count == 0 ? "the webhook URL (whose path is the secret)" : "the webhook URL (whose path is the secret) and the -Header values");
                s.Target = s.Name;
                s.UrlDigest = Digest(url.AbsoluteUri);
                return s;
            }

            // Tells webhooks on one host apart without keeping their secret paths: a SHA-256 prefix.
            private static string Digest(string text)
            {
                using var sha = System.Security.Cryptography.SHA256.Create();
                byte[] hash = sha.ComputeHash(System.Text.Encoding.UTF8.GetBytes(text));
                return BitConverter.ToString(hash, 0, 6).Replace("-", "").ToLowerInvariant();
            }

            // RFC 7230 token characters, so a header name cannot smuggle anything into the request.
            private static bool IsToken(string name) =>
                name.All(c => c < 127 && c > 32 && "()<>@,;:\\\"/[]?={}".IndexOf(c) < 0);
        }
    }
}
