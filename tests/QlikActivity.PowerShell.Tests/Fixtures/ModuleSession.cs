using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using System.Threading.Tasks;
using PS = System.Management.Automation.PowerShell;

namespace QlikActivity.PowerShell.Tests.Fixtures
{
    /// <summary>What one script run produced: output, non-terminating errors, the terminating error if any, and the other streams.</summary>
    public sealed class RunResult
    {
        public IReadOnlyList<PSObject> Output { get; init; } = Array.Empty<PSObject>();
        public IReadOnlyList<ErrorRecord> Errors { get; init; } = Array.Empty<ErrorRecord>();

        /// <summary>The exception that ended the run (a terminating error, or PipelineStoppedException after Stop()).</summary>
        public Exception? Terminated { get; init; }
        public IReadOnlyList<WarningRecord> Warnings { get; init; } = Array.Empty<WarningRecord>();
        public IReadOnlyList<VerboseRecord> Verbose { get; init; } = Array.Empty<VerboseRecord>();
        public IReadOnlyList<InformationRecord> Information { get; init; } = Array.Empty<InformationRecord>();
        public IReadOnlyList<ProgressRecord> Progress { get; init; } = Array.Empty<ProgressRecord>();

        /// <summary>
        /// The error that ended the command: a cmdlet's terminating error stops only its statement in
        /// a script, so it arrives in the error stream; an exception out of the run comes first.
        /// </summary>
        public ErrorRecord? TerminatingRecord => (Terminated as IContainsErrorRecord)?.ErrorRecord ?? Errors.FirstOrDefault();

        /// <summary>The single output object's property, e.g. <c>result.Single&lt;string&gt;("Server")</c>.</summary>
        public T Property<T>(int index, string name) => (T)LanguagePrimitives.ConvertTo(Output[index].Properties[name].Value, typeof(T));

        /// <summary>Output rendered as text, one string.</summary>
        public string Text => string.Join(Environment.NewLine, Output.Select(o => o?.ToString()));
    }

    /// <summary>
    /// A fresh runspace with the built module imported (out/QlikActivity/QlikActivity.psd1) and a
    /// <see cref="RecordingHost"/>. Runs script text as an admin would type it.
    /// </summary>
    public sealed class ModuleSession : IDisposable
    {
        private readonly Runspace _runspace;

        private ModuleSession(Runspace runspace, RecordingHost host)
        {
            _runspace = runspace;
            Host = host;
        }

        public RecordingHost Host { get; }

        /// <summary>The repository root (holds QlikActivity.sln).</summary>
        public static string RepositoryRoot { get; } = FindRepositoryRoot();

        /// <summary>The built module's manifest; the build of src/QlikActivity lays it out.</summary>
        public static string ModuleManifest { get; } = Path.Combine(RepositoryRoot, "out", "QlikActivity", "QlikActivity.psd1");

        /// <summary>Opens a runspace (Linux-safe default session state) with the module imported.</summary>
        public static ModuleSession Start(int width = 120)
        {
            QlikActivity.Testing.UnitOnlyRun.Refuse("a PowerShell runspace");
            if (!File.Exists(ModuleManifest))
            {
                throw new InvalidOperationException($"The module is not built: {ModuleManifest}. Build src/QlikActivity first.");
            }

            var host = new RecordingHost(width);
            var state = InitialSessionState.CreateDefault2();
            var runspace = RunspaceFactory.CreateRunspace(host, state);
            runspace.Open();
            var session = new ModuleSession(runspace, host);
            var import = session.Run("Import-Module -Name $args[0] -ErrorAction Stop", ModuleManifest);
            if (import.Terminated != null || import.Errors.Count > 0)
            {
                session.Dispose();
                throw new InvalidOperationException("Import-Module failed: " + (import.Terminated?.Message ?? import.Errors[0].ToString()));
            }

            return session;
        }

        /// <summary>Sets a variable in the session, e.g. a certificate object or a SecureString.</summary>
        public void SetVariable(string name, object? value) => _runspace.SessionStateProxy.SetVariable(name, value);

        public object? GetVariable(string name) => _runspace.SessionStateProxy.GetVariable(name);

        /// <summary>Runs <paramref name="script"/> (arguments as $args), collecting every stream; a terminating error is captured, not thrown.</summary>
        public RunResult Run(string script, params object?[] arguments)
        {
            using var shell = Create(script, arguments);
            Collection<PSObject>? output = null;
            Exception? terminated = null;
            try
            {
                output = shell.Invoke();
            }
            catch (RuntimeException ex)
            {
                terminated = ex;
            }

            return Collect(shell, output, terminated);
        }

