using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Security;

namespace QlikActivity.Tests.Module
{
    /// <summary>
    /// The PowerShell conventions every QlikActivity cmdlet follows, as checks that return what is
    /// wrong (empty when all is well), so the rules themselves are tested against specimen cmdlets.
    ///
    /// The ShouldProcess rule: a cmdlet supports -WhatIf/-Confirm when it changes something outside
    /// the PowerShell session — the repository, a file, a remote listener or service. By verb:
    /// <see cref="StateChangingVerbs"/> must; <c>New</c> must when it writes a file (a Path-like
    /// parameter) and need not when it only builds an object in memory; <c>Connect</c>,
    /// <c>Disconnect</c> and <c>Start</c> (a listener in the foreground that the admin stops with
    /// Ctrl+C) change session state only and may choose; <see cref="ReadOnlyVerbs"/> must not.
    /// ConfirmImpact is set only together with SupportsShouldProcess, and High only for verbs that
    /// destroy (<see cref="DestructiveVerbs"/>): QlikActivity changes values but deletes nothing.
    /// </summary>
    internal static class CmdletRules
    {
        public static readonly string[] StateChangingVerbs =
        {
            "Set", "Remove", "Clear", "Reset", "Update", "Add", "Send", "Publish", "Install", "Uninstall",
            "Register", "Unregister", "Write", "Rename", "Move", "Copy", "Enable", "Disable", "Stop", "Restart",
        };

        public static readonly string[] ReadOnlyVerbs =
        {
            "Get", "Find", "Search", "Test", "Measure", "Format", "Show", "Watch", "Select", "Resolve", "Compare", "Trace", "Read",
        };

        public static readonly string[] DestructiveVerbs = { "Remove", "Clear", "Reset", "Uninstall", "Unregister" };

        /// <summary>Parameter names that mean a file the cmdlet writes.</summary>
        public static readonly string[] FileParameterNames = { "Path", "LiteralPath", "FilePath", "OutFile", "OutputPath" };

        /// <summary>Nouns that end in s but are singular.</summary>
        private static readonly string[] SingularEndings = { "ss", "us", "is", "Statistics", "Settings" };

        private static readonly string[] SecretWords = { "Password", "Jwt", "Token", "ApiKey", "Secret", "InsertKey", "LicenseKey", "Passphrase" };

        private static readonly Lazy<HashSet<string>> Approved = new Lazy<HashSet<string>>(() =>
            new[] { typeof(VerbsCommon), typeof(VerbsData), typeof(VerbsLifecycle), typeof(VerbsDiagnostic), typeof(VerbsCommunications), typeof(VerbsSecurity), typeof(VerbsOther) }
                .SelectMany(t => t.GetFields())
                .Where(f => f.IsLiteral && f.FieldType == typeof(string))
                .Select(f => (string)f.GetRawConstantValue()!)
                .ToHashSet(StringComparer.Ordinal));

        public static IReadOnlyCollection<string> ApprovedVerbs => Approved.Value;

        public static IEnumerable<string> Verb(CmdletMetadata c)
        {
            if (!Approved.Value.Contains(c.Verb))
            {
                yield return $"{c.Name}: '{c.Verb}' is not an approved verb (Get-Verb).";
            }
        }

        public static IEnumerable<string> Noun(CmdletMetadata c)
        {
            if (!c.Noun.StartsWith("Qlik", StringComparison.Ordinal) || c.Noun.Length <= 4 || !char.IsUpper(c.Noun[4]))
            {
                yield return $"{c.Name}: the noun must start with the 'Qlik' prefix followed by a PascalCase word.";
            }

            if (c.Noun.EndsWith("s", StringComparison.Ordinal) && !SingularEndings.Any(e => c.Noun.EndsWith(e, StringComparison.Ordinal)))
            {
                yield return $"{c.Name}: the noun must be singular.";
            }

            if (!c.Type.Name.Equals(c.Verb + c.Noun + "Command", StringComparison.Ordinal))
            {
                yield return $"{c.Name}: the class must be named {c.Verb}{c.Noun}Command, not {c.Type.Name}.";
            }
        }

