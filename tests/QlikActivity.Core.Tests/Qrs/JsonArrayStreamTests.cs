using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Qrs;
using Xunit;

namespace QlikActivity.Core.Tests.Qrs
{
    public class JsonArrayStreamTests
    {
        private static readonly QrsElementReader<string> Raw = (ref Utf8JsonReader r) =>
        {
            using var doc = JsonDocument.ParseValue(ref r);
            return doc.RootElement.GetRawText();
        };

        private const string Tricky = "[ {\"a\":\"x]}\\\"{[\",\"b\":[1,2,{\"c\":null}]}, null ,{\"é\":\"ü€𝄞\"}, 42, \"s\", [3,4], {} ]";

        public static TheoryData<int> ChunkSizes => new() { 1, 2, 3, 7, 16, 64, 4096 };

        [Theory]
        [MemberData(nameof(ChunkSizes))]
        public async Task Every_element_arrives_whole_however_the_bytes_are_chunked(int chunk)
        {
            var items = await Read(Tricky, chunk, bufferSize: 16);

            Assert.Equal(new[]
            {
                "{\"a\":\"x]}\\\"{[\",\"b\":[1,2,{\"c\":null}]}",
                "{\"\u00e9\":\"\u00fc\u20ac\U0001D11E\"}",
                "42",
                "\"s\"",
                "[3,4]",
                "{}",
            }, items);
        }

        [Fact]
        public async Task A_big_array_of_big_elements_streams_through_a_small_buffer()
        {
            string pad = new string('x', 5000);
            string json = "[" + string.Join(",", Enumerable.Range(0, 200).Select(i => $"{{\"i\":{i},\"pad\":\"{pad}\"}}")) + "]";

            var items = await Read(json, 1000, bufferSize: 64);

            Assert.Equal(200, items.Count);
            Assert.StartsWith("{\"i\":199,", items[199]);
        }

        [Fact]
        public async Task A_byte_order_mark_and_whitespace_are_accepted()
        {
            var items = await Read("\uFEFF \n [ {\"a\":1} ] \n", 1, 16);
            Assert.Equal(new[] { "{\"a\":1}" }, items);
        }

        [Fact]
        public async Task An_empty_array_has_no_elements()
        {
            Assert.Empty(await Read("[]", 1, 16));
        }

        [Theory]
        [InlineData("{\"value\":1}")]
        [InlineData("")]
        [InlineData("[{\"a\":1},")]
        [InlineData("[{\"a\":1}")]
        [InlineData("[{\"a\":}]")]
        public async Task Anything_but_a_whole_array_is_a_json_error(string json)
        {
            await Assert.ThrowsAnyAsync<JsonException>(() => Read(json, 3, 16));
        }

        [Fact]
        public async Task Elements_come_out_before_the_array_ends()
        {
            // A stream that gives the first element and then blocks: the element must already be out.
            var gate = new SemaphoreSlim(0);
            var stream = new GatedStream(Encoding.UTF8.GetBytes("[{\"a\":1},"), Encoding.UTF8.GetBytes("{\"a\":2}]"), gate);
            var e = JsonArrayStream<string>.ReadAsync(stream, Raw, 16).GetAsyncEnumerator();

            Assert.True(await e.MoveNextAsync());
            Assert.Equal("{\"a\":1}", e.Current);
            gate.Release();
            Assert.True(await e.MoveNextAsync());
            Assert.False(await e.MoveNextAsync());
            await e.DisposeAsync();
        }

        private static async Task<List<string>> Read(string json, int chunk, int bufferSize)
        {
            var stream = new ChunkedStream(Encoding.UTF8.GetBytes(json), chunk);
            var list = new List<string>();
            await foreach (var item in JsonArrayStream<string>.ReadAsync(stream, Raw, bufferSize))
            {
                list.Add(item);
            }

            return list;
        }

        /// <summary>Returns at most <c>chunk</c> bytes per read, like a slow network.</summary>
        private sealed class ChunkedStream : MemoryStream
        {
            private readonly int _chunk;

            public ChunkedStream(byte[] data, int chunk)
                : base(data)
            {
                _chunk = chunk;
            }

            public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, _chunk));

            public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
                Task.FromResult(Read(buffer, offset, count));

            public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
                base.ReadAsync(buffer.Slice(0, Math.Min(buffer.Length, _chunk)), cancellationToken);
        }

        private sealed class GatedStream : Stream
        {
            private readonly byte[] _first;
            private readonly byte[] _second;
            private readonly SemaphoreSlim _gate;
            private int _part;
            private byte[] _pending = Array.Empty<byte>();

            public GatedStream(byte[] first, byte[] second, SemaphoreSlim gate)
            {
                _first = first;
                _second = second;
                _gate = gate;
            }

            public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            {
                if (_pending.Length == 0)
                {
                    switch (_part++)
                    {
                        case 0:
                            _pending = _first;
                            break;
                        case 1:
                            await _gate.WaitAsync(cancellationToken);
                            _pending = _second;
                            break;
                        default:
                            return 0;
                    }
                }

                int n = Math.Min(count, _pending.Length);
                Buffer.BlockCopy(_pending, 0, buffer, offset, n);
                _pending = _pending.AsSpan(n).ToArray();
                return n;
            }

            public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
            public override void Flush() { }
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }
    }
}
