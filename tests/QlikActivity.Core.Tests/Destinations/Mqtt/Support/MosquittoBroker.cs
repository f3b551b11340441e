using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;

namespace QlikActivity.Core.Tests.Destinations.Mqtt.Support
{
    /// <summary>How the test broker is set up.</summary>
    public sealed class MosquittoOptions
    {
        /// <summary>When set, anonymous clients are refused and this one user is known (password file made by mosquitto_passwd).</summary>
        public (string UserName, string Password)? User { get; set; }

        /// <summary>PEM files for a TLS listener: the broker's certificate, its key, and the CA.</summary>
        public (string CaFile, string CertFile, string KeyFile)? Tls { get; set; }

        /// <summary>With <see cref="Tls"/>: clients must present a certificate of the CA file (mosquitto's require_certificate).</summary>
        public bool RequireClientCertificate { get; set; }

        /// <summary>Keep sessions in a file, so a persistent subscriber survives a killed broker (see <see cref="MosquittoBroker.SaveState"/>).</summary>
        public bool Persistence { get; set; }
    }

    /// <summary>
    /// A real mosquitto started for one test on a free loopback port, from a config file in a temp
    /// folder. Kill and start it again on the same port to simulate an outage; disposing it stops it
    /// and deletes the folder.
    /// </summary>
    public sealed class MosquittoBroker : IDisposable
    {
        public const string Executable = "/usr/sbin/mosquitto";
        public const string PasswordTool = "/usr/bin/mosquitto_passwd";
        private const int SIGUSR1 = 10;

        private readonly MosquittoOptions _options;
        private readonly StringBuilder _output = new StringBuilder();
        private Process? _process;

        private MosquittoBroker(MosquittoOptions options, string directory, int port)
        {
            _options = options;
            Directory = directory;
            Port = port;
        }

        public int Port { get; }

        public string Directory { get; }

        public string ConfigPath => Path.Combine(Directory, "mosquitto.conf");

        public string DatabasePath => Path.Combine(Directory, "mosquitto.db");

        public bool IsRunning => _process is { HasExited: false };

        /// <summary>CPU time the running broker has used (user + system).</summary>
        public TimeSpan CpuTime
        {
            get
            {
                if (_process == null || _process.HasExited)
                {
                    return TimeSpan.Zero;
                }

                _process.Refresh();
                return _process.TotalProcessorTime;
            }
        }

        /// <summary>Starts a broker; throws (never skips) with the install command when mosquitto is missing.</summary>
        public static MosquittoBroker Start(MosquittoOptions? options = null)
        {
            QlikActivity.Testing.UnitOnlyRun.Refuse("mosquitto");
            RequireInstalled();
            options ??= new MosquittoOptions();
            string directory = Path.Combine(Path.GetTempPath(), "qa-mosquitto-" + Guid.NewGuid().ToString("N").Substring(0, 12));
            System.IO.Directory.CreateDirectory(directory);
            var broker = new MosquittoBroker(options, directory, FreePort());
            try
            {
                broker.WriteConfig();
                broker.Launch();
                return broker;
            }
            catch
            {
                broker.Dispose();
                throw;
            }
        }

        public static void RequireInstalled()
        {
            if (!File.Exists(Executable) || !File.Exists(PasswordTool))
            {
                throw new InvalidOperationException(
                    $"The MQTT integration tests need a real mosquitto broker ({Executable} and {PasswordTool}). Install it with: apt-get install -y mosquitto");
            }
        }

        /// <summary>Kills the broker at once (SIGKILL): no goodbye to clients, nothing saved.</summary>
        public void Kill()
        {
            if (_process == null)
            {
                return;
            }

            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            if (!_process.WaitForExit(30_000))
            {
                throw new InvalidOperationException($"mosquitto (pid {_process.Id}) did not exit after SIGKILL.");
            }

            _process.Dispose();
            _process = null;
        }

        /// <summary>Starts the broker again on the same port with the same config (and its saved state, if any).</summary>
        public void Restart()
        {
            Kill();
            Launch();
        }

