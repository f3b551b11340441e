using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace QlikActivity.Core.Tests.Destinations.InfluxDb
{
    /// <summary>
    /// A real influxd 1.x (Debian package <c>influxdb</c>) started on free loopback ports with its own config
    /// and data in a temp directory. It can be killed and started again on the same port and data, for outage
    /// tests. Shared with the benchmarks project, so it uses no test framework.
    /// </summary>
    public sealed class InfluxDbServer : IDisposable
    {
        private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
        private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };
        private readonly string _executable;
        private readonly System.Collections.Generic.Queue<string> _log = new();
        private Process? _process;

        private InfluxDbServer(string executable, string directory, int port, bool authEnabled)
        {
            _executable = executable;
            Directory = directory;
            Port = port;
            AuthEnabled = authEnabled;
        }

        public string Directory { get; }

        public int Port { get; }

        public bool AuthEnabled { get; }

        public Uri Url => new($"http://127.0.0.1:{Port}");

        /// <summary>Admin credentials used by the query helpers when auth is enabled.</summary>
        public (string User, string Password)? Admin { get; set; }

        public bool IsRunning => _process is { HasExited: false };

        /// <summary>Starts influxd; fails (never skips) with the install command when it is missing.</summary>
        public static async Task<InfluxDbServer> StartAsync(bool authEnabled = false)
        {
            QlikActivity.Testing.UnitOnlyRun.Refuse("influxd");
            string executable = FindInfluxd()
                ?? throw new InvalidOperationException(
                    "influxd (InfluxDB 1.x) was not found on PATH or in /usr/bin. Install it with: apt-get install -y influxdb");
            string directory = Path.Combine(Path.GetTempPath(), "qlikactivity-influxd-" + Guid.NewGuid().ToString("N").Substring(0, 12));
            System.IO.Directory.CreateDirectory(directory);
            var server = new InfluxDbServer(executable, directory, FreePort(), authEnabled);
            int rpcPort = FreePort();
            File.WriteAllText(Path.Combine(directory, "influxdb.conf"), $"""
                reporting-disabled = true
                bind-address = "127.0.0.1:{rpcPort}"

                [meta]
                  dir = "{directory}/meta"
                  logging-enabled = false

                [data]
                  dir = "{directory}/data"
                  wal-dir = "{directory}/wal"
                  query-log-enabled = false

                [http]
                  bind-address = "127.0.0.1:{server.Port}"
                  auth-enabled = {(authEnabled ? "true" : "false")}
                  log-enabled = false
                  max-body-size = 0

                [monitor]
                  store-enabled = false

                [continuous_queries]
                  enabled = false
                """);
            try
            {
                await server.StartProcessAsync();
            }
            catch
            {
                server.Dispose();
                throw;
            }

            return server;
        }

        /// <summary>Kills influxd at once (no clean shutdown), like a crash or a pulled cable.</summary>
        public void Kill()
        {
            if (_process != null && !_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(30_000);
            }

            _process?.Dispose();
            _process = null;
        }

        /// <summary>Starts influxd again on the same port and data directory.</summary>
        public Task RestartAsync()
        {
            Kill();
            return StartProcessAsync();
        }

        public async Task CreateDatabaseAsync(string name) =>
            await PostQueryAsync($"CREATE DATABASE \"{name}\"");

        /// <summary>Runs a statement that changes state (CREATE, DROP) through POST /query.</summary>
        public async Task<JsonElement> PostQueryAsync(string statement, (string User, string Password)? credentials = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Url, "/query"))
            {
                Content = new FormUrlEncodedContent(new[] { new System.Collections.Generic.KeyValuePair<string, string>("q", statement) }),
            };
            Authorize(request, credentials ?? Admin);
            return await ReadResultAsync(request, statement);
        }

        /// <summary>Runs a SELECT through GET /query; timestamps come back as nanoseconds since the epoch.</summary>
        public async Task<JsonElement> QueryAsync(string database, string select)
        {
            var uri = new Uri(Url, $"/query?db={Uri.EscapeDataString(database)}&epoch=ns&q={Uri.EscapeDataString(select)}");
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            Authorize(request, Admin);
            return await ReadResultAsync(request, select);
        }

        /// <summary>The rows of the first series of a SELECT, as column name → value, or none.</summary>
        public async Task<System.Collections.Generic.List<System.Collections.Generic.Dictionary<string, JsonElement>>> RowsAsync(string database, string select)
        {
            var result = await QueryAsync(database, select);
            var rows = new System.Collections.Generic.List<System.Collections.Generic.Dictionary<string, JsonElement>>();
            if (!result.TryGetProperty("series", out var series))
            {
                return rows;
            }

            foreach (var s in series.EnumerateArray())
            {
                var columns = s.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!).ToArray();
                foreach (var values in s.GetProperty("values").EnumerateArray())
                {
                    var row = new System.Collections.Generic.Dictionary<string, JsonElement>();
                    int i = 0;
                    foreach (var v in values.EnumerateArray())
                    {
                        row[columns[i++]] = v.Clone();
                    }

                    rows.Add(row);
                }
            }

            return rows;
        }

        /// <summary>How many points a measurement holds (counting a field every point has).</summary>
        public async Task<long> CountAsync(string database, string measurement = "user_events", string field = "userId")
        {
            var rows = await RowsAsync(database, $"SELECT count(\"{field}\") FROM \"{measurement}\"");
            return rows.Count == 0 ? 0 : rows[0]["count"].GetInt64();
        }

        /// <summary>The last lines influxd logged, for failure messages.</summary>
        public string LogTail()
        {
            lock (_log)
            {
                return string.Join("\n", _log);
            }
        }

        public void Dispose()
        {
            Kill();
            _http.Dispose();
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        private async Task StartProcessAsync()
        {
            var start = new ProcessStartInfo(_executable, $"-config \"{Path.Combine(Directory, "influxdb.conf")}\"")
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            var process = Process.Start(start) ?? throw new InvalidOperationException("influxd did not start.");
            void Write(string? line)
            {
                if (line == null)
                {
                    return;
                }

                lock (_log)
                {
                    _log.Enqueue(line);
                    while (_log.Count > 20)
                    {
                        _log.Dequeue();
                    }
                }
            }

            process.OutputDataReceived += (_, e) => Write(e.Data);
            process.ErrorDataReceived += (_, e) => Write(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _process = process;

            var deadline = DateTime.UtcNow + StartTimeout;
            while (DateTime.UtcNow < deadline)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"influxd exited with code {process.ExitCode} while starting:\n{LogTail()}");
                }

                try
                {
                    using var ping = await _http.GetAsync(new Uri(Url, "/ping"));
                    if (ping.StatusCode == HttpStatusCode.NoContent)
                    {
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                }

                await Task.Delay(100);
            }

            throw new TimeoutException($"influxd did not answer /ping within {StartTimeout.TotalSeconds} s:\n{LogTail()}");
        }

        private async Task<JsonElement> ReadResultAsync(HttpRequestMessage request, string statement)
        {
            using var response = await _http.SendAsync(request);
            string text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"influxd answered {(int)response.StatusCode} to '{statement}': {text}");
            }

            using var document = JsonDocument.Parse(text);
            var result = document.RootElement.GetProperty("results")[0];
            if (result.TryGetProperty("error", out var error))
            {
                throw new InvalidOperationException($"influxd failed '{statement}': {error.GetString()}");
            }

            return result.Clone();
        }

        private static void Authorize(HttpRequestMessage request, (string User, string Password)? credentials)
        {
            if (credentials is { } c)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(c.User + ":" + c.Password)));
            }
        }

        private static string? FindInfluxd()
        {
            var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "")
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Select(d => Path.Combine(d, "influxd"))
                .Append("/usr/bin/influxd");
            return candidates.FirstOrDefault(File.Exists);
        }

        private static int FreePort()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }
    }
}
