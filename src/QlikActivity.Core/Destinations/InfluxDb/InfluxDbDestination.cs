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
using QlikActivity.Core.Destinations.InfluxDb;
using QlikActivity.Core.Destinations.Mqtt;

namespace QlikActivity.Core.Destinations.InfluxDb
{
    /// <summary>
    /// Writes user events to InfluxDB as line protocol, in Butler SOS's <c>user_events</c> shape
    /// (PowerShell type name <c>QlikActivity.Core.Destinations.InfluxDb.InfluxDbDestination</c>). Built by
    /// <c>New-QlikInfluxDbDestination</c>; never shows the password or token.
    /// </summary>
    public sealed class InfluxDbDestination : QueuedDestination, ISecurityWarnings
    {
        private readonly Settings _settings;
        private readonly HttpClient _client;
        private readonly LineProtocolWriter _writer = new LineProtocolWriter();
        private readonly PartialDelivery _pending = new PartialDelivery();
        private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(2);
        private MemoryStream? _gzipped;
        private long _lastTimestamp = long.MinValue;

        /// <summary>Checks the options (throws <see cref="QlikActivityException"/>) and prepares the destination; nothing is sent before <c>StartAsync</c>.</summary>
        public InfluxDbDestination(InfluxDbDestinationOptions options)
            : this(Settings.From(options))
        {
        }

        private InfluxDbDestination(Settings settings)
            : base(settings.Name, settings.Queue)
        {
            _settings = settings;
            _client = HttpDelivery.CreateClient(settings.Trust);
        }

        /// <summary>The server, without credentials.</summary>
        public string Url => _settings.BaseUrl;

        /// <summary>1 or 2: which write API is used.</summary>
        public int Version => _settings.Version;

        public string? Database => _settings.Database;

        public string? RetentionPolicy => _settings.RetentionPolicy;

        public string? Organization => _settings.Organization;

        public string? Bucket => _settings.Bucket;

        public string Measurement => _settings.Format.Measurement;

        /// <summary>Tags added to every point.</summary>
        public IReadOnlyDictionary<string, string> Tags => _settings.Tags;

        /// <summary>The v1 user name, if any. The password is never shown.</summary>
        public string? UserName => _settings.UserName;

        public int BatchSize => _settings.Queue.BatchSize;

        public int QueueCapacity => _settings.Queue.QueueCapacity;

        public bool Compress => _settings.Compress;

        /// <summary>The CA file the server's certificate must chain to; empty means this computer's store.</summary>
        public string CaCertificatePath => _settings.CaCertificatePath ?? "";

        public bool SkipCertificateCheck => _settings.SkipCertificateCheck;

        /// <inheritdoc />
        public IReadOnlyList<string> SecurityWarnings => _settings.Warnings;

        /// <summary>The write endpoint with its query (no secret is ever in it).</summary>
        internal Uri WriteUri => _settings.WriteUri;

        public override string ToString() => Name;

        /// <inheritdoc />
        protected override async Task SendBatchAsync(IReadOnlyList<UserEvent> batch, CancellationToken cancellationToken)
        {
            // A retry resends the very same bytes: points keep their timestamps, so a write that reached the
            // server before its answer was lost overwrites itself instead of adding duplicates.
            if (!_pending.IsRetryOf(batch))
            {
                Serialize(batch);
                _pending.Resume(batch);
            }

            // A write already sent when the drain time at stop runs out gets StopGrace to be answered:
            // cut off, it might be written and still be counted as dropped.
            using var grace = new CancellationTokenSource();
            using var onStop = cancellationToken.Register(() => grace.CancelAfter(StopGrace));
            var answer = await HttpDelivery.SendAsync(_client, CreateRequest, _settings.Timeout, _settings.Target, _settings.Scrub, grace.Token, _settings.Trust)
                .ConfigureAwait(false);
            if (answer.IsSuccess)
            {
                _pending.Complete();
                return;
            }

            throw Explain(answer);
        }

        /// <inheritdoc />
        /// <remarks>InfluxDB 1.x and 2.x both answer <c>/ping</c> with 204, without credentials and without writing anything.</remarks>
        protected override Task ProbeCoreAsync(CancellationToken cancellationToken) =>
            HttpDelivery.ProbeAsync(_client, new Uri(_settings.BaseUrl + "/ping"), _settings.Timeout, _settings.Target, _settings.Scrub,
                cancellationToken, _settings.Trust, HttpMethod.Get, requireSuccess: true);

        /// <inheritdoc />
        protected override Task OnStoppedAsync()
        {
            _client.Dispose();
            _writer.Dispose();
            _gzipped?.Dispose();
            return Task.CompletedTask;
        }

