using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using QlikActivity.Core;
using QlikActivity.Core.Journal;

namespace QlikActivity.Completion
{
    /// <summary>The users of the journal named by the command's -JournalPath, for the history cmdlets' completers.</summary>
    internal static class JournalUserCompletion
    {
        /// <summary>Empty without a -JournalPath or a readable journal: completion never fails.</summary>
        public static IReadOnlyList<(string UserDirectory, string UserId)> Users(IDictionary? fakeBoundParameters)
        {
            if (fakeBoundParameters?["JournalPath"]?.ToString() is not { } given || Resolve(given) is not string path)
            {
                return Array.Empty<(string, string)>();
            }

            try
            {
                using var reader = JournalReader.Open(path);
                return reader.ReadUsers();
            }
            catch (QlikActivityException)
            {
                return Array.Empty<(string, string)>();
            }
        }

        // Relative to the PowerShell location (not the process's), as the cmdlet resolves it.
        private static string? Resolve(string path)
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                return null;
            }

            try
            {
                var result = ScriptBlock.Create("param($p) $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($p)").Invoke(path);
                return result.Count == 1 ? result[0]?.BaseObject as string : null;
            }
            catch (RuntimeException)
            {
                return null;
            }
        }
    }
}
