using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using QlikActivity.Core.Tests.Destinations.Mqtt.Support;
using Xunit;

namespace QlikActivity.PowerShell.Tests.Fixtures
{
    /// <summary>
    /// One help example run in a fresh runspace: its code from the built MAML (Get-Help), a prelude of
    /// set-up, literal substitutions of hosts, paths and ports that exist only on a real Sense network,
    /// answers for Read-Host, Get-Credential and Get-Secret, and a temporary working directory.
    /// </summary>
    public sealed class ExampleRun : IDisposable
    {
        private readonly List<string> _prelude = new List<string>();
        private readonly List<(string From, string To)> _substitutions = new List<(string, string)>();
        private readonly Dictionary<string, string> _answers = new Dictionary<string, string>(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        private readonly string _name;

        public ExampleRun(string command, int number, string? code = null)
        {
            _name = $"{command} example {number}";
            WorkingDirectory = Path.Combine(Path.GetTempPath(), "qa-example-" + Guid.NewGuid().ToString("N").Substring(0, 12));
            Directory.CreateDirectory(WorkingDirectory);
            Session = ModuleSession.Start();
            if (code == null)
            {
                var help = Session.Run($"@((Get-Help -Name {command}).examples.example)[{number - 1}].code");
                code = help.Output.SingleOrDefault()?.ToString();
                Assert.False(string.IsNullOrWhiteSpace(code), $"{_name}: no code in the built help");
            }

            Code = code!.Replace("\r", "");
        }

        public ModuleSession Session { get; }

        /// <summary>The example's code as Get-Help shows it.</summary>
        public string Code { get; }

        /// <summary>Where the example runs (Set-Location): its relative files land here.</summary>
        public string WorkingDirectory { get; }

        /// <summary>Replaces a host, path or port of a real Sense network with the local one; the text must be in the example.</summary>
        public ExampleRun Substitute(string from, string to)
        {
            Assert.True(Code.Contains(from, StringComparison.Ordinal), $"{_name} no longer contains '{from}': update its prelude");
            _substitutions.Add((from, to));
            return this;
        }

        /// <summary>A port the example leaves at its default (9997, 4242, 1883) goes to the local server instead.</summary>
        public ExampleRun DefaultPort(string command, int port) => Prelude($"$PSDefaultParameterValues['{command}:Port'] = {port}");

        public ExampleRun Prelude(string script)
        {
            _prelude.Add(script);
            return this;
        }

        /// <summary>What the admin types at the Read-Host or Get-Credential prompt whose text contains <paramref name="prompt"/>.</summary>
        public ExampleRun Answer(string prompt, string text)
        {
            _answers[prompt] = text;
            return this;
        }

        /// <summary>A secret the example reads with Get-Secret (SecretManagement is not installed here).</summary>
        public ExampleRun Secret(string name, string value)
        {
            _secrets[name] = value;
            return this;
        }

        /// <summary>Answers -Confirm prompts of state-changing cmdlets with Yes (the examples assume a console that would ask).</summary>
        public ExampleRun Confirm() => Prelude("$ConfirmPreference = 'None'");

        /// <summary>Start-ThreadJob from pwsh's own module folder, and QlikActivity importable by name in the jobs' runspaces.</summary>
        public ExampleRun ThreadJobs()
        {
            string module = ThreadJobModule();
            string modules = Path.GetDirectoryName(Path.GetDirectoryName(ModuleSession.ModuleManifest))!;
            return Prelude($"Import-Module '{module}'; if (($env:PSModulePath -split [IO.Path]::PathSeparator) -notcontains '{modules}') {{ $env:PSModulePath = '{modules}' + [IO.Path]::PathSeparator + $env:PSModulePath }}");
        }

        public string Folder(string name)
        {
            string folder = Path.Combine(WorkingDirectory, name);
            Directory.CreateDirectory(folder);
            return folder;
        }

        /// <summary>The prelude, then the example's code (with its substitutions) as one script.</summary>
        public string Script()
        {
            string code = _substitutions.Aggregate(Code, (text, s) => text.Replace(s.From, s.To, StringComparison.Ordinal));
            var prelude = new List<string> { $"Set-Location -LiteralPath '{WorkingDirectory}'" };
            if (_answers.Count > 0)
            {
                string table = string.Join("; ", _answers.Select(a => $"'{Escape(a.Key)}' = '{Escape(a.Value)}'"));
                prelude.Add("$script:answers = @{ " + table + " }");
                prelude.Add("function Read-Host { param([object] $Prompt, [switch] $AsSecureString) $text = $script:answers[($script:answers.Keys | Where-Object { \"$Prompt\" -like \"*$_*\" } | Select-Object -First 1)]; if ($null -eq $text) { throw \"Unexpected Read-Host: $Prompt\" }; if ($AsSecureString) { $secure = [securestring]::new(); foreach ($c in $text.ToCharArray()) { $secure.AppendChar($c) }; $secure } else { $text } }");
                prelude.Add("function Get-Credential { param([string] $UserName, [string] $Message) $text = $script:answers[($script:answers.Keys | Where-Object { \"$Message\" -like \"*$_*\" } | Select-Object -First 1)]; if ($null -eq $text) { throw \"Unexpected Get-Credential: $Message\" }; [pscredential]::new($UserName, (ConvertTo-SecureString $text -AsPlainText -Force)) }");
            }

            if (_secrets.Count > 0)
            {
                string table = string.Join("; ", _secrets.Select(a => $"'{Escape(a.Key)}' = '{Escape(a.Value)}'"));
                prelude.Add("$script:secrets = @{ " + table + " }");
                prelude.Add("function Get-Secret { param([string] $Name, [switch] $AsPlainText) $text = $script:secrets[$Name]; if ($null -eq $text) { throw \"No secret $Name\" }; if ($AsPlainText) { $text } else { ConvertTo-SecureString $text -AsPlainText -Force } }");
            }

            prelude.AddRange(_prelude);
            return string.Join("\n", prelude) + "\n" + code;
        }

        public RunResult Run() => Session.Run(Script());

        /// <summary>For examples that run until Ctrl+C: stops once <paramref name="stopWhen"/> holds.</summary>
        public RunResult RunAndStop(Func<RecordingHost, bool> stopWhen) => Session.RunAndStop(Script(), stopWhen, TimeSpan.FromMinutes(2));

        /// <summary>
        /// For examples that need Windows: the code parses, and every parameter it gives a QlikActivity
        /// cmdlet exists on that cmdlet.
        /// </summary>
        public void AssertParsesWithKnownParameters()
        {
            var ast = Parser.ParseInput(Code, out _, out var errors);
            Assert.Empty(errors);
            var calls = ast.FindAll(a => a is CommandAst c && (c.GetCommandName() ?? "").Contains("-Qlik", StringComparison.Ordinal), true).Cast<CommandAst>().ToList();
            Assert.NotEmpty(calls);
            foreach (var call in calls)
            {
                string name = call.GetCommandName()!;
                var known = Session.Run($"(Get-Command -Name {name}).Parameters.Values | ForEach-Object {{ $_.Name; $_.Aliases }}").Output.Select(o => o.ToString()).ToHashSet(StringComparer.OrdinalIgnoreCase);
                Assert.True(known.Count > 0, $"{name} is not a QlikActivity cmdlet");
                foreach (var parameter in call.CommandElements.OfType<CommandParameterAst>())
                {
                    Assert.True(known.Contains(parameter.ParameterName), $"{_name}: {name} has no -{parameter.ParameterName}");
                }
            }
        }

        /// <summary>
        /// Every type the example names in brackets ([QlikActivity.Core.UserEvent], [pscredential]) exists
        /// in the session: a type renamed by a namespace move would otherwise only fail once an object reaches it.
        /// </summary>
        public void AssertTypeLiteralsResolve()
        {
            var ast = Parser.ParseInput(Code, out _, out _);
            var names = ast.FindAll(a => a is TypeExpressionAst || a is TypeConstraintAst, true)
                .Select(a => a is TypeExpressionAst e ? e.TypeName.FullName : ((TypeConstraintAst)a).TypeName.FullName)
                .Distinct()
                .ToList();
            foreach (var name in names)
            {
                var resolved = Session.Run("$null -ne ($args[0] -as [type])", name);
                Assert.True(resolved.Output.Count == 1 && (bool)resolved.Output[0].BaseObject, $"{_name} names the type [{name}], which does not exist");
            }
        }

        public void Dispose()
        {
            Session.Dispose();
            try
            {
                Directory.Delete(WorkingDirectory, true);
            }
            catch (IOException)
            {
            }
        }

        private static string Escape(string text) => text.Replace("'", "''");

        /// <summary>Microsoft.PowerShell.ThreadJob as pwsh 7.6 ships it (the SDK does not carry its modules).</summary>
        private static string ThreadJobModule()
        {
            var roots = new[]
            {
                Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", ".store", "powershell"),
                "/opt/microsoft/powershell",
                "/usr/lib/powershell",
            };
            foreach (var root in roots.Where(Directory.Exists))
            {
                var found = Directory.GetDirectories(root, "Microsoft.PowerShell.ThreadJob", SearchOption.AllDirectories)
                    .FirstOrDefault(d => !d.Contains($"{Path.DirectorySeparatorChar}win{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
                if (found != null)
                {
                    return found;
                }
            }

            throw new InvalidOperationException("Start-ThreadJob is needed: install pwsh 7.6 (dotnet tool install --global PowerShell --version 7.6.10), which ships Microsoft.PowerShell.ThreadJob.");
        }
    }

    /// <summary>A mosquitto with TLS from a private CA and one user, as example 2 of New-QlikMqttDestination expects.</summary>
    public sealed class MqttTlsBroker : IDisposable
    {
        private readonly TestCertificates _certificates;

        private MqttTlsBroker(TestCertificates certificates, MosquittoBroker broker)
        {
            _certificates = certificates;
            Broker = broker;
        }

        public MosquittoBroker Broker { get; }

        public string CaFile => _certificates.CaFile;

        /// <summary>The folder with client.pem and client_key.pem, signed by <see cref="CaFile"/>.</summary>
        public string ClientCertificateDirectory => _certificates.Directory;

        public static MqttTlsBroker Start(string user, string password) => Start(new MosquittoOptions { User = (user, password) });

        /// <summary>A TLS broker that refuses clients without a certificate of its CA (mosquitto's require_certificate).</summary>
        public static MqttTlsBroker StartRequiringClientCertificate() => Start(new MosquittoOptions { RequireClientCertificate = true });

        private static MqttTlsBroker Start(MosquittoOptions options)
        {
            var certificates = TestCertificates.Create();
            try
            {
                options.Tls = (certificates.CaFile, certificates.ServerCertFile, certificates.ServerKeyFile);
                var broker = MosquittoBroker.Start(options);
                return new MqttTlsBroker(certificates, broker);
            }
            catch
            {
                certificates.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            Broker.Dispose();
            _certificates.Dispose();
        }
    }
}
