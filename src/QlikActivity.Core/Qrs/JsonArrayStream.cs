using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace QlikActivity.Core.Qrs
{
    /// <summary>Reads one array element; the reader is on its first token and must be left on its last.</summary>
    public delegate T QrsElementReader<out T>(ref Utf8JsonReader reader);

    /// <summary>
    /// Streams the elements of a top-level JSON array from a stream with
    /// <see cref="Utf8JsonReader"/>: only the bytes of the current elements are held, however long
    /// the array. Each element is first skipped over to learn that it is complete in the buffer,
    /// then read from its own bytes, so element readers never see a partial element.
    /// The buffer logic (<see cref="Parse"/>) does no I/O and is unit-tested with any chunking.
    /// </summary>
    internal sealed class JsonArrayStream<T>
    {
        private readonly QrsElementReader<T> _read;
        private JsonReaderState _state;
        private bool _started;

        public JsonArrayStream(QrsElementReader<T> read)
        {
            _read = read;
        }

        /// <summary>True once the closing bracket was read.</summary>
        public bool Completed { get; private set; }

        public static async IAsyncEnumerable<T> ReadAsync(Stream stream, QrsElementReader<T> read, int initialBufferSize = 64 * 1024,
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var parser = new JsonArrayStream<T>(read);
            var items = new List<T>();
            byte[] buffer = ArrayPool<byte>.Shared.Rent(initialBufferSize);
            int start = 0;
            int end = 0;
            bool final = false;
            try
            {
                while (!parser.Completed)
                {
                    if (!final)
                    {
                        if (start > 0 && end == buffer.Length)
                        {
                            Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                            end -= start;
                            start = 0;
                        }
                        else if (start == 0 && end == buffer.Length)
                        {
                            // One element is larger than the buffer: grow it.
                            byte[] larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                            Buffer.BlockCopy(buffer, 0, larger, 0, end);
                            ArrayPool<byte>.Shared.Return(buffer);
                            buffer = larger;
                        }

                        int n = await stream.ReadAsync(buffer, end, buffer.Length - end, cancellationToken).ConfigureAwait(false);
                        if (n == 0)
                        {
                            final = true;
                        }

                        end += n;
                    }

                    items.Clear();
                    start += parser.Parse(new ReadOnlySpan<byte>(buffer, start, end - start), final, items);
                    foreach (var item in items)
                    {
                        yield return item;
                    }

                    if (final && !parser.Completed)
                    {
                        throw new JsonException("The JSON array ended before its closing bracket.");
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        /// <summary>
        /// Reads the complete elements at the start of <paramref name="data"/> (the bytes not
        /// consumed yet) into <paramref name="items"/>; returns how many bytes they took.
        /// </summary>
        public int Parse(ReadOnlySpan<byte> data, bool isFinalBlock, List<T> items)
        {
            int bom = 0;
            if (!_started && !isFinalBlock && data.Length < 3 && IsBomPrefix(data))
            {
                return 0; // perhaps the start of a byte order mark: wait for the rest
            }

            if (!_started && data.Length >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF)
            {
                bom = 3; // a UTF-8 byte order mark, which Utf8JsonReader does not expect
                data = data.Slice(3);
            }

            var reader = new Utf8JsonReader(data, isFinalBlock, _state);
            int consumed = 0;
            if (!_started)
            {
                if (!reader.Read())
                {
                    return 0;
                }

                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    throw new JsonException($"Expected a JSON array, found {reader.TokenType}.");
                }

                _started = true;
                consumed = (int)reader.BytesConsumed + bom;
                _state = reader.CurrentState;
            }

            while (!Completed)
            {
                if (!reader.Read())
                {
                    break;
                }

                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    Completed = true;
                }
                else if (reader.TokenType == JsonTokenType.StartObject || reader.TokenType == JsonTokenType.StartArray)
                {
                    int elementStart = (int)reader.TokenStartIndex;
                    if (!reader.TrySkip())
                    {
                        break; // not all here yet: wait for more bytes, then start this element again
                    }

                    var element = new Utf8JsonReader(data.Slice(elementStart, (int)reader.BytesConsumed - elementStart), isFinalBlock: true, default);
                    element.Read();
                    items.Add(_read(ref element));
                }
                else if (reader.TokenType != JsonTokenType.Null)
                {
                    var element = new Utf8JsonReader(data.Slice((int)reader.TokenStartIndex, (int)reader.BytesConsumed - (int)reader.TokenStartIndex), isFinalBlock: true, default);
                    element.Read();
                    items.Add(_read(ref element));
                }

                consumed = (int)reader.BytesConsumed + bom;
                _state = reader.CurrentState;
            }

            return consumed;
        }

        private static bool IsBomPrefix(ReadOnlySpan<byte> data)
        {
            ReadOnlySpan<byte> bom = new byte[] { 0xEF, 0xBB, 0xBF };
            return bom.StartsWith(data);
        }
    }
}
