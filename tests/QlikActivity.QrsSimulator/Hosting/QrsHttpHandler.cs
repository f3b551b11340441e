using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using QlikActivity.QrsSimulator.Entities;
using QlikActivity.QrsSimulator.Filtering;
using QlikActivity.QrsSimulator.Security;

namespace QlikActivity.QrsSimulator.Hosting
{
    /// <summary>
    /// The thin HTTP loop: authenticates as the QRS (certificate port) or a JWT virtual proxy (proxy port),
    /// checks the Xrfkey, injects faults, routes to the store, streams JSON, and logs every request.
    /// </summary>
    internal sealed class QrsHttpHandler
    {
        private const int FlushThreshold = 64 * 1024;
        private const int MaxSessions = 10000;

        private readonly QrsStore _store;
        private readonly FaultOptions _faults;
        private readonly RequestLog _log;
        private readonly CostModel _cost;
        private readonly JwtAuthority _jwt;
        private readonly SimulatorCertificates _certificates;
        private readonly string _prefix;
        private readonly Func<DateTime> _now;
        private readonly ConcurrentDictionary<string, (string Directory, string UserId)> _sessions = new ConcurrentDictionary<string, (string, string)>();

        public QrsHttpHandler(QrsStore store, FaultOptions faults, RequestLog log, CostModel cost, JwtAuthority jwt, SimulatorCertificates certificates, string prefix, Func<DateTime> now)
        {
            _store = store;
            _faults = faults;
            _log = log;
            _cost = cost;
            _jwt = jwt;
            _certificates = certificates;
            _prefix = prefix.Trim('/');
            _now = now;
        }

        /// <summary>Set once Kestrel has bound: requests on this local port need client certificates.</summary>
        public int CertificatePort { get; set; }

        private string SessionCookie => "X-Qlik-Session-" + _prefix;

        public async Task HandleAsync(HttpContext ctx)
        {
            string method = ctx.Request.Method;
            string path = ctx.Request.Path.Value ?? "/";
            if (path.StartsWith(ControlPrefix, StringComparison.OrdinalIgnoreCase))
            {
                // The simulator's own endpoints are not QRS traffic: not logged, no faults, no cost.
                await ControlAsync(ctx, path).ConfigureAwait(false);
                return;
            }

            bool dropped = false;
            _log.Enter(method);
            try
            {
                dropped = await HandleCoreAsync(ctx, path).ConfigureAwait(false);
            }
            catch (Exception) when (ctx.RequestAborted.IsCancellationRequested)
            {
                dropped = true;
            }
            catch (Exception) when (!ctx.Response.HasStarted)
            {
                // A simulator bug must show as a 500 in the log, not as the 200 the response began with.
                ctx.Response.Clear();
                ctx.Response.StatusCode = 500;
            }
            finally
            {
                _log.Leave(method);
                _log.Add(method, path, dropped ? 0 : ctx.Response.StatusCode);
            }
        }

