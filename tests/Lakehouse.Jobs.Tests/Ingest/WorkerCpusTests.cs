using Lakehouse.Jobs.Ingest;

namespace Lakehouse.Jobs.Tests.Ingest;

/// <summary>Ingestion's worker pinning on the real scheduler: one CPU each when the workers fill the CPUs the process may use.</summary>
public sealed class WorkerCpusTests
{
    // The kernel's own view of a thread's CPUs ("0-1", "3", "0,2").
    private static string CpusAllowed(string statusFile) =>
        File.ReadLines(statusFile).First(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal)).Split(':')[1].Trim();

    private static IEnumerable<int> Expand(string list) => list.Split(',').SelectMany(part =>
    {
        var range = part.Split('-').Select(int.Parse).ToArray();
        return Enumerable.Range(range[0], range[^1] - range[0] + 1);
    });

    [Fact]
    public void Workers_filling_the_cpus_get_one_cpu_each_and_a_pinned_thread_runs_only_there()
    {
        if (!OperatingSystem.IsLinux()) return;
        int[] allowed = Expand(CpusAllowed("/proc/self/status")).ToArray();
        WorkerCpus.Assign(1).Should().BeNull("one worker has nothing to share");
        WorkerCpus.Assign(allowed.Length + 1).Should().BeNull("more workers than CPUs are left to the scheduler");
        if (allowed.Length < 2) return; // a 1-CPU machine pins nothing
        WorkerCpus.Assign(allowed.Length - 1).Should().BeNull("fewer workers than CPUs share the machine");
        var cpus = WorkerCpus.Assign(allowed.Length)!;
        cpus.Should().Equal(allowed);

        int last = cpus[^1];
        string? seen = null;
        bool pinned = false;
        var thread = new Thread(() =>
        {
            pinned = WorkerCpus.PinCurrentThread(last);
            seen = CpusAllowed("/proc/thread-self/status");
        });
        thread.Start();
        thread.Join();
        pinned.Should().BeTrue();
        seen.Should().Be(last.ToString(System.Globalization.CultureInfo.InvariantCulture));
        CpusAllowed("/proc/thread-self/status").Should().NotBe(seen, "only the pinned thread is pinned");
    }
}
