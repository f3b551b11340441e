using System;
using System.Buffers;
using System.Buffers.Text;

namespace QlikActivity.Core.Destinations.InfluxDb
{
    /// <summary>Timestamp unit of the points, as the write endpoint's <c>precision</c> parameter names it.</summary>
    public enum InfluxDbPrecision
    {
        /// <summary><c>ns</c></summary>
        Nanoseconds,
        /// <summary><c>u</c></summary>
        Microseconds,
        /// <summary><c>ms</c></summary>
        Milliseconds,
        /// <summary><c>s</c></summary>
        Seconds,
    }

    /// <summary>
    /// Writes InfluxDB line protocol (<c>measurement,tag=v field="s",n=1i 1700000000000000000</c>) as UTF-8
    /// into one growing pooled buffer, escaping each part without allocating. No I/O.
    /// </summary>
    /// <remarks>
    /// Escaping follows the line protocol reference (docs.influxdata.com, "InfluxDB line protocol reference",
    /// 1.x, and "Line protocol" for 2.x), checked against influxd 1.6:
    /// <list type="bullet">
    /// <item>measurement: comma and space are escaped with a backslash;</item>
    /// <item>tag keys, tag values and field keys: comma, equals sign and space are escaped;</item>
    /// <item>string field values are double-quoted, with <c>"</c> and <c>\</c> escaped;</item>
    /// <item>line protocol has no newline inside a value: CR and LF become a space;</item>
    /// <item>an empty tag value is not allowed: such a tag is left out;</item>
    /// <item>integers carry an <c>i</c> suffix.</item>
    /// </list>
    /// Outside string fields InfluxDB 1.x keeps a backslash literally, but it cannot store one directly before
    /// an escaped character or at the end of a name or tag value (influxd rejects <c>u=a\\,b=c</c> and
    /// <c>u=a\</c>). Such runs of backslashes are left out; an ordinary <c>DOMAIN\user</c> is kept as it is.
    /// </remarks>
    internal sealed class LineProtocolWriter : IDisposable
    {
        private const int MaxUtf8BytesPerChar = 3; // a surrogate pair is 2 chars, 4 bytes
        private byte[] _buffer;
        private int _length;
        private int _pointStart;
        private State _state;

        private enum State
        {
            BetweenPoints,
            Tags,
            Fields,
        }

        private enum Part
        {
            Measurement,
            Key, // tag key, tag value or field key
        }

