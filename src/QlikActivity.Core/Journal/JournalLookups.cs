using System;
using System.Collections.Generic;
using Microsoft.Data.Sqlite;

namespace QlikActivity.Core.Journal
{
    /// <summary>
    /// Id of a stored-once value (host, user, app, user agent, text, shape): from a cache, else
    /// from the table, else inserted. The cache is bounded so hostile input cannot grow it
    /// without limit; past the bound it starts over and the table answers.
    /// </summary>
    internal sealed class JournalLookup<TKey> where TKey : notnull
    {
        private const int CacheLimit = 200_000;
        private readonly Dictionary<TKey, long> _cache;
        private readonly SqliteCommand _select;
        private readonly SqliteCommand _insert;
        private readonly Action<SqliteParameterCollection, TKey> _bind;

        public JournalLookup(SqliteConnection connection, string selectSql, string insertSql, string[] parameters, Action<SqliteParameterCollection, TKey> bind, IEqualityComparer<TKey>? comparer = null)
        {
            _cache = new Dictionary<TKey, long>(comparer ?? EqualityComparer<TKey>.Default);
            _select = JournalSchema.Command(connection, selectSql);
            _insert = JournalSchema.Command(connection, insertSql + "; SELECT last_insert_rowid();");
            foreach (var name in parameters)
            {
                _select.Parameters.Add(new SqliteParameter(name, null));
                _insert.Parameters.Add(new SqliteParameter(name, null));
            }

            _bind = bind;
        }

        public IEnumerable<SqliteCommand> Commands => new[] { _select, _insert };

        /// <summary>Called inside the batch's transaction.</summary>
        public long Get(TKey key)
        {
            if (_cache.TryGetValue(key, out long id))
            {
                return id;
            }

            _bind(_select.Parameters, key);
            object? found = _select.ExecuteScalar();
            if (found is long existing)
            {
                id = existing;
            }
            else
            {
                _bind(_insert.Parameters, key);
                id = (long)_insert.ExecuteScalar()!;
            }

            if (_cache.Count >= CacheLimit)
            {
                _cache.Clear();
            }

            _cache[key] = id;
            return id;
        }

        /// <summary>After a rolled-back transaction, cached ids may name rows that were never committed.</summary>
        public void Clear() => _cache.Clear();
    }
}
