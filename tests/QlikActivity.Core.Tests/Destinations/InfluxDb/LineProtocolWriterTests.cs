using System;
using System.Text;
using QlikActivity.Core.Destinations.InfluxDb;
using Xunit;

namespace QlikActivity.Core.Tests.Destinations.InfluxDb
{
    // Cases follow the "Special characters" and "Data types" sections of the InfluxDB line protocol
    // reference (docs.influxdata.com, influxdb/v1.6 write_protocols/line_protocol_reference and the 2.x
    // "Line protocol" page). Each one was also checked against a real influxd 1.6 (see InfluxDbIntegrationTests).
    public class LineProtocolWriterTests
    {
        private static string Text(LineProtocolWriter w) => Encoding.UTF8.GetString(w.Buffer, 0, w.Length);

        private static string Point(Action<LineProtocolWriter> build)
        {
            using var w = new LineProtocolWriter(16);
            build(w);
            return Text(w);
        }

        [Fact]
        public void Writes_measurement_tags_fields_and_timestamp()
        {
            string line = Point(w =>
            {
                w.BeginPoint("weather");
                w.Tag("location", "us-midwest");
                w.StringField("temperature", "82");
                w.EndPoint(1465839830100400200);
            });
            Assert.Equal("weather,location=us-midwest temperature=\"82\" 1465839830100400200\n", line);
        }

        [Fact]
        public void Measurement_escapes_comma_and_space_but_not_equals()
        {
            string line = Point(w =>
            {
                w.BeginPoint("wea ther,now=x");
                w.StringField("t", "1");
                w.EndPoint();
            });
            Assert.Equal("wea\\ ther\\,now=x t=\"1\"\n", line);
        }

        [Fact]
        public void Tag_keys_and_values_escape_comma_equals_and_space()
        {
            string line = Point(w =>
            {
                w.BeginPoint("weather");
                w.Tag("location place", "us,midwest");
                w.Tag("a=b", "c=d e");
                w.StringField("temperature", "82");
                w.EndPoint();
            });
            Assert.Equal("weather,location\\ place=us\\,midwest,a\\=b=c\\=d\\ e temperature=\"82\"\n", line);
        }

        [Fact]
        public void Field_keys_escape_comma_equals_and_space()
        {
            string line = Point(w =>
            {
                w.BeginPoint("m");
                w.StringField("temp erature,x=y", "1");
                w.EndPoint();
            });
            Assert.Equal("m temp\\ erature\\,x\\=y=\"1\"\n", line);
        }

        [Fact]
        public void String_fields_are_quoted_with_quotes_and_backslashes_escaped()
        {
            string line = Point(w =>
            {
                w.BeginPoint("m");
                w.StringField("s", "too \"hot\" \\ cold, a=b");
                w.EndPoint();
            });
            Assert.Equal("m s=\"too \\\"hot\\\" \\\\ cold, a=b\"\n", line);
        }

        [Fact]
        public void Empty_string_field_is_a_value_but_an_empty_tag_is_left_out()
        {
            string line = Point(w =>
            {
                w.BeginPoint("m");
                w.Tag("empty", "");
                w.Tag("missing", null);
                w.Tag("", "no key");
                w.Tag("kept", "x");
                w.StringField("s", "");
                w.EndPoint();
            });
            Assert.Equal("m,kept=x s=\"\"\n", line);
        }

