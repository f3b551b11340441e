using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Qrs;
using Xunit;

namespace QlikActivity.Core.Tests.Qrs
{
    /// <summary>The client's protocol rules over a scripted handler: no sockets, no delays.</summary>
    public class QrsClientTests
    {
        private const string TestJwt = "eyJhbGciOiJSUzI1NiJ9.eyJ1c2VySWQiOiJhbm5hIiwidXNlckRpcmVjdG9yeSI6IkxBQiJ9.c2lnbmF0dXJlLXNlY3JldA";

        [Fact]
        public async Task Every_request_carries_the_same_fresh_xrfkey_in_query_and_header()
        {
            var handler = new ScriptedHandler(_ => Json("{}"));
            using var client = Client(handler);

            await client.GetJsonAsync("about");
            await client.GetJsonAsync("about");

            var keys = handler.Requests.Select(r =>
            {
                string query = r.Uri.Query.TrimStart('?');
                string fromQuery = query.Split('&').Single(p => p.StartsWith("xrfkey=", StringComparison.Ordinal)).Substring(7);
                Assert.Equal(fromQuery, r.Headers["X-Qlik-Xrfkey"]);
                Assert.Matches("^[0-9a-zA-Z]{16}$", fromQuery);
                return fromQuery;
            }).ToList();
            Assert.NotEqual(keys[0], keys[1]);
        }

        [Fact]
        public async Task Certificate_mode_sends_x_qlik_user_and_no_authorization()
        {
            var handler = new ScriptedHandler(_ => Json("{}"));
            using var client = Client(handler, o => { o.UserDirectory = "LAB"; o.UserId = "svc"; });

            await client.GetJsonAsync("about");

            var request = Assert.Single(handler.Requests);
            Assert.Equal("UserDirectory=LAB; UserId=svc", request.Headers["X-Qlik-User"]);
            Assert.False(request.Headers.ContainsKey("Authorization"));
            Assert.Equal("https://sense.lab:4242/qrs/about", request.Uri.GetLeftPart(UriPartial.Path));
        }

        [Fact]
        public async Task Jwt_mode_sends_a_bearer_token_through_the_virtual_proxy_path()
        {
            var handler = new ScriptedHandler(_ => Json("{}"));
            using var client = Client(handler, o =>
            {
                o.AuthenticationMode = AuthenticationMode.Jwt;
                o.Jwt = new QrsSecret(TestJwt);
                o.VirtualProxy = "jwt";
            });

            await client.GetJsonAsync("user/count");

            var request = Assert.Single(handler.Requests);
            Assert.Equal("Bearer " + TestJwt, request.Headers["Authorization"]);
            Assert.False(request.Headers.ContainsKey("X-Qlik-User"));
            Assert.Equal("https://sense.lab/jwt/qrs/user/count", request.Uri.GetLeftPart(UriPartial.Path));
            Assert.Equal("LAB\\anna", client.User);
        }

        [Fact]
        public async Task The_whole_filter_is_url_encoded()
        {
            var handler = new ScriptedHandler(_ => Json("[]"));
            using var client = Client(handler);

            await client.GetJsonAsync("user", QrsFilter.Eq("userId", "o'b & c#d"));

            string query = handler.Requests[0].Uri.Query;
            Assert.Contains("&filter=userId%20eq%20%27o%5C%27b%20%26%20c%23d%27", query);
            Assert.DoesNotContain("#", handler.Requests[0].Uri.OriginalString);
        }

        [Fact]
        public async Task A_503_then_a_200_is_one_retry_and_both_requests_are_counted()
        {
            var handler = new ScriptedHandler(n => n == 0 ? Status(503, "busy") : Json("{\"value\":3}"));
            using var client = Client(handler);

            Assert.Equal(3, await client.GetCountAsync("user"));
            Assert.Equal(2, client.RequestCounts.Get);
            Assert.Equal(1, client.RequestCounts.Retries);
            Assert.Equal(2, client.RequestCounts.Total);
        }