        public LineProtocolWriter(int initialCapacity = 64 * 1024)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 256));
        }

        /// <summary>Bytes written so far.</summary>
        public int Length => _length;

        /// <summary>Complete points written since the last <see cref="Clear"/>.</summary>
        public int PointCount { get; private set; }

        /// <summary>The underlying buffer; the first <see cref="Length"/> bytes are the written lines.</summary>
        public byte[] Buffer => _buffer;

        public ArraySegment<byte> Written => new ArraySegment<byte>(_buffer, 0, _length);

        /// <summary>Converts a time to a line-protocol timestamp in <paramref name="precision"/>.</summary>
        public static long ToTimestamp(DateTime time, InfluxDbPrecision precision)
        {
            if (time.Kind == DateTimeKind.Local)
            {
                time = time.ToUniversalTime();
            }

            long ticks = time.Ticks - UnixEpochTicks; // 100 ns units
            return precision switch
            {
                InfluxDbPrecision.Nanoseconds => ticks * 100,
                InfluxDbPrecision.Microseconds => ticks / 10,
                InfluxDbPrecision.Milliseconds => ticks / TimeSpan.TicksPerMillisecond,
                _ => ticks / TimeSpan.TicksPerSecond,
            };
        }

        /// <summary>The value of the write endpoint's <c>precision</c> query parameter.</summary>
        public static string PrecisionParameter(InfluxDbPrecision precision) => precision switch
        {
            InfluxDbPrecision.Nanoseconds => "ns",
            InfluxDbPrecision.Microseconds => "u",
            InfluxDbPrecision.Milliseconds => "ms",
            _ => "s",
        };

        private static readonly long UnixEpochTicks = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;

        public void Clear()
        {
            _length = 0;
            PointCount = 0;
            _state = State.BetweenPoints;
        }

        /// <summary>Starts a point. Tags follow, then at least one field, then <see cref="EndPoint(long)"/>.</summary>
        public void BeginPoint(string measurement)
        {
            if (_state != State.BetweenPoints)
            {
                throw new InvalidOperationException("The previous point was not ended.");
            }

            _pointStart = _length;
            if (WriteName(measurement, null, Part.Measurement) == 0)
            {
                throw new ArgumentException("A measurement name must not be empty.", nameof(measurement));
            }

            _state = State.Tags;
        }

        /// <summary>Adds a tag; left out when the key or the value is empty (InfluxDB rejects empty tag values).</summary>
        public void Tag(string key, string? value) => Tag(key, value, null);

        /// <summary>Adds a tag whose value is <paramref name="value"/> + <c>\</c> + <paramref name="joined"/>, without building that string.</summary>
        public void Tag(string key, string? value, string? joined)
        {
            if (_state != State.Tags)
            {
                throw new InvalidOperationException("Tags must come right after BeginPoint, before any field.");
            }

            if (string.IsNullOrEmpty(key) || (string.IsNullOrEmpty(value) && string.IsNullOrEmpty(joined)))
            {
                return;
            }

            int mark = _length;
            Append((byte)',');
            if (WriteName(key, null, Part.Key) == 0)
            {
                _length = mark;
                return;
            }

            Append((byte)'=');
            if (WriteName(value ?? "", joined, Part.Key) == 0)
            {
                _length = mark; // nothing storable was left of the value
            }
        }

        /// <summary>Adds a tag holding a GUID in its usual lower-case form.</summary>
        public void Tag(string key, Guid value)
        {
            if (_state != State.Tags)
            {
                throw new InvalidOperationException("Tags must come right after BeginPoint, before any field.");
            }

            Append((byte)',');
            WriteName(key, null, Part.Key);
            Append((byte)'=');
            WriteGuid(value);
        }

        /// <summary>Adds a string field (quoted); an empty string is a valid value.</summary>
        public void StringField(string key, string? value) => StringField(key, value, null);

        /// <summary>Adds a string field whose value is <paramref name="value"/> + <c>\</c> + <paramref name="joined"/>.</summary>
        public void StringField(string key, string? value, string? joined)
        {
            BeginField(key);
            Append((byte)'"');
            WriteQuoted(value ?? "");
            if (joined != null)
            {
                WriteQuoted("\\");
                WriteQuoted(joined);
            }

            Append((byte)'"');
        }

        /// <summary>Adds a string field holding a GUID.</summary>
        public void StringField(string key, Guid value)
        {
            BeginField(key);
            Append((byte)'"');
            WriteGuid(value);
            Append((byte)'"');
        }

        /// <summary>Ends the point with a timestamp in the precision the request names.</summary>
        public void EndPoint(long timestamp)
        {
            EnsureFieldsWritten();
            Append((byte)' ');
            WriteInteger(timestamp);
            Append((byte)'\n');
            _state = State.BetweenPoints;
            PointCount++;
        }

        /// <summary>Ends the point without a timestamp: the server uses its own clock.</summary>
        public void EndPoint()
        {
            EnsureFieldsWritten();
            Append((byte)'\n');
            _state = State.BetweenPoints;
            PointCount++;
        }

        /// <summary>Drops a point that was begun but not ended.</summary>
        public void AbandonPoint()
        {
            if (_state != State.BetweenPoints)
            {
                _length = _pointStart;
                _state = State.BetweenPoints;
            }
        }

        public void Dispose()
        {
            var buffer = _buffer;
            _buffer = Array.Empty<byte>();
            _length = 0;
            if (buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        private void EnsureFieldsWritten()
        {
            if (_state != State.Fields)
            {
                throw new InvalidOperationException("A point needs at least one field.");
            }
        }

        private void BeginField(string key)
        {
            if (_state == State.Tags)
            {
                Append((byte)' ');
                _state = State.Fields;
            }
            else if (_state == State.Fields)
            {
                Append((byte)',');
            }
            else
            {
                throw new InvalidOperationException("BeginPoint must come before a field.");
            }

            if (WriteName(key, null, Part.Key) == 0)
            {
                throw new ArgumentException("A field key must not be empty.", nameof(key));
            }

            Append((byte)'=');
        }

        private static bool NeedsEscape(char c, Part part) =>
            c == ',' || c == ' ' || (part == Part.Key && c == '=');

        // Writes value (+ '\' + joined) escaped for a name or tag value; returns the characters kept.
        private int WriteName(string value, string? joined, Part part)
        {
            int total = value.Length + (joined == null ? 0 : joined.Length + 1);
            EnsureCapacity((total * (MaxUtf8BytesPerChar + 1)) + 1);
            int kept = 0;
            int i = 0;
            while (i < total)
            {
                char c = CharAt(value, joined, i);
                if (c == '\\')
                {
                    // A run of backslashes is storable only when an ordinary character follows it.
                    int run = i;
                    while (run < total && CharAt(value, joined, run) == '\\')
                    {
                        run++;
                    }

                    if (run == total || NeedsEscape(Newline(CharAt(value, joined, run)), part))
                    {
                        i = run;
                        continue;
                    }

                    for (; i < run; i++)
                    {
                        _buffer[_length++] = (byte)'\\';
                        kept++;
                    }

                    continue;
                }

                c = Newline(c);
                if (NeedsEscape(c, part))
                {
                    _buffer[_length++] = (byte)'\\';
                }

                if (c < 0x80)
                {
                    _buffer[_length++] = (byte)c;
                    i++;
                }
                else
                {
                    i += WriteNonAscii(value, joined, i, total);
                }

                kept++;
            }

            return kept;
        }

        private void WriteQuoted(string value)
        {
            EnsureCapacity((value.Length * (MaxUtf8BytesPerChar + 1)) + 1);
            int i = 0;
            while (i < value.Length)
            {
                char c = Newline(value[i]);
                if (c == '"' || c == '\\')
                {
                    _buffer[_length++] = (byte)'\\';
                }

                if (c < 0x80)
                {
                    _buffer[_length++] = (byte)c;
                    i++;
                }
                else
                {
                    i += WriteNonAscii(value, null, i, value.Length);
                }
            }
        }

        private static char Newline(char c) => c == '\n' || c == '\r' ? ' ' : c;

        private static char CharAt(string value, string? joined, int i)
        {
            if (i < value.Length)
            {
                return value[i];
            }

            return i == value.Length ? '\\' : joined![i - value.Length - 1];
        }

        // UTF-8 by hand so both targets encode without allocating; a lone surrogate becomes U+FFFD.
        private int WriteNonAscii(string value, string? joined, int i, int total)
        {
            char c = CharAt(value, joined, i);
            int codePoint = c;
            int consumed = 1;
            if (char.IsHighSurrogate(c) && i + 1 < total && char.IsLowSurrogate(CharAt(value, joined, i + 1)))
            {
                codePoint = char.ConvertToUtf32(c, CharAt(value, joined, i + 1));
                consumed = 2;
            }
            else if (char.IsSurrogate(c))
            {
                codePoint = 0xFFFD;
            }

            if (codePoint < 0x800)
            {
                _buffer[_length++] = (byte)(0xC0 | (codePoint >> 6));
                _buffer[_length++] = (byte)(0x80 | (codePoint & 0x3F));
            }
            else if (codePoint < 0x10000)
            {
                _buffer[_length++] = (byte)(0xE0 | (codePoint >> 12));
                _buffer[_length++] = (byte)(0x80 | ((codePoint >> 6) & 0x3F));
                _buffer[_length++] = (byte)(0x80 | (codePoint & 0x3F));
            }
            else
            {
                _buffer[_length++] = (byte)(0xF0 | (codePoint >> 18));
                _buffer[_length++] = (byte)(0x80 | ((codePoint >> 12) & 0x3F));
                _buffer[_length++] = (byte)(0x80 | ((codePoint >> 6) & 0x3F));
                _buffer[_length++] = (byte)(0x80 | (codePoint & 0x3F));
            }

            return consumed;
        }

        private void WriteGuid(Guid value)
        {
            EnsureCapacity(36);
            Utf8Formatter.TryFormat(value, new Span<byte>(_buffer, _length, 36), out int written, new StandardFormat('D'));
            _length += written;
        }

        private void WriteInteger(long value)
        {
            EnsureCapacity(20);
            Utf8Formatter.TryFormat(value, new Span<byte>(_buffer, _length, 20), out int written);
            _length += written;
        }

        private void Append(byte b)
        {
            EnsureCapacity(1);
            _buffer[_length++] = b;
        }

        private void EnsureCapacity(int extra)
        {
            if (_length + extra <= _buffer.Length)
            {
                return;
            }

            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + extra));
            System.Buffer.BlockCopy(_buffer, 0, bigger, 0, _length);
            if (_buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
            }

            _buffer = bigger;
        }
    }
}