        [Fact]
        public void Newlines_become_spaces_everywhere()
        {
            string line = Point(w =>
            {
                w.BeginPoint("m\nx");
                w.Tag("t", "a\r\nb");
                w.StringField("s", "line1\nline2");
                w.EndPoint();
            });
            Assert.Equal("m\\ x,t=a\\ \\ b s=\"line1 line2\"\n", line);
            Assert.Single(line.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        [Fact]
        public void A_backslash_before_an_ordinary_character_is_kept_literally()
        {
            string line = Point(w =>
            {
                w.BeginPoint("m");
                w.Tag("userFull", "LAB\\anna");
                w.Tag("double", "a\\\\b");
                w.StringField("userFull", "LAB\\anna");
                w.EndPoint();
            });
            Assert.Equal("m,userFull=LAB\\anna,double=a\\\\b userFull=\"LAB\\\\anna\"\n", line);
        }

        [Fact]
        public void Backslashes_influxd_cannot_store_are_left_out_of_names_and_tags()
        {
            string line = Point(w =>
            {
                w.BeginPoint("m");
                w.Tag("trailing", "abc\\");
                w.Tag("before comma", "a\\\\,b");
                w.Tag("before space", "a\\ b");
                w.Tag("only", "\\\\");
                w.StringField("s", "abc\\");
                w.EndPoint();
            });
            Assert.Equal("m,trailing=abc,before\\ comma=a\\,b,before\\ space=a\\ b s=\"abc\\\\\"\n", line);
        }

        [Fact]
        public void A_joined_value_is_written_with_a_backslash_between_the_parts()
        {
            string line = Point(w =>
            {
                w.BeginPoint("m");
                w.Tag("userFull", "LAB", "anna smith");
                w.Tag("emptySecond", "LAB", "");
                w.StringField("userFull", "LAB", "an\"na");
                w.EndPoint();
            });
            Assert.Equal("m,userFull=LAB\\anna\\ smith,emptySecond=LAB userFull=\"LAB\\\\an\\\"na\"\n", line);
        }

        [Theory]
        [InlineData(0L, "0")]
        [InlineData(-5L, "-5")]
        [InlineData(long.MaxValue, "9223372036854775807")]
        [InlineData(long.MinValue, "-9223372036854775808")]
        public void Timestamps_are_whole_numbers_including_negative_and_extreme_ones(long timestamp, string expected)
        {
            string line = Point(w =>
            {
                w.BeginPoint("m");
                w.StringField("s", "x");
                w.EndPoint(timestamp);
            });
            Assert.Equal("m s=\"x\" " + expected + "\n", line);
        }

        [Fact]
        public void Guids_are_written_in_lower_case_dashed_form()
        {
            var id = Guid.Parse("E7AF59A0-C243-480D-9571-08727551A66F");
            string line = Point(w =>
            {
                w.BeginPoint("m");
                w.Tag("appId", id);
                w.StringField("appId", id);
                w.EndPoint();
            });
            Assert.Equal("m,appId=e7af59a0-c243-480d-9571-08727551a66f appId=\"e7af59a0-c243-480d-9571-08727551a66f\"\n", line);
        }

        [Fact]
        public void Non_ascii_text_is_utf8_including_surrogate_pairs()
        {
            using var w = new LineProtocolWriter(16);
            w.BeginPoint("m");
            w.Tag("user", "Jürgen Ødegård 日本 😀");
            w.StringField("s", "é😀");
            w.EndPoint();
            byte[] expected = Encoding.UTF8.GetBytes("m,user=Jürgen\\ Ødegård\\ 日本\\ 😀 s=\"é😀\"\n");
            Assert.Equal(expected, w.Written.ToArray());
        }

        [Fact]
        public void A_lone_surrogate_becomes_the_replacement_character()
        {
            string line = Point(w =>
            {
                w.BeginPoint("m");
                w.Tag("t", "a\uD800b");
                w.StringField("s", "\uDC00");
                w.EndPoint();
            });
            Assert.Equal("m,t=a\uFFFDb s=\"\uFFFD\"\n", line);
        }

        [Theory]
        [InlineData(InfluxDbPrecision.Nanoseconds, 1465839830100400200L, "ns")]
        [InlineData(InfluxDbPrecision.Microseconds, 1465839830100400L, "u")]
        [InlineData(InfluxDbPrecision.Milliseconds, 1465839830100L, "ms")]
        [InlineData(InfluxDbPrecision.Seconds, 1465839830L, "s")]
        public void Timestamps_are_counted_from_the_unix_epoch_in_the_chosen_precision(InfluxDbPrecision precision, long expected, string parameter)
        {
            var time = new DateTime(2016, 6, 13, 17, 43, 50, DateTimeKind.Utc).AddTicks(1004002);
            Assert.Equal(expected, LineProtocolWriter.ToTimestamp(time, precision));
            Assert.Equal(parameter, LineProtocolWriter.PrecisionParameter(precision));
        }

        [Fact]
        public void Local_times_are_converted_to_utc()
        {
            var utc = new DateTime(2024, 11, 15, 17, 28, 3, DateTimeKind.Utc);
            Assert.Equal(
                LineProtocolWriter.ToTimestamp(utc, InfluxDbPrecision.Seconds),
                LineProtocolWriter.ToTimestamp(utc.ToLocalTime(), InfluxDbPrecision.Seconds));
        }

        [Fact]
        public void A_point_without_fields_is_refused_and_can_be_abandoned()
        {
            using var w = new LineProtocolWriter();
            w.BeginPoint("ok");
            w.StringField("f", "1");
            w.EndPoint();
            w.BeginPoint("broken");
            w.Tag("t", "v");
            Assert.Throws<InvalidOperationException>(() => w.EndPoint());
            w.AbandonPoint();
            Assert.Equal("ok f=\"1\"\n", Text(w));
            Assert.Equal(1, w.PointCount);
        }

        [Fact]
        public void Tags_after_a_field_are_refused()
        {
            using var w = new LineProtocolWriter();
            w.BeginPoint("m");
            w.StringField("f", "1");
            Assert.Throws<InvalidOperationException>(() => w.Tag("late", "x"));
        }

        [Fact]
        public void The_buffer_grows_and_clear_starts_over()
        {
            using var w = new LineProtocolWriter(16);
            var expected = new StringBuilder();
            string big = new string('x', 5000);
            for (int i = 0; i < 200; i++)
            {
                w.BeginPoint("m");
                w.Tag("i", i.ToString());
                w.StringField("big", big);
                w.EndPoint(i);
                expected.Append("m,i=").Append(i).Append(" big=\"").Append(big).Append("\" ").Append(i).Append('\n');
            }

            Assert.Equal(expected.ToString(), Text(w));
            Assert.Equal(200, w.PointCount);
            w.Clear();
            Assert.Equal(0, w.Length);
            w.BeginPoint("n");
            w.StringField("f", "2");
            w.EndPoint();
            Assert.Equal("n f=\"2\"\n", Text(w));
        }

        [Fact]
        public void Points_out_of_order_are_refused_with_the_rule_they_broke()
        {
            using var w = new LineProtocolWriter();
            Assert.Equal("BeginPoint must come before a field.", Assert.Throws<InvalidOperationException>(() => w.StringField("f", "1")).Message);
            Assert.Equal("BeginPoint must come before a field.", Assert.Throws<InvalidOperationException>(() => w.StringField("f", Guid.Empty)).Message);
            Assert.Equal("A point needs at least one field.", Assert.Throws<InvalidOperationException>(() => w.EndPoint(1)).Message);
            Assert.Equal("Tags must come right after BeginPoint, before any field.", Assert.Throws<InvalidOperationException>(() => w.Tag("t", "v")).Message);
            Assert.Equal("Tags must come right after BeginPoint, before any field.", Assert.Throws<InvalidOperationException>(() => w.Tag("t", Guid.Empty)).Message);

            w.BeginPoint("m");
            Assert.Equal("The previous point was not ended.", Assert.Throws<InvalidOperationException>(() => w.BeginPoint("n")).Message);
            w.StringField("f", "1");
            Assert.Equal("Tags must come right after BeginPoint, before any field.", Assert.Throws<InvalidOperationException>(() => w.Tag("t", Guid.Empty)).Message);
            w.EndPoint();
            Assert.Equal("A point needs at least one field.", Assert.Throws<InvalidOperationException>(() => w.EndPoint()).Message);
            Assert.Equal("m f=\"1\"\n", Text(w));
            Assert.Equal(1, w.PointCount);
        }

        [Fact]
        public void A_measurement_or_field_key_with_nothing_storable_is_refused()
        {
            using var w = new LineProtocolWriter();
            var empty = Assert.Throws<ArgumentException>(() => w.BeginPoint(""));
            Assert.Equal("measurement", empty.ParamName);
            Assert.StartsWith("A measurement name must not be empty.", empty.Message);

            // Only backslashes: influxd cannot store them at the end of a name, so nothing is left.
            Assert.Equal("measurement", Assert.Throws<ArgumentException>(() => w.BeginPoint("\\\\")).ParamName);
            w.AbandonPoint();

            w.BeginPoint("m");
            var noKey = Assert.Throws<ArgumentException>(() => w.StringField("", "1"));
            Assert.Equal("key", noKey.ParamName);
            Assert.StartsWith("A field key must not be empty.", noKey.Message);
            w.AbandonPoint();
            Assert.Equal(0, w.Length);
            Assert.Equal(0, w.PointCount);
        }

        [Fact]
        public void A_tag_whose_key_or_value_is_only_unstorable_backslashes_is_left_out()
        {
            string line = Point(w =>
            {
                w.BeginPoint("m");
                w.Tag("\\", "value");
                w.Tag("key", "\\");
                w.Tag("joined", null, "");
                w.Tag("joinedOnly", null, "x");
                w.Tag("kept", "v");
                w.StringField("s", "1");
                w.EndPoint();
            });
            Assert.Equal("m,joinedOnly=\\x,kept=v s=\"1\"\n", line);
        }

        [Fact]
        public void Abandoning_between_points_keeps_what_was_written()
        {
            using var w = new LineProtocolWriter();
            w.BeginPoint("a");
            w.StringField("f", "1");
            w.EndPoint(5);
            w.AbandonPoint();
            w.BeginPoint("b");
            w.StringField("f", "2");
            w.EndPoint(6);
            Assert.Equal("a f=\"1\" 5\nb f=\"2\" 6\n", Text(w));
            Assert.Equal(2, w.PointCount);
        }

        [Fact]
        public void A_small_first_buffer_still_takes_a_long_point_written_in_one_go()
        {
            // Names, tags and quoted strings reserve their worst case up front: 4 bytes a character.
            using var w = new LineProtocolWriter(1);
            string name = new string('n', 300);
            string value = new string('\u00e9', 300);
            w.BeginPoint(name);
            w.Tag("t", value, value);
            w.StringField("s", value, value);
            w.StringField("g", Guid.Empty);
            w.EndPoint(long.MinValue);
            string expected = name + ",t=" + value + "\\" + value + " s=\"" + value + "\\\\" + value + "\",g=\"00000000-0000-0000-0000-000000000000\" " + "-9223372036854775808\n";
            Assert.Equal(expected, Text(w));
            Assert.Equal(Encoding.UTF8.GetByteCount(expected), w.Length);
            Assert.Equal(w.Length, w.Written.Count);
        }

        [Fact]
        public void Disposing_returns_the_buffer_and_leaves_nothing_written()
        {
            var w = new LineProtocolWriter();
            w.BeginPoint("m");
            w.StringField("f", "1");
            w.EndPoint();
            w.Dispose();
            Assert.Equal(0, w.Length);
            Assert.Empty(w.Buffer);
            w.Dispose();
            Assert.Empty(w.Buffer);
        }

        [Fact]
        public void A_null_string_field_is_an_empty_string()
        {
            string line = Point(w =>
            {
                w.BeginPoint("m");
                w.StringField("s", null);
                w.StringField("j", null, "x");
                w.EndPoint();
            });
            Assert.Equal("m s=\"\",j=\"\\\\x\"\n", line);
        }

        [Fact]
        public void Utf8_is_written_right_at_the_edges_of_each_length()
        {
            // U+0080 and U+07FF: two bytes; U+0800, U+FFFD: three; U+10000 and U+10FFFF: four.
            string[] texts = { "\u007F", "\u0080", "\u07FF", "\u0800", "\uFFFD", "\U00010000", "\U00040000", "\U0010FFFF" };
            foreach (string text in texts)
            {
                using var w = new LineProtocolWriter(16);
                w.BeginPoint("m" + text);
                w.Tag("t", text);
                w.StringField("s", text);
                w.EndPoint();
                Assert.Equal(Encoding.UTF8.GetBytes("m" + text + ",t=" + text + " s=\"" + text + "\"\n"), w.Written.ToArray());
            }
        }

        [Fact]
        public void A_lone_surrogate_next_to_other_text_or_at_the_end_of_a_joined_value_becomes_the_replacement_character()
        {
            using var w = new LineProtocolWriter(16);
            w.BeginPoint("m");
            w.Tag("low", "\u00e9\uDC00");         // a low surrogate after an ordinary non-ASCII character
            w.Tag("joined", "a", "b\uD800");      // a high surrogate as the very last character of the joined part
            w.StringField("s", "\u00e9\uDC00", "\uD800");
            w.EndPoint();
            Assert.Equal(Encoding.UTF8.GetBytes("m,low=\u00e9\uFFFD,joined=a\\b\uFFFD s=\"\u00e9\uFFFD\\\\\uFFFD\"\n"), w.Written.ToArray());
        }

        [Fact]
        public void A_long_name_of_three_byte_characters_fits_whatever_the_first_buffer()
        {
            // 1023 characters of three UTF-8 bytes each: more than twice the characters' count in bytes.
            string name = new string('\u65e5', 1023);
            using var w = new LineProtocolWriter(1);
            w.BeginPoint(name);
            w.Tag(name, name, name);
            w.StringField(name, name);
            w.EndPoint();
            Assert.Equal(Encoding.UTF8.GetBytes(name + "," + name + "=" + name + "\\" + name + " " + name + "=\"" + name + "\"\n"), w.Written.ToArray());
        }

        [Fact]
        public void The_first_buffer_has_room_for_at_least_256_bytes()
        {
            using var small = new LineProtocolWriter(1);
            Assert.True(small.Buffer.Length >= 256, "buffer of " + small.Buffer.Length);
            using var usual = new LineProtocolWriter();
            Assert.True(usual.Buffer.Length >= 64 * 1024, "buffer of " + usual.Buffer.Length);
        }

        // Adds ",a=b" tags until fewer than room bytes of the buffer are left; returns how many.
        private static int FillTags(LineProtocolWriter w, int room)
        {
            int count = 0;
            for (; w.Length < w.Buffer.Length - room; count++)
            {
                w.Tag("a", "b");
            }

            return count;
        }

        // Adds ",f=\"\"" fields until fewer than room bytes of the buffer are left; returns how many.
        private static int FillFields(LineProtocolWriter w, int room)
        {
            int count = 0;
            for (; w.Length < w.Buffer.Length - room; count++)
            {
                w.StringField("f", "");
            }

            return count;
        }

        [Fact]
        public void A_guid_or_timestamp_that_does_not_fit_in_the_rest_of_the_buffer_makes_it_grow()
        {
            var id = Guid.Parse("E7AF59A0-C243-480D-9571-08727551A66F");
            using var w = new LineProtocolWriter(1);
            w.BeginPoint("m");
            int tags = FillTags(w, 36);          // 36 bytes or fewer left, then ",g=" and the GUID's 36
            w.Tag("g", id);
            w.StringField("f", "");
            int fields = FillFields(w, 18);      // 18 bytes or fewer left for " " and 20 characters
            w.EndPoint(long.MinValue);

            var expected = new StringBuilder("m");
            expected.Insert(1, ",a=b", tags);
            expected.Append(",g=e7af59a0-c243-480d-9571-08727551a66f f=\"\"");
            expected.Insert(expected.Length, ",f=\"\"", fields);
            expected.Append(" -9223372036854775808\n");
            Assert.Equal(expected.ToString(), Text(w));

            using var g = new LineProtocolWriter(1);
            g.BeginPoint("m");
            tags = FillTags(g, 36);
            g.StringField("f", id);
            g.EndPoint();
            Assert.Equal("m" + new StringBuilder().Insert(0, ",a=b", tags) + " f=\"e7af59a0-c243-480d-9571-08727551a66f\"\n", Text(g));
        }

        [Fact]
        public void A_point_that_ends_exactly_at_the_end_of_the_buffer_does_not_grow_it()
        {
            using var w = new LineProtocolWriter(1);
            byte[] first = w.Buffer;
            int size = first.Length;
            // "m" + t tags of ",a=b" + " f=\"\"" + ",f=\"\"" + "\n" is exactly the buffer: 1 + 4t + 10 + 1 = size.
            Assert.Equal(0, (size - 12) % 4);
            w.BeginPoint("m");
            for (int i = 0; i < (size - 12) / 4; i++)
            {
                w.Tag("a", "b");
            }

            w.StringField("f", "");
            w.StringField("f", "");
            w.EndPoint();
            Assert.Equal(size, w.Length);
            Assert.Same(first, w.Buffer);
            Assert.EndsWith(",a=b f=\"\",f=\"\"\n", Text(w));
        }

        [Fact]
        public void Disposing_and_growing_return_the_buffers_to_the_pool()
        {
            // The shared pool hands the array returned last on this thread out again first.
            var w = new LineProtocolWriter(1);
            byte[] first = w.Buffer;
            w.BeginPoint(new string('m', first.Length));
            Assert.NotSame(first, w.Buffer);
            byte[] reused = System.Buffers.ArrayPool<byte>.Shared.Rent(first.Length);
            Assert.Same(first, reused);
            System.Buffers.ArrayPool<byte>.Shared.Return(reused);

            byte[] second = w.Buffer;
            w.Dispose();
            byte[] again = System.Buffers.ArrayPool<byte>.Shared.Rent(second.Length);
            Assert.Same(second, again);
            System.Buffers.ArrayPool<byte>.Shared.Return(again);
        }

        [Fact]
        public void A_long_string_field_of_three_byte_characters_fits_whatever_the_first_buffer()
        {
            // 1021 three-byte characters after "m s=\"": more than twice their count in bytes, and a
            // reservation of twice the count would end exactly at a power of two.
            string value = new string('\u65e5', 1021);
            using var w = new LineProtocolWriter(1);
            w.BeginPoint("m");
            w.StringField("s", value);
            w.EndPoint();
            Assert.Equal(Encoding.UTF8.GetBytes("m s=\"" + value + "\"\n"), w.Written.ToArray());
        }

        [Fact]
        public void A_byte_after_a_point_that_fills_the_buffer_exactly_makes_it_grow()
        {
            var id = Guid.Parse("E7AF59A0-C243-480D-9571-08727551A66F");
            using var w = new LineProtocolWriter(1);
            byte[] first = w.Buffer;
            int size = first.Length;
            // "mmm" + t tags of ",a=b" + " g=\"<36>\"" (41 bytes) is exactly the buffer.
            Assert.Equal(0, (size - 44) % 4);
            w.BeginPoint("mmm");
            int tags = (size - 44) / 4;
            for (int i = 0; i < tags; i++)
            {
                w.Tag("a", "b");
            }

            w.StringField("g", id);
            Assert.Equal(size, w.Length);
            Assert.Same(first, w.Buffer);

            w.EndPoint(5);
            Assert.Equal("mmm" + new StringBuilder().Insert(0, ",a=b", tags) + " g=\"e7af59a0-c243-480d-9571-08727551a66f\" 5\n", Text(w));
        }
    }
}
