using System;

namespace QlikActivity.Core.Events
{
    /// <summary>
    /// A small direct-mapped cache from text (given as a span) to a string and a value computed
    /// from it. The Proxy repeats the same hosts, directories, users, contexts and user agents
    /// over and over: looking them up costs no allocation, and the table never grows, because a
    /// colliding entry simply replaces the old one. Not thread-safe: one per parser.
    /// </summary>
    internal sealed class SpanCache<TValue>
    {
        private readonly Entry[] _entries;
        private readonly int _mask;
        private readonly int _maxLength;

        public SpanCache(int sizePowerOfTwo, int maxLength)
        {
            _entries = new Entry[sizePowerOfTwo];
            _mask = sizePowerOfTwo - 1;
            _maxLength = maxLength;
        }

        /// <summary>True when the text is held; <paramref name="slot"/> is where to <see cref="Store"/> it otherwise (-1: too long to cache).</summary>
        public bool TryGet(ReadOnlySpan<char> text, out string key, out TValue value, out int slot)
        {
            if (text.Length > _maxLength)
            {
                key = null!;
                value = default!;
                slot = -1;
                return false;
            }

            slot = Hash(text) & _mask;
            ref Entry e = ref _entries[slot];
            if (e.Key != null && text.SequenceEqual(e.Key.AsSpan()))
            {
                key = e.Key;
                value = e.Value;
                return true;
            }

            key = null!;
            value = default!;
            return false;
        }

        public void Store(int slot, string key, TValue value)
        {
            if (slot >= 0)
            {
                _entries[slot] = new Entry { Key = key, Value = value };
            }
        }

        // Samples at most ~32 chars spread over the text: the full compare on a hit keeps it exact,
        // and texts that differ only between samples merely share a slot.
        private static int Hash(ReadOnlySpan<char> text)
        {
            uint h = 2166136261u ^ (uint)text.Length;
            int step = text.Length <= 32 ? 1 : text.Length / 32;
            for (int i = 0; i < text.Length; i += step)
            {
                h = (h ^ text[i]) * 16777619u;
            }

            if (text.Length > 0)
            {
                h = (h ^ text[text.Length - 1]) * 16777619u;
            }

            return (int)(h ^ (h >> 15));
        }

        private struct Entry
        {
            public string? Key;
            public TValue Value;
        }
    }
}
