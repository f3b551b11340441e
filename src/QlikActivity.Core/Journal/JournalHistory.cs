using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Serialization;
using System.Threading.Tasks;
using QlikActivity.Core.Qrs;

namespace QlikActivity.Core.Journal
{
    /// <summary>
    /// The history operations behind Get-QlikUserEvent, Get-QlikUserSession and Get-QlikAppActivity:
    /// each opens the journal read-only (it may be written by a running listener meanwhile), streams
    /// its answer on the calling thread, and closes the journal when the caller stops enumerating.
    /// </summary>
    public static class JournalHistory
    {
        /// <summary>Events matching the query, oldest first (the newest last), streamed.</summary>
        /// <exception cref="JournalException">No journal at <paramref name="path"/>, or one that cannot be read.</exception>
        public static IEnumerable<UserEvent> ReadUserEvents(IOperationHost host, string path, UserEventQuery query)
        {
            Check(host, query);
            var reader = JournalReader.Open(path);
            return Stream(host, reader, reader.ReadEvents(query).Select(e => e.Event),
                $"Reading events from '{reader.Path}'{Describe(query)}.");
        }

        /// <summary>Sessions matching the query, by start time, streamed.</summary>
        /// <exception cref="JournalException">No journal at <paramref name="path"/>, or one that cannot be read.</exception>
        public static IEnumerable<UserSession> ReadUserSessions(IOperationHost host, string path, UserSessionQuery query)
        {
            Check(host, query);
            if (query.SessionTimeout <= TimeSpan.Zero)
            {
                throw new JournalException("The session timeout must be positive.", JournalErrorIds.SessionTimeoutOutOfRange, OperationErrorCategory.InvalidArgument);
            }

            var reader = JournalReader.Open(path);
            string what = query.Active
                ? $"Reading who is online from '{reader.Path}' (no stop, an event within {query.SessionTimeout.TotalMinutes:0.#} minutes)."
                : $"Reading sessions from '{reader.Path}'{(query.Since is DateTime s ? $" that started since {s:u}" : "")}.";
            return Stream(host, reader, reader.ReadSessions(query), what);
        }

        /// <summary>
        /// Use of every app: the journal's apps, and with a connection every app of the repository too
        /// (an app nobody opened since the journal started has <c>LastOpened</c> null), named as the
        /// repository names it. Least recently opened first. With <see cref="AppActivityQuery.NotOpenedInDays"/>
        /// only the apps not opened within those days, and a warning when the journal does not reach that far back.
        /// </summary>
        /// <exception cref="JournalException">No journal at <paramref name="path"/>, or one that cannot be read.</exception>
        public static IEnumerable<AppActivity> ReadAppActivity(IOperationHost host, string path, AppActivityQuery query)
        {
            Check(host, query);
            if (query.NotOpenedInDays is int d && d < 0)
            {
                throw new JournalException("The number of days cannot be negative.", JournalErrorIds.DaysOutOfRange, OperationErrorCategory.InvalidArgument);
            }

            var reader = JournalReader.Open(path);
            try
            {
                // The repository is read before any output, so a failing connection fails the command whole.
                Dictionary<Guid, QrsApp>? repository = null;
                if (query.Connection is QlikSenseConnection connection)
                {
                    host.WriteVerbose($"Reading the app list from {connection.BaseUri}.");
                    repository = ReadApps(connection, host).GetAwaiter().GetResult();
                    host.WriteVerbose($"The repository has {repository.Count:N0} apps.");
                }

                IEnumerable<AppActivity> apps = Merge(reader.ReadAppActivity(), repository, reader);
                if (query.NotOpenedInDays is int days)
                {
                    DateTime asOf = query.AsOf is DateTime a ? (a.Kind == DateTimeKind.Local ? a.ToUniversalTime() : DateTime.SpecifyKind(a, DateTimeKind.Utc)) : DateTime.UtcNow;
                    DateTime cutoff = asOf.AddDays(-days);
                    DateTime? first = reader.FirstEventAt;
                    if (first == null || first > cutoff)
                    {
                        host.WriteWarning(first == null
                            ? $"The journal '{reader.Path}' holds no events yet: every app counts as not opened, but that says nothing about the last {days} days."
                            : $"The journal starts at {first:u}, {Age(asOf - first.Value)} ago: \"not opened in {days} days\" is only known since then.");
                    }

                    apps = apps.Where(x => x.LastOpened == null || x.LastOpened < cutoff);
                }

                return Stream(host, reader, apps, $"Reading app activity from '{reader.Path}'.");
            }
            catch
            {
                reader.Dispose();
                throw;
            }
        }

