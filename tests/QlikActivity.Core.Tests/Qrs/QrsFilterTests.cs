using System;
using QlikActivity.Core.Qrs;
using Xunit;

namespace QlikActivity.Core.Tests.Qrs
{
    public class QrsFilterTests
    {
        [Fact]
        public void Strings_are_quoted_with_inner_quotes_escaped_by_backslash()
        {
            Assert.Equal(@"userId eq 'o\'brien'", QrsFilter.Eq("userId", "o'brien").ToString());
        }

        [Fact]
        public void A_backslash_is_escaped_too_so_it_cannot_escape_the_closing_quote()
        {
            Assert.Equal(@"userId eq 'a\\b\'c\\'", QrsFilter.Eq("userId", @"a\b'c\").ToString());
        }

        [Fact]
        public void Guids_booleans_null_and_numbers_are_unquoted()
        {
            var id = Guid.Parse("0b5e2c1a-1111-4222-8333-444455556666");
            Assert.Equal("id eq 0b5e2c1a-1111-4222-8333-444455556666", QrsFilter.Eq("id", id).ToString());
            Assert.Equal("inactive eq false", QrsFilter.Eq("inactive", false).ToString());
            Assert.Equal("user eq null", QrsFilter.Eq("user", null).ToString());
            Assert.Equal("count eq 1.5", QrsFilter.Eq("count", 1.5).ToString());
        }

        [Fact]
        public void Dates_are_quoted_in_the_repository_format()
        {
            var when = new DateTime(2024, 11, 15, 17, 28, 3, 548, DateTimeKind.Utc);
            Assert.Equal("lastUsed eq '2024-11-15T17:28:03.548Z'", QrsFilter.Eq("lastUsed", when).ToString());
        }

        [Fact]
        public void String_operators_have_their_qrs_names()
        {
            Assert.Equal("name sw 'a'", QrsFilter.StartsWith("name", "a").ToString());
            Assert.Equal("name ew 'a'", QrsFilter.EndsWith("name", "a").ToString());
            Assert.Equal("name so 'a'", QrsFilter.Contains("name", "a").ToString());
            Assert.Equal("n ne 1", QrsFilter.Ne("n", 1).ToString());
        }

        [Fact]
        public void A_group_of_one_is_the_filter_itself()
        {
            var one = QrsFilter.Eq("a", "b");
            Assert.Same(one, QrsFilter.Or(one));
        }

        [Fact]
        public void An_empty_group_is_refused_because_the_qrs_rejects_it()
        {
            Assert.Throws<ArgumentException>(() => QrsFilter.Or());
            Assert.Null(QrsFilter.AnyOf("userDirectory", Array.Empty<object>()));
        }

        [Fact]
        public void AnyOf_builds_an_or_of_equalities()
        {
            Assert.Equal("user.userDirectory eq 'LAB' or user.userDirectory eq 'O\\'X'",
                QrsFilter.AnyOf("user.userDirectory", new object[] { "LAB", "O'X" })!.ToString());
        }

        [Fact]
        public void Raw_expressions_are_wrapped_when_combined()
        {
            Assert.Equal("(a eq 1 or b eq 2) or c eq 3", QrsFilter.Or(QrsFilter.Raw("a eq 1 or b eq 2"), QrsFilter.Eq("c", 3)).ToString());
        }

        [Theory]
        [InlineData("")]
        [InlineData("user id")]
        [InlineData("a'b")]
        public void Field_names_that_would_break_the_expression_are_refused(string field)
        {
            Assert.Throws<ArgumentException>(() => QrsFilter.Eq(field, "x"));
        }
    }
}
