using System;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Destinations.InfluxDb;
using Xunit;
using static QlikActivity.Core.Tests.Destinations.TestSecrets;

namespace QlikActivity.Core.Tests.Destinations.InfluxDb
{
    /// <summary>
    /// Issue 11 item 15 (InfluxDB part): text taken from InfluxDB's answers is scrubbed as the other destinations
    /// scrub theirs, so a server or proxy echoing the request never puts the token or password into
    /// statistics, errors or warnings.
    /// </summary>
    public class InfluxDbSecretTests
    {
        private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

        [Theory]
        [InlineData(400)]
        [InlineData(401)]
        [InlineData(404)]
        [InlineData(500)]
        public async Task A_v2_answer_echoing_the_token_leaves_no_token_in_the_error(int status)
        {
            const string Token = "tok-SECRET-echo-42";
            await using var server = await RecordingHttpServer.StartAsync();
            server.Respond = r => Reply.With(status, "{\"message\":\"refused header " + r.Header("Authorization") + "\"}");
            var d = new InfluxDbDestination(new InfluxDbDestinationOptions
            {
                Url = server.BaseUri,
                Version = 2,
                Organization = "qlik",
                Bucket = "events",
                Token = Secure(Token),
                BatchInterval = TimeSpan.FromMilliseconds(20),
                MaxAttempts = 1,
            });
            await d.StartAsync(CancellationToken.None);
            d.TryEnqueue(SampleEvents.SessionStart());
            await server.WaitForRequestsAsync(1, Wait);
            await d.StopAsync(Wait);

            Assert.Equal("Token " + Token, server.Requests[0].Header("Authorization")); // it was sent, and echoed
            var s = d.GetStatistics();
            Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), s.LastError);
            Assert.Contains("refused header", s.LastError);
            InfluxDbDestinationTests.AssertNoSecret(d, Token);
        }

        [Fact]
        public async Task A_v1_answer_echoing_basic_credentials_leaves_neither_password_nor_its_base64_in_the_error()
        {
            const string Password = "pw-SECRET-echo-43";
            string basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("writer:" + Password));
            await using var server = await RecordingHttpServer.StartAsync();
            server.Respond = r => Reply.With(401, "bad auth " + r.Header("Authorization") + " for writer:" + Password);
            var d = new InfluxDbDestination(new InfluxDbDestinationOptions
            {
                Url = server.BaseUri,
                Database = "qlik",
                UserName = "writer",
                Password = Secure(Password),
                BatchInterval = TimeSpan.FromMilliseconds(20),
            });
            await d.StartAsync(CancellationToken.None);
            d.TryEnqueue(SampleEvents.SessionStart());
            await server.WaitForRequestsAsync(1, Wait);
            await d.StopAsync(Wait);

            Assert.Equal("Basic " + basic, server.Requests[0].Header("Authorization"));
            var s = d.GetStatistics();
            Assert.Contains("refused the credentials (401)", s.LastError);
            InfluxDbDestinationTests.AssertNoSecret(d, Password);
            InfluxDbDestinationTests.AssertNoSecret(d, basic);
        }

        [Fact]
        public void Credentials_in_the_url_are_refused_without_repeating_them()
        {
            var ex = Assert.Throws<QlikActivityException>(() => new InfluxDbDestination(new InfluxDbDestinationOptions
            {
                Url = new Uri("http://writer:pw-SECRET-url@127.0.0.1:8086"),
                Database = "qlik",
            }));
            Assert.Equal("InfluxDbUrlInvalid", ex.ErrorId);
            Assert.DoesNotContain("pw-SECRET-url", ex.Message);
            Assert.DoesNotContain("pw-SECRET-url", ex.ToString());
        }
    }
}
