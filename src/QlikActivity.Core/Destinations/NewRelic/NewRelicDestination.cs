using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core;
using QlikActivity.Core.Destinations;
using QlikActivity.Core.Destinations.Mqtt;
using QlikActivity.Core.Destinations.NewRelic;

namespace QlikActivity.Core.Destinations.NewRelic
{
    /// <summary>
    /// Posts user events to the New Relic Event API as <c>qs_userEvent</c> custom events, gzipped, in
    /// batches (PowerShell type name <c>QlikActivity.Core.Destinations.NewRelic.NewRelicDestination</c>). Built by
    /// <c>New-QlikNewRelicDestination</c>; never shows the insert key.
    /// </summary>
    /// <remarks>
    /// Limits honoured (docs.newrelic.com, "Introduction to the Event API" and "Data requirements and limits
    /// for custom event data"): at most 1 MB (10^6 bytes) per POST, checked on the compressed body, so a batch
    /// that compresses larger is sent in halves; at most 2,000 events per POST (the batch size is capped);
    /// attribute values up to 4,096 characters.
    /// </remarks>
    public sealed class NewRelicDestination : QueuedDestination, ISecurityWarnings
    {
        /// <summary>US collector.</summary>
        public const string UsCollector = "https://insights-collector.newrelic.com";

        /// <summary>EU collector.</summary>
        public const string EuCollector = "https://insights-collector.eu01.nr-data.net";

        /// <summary>Events per POST allowed by the Event API.</summary>
        public const int MaxBatchSize = 2000;

        /// <summary>Bytes per POST allowed by the Event API.</summary>
        public const int MaxPayloadBytes = 1_000_000;

        private readonly Settings _settings;
        private readonly HttpClient _client;
        private readonly NewRelicEventFormat _format;
        private readonly UserNameScrambler? _scrambler;
        private readonly PartialDelivery _progress = new PartialDelivery();
        private readonly MemoryStream _json = new MemoryStream();
        private readonly MemoryStream _gzipped = new MemoryStream();

        /// <summary>Checks the options (throws <see cref="QlikActivityException"/>) and prepares the destination; nothing is sent before <c>StartAsync</c>.</summary>
        public NewRelicDestination(NewRelicDestinationOptions options)
            : this(Settings.From(options))
        {
        }

        private NewRelicDestination(Settings settings)
            : base(settings.Name, settings.Queue)
        {
            _settings = settings;
            _scrambler = settings.Salt == null ? null : new UserNameScrambler(settings.Salt);
            _format = new NewRelicEventFormat(settings.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal), _scrambler);
            _client = HttpDelivery.CreateClient(settings.Trust);
        }

        public long AccountId => _settings.AccountId;

        public NewRelicRegion Region => _settings.Region;

        /// <summary>The collector posted to (without the account path).</summary>
        public string Url => _settings.Collector;

        /// <summary>True when user names leave as pseudonyms.</summary>
        public bool ScrambleUserName => _settings.Salt != null;

        /// <summary>Attributes added to every event.</summary>
        public IReadOnlyDictionary<string, string> Attributes => _settings.Attributes;

        public int BatchSize => _settings.Queue.BatchSize;

        public int QueueCapacity => _settings.Queue.QueueCapacity;

        /// <summary>The CA file the collector's (or proxy's) certificate must chain to; empty means this computer's store.</summary>
        public string CaCertificatePath => _settings.CaCertificatePath ?? "";

        public bool SkipCertificateCheck => _settings.SkipCertificateCheck;

        /// <inheritdoc />
        public IReadOnlyList<string> SecurityWarnings => _settings.Warnings;

        public override string ToString() => Name;

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
            HttpDelivery.ProbeAsync(_client, _settings.EventsUri, _settings.Timeout, _settings.Target, _settings.Scrub, cancellationToken, _settings.Trust);

        /// <inheritdoc />
        protected override Task OnStoppedAsync()
        {
            _client.Dispose();
            _scrambler?.Dispose();
            _json.Dispose();
            _gzipped.Dispose();
            return Task.CompletedTask;
        }

        private async Task SendRangeAsync(IReadOnlyList<UserEvent> batch, int start, int count, CancellationToken cancellationToken)
        {
            if (count == 0)
            {
                return;
            }

            Compose(batch, start, count);
            if (_gzipped.Length > MaxPayloadBytes && count > 1)
            {
                int half = count / 2;
                await SendRangeAsync(batch, start, half, cancellationToken).ConfigureAwait(false);
                await SendRangeAsync(batch, start + half, count - half, cancellationToken).ConfigureAwait(false);
                return;
            }

            var answer = await HttpDelivery.SendAsync(_client, CreateRequest, _settings.Timeout, _settings.Target, _settings.Scrub, cancellationToken, _settings.Trust)
                .ConfigureAwait(false);
            if (!answer.IsSuccess)
            {
                throw Explain(answer);
            }

            _progress.DeliveredUpTo(start + count);
        }

        private void Compose(IReadOnlyList<UserEvent> batch, int start, int count)
        {
            _json.SetLength(0);
            _format.Write(_json, batch, start, count);
            _gzipped.SetLength(0);
            using var gzip = new GZipStream(_gzipped, CompressionLevel.Optimal, leaveOpen: true);
            gzip.Write(_json.GetBuffer(), 0, (int)_json.Length);
        }

