using System;
using System.Linq;
using System.Reflection;
using BenchmarkDotNet.Running;

namespace QlikActivity.Benchmarks
{
    /// <summary>
    /// One program, many sub-commands. End-to-end drivers implement <see cref="IBenchmarkCommand"/>
    /// (one class per file) and print exactly one JSON line last; <c>micro</c> runs the
    /// BenchmarkDotNet classes of this assembly.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            var commands = typeof(Program).Assembly.GetTypes()
                .Where(t => typeof(IBenchmarkCommand).IsAssignableFrom(t) && !t.IsAbstract && !t.IsInterface)
                .Select(t => (IBenchmarkCommand)Activator.CreateInstance(t)!)
                .OrderBy(c => c.Name, StringComparer.Ordinal)
                .ToList();

            if (args.Length == 0 || IsHelp(args[0]))
            {
                Console.WriteLine("usage: QlikActivity.Benchmarks <command> [options]");
                Console.WriteLine("  micro [BenchmarkDotNet options]   run the micro-benchmarks (e.g. --filter *Parser*)");
                foreach (var c in commands)
                {
                    Console.WriteLine($"  {c.Name,-32} {c.Description}");
                }

                return args.Length == 0 ? 2 : 0;
            }

            if (args[0] == "micro")
            {
                BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args.Skip(1).ToArray());
                return 0;
            }

            var command = commands.FirstOrDefault(c => c.Name == args[0]);
            if (command == null)
            {
                Console.Error.WriteLine($"unknown command '{args[0]}'; run with --help");
                return 2;
            }

            // "udp --help" must print help, not start a million-event run: help anywhere after the command wins.
            if (args.Skip(1).Any(IsHelp))
            {
                Console.WriteLine($"usage: QlikActivity.Benchmarks {command.Name} [options]");
                Console.WriteLine($"  {command.Description}");
                Console.WriteLine("  Options are --name value (or --name alone for a switch); the last output line is one JSON object.");
                return 0;
            }

            return command.Run(new BenchmarkArguments(args.Skip(1).ToArray()));
        }

        private static bool IsHelp(string arg) => arg is "-h" or "--help" or "-?" or "/?" or "help";
    }

    /// <summary>An end-to-end benchmark driver: starts what it needs, runs, prints one JSON line last.</summary>
    public interface IBenchmarkCommand
    {
        string Name { get; }
        string Description { get; }
        int Run(BenchmarkArguments args);
    }
}