        private static IEnumerable<AppActivity> Merge(IEnumerable<AppActivity> journal, Dictionary<Guid, QrsApp>? repository, JournalReader reader)
        {
            if (repository == null)
            {
                foreach (var a in journal)
                {
                    yield return a;
                }

                yield break;
            }

            // Never opened first (repository apps the journal has not seen among them), as the journal orders.
            var seen = new HashSet<Guid>();
            var apps = new List<AppActivity>();
            DateTime? startsAt = null;
            foreach (var a in journal)
            {
                seen.Add(a.AppId);
                startsAt = a.JournalStartsAt;
                if (repository.TryGetValue(a.AppId, out var known))
                {
                    a.AppName = known.Name ?? a.AppName;
                    a.Stream = known.Stream?.Name;
                    a.InRepository = true;
                }
                else
                {
                    a.InRepository = false;
                }

                apps.Add(a);
            }

            startsAt ??= reader.FirstEventAt;
            var unseen = repository.Values.Where(r => !seen.Contains(r.Id)).Select(r => new AppActivity
            {
                AppId = r.Id,
                AppName = r.Name,
                Stream = r.Stream?.Name,
                InRepository = true,
                JournalStartsAt = startsAt,
            });
            foreach (var a in unseen.Concat(apps)
                .OrderBy(a => a.LastOpened ?? DateTime.MinValue)
                .ThenBy(a => a.AppName ?? a.AppId.ToString(), StringComparer.OrdinalIgnoreCase))
            {
                yield return a;
            }
        }

        private static async Task<Dictionary<Guid, QrsApp>> ReadApps(QlikSenseConnection connection, IOperationHost host)
        {
            var apps = new Dictionary<Guid, QrsApp>();
            await foreach (var app in connection.Client.GetArrayAsync<QrsApp>("app", null, host.CancellationToken).ConfigureAwait(false))
            {
                if (app.Id != Guid.Empty)
                {
                    apps[app.Id] = app;
                }
            }

            return apps;
        }

        // Disposes the reader when the caller stops enumerating (end, Select-Object -First, Ctrl+C).
        private static IEnumerable<T> Stream<T>(IOperationHost host, JournalReader reader, IEnumerable<T> items, string verbose)
        {
            using (reader)
            {
                host.WriteVerbose(verbose);
                if (reader.FirstEventAt is DateTime first)
                {
                    host.WriteVerbose($"The journal holds events from {first:u} to {reader.LastEventAt:u}.");
                }
                else
                {
                    host.WriteVerbose("The journal holds no events yet.");
                }

                long count = 0;
                foreach (var item in items)
                {
                    if ((++count & 1023) == 0)
                    {
                        host.CancellationToken.ThrowIfCancellationRequested();
                    }

                    yield return item;
                }

                host.WriteVerbose($"{count:N0} read.");
            }
        }

        private static void Check(IOperationHost host, object query)
        {
            if (host == null)
            {
                throw new ArgumentNullException(nameof(host));
            }

            if (query == null)
            {
                throw new ArgumentNullException(nameof(query));
            }
        }

        private static string Age(TimeSpan age) =>
            age.TotalDays >= 1 ? $"{age.TotalDays:0.#} days" : $"{Math.Max(0, age.TotalHours):0.#} hours";

        private static string Describe(UserEventQuery q)
        {
            var parts = new List<string>();
            if (q.Since is DateTime since)
            {
                parts.Add($"since {since:u}");
            }

            if (q.Until is DateTime until)
            {
                parts.Add($"until {until:u}");
            }

            if (q.Last is int last)
            {
                parts.Add($"the last {last}");
            }

            return parts.Count == 0 ? "" : " (" + string.Join(", ", parts) + ")";
        }

        /// <summary>A condensed app from <c>GET /qrs/app</c>: id, name and stream.</summary>
        private sealed class QrsApp
        {
            [JsonPropertyName("id")]
            public Guid Id { get; set; }

            [JsonPropertyName("name")]
            public string? Name { get; set; }

            [JsonPropertyName("stream")]
            public QrsStream? Stream { get; set; }
        }

        private sealed class QrsStream
        {
            [JsonPropertyName("name")]
            public string? Name { get; set; }
        }
    }
}
