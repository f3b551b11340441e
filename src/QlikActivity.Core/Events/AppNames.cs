using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Qrs;

namespace QlikActivity.Core.Events
{
    /// <summary>
    /// App id → app name from the repository (<c>GET /qrs/app</c>), loaded and refreshed on a
    /// background task so that the parse worker only ever reads a dictionary: an unknown id gives
    /// null now and asks for an early refresh (at most once per interval).
    /// </summary>
    public sealed class AppNames : IDisposable
    {
        /// <summary>How often the names are reloaded by default.</summary>
        public static readonly TimeSpan DefaultRefreshInterval = TimeSpan.FromMinutes(5);

        private readonly Func<CancellationToken, Task<IReadOnlyDictionary<Guid, string>>> _load;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly SemaphoreSlim _wake = new SemaphoreSlim(0);
        private volatile IReadOnlyDictionary<Guid, string> _names = new Dictionary<Guid, string>();
        private long _lastLoadTicks = DateTime.MinValue.Ticks;
        private int _earlyRequested;
        private Task? _loop;
        private string? _error;

        /// <summary>Names from the repository behind <paramref name="connection"/>.</summary>
        public AppNames(QlikSenseConnection connection, TimeSpan? refreshInterval = null)
            : this(ct => LoadAsync(connection.Client, ct), refreshInterval)
        {
        }

        internal AppNames(Func<CancellationToken, Task<IReadOnlyDictionary<Guid, string>>> load, TimeSpan? refreshInterval = null)
        {
            _load = load;
            RefreshInterval = refreshInterval ?? DefaultRefreshInterval;
        }

        /// <summary>How often the names are reloaded (and the least time between two early reloads).</summary>
        public TimeSpan RefreshInterval { get; }

        /// <summary>How many loads succeeded.</summary>
        public int Loads { get; private set; }

        /// <summary>Set once a load has succeeded or failed, so callers can await the first answer.</summary>
        internal TaskCompletionSource<bool> FirstAttempt { get; } = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Starts the background loader; idempotent.</summary>
        public void Start()
        {
            if (_loop == null)
            {
                _loop = Task.Run(LoopAsync);
            }
        }

        /// <summary>The app's name, or null when not (yet) known. Never blocks.</summary>
        public string? Find(Guid appId)
        {
            if (_names.TryGetValue(appId, out var name))
            {
                return name;
            }

            // An app created since the last load: ask for one early reload, not one per event.
            if (Interlocked.CompareExchange(ref _earlyRequested, 1, 0) == 0)
            {
                _wake.Release();
            }

            return null;
        }

        /// <summary>The failure of the last load not yet reported, once; null when none.</summary>
        public string? TakeError() => Interlocked.Exchange(ref _error, null);

        private async Task LoopAsync()
        {
            var token = _stop.Token;
            bool warned = false;
            while (!token.IsCancellationRequested)
            {
                try
                {
                    _names = await _load(token).ConfigureAwait(false);
                    Loads++;
                    warned = false;
                    FirstAttempt.TrySetResult(true);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    // Keep the names we had; the listener goes on and warns once per failure streak.
                    if (!warned)
                    {
                        _error = "Could not load app names from the repository: " + ex.Message;
                        warned = true;
                    }

                    FirstAttempt.TrySetResult(false);
                }

                Interlocked.Exchange(ref _lastLoadTicks, DateTime.UtcNow.Ticks);
                try
                {
                    // Woken early by an unknown id, but never sooner than one interval after... the last early load.
                    bool early = await _wake.WaitAsync(RefreshInterval, token).ConfigureAwait(false);
                    if (early)
                    {
                        var since = DateTime.UtcNow - new DateTime(Interlocked.Read(ref _lastLoadTicks), DateTimeKind.Utc);
                        if (since < RefreshInterval)
                        {
                            await Task.Delay(RefreshInterval - since, token).ConfigureAwait(false);
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                Interlocked.Exchange(ref _earlyRequested, 0);
            }
        }

        private static async Task<IReadOnlyDictionary<Guid, string>> LoadAsync(QrsClient client, CancellationToken ct)
        {
            var list = await client.GetJsonAsync("/qrs/app", null, ct).ConfigureAwait(false);
            var names = new Dictionary<Guid, string>();
            if (list is JsonArray apps)
            {
                foreach (var app in apps)
                {
                    if (app is JsonObject o && Guid.TryParse(o["id"]?.GetValue<string>(), out var id))
                    {
                        names[id] = o["name"]?.GetValue<string>() ?? "";
                    }
                }
            }

            return names;
        }

        /// <summary>Stops the background loader.</summary>
        public void Dispose()
        {
            _stop.Cancel();
        }
    }
}