        /// <summary>Asks the broker to write its sessions to disk now (SIGUSR1) and waits for the file.</summary>
        public void SaveState()
        {
            if (!_options.Persistence || _process == null)
            {
                throw new InvalidOperationException("SaveState needs a running broker with Persistence.");
            }

            File.Delete(DatabasePath);
            if (kill(_process.Id, SIGUSR1) != 0)
            {
                throw new InvalidOperationException($"kill -USR1 {_process.Id} failed: errno {Marshal.GetLastWin32Error()}");
            }

            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!File.Exists(DatabasePath))
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"mosquitto did not write {DatabasePath} after SIGUSR1.\n{Log}");
                }

                Thread.Sleep(20);
            }
        }

        /// <summary>The broker's log and console output, for failure messages.</summary>
        public string Log
        {
            get
            {
                string file = Path.Combine(Directory, "mosquitto.log");
                string log = File.Exists(file) ? ReadShared(file) : "";
                lock (_output)
                {
                    return log + _output;
                }
            }
        }

        public void Dispose()
        {
            try
            {
                Kill();
            }
            finally
            {
                try
                {
                    System.IO.Directory.Delete(Directory, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }

        private void WriteConfig()
        {
            var conf = new StringBuilder();
            conf.AppendLine($"listener {Port} 127.0.0.1");
            // Runs as whoever runs the tests (mosquitto would otherwise switch from root to 'mosquitto').
            conf.AppendLine($"user {Environment.UserName}");
            conf.AppendLine($"log_dest file {Path.Combine(Directory, "mosquitto.log")}");
            conf.AppendLine("log_type error");
            conf.AppendLine("log_type warning");
            conf.AppendLine("log_type notice");
            conf.AppendLine("log_type information");
            conf.AppendLine("connection_messages true");
            // No limit on messages queued for a slow or offline subscriber: the tests count them all.
            conf.AppendLine("max_queued_messages 0");
            conf.AppendLine("max_inflight_messages 0");
            if (_options.User is { } user)
            {
                string passwords = Path.Combine(Directory, "passwords");
                RunPasswordTool(passwords, user.UserName, user.Password);
                conf.AppendLine("allow_anonymous false");
                conf.AppendLine($"password_file {passwords}");
            }
            else
            {
                conf.AppendLine("allow_anonymous true");
            }

            if (_options.Tls is { } tls)
            {
                conf.AppendLine($"cafile {tls.CaFile}");
                conf.AppendLine($"certfile {tls.CertFile}");
                conf.AppendLine($"keyfile {tls.KeyFile}");
                if (_options.RequireClientCertificate)
                {
                    conf.AppendLine("require_certificate true");
                }
            }

            if (_options.Persistence)
            {
                conf.AppendLine("persistence true");
                conf.AppendLine($"persistence_location {Directory}/");
                conf.AppendLine("persistence_file mosquitto.db");
                conf.AppendLine("autosave_interval 0");
            }

            File.WriteAllText(ConfigPath, conf.ToString());
        }

        private void Launch()
        {
            var info = new ProcessStartInfo(Executable, $"-c {ConfigPath}")
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = Directory,
            };
            var process = new Process { StartInfo = info };
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _process = process;

            // Ready when the port accepts a TCP connection.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"mosquitto exited with code {process.ExitCode} at start.\n{Log}");
                }

                try
                {
                    using var probe = new TcpClient();
                    probe.Connect(IPAddress.Loopback, Port);
                    return;
                }
                catch (SocketException) when (DateTime.UtcNow < deadline)
                {
                    Thread.Sleep(25);
                }
                catch (SocketException ex)
                {
                    throw new TimeoutException($"mosquitto did not listen on port {Port} within 30 s: {ex.Message}\n{Log}");
                }
            }
        }

        private void Append(string? line)
        {
            if (line != null)
            {
                lock (_output)
                {
                    _output.AppendLine(line);
                }
            }
        }

        private static void RunPasswordTool(string file, string user, string password)
        {
            var info = new ProcessStartInfo(PasswordTool)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var arg in new[] { "-b", "-c", file, user, password })
            {
                info.ArgumentList.Add(arg);
            }

            using var process = Process.Start(info)!;
            string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"mosquitto_passwd failed ({process.ExitCode}): {output}");
            }
        }

        private static int FreePort()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }

        private static string ReadShared(string path)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int kill(int pid, int sig);
    }
}