        private void Serialize(IReadOnlyList<UserEvent> batch)
        {
            _writer.Clear();
            for (int i = 0; i < batch.Count; i++)
            {
                var e = batch[i];
                try
                {
                    _settings.Format.Write(_writer, e, NextTimestamp(e.ReceivedAt));
                }
                catch (Exception ex) when (ex is ArgumentException || ex is InvalidOperationException)
                {
                    _writer.AbandonPoint();
                    RecordError($"An event from {e.Host} could not be written as line protocol: {ex.Message}");
                }
            }

            if (_settings.Compress)
            {
                _gzipped ??= new MemoryStream();
                _gzipped.SetLength(0);
                using (var gzip = new GZipStream(_gzipped, CompressionLevel.Fastest, leaveOpen: true))
                {
                    gzip.Write(_writer.Buffer, 0, _writer.Length);
                }
            }
        }

        // Two points of one series with the same timestamp are one point to InfluxDB: the second overwrites the
        // first. Timestamps are made strictly increasing (by a nanosecond or microsecond at most) so no event
        // overwrites another. At ms or s precision that would shift times visibly, so they are left as they are.
        private long NextTimestamp(DateTime receivedAt)
        {
            long timestamp = LineProtocolWriter.ToTimestamp(receivedAt, _settings.Precision);
            if (_settings.Precision == InfluxDbPrecision.Nanoseconds || _settings.Precision == InfluxDbPrecision.Microseconds)
            {
                if (timestamp <= _lastTimestamp)
                {
                    timestamp = _lastTimestamp + 1;
                }

                _lastTimestamp = timestamp;
            }

            return timestamp;
        }

        private HttpRequestMessage CreateRequest()
        {
            HttpContent content;
            if (_settings.Compress && _gzipped != null)
            {
                content = new ByteArrayContent(_gzipped.GetBuffer(), 0, (int)_gzipped.Length);
                content.Headers.ContentEncoding.Add("gzip");
            }
            else
            {
                content = new ByteArrayContent(_writer.Buffer, 0, _writer.Length);
            }

            content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
            var request = new HttpRequestMessage(HttpMethod.Post, _settings.WriteUri) { Content = content };
            if (_settings.Authorization != null)
            {
                request.Headers.Authorization = _settings.Authorization;
            }

            return request;
        }

        private DestinationException Explain(HttpAnswer answer)
        {
            string target = _settings.Target;
            switch (answer.Status)
            {
                case 400:
                    return new DestinationException($"{target} rejected the points (400): {answer.Body}", retryable: false);
                case 401:
                case 403:
                    return new DestinationException(
                        $"{target} refused the credentials ({answer.Status}): {answer.Body} " +
                        (_settings.Version == 1 ? "Check -Credential and the user's WRITE privilege on the database." : "Check -Token and its write permission on the bucket."),
                        retryable: false);
                case 404:
                    return new DestinationException(
                        $"{target} answered 404: {answer.Body} " +
                        (_settings.Version == 1 ? $"Check that database '{_settings.Database}' exists (CREATE DATABASE)." : $"Check organization '{_settings.Organization}' and bucket '{_settings.Bucket}'."),
                        retryable: false);
                case 413:
                    return new DestinationException($"{target} found the request too large (413). Use a smaller -BatchSize.", retryable: false);
                default:
                    return HttpDelivery.Failure(target, answer);
            }
        }

        /// <summary>The checked, immutable settings; secrets only as the prepared Authorization header.</summary>
        private sealed class Settings
        {
            public string Name = "";
            public string Target = "";
            public string BaseUrl = "";
            public Uri WriteUri = null!;
            public int Version;
            public string? Database, RetentionPolicy, Organization, Bucket, UserName;
            public AuthenticationHeaderValue? Authorization;
            public IReadOnlyDictionary<string, string> Tags = new Dictionary<string, string>();
            public UserEventPointFormat Format = null!;
            public InfluxDbPrecision Precision;
            public DestinationQueueOptions Queue = null!;
            public TimeSpan Timeout;
            public bool Compress, SkipCertificateCheck;
            public string? CaCertificatePath;
            public BrokerCertificateValidator Trust = null!;
            public IReadOnlyList<string> Warnings = Array.Empty<string>();

            // The token, the password, and the Basic credential as sent (plain and base64): a server or proxy
            // echoing the request must not put any of them into an error.
            public string[] Secrets = Array.Empty<string>();

            public string Scrub(string text) => DestinationSettings.Scrub(text, Secrets);

