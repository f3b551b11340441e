using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Qrs;

namespace QlikActivity.Completion
{
    /// <summary>
    /// Where the user-directory and custom-property completers get names from: the connection typed
    /// in the same command (<c>-Connection $c</c>), else the session's default connection. Answers are
    /// cached for a short while per connection, so pressing Tab again does not query the repository
    /// again, and a slow repository costs at most <see cref="Timeout"/> once.
    /// </summary>
    public static class QrsNameCompletion
    {
        /// <summary>
        /// The default connection's name source, or null when there is none. Connect-QlikSense sets it;
        /// Disconnect-QlikSense clears it.
        /// </summary>
        public static Func<IQrsNameSource?> DefaultSource { get; set; } = () => null;

        internal static TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

        internal static TimeSpan CacheLifetime { get; set; } = TimeSpan.FromMinutes(2);

        private static readonly ConditionalWeakTable<IQrsNameSource, NameCache> Caches = new ConditionalWeakTable<IQrsNameSource, NameCache>();

        internal enum NameKind
        {
            UserDirectory,
            UserCustomProperty,
        }

        /// <summary>The source to ask: a <c>-Connection</c> value typed in the command, else the default.</summary>
        internal static IQrsNameSource? SourceFor(IDictionary? fakeBoundParameters)
        {
            if (fakeBoundParameters != null && fakeBoundParameters.Contains("Connection"))
            {
                object? value = fakeBoundParameters["Connection"];
                if (value is PSObject wrapped)
                {
                    value = wrapped.BaseObject;
                }

                if (value is IQrsNameSource typed)
                {
                    return typed;
                }
            }

            try
            {
                return DefaultSource();
            }
            catch (InvalidOperationException)
            {
                return null;
            }
        }

        /// <summary>The names, or none when there is no connection or the repository does not answer in time.</summary>
        internal static IReadOnlyList<string> GetNames(IQrsNameSource? source, NameKind kind)
        {
            if (source == null)
            {
                return Array.Empty<string>();
            }

            var cache = Caches.GetValue(source, _ => new NameCache());
            return cache.Get(kind, () => Fetch(source, kind));
        }

        private static IReadOnlyList<string>? Fetch(IQrsNameSource source, NameKind kind)
        {
            using var timeout = new CancellationTokenSource(Timeout);
            try
            {
                Task<IReadOnlyList<string>> task = kind == NameKind.UserDirectory
                    ? source.GetUserDirectoriesAsync(timeout.Token)
                    : source.GetUserCustomPropertyNamesAsync(timeout.Token);
                // Tab completion runs on the pipeline thread with no synchronization context to deadlock on.
                return task.Wait(Timeout) ? task.Result : null;
            }
            catch (AggregateException)
            {
                return null;
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            catch (QlikActivity.Core.QlikActivityException)
            {
                return null;
            }
        }

        /// <summary>Names per kind with the time they were fetched; a failed fetch is remembered too, briefly.</summary>
        private sealed class NameCache
        {
            private readonly object _gate = new object();
            private readonly Dictionary<NameKind, (DateTime FetchedAt, IReadOnlyList<string> Names, bool Failed)> _entries =
                new Dictionary<NameKind, (DateTime, IReadOnlyList<string>, bool)>();

            public IReadOnlyList<string> Get(NameKind kind, Func<IReadOnlyList<string>?> fetch)
            {
                lock (_gate)
                {
                    var now = DateTime.UtcNow;
                    if (_entries.TryGetValue(kind, out var entry))
                    {
                        var lifetime = entry.Failed ? TimeSpan.FromTicks(CacheLifetime.Ticks / 4) : CacheLifetime;
                        if (now - entry.FetchedAt < lifetime)
                        {
                            return entry.Names;
                        }
                    }

                    var names = fetch();
                    _entries[kind] = (now, names ?? Array.Empty<string>(), names == null);
                    return names ?? Array.Empty<string>();
                }
            }
        }
    }
}