        private HttpRequestMessage CreateRequest()
        {
            var content = new ByteArrayContent(_gzipped.GetBuffer(), 0, (int)_gzipped.Length);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            content.Headers.ContentEncoding.Add("gzip");
            var request = new HttpRequestMessage(HttpMethod.Post, _settings.EventsUri) { Content = content };
            request.Headers.TryAddWithoutValidation("X-Insert-Key", _settings.InsertKey);
            return request;
        }

        private DestinationException Explain(HttpAnswer answer)
        {
            switch (answer.Status)
            {
                case 401:
                case 403:
                    return new DestinationException(
                        $"{_settings.Target} refused the insert key ({answer.Status}). Check -InsertKey and that it belongs to account {_settings.AccountId} in region {_settings.Region}.",
                        retryable: false);
                case 413:
                    return new DestinationException($"{_settings.Target} found the payload too large (413). Use a smaller -BatchSize.", retryable: false);
                default:
                    return HttpDelivery.Failure(_settings.Target, answer);
            }
        }

        private sealed class Settings
        {
            public string Name = "";
            public string Target = "";
            public string Collector = "";
            public Uri EventsUri = null!;
            public long AccountId;
            public NewRelicRegion Region;
            public string InsertKey = "";
            public byte[]? Salt;
            public IReadOnlyDictionary<string, string> Attributes = new Dictionary<string, string>();
            public DestinationQueueOptions Queue = null!;
            public TimeSpan Timeout;
            public bool SkipCertificateCheck;
            public string? CaCertificatePath;
            public BrokerCertificateValidator Trust = null!;
            public IReadOnlyList<string> Warnings = Array.Empty<string>();

            /// <summary>Keeps the key out of text taken from answers, should a proxy echo the request.</summary>
            public string Scrub(string text) => DestinationSettings.Scrub(text, new[] { InsertKey });

            public static Settings From(NewRelicDestinationOptions options)
            {
                if (options == null)
                {
                    throw new ArgumentNullException(nameof(options));
                }

                if (options.AccountId <= 0)
                {
                    throw DestinationSettings.Invalid("The New Relic account id must be a positive number.", DestinationErrorIds.NewRelicAccountInvalid);
                }

                if (options.InsertKey == null || options.InsertKey.Length == 0)
                {
                    throw DestinationSettings.Invalid("New Relic needs an insert key (-InsertKey).", DestinationErrorIds.NewRelicInsertKeyMissing);
                }

                var url = options.Url ?? new Uri(options.Region == NewRelicRegion.EU ? EuCollector : UsCollector);
                if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
                    || !string.IsNullOrEmpty(url.UserInfo) || !string.IsNullOrEmpty(url.Query))
                {
                    throw DestinationSettings.Invalid("The New Relic URL must be an absolute http:// or https:// URL without credentials or query.", DestinationErrorIds.NewRelicUrlInvalid);
                }

                DestinationSettings.CheckQueue(options.BatchSize, MaxBatchSize, options.QueueCapacity, options.Timeout);
                var attributes = DestinationSettings.CustomFields(
                    options.Attributes, NewRelicEventFormat.IsBuiltIn, NewRelicEventFormat.BuiltInAttributes, "attribute", "NewRelicAttribute");

                var s = new Settings
                {
                    AccountId = options.AccountId,
                    Region = options.Region,
                    Collector = url.GetLeftPart(UriPartial.Path).TrimEnd('/'),
                    InsertKey = DestinationSettings.Reveal(options.InsertKey),
                    Attributes = attributes,
                    Timeout = options.Timeout,
                    SkipCertificateCheck = options.SkipCertificateCheck,
                    CaCertificatePath = string.IsNullOrEmpty(options.CaCertificatePath) ? null : options.CaCertificatePath,
                    Trust = DestinationSettings.Trust(url, options.SkipCertificateCheck, options.CaCertificatePath, "NewRelic"),
                    Queue = new DestinationQueueOptions
                    {
                        BatchSize = options.BatchSize,
                        BatchInterval = options.BatchInterval,
                        QueueCapacity = options.QueueCapacity,
                        MaxAttempts = options.MaxAttempts,
                        MaxRetryDelay = options.MaxRetryDelay,
                    },
                };
                s.EventsUri = new Uri($"{s.Collector}/v1/accounts/{s.AccountId}/events");
                s.Target = $"New Relic at {url.GetLeftPart(UriPartial.Authority)}";
                s.Name = $"New Relic account {s.AccountId} {(options.Url == null ? s.Region.ToString() : url.GetLeftPart(UriPartial.Authority))}";
                s.Warnings = DestinationSettings.SecurityWarnings(s.Name, url, s.SkipCertificateCheck, "the insert key");
                if (options.ScrambleUserName)
                {
                    s.Salt = options.ScrambleSalt != null && options.ScrambleSalt.Length > 0
                        ? Encoding.UTF8.GetBytes(DestinationSettings.Reveal(options.ScrambleSalt))
                        : RandomSalt();
                }

                return s;
            }

            private static byte[] RandomSalt()
            {
                var salt = new byte[32];
                using (var random = System.Security.Cryptography.RandomNumberGenerator.Create())
                {
                    random.GetBytes(salt);
                }

                return salt;
            }
        }
    }
}