            public static Settings From(InfluxDbDestinationOptions options)
            {
                if (options == null)
                {
                    throw new ArgumentNullException(nameof(options));
                }

                var url = options.Url;
                if (url == null || !url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
                {
                    throw DestinationSettings.Invalid("The InfluxDB URL must be an absolute http:// or https:// URL, e.g. http://influx.lab.local:8086.", DestinationErrorIds.InfluxDbUrlInvalid);
                }

                if (!string.IsNullOrEmpty(url.UserInfo) || !string.IsNullOrEmpty(url.Query))
                {
                    throw DestinationSettings.Invalid("The InfluxDB URL must not carry credentials or a query: give the server only, and credentials with -Credential or -Token.", DestinationErrorIds.InfluxDbUrlInvalid);
                }

                DestinationSettings.CheckQueue(options.BatchSize, 1_000_000, options.QueueCapacity, options.Timeout);
                var s = new Settings
                {
                    BaseUrl = url.GetLeftPart(UriPartial.Path).TrimEnd('/'),
                    Version = options.Version,
                    Precision = options.Precision,
                    Timeout = options.Timeout,
                    Compress = options.Compress,
                    SkipCertificateCheck = options.SkipCertificateCheck,
                    CaCertificatePath = string.IsNullOrEmpty(options.CaCertificatePath) ? null : options.CaCertificatePath,
                    Trust = DestinationSettings.Trust(url, options.SkipCertificateCheck, options.CaCertificatePath, "InfluxDb"),
                };
                s.Target = "InfluxDB at " + s.BaseUrl;
                string? secret = null;
                string precision = LineProtocolWriter.PrecisionParameter(options.Precision);
                var query = new StringBuilder();
                if (options.Version == 1)
                {
                    if (string.IsNullOrWhiteSpace(options.Database))
                    {
                        throw DestinationSettings.Invalid("InfluxDB 1.x needs a database name.", DestinationErrorIds.InfluxDbDatabaseMissing);
                    }

                    s.Database = options.Database;
                    s.RetentionPolicy = string.IsNullOrWhiteSpace(options.RetentionPolicy) ? null : options.RetentionPolicy;
                    query.Append("/write?db=").Append(Uri.EscapeDataString(options.Database!));
                    if (s.RetentionPolicy != null)
                    {
                        query.Append("&rp=").Append(Uri.EscapeDataString(s.RetentionPolicy));
                    }

                    if (!string.IsNullOrEmpty(options.UserName))
                    {
                        s.UserName = options.UserName;
                        string password = options.Password == null ? "" : DestinationSettings.Reveal(options.Password);
                        string basic = Convert.ToBase64String(Encoding.UTF8.GetBytes(options.UserName + ":" + password));
                        s.Authorization = new AuthenticationHeaderValue("Basic", basic);
                        s.Secrets = new[] { password, basic, options.UserName + ":" + password };
                        secret = "the password (HTTP Basic)";
                    }

                    s.Name = $"InfluxDB {s.BaseUrl} database {s.Database}" + (s.RetentionPolicy == null ? "" : "." + s.RetentionPolicy);
                }
                else if (options.Version == 2)
                {
                    if (string.IsNullOrWhiteSpace(options.Organization) || string.IsNullOrWhiteSpace(options.Bucket))
                    {
                        throw DestinationSettings.Invalid("The InfluxDB 2.x API needs an organization and a bucket.", DestinationErrorIds.InfluxDbBucketMissing);
                    }

                    if (options.Token == null || options.Token.Length == 0)
                    {
                        throw DestinationSettings.Invalid("The InfluxDB 2.x API needs a token (-Token).", DestinationErrorIds.InfluxDbTokenMissing);
                    }

                    s.Organization = options.Organization;
                    s.Bucket = options.Bucket;
                    query.Append("/api/v2/write?org=").Append(Uri.EscapeDataString(options.Organization!))
                        .Append("&bucket=").Append(Uri.EscapeDataString(options.Bucket!));
                    string token = DestinationSettings.Reveal(options.Token);
                    s.Authorization = new AuthenticationHeaderValue("Token", token);
                    s.Secrets = new[] { token };
                    secret = "the token";
                    s.Name = $"InfluxDB {s.BaseUrl} bucket {s.Organization}/{s.Bucket}";
                }
                else
                {
                    throw DestinationSettings.Invalid("The InfluxDB API version must be 1 or 2.", DestinationErrorIds.InfluxDbVersionInvalid);
                }

                s.Warnings = DestinationSettings.SecurityWarnings(s.Name, url, s.SkipCertificateCheck, secret);
                query.Append("&precision=").Append(precision);
                s.WriteUri = new Uri(s.BaseUrl + query);

                s.Tags = DestinationSettings.CustomFields(
                    options.Tags, UserEventPointFormat.IsBuiltIn, UserEventPointFormat.BuiltInTagKeys, "tag", "InfluxDbTag");
                if (string.IsNullOrWhiteSpace(options.Measurement))
                {
                    throw DestinationSettings.Invalid("The measurement name must not be empty.", DestinationErrorIds.InfluxDbMeasurementInvalid);
                }

                s.Format = new UserEventPointFormat(options.Measurement, s.Tags.OrderBy(t => t.Key, StringComparer.Ordinal));
                s.Queue = new DestinationQueueOptions
                {
                    BatchSize = options.BatchSize,
                    BatchInterval = options.BatchInterval,
                    QueueCapacity = options.QueueCapacity,
                    MaxAttempts = options.MaxAttempts,
                    MaxRetryDelay = options.MaxRetryDelay,
                    Clock = options.Clock,
                };
                return s;
            }
        }
    }
}