        public static IEnumerable<string> ShouldProcess(CmdletMetadata c)
        {
            bool writesFile = c.Parameters.Any(p => FileParameterNames.Contains(p.Name, StringComparer.OrdinalIgnoreCase));
            bool mustSupport = StateChangingVerbs.Contains(c.Verb) || (c.Verb == "New" && writesFile);
            if (mustSupport && !c.SupportsShouldProcess)
            {
                yield return $"{c.Name} changes state outside the session: it needs SupportsShouldProcess = true (-WhatIf/-Confirm).";
            }

            if (ReadOnlyVerbs.Contains(c.Verb) && c.SupportsShouldProcess)
            {
                yield return $"{c.Name} only reads: it must not declare SupportsShouldProcess.";
            }

            if (c.ConfirmImpact != null && !c.SupportsShouldProcess)
            {
                yield return $"{c.Name} sets ConfirmImpact without SupportsShouldProcess: it has no effect.";
            }

            if (c.ConfirmImpact == ConfirmImpact.High && !DestructiveVerbs.Contains(c.Verb))
            {
                yield return $"{c.Name}: ConfirmImpact High is for cmdlets that destroy; '{c.Verb}' does not.";
            }

            if (c.ConfirmImpact == ConfirmImpact.None && c.SupportsShouldProcess)
            {
                yield return $"{c.Name}: ConfirmImpact None with SupportsShouldProcess would never confirm; use Low.";
            }
        }

        public static IEnumerable<string> OutputType(CmdletMetadata c)
        {
            if (c.OutputTypes.Count == 0)
            {
                yield return $"{c.Name} has no [OutputType].";
            }

            foreach (var entry in c.OutputTypes.Where(o => o.Type == null))
            {
                yield return $"{c.Name}: [OutputType('{entry.TypeName}')] names a type by string; use typeof so it is checked.";
            }
        }

        /// <summary>Numbers have a valid range; secrets are SecureString or PSCredential.</summary>
        public static IEnumerable<string> ParameterValidation(CmdletMetadata c)
        {
            foreach (var p in c.Parameters)
            {
                var type = Nullable.GetUnderlyingType(p.Type) ?? p.Type;
                if (type.IsArray)
                {
                    type = type.GetElementType()!;
                }

                bool numeric = type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte)
                    || type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) || type == typeof(double)
                    || type == typeof(float) || type == typeof(decimal);
                if (numeric && !p.Has<ValidateRangeAttribute>() && !p.Has<ValidateSetAttribute>())
                {
                    yield return $"{c.Name} -{p.Name}: a number needs [ValidateRange] (or [ValidateSet]).";
                }

                bool secretName = SecretWords.Any(w => p.Name.IndexOf(w, StringComparison.OrdinalIgnoreCase) >= 0)
                    && !p.Name.EndsWith("Path", StringComparison.OrdinalIgnoreCase)
                    && !p.Name.EndsWith("File", StringComparison.OrdinalIgnoreCase);
                if (secretName && type != typeof(SecureString) && type != typeof(PSCredential) && type != typeof(SwitchParameter))
                {
                    yield return $"{c.Name} -{p.Name}: a secret must be a SecureString or PSCredential, not {type.Name}.";
                }

                if (type == typeof(string) && p.Mandatory == false && p.Has<AllowEmptyStringAttribute>())
                {
                    yield return $"{c.Name} -{p.Name}: [AllowEmptyString] on an optional parameter has no effect.";
                }
            }
        }

        public static IEnumerable<string> All(CmdletMetadata c) =>
            Verb(c).Concat(Noun(c)).Concat(ShouldProcess(c)).Concat(OutputType(c)).Concat(ParameterValidation(c));
    }
}
