using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;

namespace QlikActivity.Benchmarks
{
    /// <summary><c>--name value</c> options of a sub-command.</summary>
    public sealed class BenchmarkArguments
    {
        private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

        public BenchmarkArguments(string[] args)
        {
            for (int i = 0; i < args.Length; i++)
            {
                if (!args[i].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new ArgumentException($"unexpected argument '{args[i]}'");
                }

                string name = args[i].Substring(2);
                bool hasValue = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
                _values[name] = hasValue ? args[++i] : "true";
            }
        }

        public string? Get(string name) => _values.TryGetValue(name, out var v) ? v : null;

        public string Get(string name, string fallback) => Get(name) ?? fallback;

        public int GetInt(string name, int fallback) =>
            Get(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

        /// <summary>The process's own peak working set, in MB.</summary>
        public static double PeakMegabytes()
        {
            using var p = Process.GetCurrentProcess();
            p.Refresh();
            return Math.Round(p.PeakWorkingSet64 / (1024.0 * 1024.0), 1);
        }
    }
}