        [Fact]
        public async Task A_429_with_retry_after_is_retried()
        {
            var handler = new ScriptedHandler(n =>
            {
                if (n > 0)
                {
                    return Json("[]");
                }

                var r = Status(429, "slow down");
                r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.Zero);
                return r;
            });
            using var client = Client(handler);

            await client.GetJsonAsync("user");
            Assert.Equal(2, handler.Requests.Count);
        }

        [Fact]
        public async Task Retries_wait_the_doubling_back_off_and_the_servers_retry_after_capped()
        {
            var handler = new ScriptedHandler(n =>
            {
                if (n >= 4)
                {
                    return Json("{\"value\":3}");
                }

                if (n < 2)
                {
                    return Status(503, "busy");
                }

                var r = Status(429, "slow down");
                r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(n == 2 ? 7 : 90));
                return r;
            });
            var clock = new TestClock();
            using var client = Client(handler, o =>
            {
                o.RetryBaseDelay = TimeSpan.FromSeconds(1);
                o.MaximumRetryDelay = TimeSpan.FromSeconds(30);
                o.Clock = clock;
            });

            Assert.Equal(3, await client.GetCountAsync("user"));

            var delays = clock.Delays;
            Assert.Equal(4, delays.Count);
            // Equal jitter: half of 1 s then of 2 s is fixed, the other half random.
            Assert.InRange(delays[0], TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1));
            Assert.InRange(delays[1], TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
            Assert.Equal(TimeSpan.FromSeconds(7), delays[2]);
            Assert.Equal(TimeSpan.FromSeconds(30), delays[3]); // 90 s asked, capped at the maximum
            Assert.Equal(4, client.RequestCounts.Retries);
        }

        [Fact]
        public async Task A_500_on_post_is_not_retried_but_a_503_is()
        {
            var five = new ScriptedHandler(_ => Status(500, "boom"));
            using (var client = Client(five))
            {
                var ex = await Assert.ThrowsAsync<QrsException>(() => client.PostJsonAsync("user", new JsonObject()));
                Assert.Equal(QrsErrorIds.ServerError, ex.ErrorId);
                Assert.Single(five.Requests);
            }

            var unavailable = new ScriptedHandler(n => n == 0 ? Status(503, "") : Json("{\"id\":\"x\"}"));
            using (var client = Client(unavailable))
            {
                await client.PostJsonAsync("user", new JsonObject());
                Assert.Equal(2, unavailable.Requests.Count);
                Assert.Equal(2, client.RequestCounts.Post);
            }
        }

        [Fact]
        public async Task Server_errors_after_all_retries_say_how_many_and_what_the_server_said()
        {
            var handler = new ScriptedHandler(_ => Status(500, "Database is down"));
            using var client = Client(handler, o => o.MaximumRetryCount = 2);

            var ex = await Assert.ThrowsAsync<QrsException>(() => client.GetJsonAsync("user/full"));

            Assert.Equal(QrsErrorIds.ServerError, ex.ErrorId);
            Assert.Contains("after 2 retries", ex.Message);
            Assert.Contains("Database is down", ex.Message);
            Assert.Contains("GET /qrs/user/full", ex.Message);
            Assert.Equal(3, handler.Requests.Count);
        }

        [Fact]
        public async Task A_409_on_put_is_a_conflict_exception()
        {
            var handler = new ScriptedHandler(_ => Status(409, ""));
            using var client = Client(handler);

            var ex = await Assert.ThrowsAsync<QrsConflictException>(() => client.PutJsonAsync("user/" + Guid.NewGuid(), new JsonObject { ["modifiedDate"] = "2020-01-01T00:00:00.000Z" }));

            Assert.Equal(QrsErrorIds.Conflict, ex.ErrorId);
            Assert.Equal(HttpStatusCode.Conflict, ex.StatusCode);
            Assert.Single(handler.Requests);
        }

        [Fact]
        public async Task A_put_sends_the_entity_and_returns_the_stored_one()
        {
            var handler = new ScriptedHandler(_ => Json("{\"id\":\"1\",\"modifiedDate\":\"2024-01-02T00:00:00.000Z\"}"));
            using var client = Client(handler);

            var stored = await client.PutJsonAsync("/qrs/user/1", new JsonObject { ["id"] = "1", ["modifiedDate"] = "2024-01-01T00:00:00.000Z" });

            Assert.Equal("2024-01-02T00:00:00.000Z", (string?)stored["modifiedDate"]);
            Assert.Equal("{\"id\":\"1\",\"modifiedDate\":\"2024-01-01T00:00:00.000Z\"}", handler.Requests[0].Body);
            Assert.Equal("application/json", handler.Requests[0].ContentType);
            Assert.Equal(1, client.RequestCounts.Put);
        }

        [Fact]
        public async Task A_401_in_jwt_mode_blames_the_token_without_printing_it()
        {
            var handler = new ScriptedHandler(_ => Status(401, ""));
            using var client = Client(handler, o =>
            {
                o.AuthenticationMode = AuthenticationMode.Jwt;
                o.Jwt = new QrsSecret(TestJwt);
                o.VirtualProxy = "jwt";
            });

            var ex = await Assert.ThrowsAsync<QrsException>(() => client.GetJsonAsync("about"));

            Assert.Equal(QrsErrorIds.Unauthorized, ex.ErrorId);
            Assert.Equal(OperationErrorCategory.AuthenticationError, ex.Category);
            Assert.Contains("rejected the JWT", ex.Message);
            Assert.Contains("'jwt'", ex.Message);
            SecretAssert.NotIn(ex.ToString(), TestJwt, "c2lnbmF0dXJlLXNlY3JldA");
        }

        [Fact]
        public async Task A_403_quotes_the_server_and_tells_xsrf_from_access()
        {
            using (var client = Client(new ScriptedHandler(_ => Status(403, "XSRF prevention check failed. Possible XSRF discovered."))))
            {
                var ex = await Assert.ThrowsAsync<QrsException>(() => client.GetJsonAsync("about"));
                Assert.Equal(QrsErrorIds.Forbidden, ex.ErrorId);
                Assert.Contains("XSRF prevention check failed", ex.Message);
                Assert.Contains("xrfkey", ex.Message);
            }

            using (var client = Client(new ScriptedHandler(_ => Status(403, "Access denied")), o => o.UserId = "someone"))
            {
                var ex = await Assert.ThrowsAsync<QrsException>(() => client.GetJsonAsync("user"));
                Assert.Contains("Access denied", ex.Message);
                Assert.Contains("INTERNAL\\someone lacks access", ex.Message);
            }
        }

        [Fact]
        public async Task A_404_is_not_found()
        {
            using var client = Client(new ScriptedHandler(_ => Status(404, "")));
            var ex = await Assert.ThrowsAsync<QrsException>(() => client.GetJsonAsync("user/" + Guid.Empty));
            Assert.Equal(QrsErrorIds.NotFound, ex.ErrorId);
            Assert.Equal(OperationErrorCategory.ObjectNotFound, ex.Category);
        }

        [Fact]
        public async Task A_400_shows_the_filter_that_was_refused()
        {
            using var client = Client(new ScriptedHandler(_ => Status(400, "Cannot parse the expression")));
            var ex = await Assert.ThrowsAsync<QrsException>(() => client.GetJsonAsync("user", QrsFilter.Raw("name eq toto")));
            Assert.Equal(QrsErrorIds.BadRequest, ex.ErrorId);
            Assert.Contains("name eq toto", ex.Message);
        }

        [Fact]
        public async Task An_html_login_page_is_recognised()
        {
            var handler = new ScriptedHandler(_ => new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent("<html><form>Log in</form></html>", Encoding.UTF8, "text/html"),
            });
            using var client = Client(handler, o =>
            {
                o.AuthenticationMode = AuthenticationMode.Jwt;
                o.Jwt = new QrsSecret(TestJwt);
                o.VirtualProxy = "win";
            });

            var ex = await Assert.ThrowsAsync<QrsException>(() => client.GetJsonAsync("about"));
            Assert.Equal(QrsErrorIds.LoginPage, ex.ErrorId);
            Assert.Contains("'win'", ex.Message);

            var ex2 = await Assert.ThrowsAsync<QrsException>(async () => await client.GetArrayAsync<JsonObject>("user").ToListAsync());
            Assert.Equal(QrsErrorIds.LoginPage, ex2.ErrorId);
        }

        [Fact]
        public async Task A_redirect_is_reported_not_followed()
        {
            var handler = new ScriptedHandler(_ =>
            {
                var r = new HttpResponseMessage(HttpStatusCode.Found);
                r.Headers.Location = new Uri("https://sense.lab/form/login?targetId=abc");
                return r;
            });
            using var client = Client(handler);

            var ex = await Assert.ThrowsAsync<QrsException>(() => client.GetJsonAsync("about"));
            Assert.Equal(QrsErrorIds.LoginPage, ex.ErrorId);
            Assert.Contains("https://sense.lab/form/login", ex.Message);
            Assert.DoesNotContain("targetId", ex.Message);
        }

        [Fact]
        public async Task A_dropped_connection_is_retried_for_get()
        {
            var handler = new ScriptedHandler(n => n == 0
                ? throw new HttpRequestException("An error occurred while sending the request.", new IOException("The response ended prematurely."))
                : Json("{}"));
            using var client = Client(handler);

            await client.GetJsonAsync("about");
            Assert.Equal(2, handler.Requests.Count);
            Assert.Equal(1, client.RequestCounts.Retries);
        }

        [Fact]
        public async Task A_dropped_connection_is_not_retried_for_post()
        {
            var handler = new ScriptedHandler(_ => throw new HttpRequestException("reset", new IOException("Connection reset by peer")));
            using var client = Client(handler);

            var ex = await Assert.ThrowsAsync<QrsException>(() => client.PostJsonAsync("user", new JsonObject()));
            Assert.Equal(QrsErrorIds.ConnectionDropped, ex.ErrorId);
            Assert.Single(handler.Requests);
        }

        [Fact]
        public async Task A_refused_connection_is_unreachable_and_names_host_and_port()
        {
            var handler = new ScriptedHandler(_ => throw new HttpRequestException("refused",
                new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused)));
            using var client = Client(handler, o => o.MaximumRetryCount = 1);

            var ex = await Assert.ThrowsAsync<QrsException>(() => client.GetJsonAsync("about", null, retryUnreachable: false, CancellationToken.None));

            Assert.Equal(QrsErrorIds.HostUnreachable, ex.ErrorId);
            Assert.Contains("sense.lab:4242", ex.Message);
            Assert.Single(handler.Requests);
        }

        [Fact]
        public async Task A_server_that_does_not_answer_times_out()
        {
            var handler = new ScriptedHandler(async (_, ct) =>
            {
                await Task.Delay(Timeout.Infinite, ct);
                return Json("{}");
            });
            using var client = Client(handler, o => o.Timeout = TimeSpan.FromMilliseconds(200));

            var ex = await Assert.ThrowsAsync<QrsException>(() => client.GetJsonAsync("about"));
            Assert.Equal(QrsErrorIds.Timeout, ex.ErrorId);
            Assert.Contains("-TimeoutSec", ex.Message);
        }

        [Fact]
        public async Task A_body_that_stops_flowing_times_out_even_after_items_arrived()
        {
            var handler = new ScriptedHandler(_ => new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StreamContent(new StallingStream(Encoding.UTF8.GetBytes("[{\"userId\":\"a\"},")))
                {
                    Headers = { ContentType = new MediaTypeHeaderValue("application/json") },
                },
            });
            using var client = Client(handler, o => o.Timeout = TimeSpan.FromMilliseconds(300));
            var seen = new List<Item>();

            var ex = await Assert.ThrowsAsync<QrsException>(async () =>
            {
                await foreach (var item in client.GetArrayAsync<Item>("user"))
                {
                    seen.Add(item);
                }
            });

            Assert.Equal(QrsErrorIds.Timeout, ex.ErrorId);
            Assert.Equal("a", Assert.Single(seen).UserId);
        }

        [Fact]
        public async Task Cancellation_is_not_reported_as_a_timeout()
        {
            var handler = new ScriptedHandler(async (_, ct) =>
            {
                await Task.Delay(Timeout.Infinite, ct);
                return Json("{}");
            });
            using var client = Client(handler);
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetJsonAsync("about", null, cts.Token));
        }

        [Fact]
        public async Task Arrays_stream_item_by_item()
        {
            string body = "[" + string.Join(",", Enumerable.Range(0, 1000).Select(i => $"{{\"id\":\"{Guid.NewGuid()}\",\"userId\":\"u{i}\",\"extra\":{{\"a\":[1,2]}}}}")) + "]";
            using var client = Client(new ScriptedHandler(_ => Json(body)));

            var items = await client.GetArrayAsync<Item>("user/full").ToListAsync();

            Assert.Equal(1000, items.Count);
            Assert.Equal("u999", items[999].UserId);
        }

        [Fact]
        public async Task A_drop_before_the_first_item_retries_the_stream()
        {
            var handler = new ScriptedHandler(n => n == 0 ? Failing("[", 1) : Json("[{\"userId\":\"a\"}]"));
            var clock = new TestClock();
            using var client = Client(handler, o =>
            {
                o.RetryBaseDelay = TimeSpan.FromSeconds(2);
                o.MaximumRetryDelay = TimeSpan.FromSeconds(30);
                o.Clock = clock;
            });

            var items = await client.GetArrayAsync<Item>("user").ToListAsync();

            Assert.Equal("a", Assert.Single(items).UserId);
            Assert.Equal(2, client.RequestCounts.Get);
            // The stream's retry waits on the same back-off as any request.
            Assert.InRange(Assert.Single(clock.Delays), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        }

        [Fact]
        public async Task A_drop_after_items_were_yielded_fails_and_says_how_far_it_got()
        {
            string start = "[" + string.Join(",", Enumerable.Range(0, 300).Select(i => $"{{\"userId\":\"u{i}\"}}")) + ",";
            var handler = new ScriptedHandler(_ => Failing(start, start.Length));
            using var client = Client(handler);
            var seen = new List<Item>();

            var ex = await Assert.ThrowsAsync<QrsException>(async () =>
            {
                await foreach (var item in client.GetArrayAsync<Item>("user"))
                {
                    seen.Add(item);
                }
            });

            Assert.Equal(QrsErrorIds.ConnectionDropped, ex.ErrorId);
            Assert.NotEmpty(seen);
            Assert.Contains($"after {seen.Count} items", ex.Message);
            Assert.Single(handler.Requests);
        }

        [Fact]
        public async Task A_body_that_is_not_an_array_is_an_unexpected_response()
        {
            using var client = Client(new ScriptedHandler(_ => Json("{\"value\":1}")));
            var ex = await Assert.ThrowsAsync<QrsException>(async () => await client.GetArrayAsync<Item>("user").ToListAsync());
            Assert.Equal(QrsErrorIds.UnexpectedResponse, ex.ErrorId);
        }

        [Fact]
        public async Task A_disposed_client_says_it_is_closed()
        {
            var client = Client(new ScriptedHandler(_ => Json("{}")));
            client.Dispose();
            var ex = await Assert.ThrowsAsync<QrsException>(() => client.GetJsonAsync("about"));
            Assert.Equal(QrsErrorIds.Disposed, ex.ErrorId);
            Assert.Contains("Connect-QlikSense", ex.Message);
        }

        [Fact]
        public async Task Parallel_requests_are_all_counted()
        {
            var handler = new ScriptedHandler(_ => Json("{}"));
            using var client = Client(handler);
            await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => client.GetJsonAsync("about"))));
            Assert.Equal(50, client.RequestCounts.Get);
            Assert.Equal(50, handler.Requests.Select(r => r.Headers["X-Qlik-Xrfkey"]).Distinct().Count());
        }

        internal sealed class Item
        {
            public string? UserId { get; set; }
        }

        internal static QrsClient Client(HttpMessageHandler handler, Action<QrsConnectionOptions>? configure = null)
        {
            var options = new QrsConnectionOptions
            {
                Server = "sense.lab",
                RetryBaseDelay = TimeSpan.Zero,
                MaximumRetryDelay = TimeSpan.Zero,
                Timeout = TimeSpan.FromSeconds(30),
            };
            configure?.Invoke(options);
            return new QrsClient(options, handler, null, null);
        }

        private static HttpResponseMessage Json(string json) => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };

        private static HttpResponseMessage Status(int status, string text) => new HttpResponseMessage((HttpStatusCode)status)
        {
            Content = new StringContent(text, Encoding.UTF8, "text/plain"),
        };

        /// <summary>A JSON response whose body breaks (like a reset connection) after <paramref name="bytes"/> bytes.</summary>
        private static HttpResponseMessage Failing(string text, int bytes) => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StreamContent(new BreakingStream(Encoding.UTF8.GetBytes(text), bytes))
            {
                Headers = { ContentType = new MediaTypeHeaderValue("application/json") },
            },
        };

        /// <summary>Gives its bytes, then never another one until cancelled.</summary>
        private sealed class StallingStream : MemoryStream
        {
            public StallingStream(byte[] data)
                : base(data)
            {
            }

            public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            {
                int n = base.Read(buffer, offset, count);
                if (n > 0)
                {
                    return n;
                }

                await Task.Delay(Timeout.Infinite, cancellationToken);
                return 0;
            }

            public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            {
                int n = base.Read(buffer.Span);
                if (n > 0)
                {
                    return n;
                }

                await Task.Delay(Timeout.Infinite, cancellationToken);
                return 0;
            }
        }

        private sealed class BreakingStream : MemoryStream
        {
            private readonly int _breakAt;

            public BreakingStream(byte[] data, int breakAt)
                : base(data)
            {
                _breakAt = breakAt;
            }

            public override int Read(byte[] buffer, int offset, int count)
            {
                if (Position >= _breakAt)
                {
                    throw new IOException("The response ended prematurely.");
                }

                return base.Read(buffer, offset, (int)Math.Min(count, _breakAt - Position));
            }

            public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
                Task.FromResult(Read(buffer, offset, count));

            public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            {
                var array = new byte[buffer.Length];
                int n = Read(array, 0, array.Length);
                array.AsSpan(0, n).CopyTo(buffer.Span);
                return new ValueTask<int>(n);
            }
        }
    }

    /// <summary>A handler that answers from a script and records what it was sent.</summary>
    internal sealed class ScriptedHandler : HttpMessageHandler
    {
        private readonly Func<int, HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> _script;
        private int _count;

        public ScriptedHandler(Func<int, HttpResponseMessage> script)
        {
            _script = (n, _, _) => Task.FromResult(script(n));
        }

        public ScriptedHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> script)
        {
            _script = (_, r, ct) => script(r, ct);
        }

        public ConcurrentQueue<Recorded> RequestQueue { get; } = new();

        public List<Recorded> Requests => RequestQueue.ToList();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
            string? body = request.Content != null ? await request.Content.ReadAsStringAsync(cancellationToken) : null;
            RequestQueue.Enqueue(new Recorded(request.Method.Method, request.RequestUri!, headers, body, request.Content?.Headers.ContentType?.MediaType));
            int n = Interlocked.Increment(ref _count) - 1;
            var response = await _script(n, request, cancellationToken);
            response.RequestMessage = request;
            return response;
        }

        internal sealed record Recorded(string Method, Uri Uri, Dictionary<string, string> Headers, string? Body, string? ContentType);
    }

    internal static class AsyncEnumerableExtensions
    {
        public static async Task<List<T>> ToListAsync<T>(this IAsyncEnumerable<T> items)
        {
            var list = new List<T>();
            await foreach (var item in items)
            {
                list.Add(item);
            }

            return list;
        }
    }
}