        /// <summary>
        /// Starts <paramref name="script"/>, waits until <paramref name="stopWhen"/> holds (polled), then
        /// calls PowerShell.Stop() as Ctrl+C would; returns what the run produced.
        /// </summary>
        public RunResult RunAndStop(string script, Func<RecordingHost, bool> stopWhen, TimeSpan timeout)
        {
            using var shell = Create(script, Array.Empty<object>());
            var output = new PSDataCollection<PSObject>();
            var handle = shell.BeginInvoke<PSObject, PSObject>(null, output);
            var deadline = DateTime.UtcNow + timeout;
            while (!stopWhen(Host) && !handle.IsCompleted)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException("The condition to stop never held.");
                }

                Thread.Sleep(20);
            }

            if (handle.IsCompleted)
            {
                throw new InvalidOperationException("The run finished before it could be stopped.");
            }

            // Stop() returns once the pipeline has stopped; a cmdlet that ignores Ctrl+C hangs here, so bound it.
            var stop = Task.Run(shell.Stop);
            if (!stop.Wait(TimeSpan.FromMinutes(2)))
            {
                throw new TimeoutException("PowerShell.Stop() did not return: the cmdlet ignores Ctrl+C.");
            }

            Exception? terminated = null;
            try
            {
                shell.EndInvoke(handle);
            }
            catch (RuntimeException ex)
            {
                terminated = ex;
            }

            return Collect(shell, output.ToList(), terminated, stopped: shell.InvocationStateInfo.State);
        }

        /// <summary>
        /// Starts <paramref name="script"/>, waits until <paramref name="when"/> holds (polled), runs
        /// <paramref name="act"/> once (e.g. kill the server), and waits for the run to end by itself.
        /// </summary>
        public RunResult RunAndAct(string script, Func<RecordingHost, bool> when, Action act, TimeSpan timeout)
        {
            using var shell = Create(script, Array.Empty<object>());
            var output = new PSDataCollection<PSObject>();
            var handle = shell.BeginInvoke<PSObject, PSObject>(null, output);
            var deadline = DateTime.UtcNow + timeout;
            while (!when(Host) && !handle.IsCompleted)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException("The condition to act never held.");
                }

                Thread.Sleep(20);
            }

            if (handle.IsCompleted)
            {
                throw new InvalidOperationException("The run finished before the condition held.");
            }

            act();
            // A run that never ends after the act is the failure itself: bounded, not timed.
            if (!handle.AsyncWaitHandle.WaitOne(TimeSpan.FromMinutes(3)))
            {
                shell.Stop();
                throw new TimeoutException("The run did not end by itself after the act.");
            }

            Exception? terminated = null;
            try
            {
                shell.EndInvoke(handle);
            }
            catch (RuntimeException ex)
            {
                terminated = ex;
            }

            return Collect(shell, output.ToList(), terminated);
        }

        /// <summary><c>Out-String -Width n</c> of what <paramref name="script"/> writes, as the default view shows it.</summary>
        public string Render(string script, int width)
        {
            var result = Run($"& {{ {script} }} | Out-String -Width {width}");
            if (result.Terminated != null)
            {
                throw new InvalidOperationException("Rendering failed: " + result.Terminated.Message, result.Terminated);
            }

            return string.Concat(result.Output.Select(o => o.ToString()));
        }

        private PS Create(string script, object?[] arguments)
        {
            var shell = PS.Create();
            shell.Runspace = _runspace;
            shell.AddScript(script);
            foreach (var argument in arguments)
            {
                shell.AddArgument(argument);
            }

            return shell;
        }

        private static RunResult Collect(PS shell, IEnumerable<PSObject>? output, Exception? terminated, PSInvocationState? stopped = null) => new RunResult
        {
            Output = (output ?? Enumerable.Empty<PSObject>()).Where(o => o != null).ToList(),
            Errors = shell.Streams.Error.ToList(),
            Terminated = terminated ?? (stopped == PSInvocationState.Stopped ? new PipelineStoppedException() : null),
            Warnings = shell.Streams.Warning.ToList(),
            Verbose = shell.Streams.Verbose.ToList(),
            Information = shell.Streams.Information.ToList(),
            Progress = shell.Streams.Progress.ToList(),
        };

        public void Dispose()
        {
            try
            {
                // Close the session's default connection rather than leave it open until collected.
                Run("Disconnect-QlikSense -ErrorAction SilentlyContinue");
            }
            finally
            {
                _runspace.Dispose();
            }
        }

        private static string FindRepositoryRoot()
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory != null && !File.Exists(Path.Combine(directory.FullName, "QlikActivity.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("QlikActivity.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
