using System.Reflection;
using BenchmarkDotNet.Running;
using Lakehouse.Benchmarks;

// dotnet run -c Release --project tests/Lakehouse.Benchmarks -- <name> [args]
//   bdn [BenchmarkDotNet args]   micro-benchmarks (BenchmarkDotNet)
//   <name> [args]                a whole-process benchmark (an IBenchmarkCommand), run with no name to list them
var commands = typeof(IBenchmarkCommand).Assembly.GetTypes()
    .Where(t => typeof(IBenchmarkCommand).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IBenchmarkCommand)Activator.CreateInstance(t)!)
    .OrderBy(c => c.Name, StringComparer.Ordinal)
    .ToList();

if (args.Length > 0 && args[0] == "bdn")
{
    BenchmarkSwitcher.FromAssembly(Assembly.GetExecutingAssembly()).Run(args[1..]);
    return 0;
}
var chosen = args.Length > 0 ? commands.FirstOrDefault(c => c.Name == args[0]) : null;
if (chosen is null)
{
    Console.WriteLine("usage: Lakehouse.Benchmarks bdn [BenchmarkDotNet args] | <benchmark> [args]");
    foreach (var c in commands) Console.WriteLine($"  {c.Name,-24} {c.Description}");
    return args.Length == 0 ? 0 : 1;
}
return chosen.Run(args[1..]);
