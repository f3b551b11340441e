using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text;

namespace QlikActivity.PowerShell.Tests.Fixtures
{
    /// <summary>What reached the host, in order: the kind ("Host", "Warning", "Verbose", "Debug", "Error", "Progress", "Prompt") and its text.</summary>
    public sealed record HostLine(string Kind, string Text);

    /// <summary>
    /// A PSHost that records what a session would show an admin: Write-Host, warnings, verbose,
    /// debug, errors, progress, and -WhatIf text; answers -Confirm prompts with scripted choices and
    /// fails the test on any prompt it was not told to expect. The width is settable, so default
    /// views render as they would in a console of that size.
    /// </summary>
    public sealed class RecordingHost : PSHost
    {
        private readonly RecordingHostUserInterface _ui;

        public RecordingHost(int width = 120)
        {
            _ui = new RecordingHostUserInterface(width);
        }

        /// <summary>Everything written to the host so far.</summary>
        public IReadOnlyList<HostLine> Lines => _ui.Lines;

        /// <summary>The progress records received (Write-Progress).</summary>
        public IReadOnlyList<ProgressRecord> Progress => _ui.ProgressRecords;

        /// <summary>The console width the host reports (RawUI.BufferSize); hosted Out-String still needs -Width: use ModuleSession.Render.</summary>
        public int Width { get => _ui.Raw.BufferSize.Width; set => _ui.Raw.SetWidth(value); }

        /// <summary>Answers for the next choice prompts (-Confirm), by label without the '&amp;': "Yes", "Yes to All", "No", "No to All", "Suspend".</summary>
        public void Answer(params string[] labels)
        {
            foreach (var label in labels)
            {
                _ui.Answers.Enqueue(label);
            }
        }

        /// <summary>Answers not used yet.</summary>
        public int PendingAnswers => _ui.Answers.Count;

        /// <summary>The text of every line of one kind, e.g. Text("Host") for Write-Host and What if: lines.</summary>
        public IReadOnlyList<string> Text(string kind) => _ui.Lines.Where(l => l.Kind == kind).Select(l => l.Text).ToList();

        public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
        public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;
        public override Guid InstanceId { get; } = Guid.NewGuid();
        public override string Name => "QlikActivityRecordingHost";
        public override Version Version => new Version(1, 0);
        public override PSHostUserInterface UI => _ui;

        public override void EnterNestedPrompt() => throw new NotSupportedException("No nested prompts in tests.");
        public override void ExitNestedPrompt() => throw new NotSupportedException("No nested prompts in tests.");
        public override void NotifyBeginApplication() { }
        public override void NotifyEndApplication() { }
        public override void SetShouldExit(int exitCode) { }
    }

    internal sealed class RecordingHostUserInterface : PSHostUserInterface
    {
        private readonly object _gate = new object();
        private readonly List<HostLine> _lines = new List<HostLine>();
        private readonly List<ProgressRecord> _progress = new List<ProgressRecord>();
        private readonly StringBuilder _pending = new StringBuilder();

        public RecordingHostUserInterface(int width)
        {
            Raw = new RecordingRawUserInterface(width);
        }

        public RecordingRawUserInterface Raw { get; }
        public ConcurrentQueue<string> Answers { get; } = new ConcurrentQueue<string>();

        public IReadOnlyList<HostLine> Lines
        {
            get { lock (_gate) { return _lines.ToList(); } }
        }

        public IReadOnlyList<ProgressRecord> ProgressRecords
        {
            get { lock (_gate) { return _progress.ToList(); } }
        }

        public override PSHostRawUserInterface RawUI => Raw;

        private void Add(string kind, string text)
        {
            lock (_gate)
            {
                _lines.Add(new HostLine(kind, text));
            }
        }

        // Write without a newline (Write-Host -NoNewline, the "What if: " prefix) collects until the line ends.
        public override void Write(string value)
        {
            lock (_gate)
            {
                _pending.Append(value);
            }
        }

        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Write(value);

        public override void WriteLine(string value)
        {
            string line;
            lock (_gate)
            {
                line = _pending.Append(value).ToString();
                _pending.Clear();
            }

            Add("Host", line);
        }

        // Write-Host arrives as an information record tagged PSHOST; other information records are the Information kind.
        public override void WriteInformation(InformationRecord record)
        {
            bool toHost = record.Tags.Contains("PSHOST");
            Add(toHost ? "Host" : "Information", record.MessageData?.ToString() ?? "");
        }

        public override void WriteDebugLine(string message) => Add("Debug", message);
        public override void WriteErrorLine(string value) => Add("Error", value);
        public override void WriteVerboseLine(string message) => Add("Verbose", message);
        public override void WriteWarningLine(string message) => Add("Warning", message);

        public override void WriteProgress(long sourceId, ProgressRecord record)
        {
            lock (_gate)
            {
                _progress.Add(record);
                _lines.Add(new HostLine("Progress", $"{record.Activity}: {record.StatusDescription} ({record.RecordType})"));
            }
        }

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            Add("Prompt", $"{caption}: {message}");
            if (!Answers.TryDequeue(out var answer))
            {
                throw new InvalidOperationException($"Unexpected prompt: {caption}: {message}");
            }

            for (int i = 0; i < choices.Count; i++)
            {
                if (string.Equals(choices[i].Label.Replace("&", string.Empty), answer, StringComparison.OrdinalIgnoreCase))
                {
                    return i;
                }
            }

            throw new InvalidOperationException($"No choice '{answer}' in: {string.Join(", ", choices.Select(c => c.Label))}");
        }

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions)
        {
            Add("Prompt", $"{caption}: {message}: {string.Join(", ", descriptions.Select(d => d.Name))}");
            throw new InvalidOperationException("Unexpected prompt for values (a mandatory parameter is missing?): " + string.Join(", ", descriptions.Select(d => d.Name)));
        }

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
            throw new InvalidOperationException("Unexpected credential prompt: " + message);

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) =>
            throw new InvalidOperationException("Unexpected credential prompt: " + message);

        public override string ReadLine() => throw new InvalidOperationException("Unexpected Read-Host.");
        public override SecureString ReadLineAsSecureString() => throw new InvalidOperationException("Unexpected Read-Host -AsSecureString.");
    }

    internal sealed class RecordingRawUserInterface : PSHostRawUserInterface
    {
        private Size _buffer;

        public RecordingRawUserInterface(int width)
        {
            _buffer = new Size(width, 9999);
        }

        public void SetWidth(int width) => _buffer = new Size(width, _buffer.Height);

        public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
        public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;
        public override Size BufferSize { get => _buffer; set => _buffer = value; }
        public override Coordinates CursorPosition { get; set; }
        public override int CursorSize { get; set; }
        public override bool KeyAvailable => false;
        public override Size MaxPhysicalWindowSize => new Size(_buffer.Width, 100);
        public override Size MaxWindowSize => new Size(_buffer.Width, 100);
        public override Coordinates WindowPosition { get; set; }
        public override Size WindowSize { get => new Size(_buffer.Width, 100); set { } }
        public override string WindowTitle { get; set; } = "";

        public override void FlushInputBuffer() { }
        public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException();
        public override KeyInfo ReadKey(ReadKeyOptions options) => throw new InvalidOperationException("Unexpected ReadKey.");
        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
        public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
    }
}
