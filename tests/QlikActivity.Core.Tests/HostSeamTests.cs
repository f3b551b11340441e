using Xunit;

namespace QlikActivity.Core.Tests
{
    public class HostSeamTests
    {
        [Fact]
        public void RecordingHost_answers_like_WhatIf_when_told()
        {
            var host = new RecordingHost { AnswerShouldProcess = false };
            Assert.False(host.ShouldProcess("user", "Set value"));
            Assert.Single(host.ShouldProcessCalls);
        }
    }
}
