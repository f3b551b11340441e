using System;
using QlikActivity.Core.Activity;
using QlikActivity.Core.Qrs;
using Xunit;

namespace QlikActivity.Core.Tests.Activity.Buckets
{
    /// <summary>The decision that the repository stopped answering, fed with failures by hand: no server, no clock.</summary>
    public sealed class ServerAnswerWatchTests
    {
        private static QrsException NoAnswer(string errorId, string path = "/qrs/user/1") =>
            new QrsException("no answer from " + path, errorId, OperationErrorCategory.ConnectionError, "PUT", path);

        private static QrsException Answer(System.Net.HttpStatusCode status) =>
            new QrsException("answered " + (int)status, QrsErrorIds.ServerError, OperationErrorCategory.InvalidData, "PUT", "/qrs/user/1", status);

        [Theory]
        [InlineData(QrsErrorIds.HostUnreachable)]
        [InlineData(QrsErrorIds.ConnectionDropped)]
        [InlineData(QrsErrorIds.Timeout)]
        public void Three_requests_in_a_row_without_an_answer_stop_the_run(string errorId)
        {
            using var watch = new ServerAnswerWatch();
            Assert.True(watch.Report(NoAnswer(errorId, "/qrs/a")));
            Assert.True(watch.Report(NoAnswer(errorId, "/qrs/b")));
            Assert.False(watch.HasStopped);
            Assert.False(watch.Stopped.IsCancellationRequested);
            Assert.Equal(2, watch.ConsecutiveFailures);

            var last = NoAnswer(errorId, "/qrs/c");
            Assert.True(watch.Report(last));
            Assert.True(watch.HasStopped);
            Assert.True(watch.Stopped.IsCancellationRequested);
            Assert.Equal(3, watch.ConsecutiveFailures);
            Assert.Same(last, watch.LastFailure);
        }

        [Fact]
        public void An_answer_in_between_starts_the_count_again()
        {
            using var watch = new ServerAnswerWatch(2);
            Assert.True(watch.Report(NoAnswer(QrsErrorIds.Timeout)));
            Assert.Equal(1, watch.ConsecutiveFailures);
            watch.Answered();
            Assert.Equal(0, watch.ConsecutiveFailures);
            Assert.True(watch.Report(NoAnswer(QrsErrorIds.Timeout)));
            Assert.False(watch.HasStopped);

            // An HTTP status, even an error, is an answer: the server is there.
            Assert.False(watch.Report(Answer(System.Net.HttpStatusCode.InternalServerError)));
            Assert.Equal(0, watch.ConsecutiveFailures);
            Assert.True(watch.Report(NoAnswer(QrsErrorIds.Timeout)));
            Assert.False(watch.HasStopped);
            Assert.True(watch.Report(NoAnswer(QrsErrorIds.Timeout)));
            Assert.True(watch.HasStopped);
        }

        [Fact]
        public void Failures_that_are_not_a_missing_answer_are_not_counted()
        {
            using var watch = new ServerAnswerWatch(1);
            Assert.False(watch.Report(new InvalidOperationException("a bug")));
            Assert.False(watch.Report(new QrsConflictException("409", "PUT", "/qrs/user/1", null)));
            Assert.False(watch.Report(NoAnswer(QrsErrorIds.ServerCertificateNotTrusted)));
            Assert.False(watch.HasStopped);
            Assert.Equal(0, watch.ConsecutiveFailures);
            Assert.Null(watch.LastFailure);
        }

        [Fact]
        public void A_non_qrs_failure_does_not_reset_the_count()
        {
            using var watch = new ServerAnswerWatch(2);
            Assert.True(watch.Report(NoAnswer(QrsErrorIds.Timeout)));
            Assert.False(watch.Report(new OperationCanceledException()));
            Assert.Equal(1, watch.ConsecutiveFailures);
            Assert.True(watch.Report(NoAnswer(QrsErrorIds.Timeout)));
            Assert.True(watch.HasStopped);
        }

        [Fact]
        public void Once_stopped_an_answer_does_not_undo_it_and_the_count_is_kept()
        {
            using var watch = new ServerAnswerWatch(1);
            var first = NoAnswer(QrsErrorIds.ConnectionDropped, "/qrs/first");
            Assert.True(watch.Report(first));
            Assert.True(watch.HasStopped);

            watch.Answered();
            Assert.False(watch.Report(Answer(System.Net.HttpStatusCode.NotFound)));
            Assert.True(watch.HasStopped);
            Assert.Equal(1, watch.ConsecutiveFailures);

            // Writes in flight keep reporting: counted, and the last one is kept for the error message.
            var later = NoAnswer(QrsErrorIds.Timeout, "/qrs/later");
            Assert.True(watch.Report(later));
            Assert.Equal(2, watch.ConsecutiveFailures);
            Assert.Same(later, watch.LastFailure);
            Assert.True(watch.Stopped.IsCancellationRequested);
        }

        [Theory]
        [InlineData(0)]
        [InlineData(-5)]
        [InlineData(1)]
        public void A_threshold_below_one_is_taken_as_one(int threshold)
        {
            using var watch = new ServerAnswerWatch(threshold);
            Assert.True(watch.Report(NoAnswer(QrsErrorIds.HostUnreachable)));
            Assert.True(watch.HasStopped);
        }

        [Fact]
        public void The_default_threshold_is_three()
        {
            Assert.Equal(3, ServerAnswerWatch.DefaultThreshold);
            using var watch = new ServerAnswerWatch();
            watch.Report(NoAnswer(QrsErrorIds.Timeout));
            watch.Report(NoAnswer(QrsErrorIds.Timeout));
            Assert.False(watch.HasStopped);
        }
    }
}