        // Returns true when the connection was dropped on purpose.
        private async Task<bool> HandleCoreAsync(HttpContext ctx, string path)
        {
            string user;
            string qrsPath;
            if (ctx.Connection.LocalPort == CertificatePort)
            {
                // Kestrel already refused handshakes without a certificate from our CA; this is a second lock.
                if (!_certificates.IsIssuedByRoot(ctx.Connection.ClientCertificate))
                {
                    await Text(ctx, 403, "").ConfigureAwait(false);
                    return false;
                }

                if (!QrsRequestRules.TryParseQlikUser(ctx.Request.Headers["X-Qlik-User"], out var dir, out var id))
                {
                    await Text(ctx, 403, "").ConfigureAwait(false);
                    return false;
                }

                user = dir + "\\" + id;
                qrsPath = path;
            }
            else
            {
                string mount = "/" + _prefix + "/";
                if (!path.StartsWith(mount, StringComparison.OrdinalIgnoreCase))
                {
                    await Text(ctx, 404, "").ConfigureAwait(false);
                    return false;
                }

                qrsPath = path.Substring(mount.Length - 1);
                if (qrsPath.StartsWith("/internal_forms_authentication", StringComparison.OrdinalIgnoreCase))
                {
                    await Html(ctx, 200, LoginForm).ConfigureAwait(false);
                    return false;
                }

                var who = AuthenticateProxy(ctx);
                if (who.Status != 0)
                {
                    if (who.Status == 302)
                    {
                        // What a virtual proxy does to a request it cannot authenticate: off to a login form.
                        ctx.Response.Headers.Location = $"https://{ctx.Request.Host}/{_prefix}/internal_forms_authentication/?targetId={Guid.NewGuid():D}";
                    }

                    await Text(ctx, who.Status, "").ConfigureAwait(false);
                    return false;
                }

                user = who.User!;
            }

            var query = ctx.Request.QueryString.HasValue ? ctx.Request.QueryString.Value! : "";
            bool queryOk = QrsRequestRules.TryParseQuery(query, out var parameters);
            parameters.TryGetValue("xrfkey", out var xrfkey);
            if (!QrsRequestRules.XrfkeyMatches(xrfkey, ctx.Request.Headers["X-Qlik-Xrfkey"]))
            {
                await Text(ctx, 403, QrsRequestRules.XsrfFailure).ConfigureAwait(false);
                return false;
            }

            if (!queryOk)
            {
                await Text(ctx, 400, "Missing parameter value(s)").ConfigureAwait(false);
                return false;
            }

            if (await InjectFaultAsync(ctx).ConfigureAwait(false) is { } faulted)
            {
                return faulted;
            }

            var route = QrsRequestRules.Route(qrsPath);
            CostModel.Place? place = null;
            if (_cost.Enabled && KindOf(route, ctx.Request.Method) is { } kind)
            {
                place = await _cost.EnterAsync(kind, ctx.RequestAborted).ConfigureAwait(false);
                if (place == null)
                {
                    // Service and queue are full: refused at once, as a fault of the same status would be.
                    await OverloadedAsync(ctx, _cost.OverloadStatus).ConfigureAwait(false);
                    return false;
                }
            }

            using (place)
            {
                await RouteAsync(ctx, route, parameters, user, place).ConfigureAwait(false);
            }

            return false;
        }

        private static RequestKind? KindOf(QrsRoute route, string method)
        {
            if (HttpMethods.IsGet(method))
            {
                return route.Kind switch
                {
                    QrsRouteKind.NotFound => null,
                    QrsRouteKind.List => RequestKind.List,
                    QrsRouteKind.Full => RequestKind.Full,
                    QrsRouteKind.Count => RequestKind.Count,
                    _ => RequestKind.Item,
                };
            }

            if (route.Kind == QrsRouteKind.NotFound)
            {
                return null;
            }

            if (HttpMethods.IsPut(method))
            {
                return RequestKind.Put;
            }

            if (HttpMethods.IsDelete(method))
            {
                return RequestKind.Delete;
            }

            return route.Kind == QrsRouteKind.Table ? RequestKind.Full : RequestKind.Post;
        }

        private const string ControlPrefix = "/simulator/";

        /// <summary>
        /// <c>GET /simulator/requests</c> (counts as JSON), <c>DELETE /simulator/requests</c> (reset) and
        /// <c>GET /simulator/costmodel</c>, on the certificate port only: the same client certificate as the
        /// QRS API, no Xrfkey or X-Qlik-User (they are not QRS calls).
        /// </summary>
        private async Task ControlAsync(HttpContext ctx, string path)
        {
            if (ctx.Connection.LocalPort != CertificatePort)
            {
                await Text(ctx, 404, "").ConfigureAwait(false);
                return;
            }

            if (!_certificates.IsIssuedByRoot(ctx.Connection.ClientCertificate))
            {
                await Text(ctx, 403, "").ConfigureAwait(false);
                return;
            }

            string name = path.Substring(ControlPrefix.Length).TrimEnd('/').ToLowerInvariant();
            string method = ctx.Request.Method;
            switch (name)
            {
                case "requests" when HttpMethods.IsGet(method):
                    await JsonTextAsync(ctx, _log.Counts().ToJson()).ConfigureAwait(false);
                    return;
                case "requests" when HttpMethods.IsDelete(method):
                    _log.Clear();
                    _cost.ResetCounters();
                    await Text(ctx, 204, "").ConfigureAwait(false);
                    return;
                case "costmodel" when HttpMethods.IsGet(method):
                    await JsonAsync(ctx, 200, w =>
                    {
                        w.WriteStartObject();
                        w.WriteBoolean("enabled", _cost.Enabled);
                        w.WriteNumber("capacity", _cost.Capacity);
                        w.WriteNumber("queueLimit", _cost.QueueLimit);
                        w.WriteNumber("overloadStatus", _cost.OverloadStatus);
                        w.WriteNumber("inService", _cost.InService);
                        w.WriteNumber("queued", _cost.Queued);
                        w.WriteNumber("peakInService", _cost.PeakInService);
                        w.WriteNumber("peakQueued", _cost.PeakQueued);
                        w.WriteNumber("served", _cost.Served);
                        w.WriteNumber("rejected", _cost.Rejected);
                        w.WriteEndObject();
                    }).ConfigureAwait(false);
                    return;
                case "requests":
                case "costmodel":
                    await Text(ctx, 405, "").ConfigureAwait(false);
                    return;
                default:
                    await Text(ctx, 404, "").ConfigureAwait(false);
                    return;
            }
        }

