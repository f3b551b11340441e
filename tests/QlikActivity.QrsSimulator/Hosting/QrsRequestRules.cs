using System;
using System.Collections.Generic;
using QlikActivity.QrsSimulator.Entities;

namespace QlikActivity.QrsSimulator.Hosting
{
    /// <summary>What a /qrs path addresses.</summary>
    public enum QrsRouteKind
    {
        NotFound,
        About,
        /// <summary><c>/qrs/{type}</c>: condensed list (GET) or create (POST).</summary>
        List,
        /// <summary><c>/qrs/{type}/full</c></summary>
        Full,
        /// <summary><c>/qrs/{type}/count</c></summary>
        Count,
        /// <summary><c>/qrs/{type}/many</c>: create several (POST).</summary>
        Many,
        /// <summary><c>/qrs/{type}/{id}</c></summary>
        Item,
        /// <summary><c>/qrs/{type}/table</c>: rows of chosen columns (POST with a table definition).</summary>
        Table,
        /// <summary><c>/qrs/license/accesstypeinfo</c> (deprecated in the API, still served).</summary>
        AccessTypeInfo,
        /// <summary><c>/qrs/license/accesstypeoverview</c></summary>
        AccessTypeOverview,
    }

    /// <summary>A parsed /qrs path.</summary>
    public readonly record struct QrsRoute(QrsRouteKind Kind, EntityType? Type, Guid Id);

    /// <summary>The QRS's request rules that need no I/O: Xrfkey, X-Qlik-User, routes, query parameters.</summary>
    public static class QrsRequestRules
    {
        /// <summary>The exact 403 body of the real QRS and QPS.</summary>
        public const string XsrfFailure = "XSRF prevention check failed. Possible XSRF discovered.";

        private static readonly List<EntityType> TypesLongestFirst = SortTypes();

        /// <summary>True when the xrfkey query value is 16 letters/digits and equals the X-Qlik-Xrfkey header.</summary>
        public static bool XrfkeyMatches(string? queryValue, string? headerValue)
        {
            if (queryValue == null || headerValue == null || queryValue.Length != 16)
            {
                return false;
            }

            foreach (char c in queryValue)
            {
                if (!(c is >= '0' and <= '9' or >= 'a' and <= 'z' or >= 'A' and <= 'Z'))
                {
                    return false;
                }
            }

            return string.Equals(queryValue, headerValue, StringComparison.Ordinal);
        }

        /// <summary>Parses <c>UserDirectory=INTERNAL; UserId=sa_repository</c> (keys case-insensitive, any order).</summary>
        public static bool TryParseQlikUser(string? header, out string userDirectory, out string userId)
        {
            userDirectory = "";
            userId = "";
            if (string.IsNullOrWhiteSpace(header))
            {
                return false;
            }

            foreach (var part in header!.Split(';'))
            {
                int eq = part.IndexOf('=');
                if (eq < 0)
                {
                    if (part.Trim().Length == 0)
                    {
                        continue;
                    }

                    return false;
                }

                string key = part.Substring(0, eq).Trim();
                string value = part.Substring(eq + 1).Trim();
                if (key.Equals("UserDirectory", StringComparison.OrdinalIgnoreCase))
                {
                    userDirectory = value;
                }
                else if (key.Equals("UserId", StringComparison.OrdinalIgnoreCase))
                {
                    userId = value;
                }
            }

            return userDirectory.Length > 0 && userId.Length > 0;
        }

        /// <summary>
        /// Splits a raw query string (keeping what parses); false when a parameter has no value, which the QRS answers with
        /// 400 <c>Missing parameter value(s)</c> (typically an unencoded '&amp;' inside a filter value).
        /// </summary>
        public static bool TryParseQuery(string rawQuery, out Dictionary<string, string> values)
        {
            values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            string q = rawQuery.StartsWith("?", StringComparison.Ordinal) ? rawQuery.Substring(1) : rawQuery;
            if (q.Length == 0)
            {
                return true;
            }

            bool complete = true;
            foreach (var pair in q.Split('&'))
            {
                if (pair.Length == 0)
                {
                    continue;
                }

                int eq = pair.IndexOf('=');
                if (eq <= 0)
                {
                    complete = false;
                    continue;
                }

                string key = Uri.UnescapeDataString(pair.Substring(0, eq).Replace('+', ' '));
                string value = Uri.UnescapeDataString(pair.Substring(eq + 1).Replace('+', ' '));
                values[key] = value;
            }

            return complete;
        }

        /// <summary>Routes a path that starts with <c>/qrs/</c> (case-insensitive, trailing slash ignored).</summary>
        public static QrsRoute Route(string path)
        {
            if (!path.StartsWith("/qrs/", StringComparison.OrdinalIgnoreCase))
            {
                return default;
            }

            string rest = path.Substring(5).TrimEnd('/').ToLowerInvariant();
            if (rest == "about")
            {
                return new QrsRoute(QrsRouteKind.About, null, Guid.Empty);
            }

            if (rest == "license/accesstypeinfo")
            {
                return new QrsRoute(QrsRouteKind.AccessTypeInfo, null, Guid.Empty);
            }

            if (rest == "license/accesstypeoverview")
            {
                return new QrsRoute(QrsRouteKind.AccessTypeOverview, null, Guid.Empty);
            }

            foreach (var type in TypesLongestFirst)
            {
                if (rest == type.Path)
                {
                    return new QrsRoute(QrsRouteKind.List, type, Guid.Empty);
                }

                if (!rest.StartsWith(type.Path + "/", StringComparison.Ordinal))
                {
                    continue;
                }

                string tail = rest.Substring(type.Path.Length + 1);
                switch (tail)
                {
                    case "full": return new QrsRoute(QrsRouteKind.Full, type, Guid.Empty);
                    case "count": return new QrsRoute(QrsRouteKind.Count, type, Guid.Empty);
                    case "many": return new QrsRoute(QrsRouteKind.Many, type, Guid.Empty);
                    case "table": return new QrsRoute(QrsRouteKind.Table, type, Guid.Empty);
                }

                return Guid.TryParse(tail, out var id) && tail.IndexOf('/') < 0
                    ? new QrsRoute(QrsRouteKind.Item, type, id)
                    : default;
            }

            return default;
        }

        private static List<EntityType> SortTypes()
        {
            var list = new List<EntityType>(QrsEntityTypes.All);
            list.Sort((a, b) => b.Path.Length.CompareTo(a.Path.Length));
            return list;
        }
    }
}
