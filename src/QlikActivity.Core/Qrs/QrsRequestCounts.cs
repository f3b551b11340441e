using System.Net.Http;
using System.Threading;

namespace QlikActivity.Core.Qrs
{
    /// <summary>
    /// How many HTTP requests a <see cref="QrsClient"/> sent, per method. Every attempt counts
    /// (a retried GET is two GETs: the server saw both); <see cref="Retries"/> says how many of
    /// them were retries. Thread-safe; read a consistent copy with <see cref="Snapshot"/>.
    /// </summary>
    public sealed class QrsRequestCounts
    {
        private long _get;
        private long _post;
        private long _put;
        private long _delete;
        private long _other;
        private long _retries;

        public long Get => Interlocked.Read(ref _get);
        public long Post => Interlocked.Read(ref _post);
        public long Put => Interlocked.Read(ref _put);
        public long Delete => Interlocked.Read(ref _delete);
        public long Other => Interlocked.Read(ref _other);
        public long Retries => Interlocked.Read(ref _retries);
        public long Total => Get + Post + Put + Delete + Other;

        /// <summary>A copy that no longer changes, e.g. to subtract "before" from "after".</summary>
        public QrsRequestCounts Snapshot() => new QrsRequestCounts
        {
            _get = Get,
            _post = Post,
            _put = Put,
            _delete = Delete,
            _other = Other,
            _retries = Retries,
        };

        /// <summary>The requests counted since <paramref name="earlier"/> (a snapshot of this).</summary>
        public QrsRequestCounts Since(QrsRequestCounts earlier) => new QrsRequestCounts
        {
            _get = Get - earlier.Get,
            _post = Post - earlier.Post,
            _put = Put - earlier.Put,
            _delete = Delete - earlier.Delete,
            _other = Other - earlier.Other,
            _retries = Retries - earlier.Retries,
        };

        public override string ToString() =>
            $"{Total} requests (GET {Get}, PUT {Put}, POST {Post}, DELETE {Delete}; {Retries} retries)";

        internal void Count(HttpMethod method)
        {
            if (method == HttpMethod.Get)
            {
                Interlocked.Increment(ref _get);
            }
            else if (method == HttpMethod.Put)
            {
                Interlocked.Increment(ref _put);
            }
            else if (method == HttpMethod.Post)
            {
                Interlocked.Increment(ref _post);
            }
            else if (method == HttpMethod.Delete)
            {
                Interlocked.Increment(ref _delete);
            }
            else
            {
                Interlocked.Increment(ref _other);
            }
        }

        internal void CountRetry() => Interlocked.Increment(ref _retries);
    }
}