        private static async Task JsonTextAsync(HttpContext ctx, string json)
        {
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = "application/json; charset=utf-8";
            await ctx.Response.WriteAsync(json, Encoding.UTF8, ctx.RequestAborted).ConfigureAwait(false);
        }

        private static async Task OverloadedAsync(HttpContext ctx, int status)
        {
            ctx.Response.Headers.RetryAfter = "1";
            await Text(ctx, status, "").ConfigureAwait(false);
        }

        private (int Status, string? User) AuthenticateProxy(HttpContext ctx)
        {
            string? authorization = ctx.Request.Headers.Authorization;
            if (!string.IsNullOrEmpty(authorization))
            {
                const string Bearer = "Bearer ";
                if (!authorization!.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
                {
                    return (401, null);
                }

                var check = _jwt.Check(authorization.Substring(Bearer.Length).Trim(), _now());
                if (!check.Valid)
                {
                    return (401, null);
                }

                // Like the proxy, a session cookie comes with the first authenticated answer; clients that do
                // not keep cookies would grow the table forever, so it is bounded.
                if (!ctx.Request.Cookies.TryGetValue(SessionCookie, out var existing) || existing == null || !_sessions.ContainsKey(existing))
                {
                    if (_sessions.Count >= MaxSessions)
                    {
                        _sessions.Clear();
                    }

                    string session = Guid.NewGuid().ToString("D");
                    _sessions[session] = (check.UserDirectory!, check.UserId!);
                    ctx.Response.Cookies.Append(SessionCookie, session, new CookieOptions { Path = "/", HttpOnly = true, Secure = true });
                }

                return (0, check.UserDirectory + "\\" + check.UserId);
            }

            if (ctx.Request.Cookies.TryGetValue(SessionCookie, out var cookie) && cookie != null && _sessions.TryGetValue(cookie, out var known))
            {
                return (0, known.Directory + "\\" + known.UserId);
            }

            return (302, null);
        }

        // Returns null to go on, true when the connection was dropped, false when a fault status was sent.
        private async Task<bool?> InjectFaultAsync(HttpContext ctx)
        {
            string method = ctx.Request.Method;
            bool write = !HttpMethods.IsGet(method) && !HttpMethods.IsHead(method);
            if (_faults.OnlyWrites && !write)
            {
                return null;
            }

            var latency = _faults.Latency;
            if (latency > TimeSpan.Zero)
            {
                await Task.Delay(latency, ctx.RequestAborted).ConfigureAwait(false);
            }

            double r = _faults.NextDouble();
            double edge = _faults.DropRate;
            if (r < edge)
            {
                ctx.Abort();
                return true;
            }

            if (r < (edge += _faults.ServerErrorRate))
            {
                await Text(ctx, 500, "").ConfigureAwait(false);
                return false;
            }

            if (r < (edge += _faults.UnavailableRate))
            {
                await Text(ctx, 503, "").ConfigureAwait(false);
                return false;
            }

            if (r < edge + _faults.TooManyRequestsRate)
            {
                await OverloadedAsync(ctx, 429).ConfigureAwait(false);
                return false;
            }

            return null;
        }

        private async Task RouteAsync(HttpContext ctx, QrsRoute route, Dictionary<string, string> parameters, string user, CostModel.Place? place)
        {
            string method = ctx.Request.Method;
            if (place != null && !(HttpMethods.IsGet(method) && route.Kind is QrsRouteKind.List or QrsRouteKind.Full) && route.Kind != QrsRouteKind.Table)
            {
                // Lists and tables spend their time once they know how many rows they carry.
                await place.ServeAsync(0, ctx.RequestAborted).ConfigureAwait(false);
            }

            if (route.Kind == QrsRouteKind.NotFound)
            {
                await Text(ctx, 404, "").ConfigureAwait(false);
                return;
            }

            if (route.Kind == QrsRouteKind.About)
            {
                if (!HttpMethods.IsGet(method))
                {
                    await Text(ctx, 405, "").ConfigureAwait(false);
                    return;
                }

                await WriteAboutAsync(ctx).ConfigureAwait(false);
                return;
            }

            if (route.Kind is QrsRouteKind.AccessTypeInfo or QrsRouteKind.AccessTypeOverview)
            {
                if (!HttpMethods.IsGet(method))
                {
                    await Text(ctx, 405, "").ConfigureAwait(false);
                    return;
                }

                await JsonAsync(ctx, 200, w =>
                {
                    if (route.Kind == QrsRouteKind.AccessTypeInfo)
                    {
                        LicenseSummary.WriteInfo(w, _store);
                    }
                    else
                    {
                        LicenseSummary.WriteOverview(w, _store);
                    }
                }).ConfigureAwait(false);
                return;
            }

            var type = route.Type!;
            switch (route.Kind)
            {
                case QrsRouteKind.List when HttpMethods.IsGet(method):
                case QrsRouteKind.Full when HttpMethods.IsGet(method):
                case QrsRouteKind.Count when HttpMethods.IsGet(method):
                    await ListAsync(ctx, type, route.Kind, parameters, place).ConfigureAwait(false);
                    return;

                case QrsRouteKind.List when HttpMethods.IsPost(method) && type.CanCreate:
                    await CreateAsync(ctx, type, user).ConfigureAwait(false);
                    return;

                case QrsRouteKind.Table when HttpMethods.IsPost(method):
                    await TableAsync(ctx, type, parameters, place).ConfigureAwait(false);
                    return;

                case QrsRouteKind.Many when HttpMethods.IsPost(method) && type.CanCreate:
                    await CreateManyAsync(ctx, type, user).ConfigureAwait(false);
                    return;

                case QrsRouteKind.Item when HttpMethods.IsGet(method):
                    if (_store.Get(type.Path, route.Id) is { } found)
                    {
                        await EntityAsync(ctx, 200, found).ConfigureAwait(false);
                    }
                    else
                    {
                        await Text(ctx, 404, "").ConfigureAwait(false);
                    }

                    return;

                case QrsRouteKind.Item when HttpMethods.IsPut(method) && type.CanUpdate:
                    await UpdateAsync(ctx, type, route.Id, user).ConfigureAwait(false);
                    return;

                case QrsRouteKind.Item when HttpMethods.IsDelete(method) && type.CanDelete:
                    await Text(ctx, _store.Delete(type.Path, route.Id), "").ConfigureAwait(false);
                    return;

                default:
                    await Text(ctx, 405, "").ConfigureAwait(false);
                    return;
            }
        }

        private async Task ListAsync(HttpContext ctx, EntityType type, QrsRouteKind kind, Dictionary<string, string> parameters, CostModel.Place? place)
        {
            FilterExpression? filter = null;
            QrsOrder? order = null;
            try
            {
                if (parameters.TryGetValue("filter", out var f) && f.Trim().Length > 0)
                {
                    filter = FilterExpression.Parse(f, type);
                }

                if (kind != QrsRouteKind.Count && parameters.TryGetValue("orderby", out var o) && o.Trim().Length > 0)
                {
                    order = QrsOrder.Parse(o, type);
                }
            }
            catch (FilterExpressionException e)
            {
                await Text(ctx, 400, e.Message).ConfigureAwait(false);
                return;
            }

            var rows = _store.Query(type.Path, filter, order);
            if (place != null)
            {
                await place.ServeAsync(kind == QrsRouteKind.Count ? 0 : rows.Count, ctx.RequestAborted).ConfigureAwait(false);
            }

            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = "application/json; charset=utf-8";
            var body = ctx.Response.BodyWriter;
            using var w = new Utf8JsonWriter(body, EntityComposer.WriterOptions);
            if (kind == QrsRouteKind.Count)
            {
                w.WriteStartObject();
                w.WriteNumber("value", rows.Count);
                w.WriteEndObject();
                w.Flush();
                await body.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
                return;
            }

            bool full = kind == QrsRouteKind.Full;
            w.WriteStartArray();
            foreach (var e in rows)
            {
                if (full)
                {
                    w.WriteRawValue(JsonMarshal.GetRawUtf8Value(e), skipInputValidation: true);
                }
                else
                {
                    EntityComposer.WriteCondensed(w, type, e);
                }

                if (w.BytesPending > FlushThreshold)
                {
                    w.Flush();
                    await body.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
                }
            }

            w.WriteEndArray();
            w.Flush();
            await body.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
        }

        private async Task TableAsync(HttpContext ctx, EntityType type, Dictionary<string, string> parameters, CostModel.Place? place)
        {
            if (await ReadBodyAsync(ctx).ConfigureAwait(false) is not JsonObject definition)
            {
                await Text(ctx, 400, "").ConfigureAwait(false);
                return;
            }

            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            IReadOnlyList<JsonElement> rows;
            try
            {
                var table = TableQuery.Parse(definition, type);
                FilterExpression? filter = parameters.TryGetValue("filter", out var f) && f.Trim().Length > 0 ? FilterExpression.Parse(f, type) : null;
                rows = _store.Query(type.Path, filter, null);
                using var w = new Utf8JsonWriter(buffer, EntityComposer.WriterOptions);
                table.Write(w, rows, parameters);
            }
            catch (FilterExpressionException e)
            {
                await Text(ctx, 400, e.Message).ConfigureAwait(false);
                return;
            }

            if (place != null)
            {
                await place.ServeAsync(rows.Count, ctx.RequestAborted).ConfigureAwait(false);
            }

            ctx.Response.StatusCode = 201;
            ctx.Response.ContentType = "application/json; charset=utf-8";
            await ctx.Response.BodyWriter.WriteAsync(buffer.WrittenMemory, ctx.RequestAborted).ConfigureAwait(false);
        }

        private static async Task JsonAsync(HttpContext ctx, int status, Action<Utf8JsonWriter> write)
        {
            ctx.Response.StatusCode = status;
            ctx.Response.ContentType = "application/json; charset=utf-8";
            using (var w = new Utf8JsonWriter(ctx.Response.BodyWriter, EntityComposer.WriterOptions))
            {
                write(w);
            }

            await ctx.Response.BodyWriter.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
        }

        private async Task CreateAsync(HttpContext ctx, EntityType type, string user)
        {
            if (await ReadBodyAsync(ctx).ConfigureAwait(false) is not JsonObject body)
            {
                await Text(ctx, 400, "").ConfigureAwait(false);
                return;
            }

            await OutcomeAsync(ctx, _store.Create(type.Path, body, user)).ConfigureAwait(false);
        }

        private async Task CreateManyAsync(HttpContext ctx, EntityType type, string user)
        {
            if (await ReadBodyAsync(ctx).ConfigureAwait(false) is not JsonArray items)
            {
                await Text(ctx, 400, "").ConfigureAwait(false);
                return;
            }

            var created = new List<JsonElement>();
            foreach (var item in items)
            {
                if (item is not JsonObject o)
                {
                    await Text(ctx, 400, "").ConfigureAwait(false);
                    return;
                }

                var outcome = _store.Create(type.Path, o, user);
                if (outcome.Status != 201)
                {
                    await OutcomeAsync(ctx, outcome).ConfigureAwait(false);
                    return;
                }

                created.Add(outcome.Entity!.Value);
            }

            ctx.Response.StatusCode = 201;
            ctx.Response.ContentType = "application/json; charset=utf-8";
            using var w = new Utf8JsonWriter(ctx.Response.BodyWriter, EntityComposer.WriterOptions);
            w.WriteStartArray();
            foreach (var e in created)
            {
                e.WriteTo(w);
            }

            w.WriteEndArray();
            w.Flush();
            await ctx.Response.BodyWriter.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
        }

        private async Task UpdateAsync(HttpContext ctx, EntityType type, Guid id, string user)
        {
            if (type.Path == QrsEntityTypes.User && _faults.ConcurrentModificationRate > 0
                && _faults.NextDouble() < _faults.ConcurrentModificationRate)
            {
                _store.TouchUser(id);
            }

            if (type.Path == QrsEntityTypes.CustomPropertyDefinition && _faults.TakeDefinitionConflict())
            {
                _store.EditMeanwhile(type.Path, id);
            }

            if (await ReadBodyAsync(ctx).ConfigureAwait(false) is not JsonObject body)
            {
                await Text(ctx, 400, "").ConfigureAwait(false);
                return;
            }

            var outcome = _store.Update(type.Path, id, body, user);
            if (type.Path == QrsEntityTypes.User && outcome.Status == 200 && LoseAnswer(_faults) is { } stall)
            {
                // Committed, but the client never hears of it: it hangs until the client gives up, or is cut.
                if (!stall)
                {
                    ctx.Abort();
                }

                await Task.Delay(System.Threading.Timeout.Infinite, ctx.RequestAborted).ConfigureAwait(false);
            }

            await OutcomeAsync(ctx, outcome).ConfigureAwait(false);
        }

        /// <summary>Null to answer; true to stall, false to drop the connection.</summary>
        private static bool? LoseAnswer(FaultOptions faults)
        {
            double stallRate = faults.ApplyThenStallRate;
            double dropRate = faults.ApplyThenDropRate;
            if (stallRate <= 0 && dropRate <= 0)
            {
                return null;
            }

            double r = faults.NextDouble(); // the seeded sequence, so a failing run can be repeated
            return r < stallRate ? true : r < stallRate + dropRate ? false : null;
        }

        private static async Task OutcomeAsync(HttpContext ctx, WriteOutcome outcome)
        {
            if (outcome.Entity is { } entity)
            {
                await EntityAsync(ctx, outcome.Status, entity).ConfigureAwait(false);
                return;
            }

            if (outcome.Errors.Count > 0)
            {
                ctx.Response.StatusCode = outcome.Status;
                ctx.Response.ContentType = "application/json; charset=utf-8";
                using var w = new Utf8JsonWriter(ctx.Response.BodyWriter, EntityComposer.WriterOptions);
                w.WriteStartArray();
                foreach (var e in outcome.Errors)
                {
                    w.WriteStartObject();
                    w.WriteString("schemaPath", e.SchemaPath);
                    w.WriteString("errorText", e.ErrorText);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.Flush();
                await ctx.Response.BodyWriter.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
                return;
            }

            await Text(ctx, outcome.Status, "").ConfigureAwait(false);
        }

        private static async Task EntityAsync(HttpContext ctx, int status, JsonElement entity)
        {
            ctx.Response.StatusCode = status;
            ctx.Response.ContentType = "application/json; charset=utf-8";
            await ctx.Response.BodyWriter.WriteAsync(JsonMarshal.GetRawUtf8Value(entity).ToArray(), ctx.RequestAborted).ConfigureAwait(false);
        }

        private static async Task<JsonNode?> ReadBodyAsync(HttpContext ctx)
        {
            try
            {
                using var ms = new MemoryStream();
                await ctx.Request.Body.CopyToAsync(ms, ctx.RequestAborted).ConfigureAwait(false);
                if (ms.Length == 0)
                {
                    return null;
                }

                return JsonNode.Parse(ms.ToArray());
            }
            catch (JsonException)
            {
                return null;
            }
        }

        private async Task WriteAboutAsync(HttpContext ctx)
        {
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = "application/json; charset=utf-8";
            using var w = new Utf8JsonWriter(ctx.Response.BodyWriter);
            w.WriteStartObject();
            w.WriteString("schemaPath", "About");
            w.WriteString("buildVersion", "38.22.0.0");
            w.WriteString("buildDate", "11/15/2022 10:12:04 AM");
            w.WriteString("databaseProvider", "Devart.Data.PostgreSql");
            w.WriteNumber("nodeType", 1);
            w.WriteBoolean("sharedPersistence", true);
            w.WriteBoolean("requiresBootstrap", false);
            w.WriteBoolean("singleNodeOnly", false);
            w.WriteEndObject();
            w.Flush();
            await ctx.Response.BodyWriter.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
        }

        private static async Task Text(HttpContext ctx, int status, string body)
        {
            ctx.Response.StatusCode = status;
            if (body.Length > 0)
            {
                ctx.Response.ContentType = "text/plain; charset=utf-8";
                await ctx.Response.WriteAsync(body, Encoding.UTF8, ctx.RequestAborted).ConfigureAwait(false);
            }
        }

        private static async Task Html(HttpContext ctx, int status, string body)
        {
            ctx.Response.StatusCode = status;
            ctx.Response.ContentType = "text/html; charset=utf-8";
            await ctx.Response.WriteAsync(body, Encoding.UTF8, ctx.RequestAborted).ConfigureAwait(false);
        }

        private const string LoginForm =
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Qlik Sense</title></head>\n<body>\n" +
            "<form method=\"post\" action=\"\"><label>User name<input name=\"username\" type=\"text\"></label>" +
            "<label>Password<input name=\"pwd\" type=\"password\"></label><button type=\"submit\">Log in</button></form>\n</body></html>\n";
    }
}
