using Lakehouse.Engine;

namespace Lakehouse.Jobs.Pipeline;

/// <summary>A job of a pipeline with the jobs it waits for.</summary>
/// <param name="Job">The job.</param>
/// <param name="Parameters">Its parameters (without the runner's own).</param>
/// <param name="DependsOn">Names of the pipeline jobs that must succeed first.</param>
public sealed record PipelineStep(ILakeJob Job, IReadOnlyDictionary<string, string> Parameters, IReadOnlyList<string> DependsOn);

/// <summary>
/// Orders the jobs of a pipeline: a job waits for every job that writes one of its input tables, and for the jobs its
/// <c>after:</c> names. Among jobs that are ready, file order decides, so the order is stable.
/// </summary>
public static class PipelineDag
{
    /// <summary>The steps in an order that respects every dependency.</summary>
    /// <exception cref="UserInputException">Two jobs write the same table, or the dependencies form a cycle.</exception>
    public static IReadOnlyList<PipelineStep> Order(IReadOnlyList<(ILakeJob Job, IReadOnlyDictionary<string, string> Parameters, IReadOnlyList<string> After)> jobs)
    {
        var writer = new Dictionary<LakeTableName, string>();
        foreach (var (job, _, _) in jobs)
            foreach (var output in job.Outputs)
                if (!writer.TryAdd(output, job.Name))
                    throw new UserInputException($"pipeline: jobs '{writer[output]}' and '{job.Name}' both write {output}; one table has one writer");

        var deps = jobs.Select(j => j.Job.Inputs.Where(i => writer.ContainsKey(i)).Select(i => writer[i])
            .Concat(j.After).Where(d => d != j.Job.Name).Distinct(StringComparer.Ordinal).ToList()).ToList();
        var done = new HashSet<string>(StringComparer.Ordinal);
        var order = new List<PipelineStep>();
        var pending = Enumerable.Range(0, jobs.Count).ToList();
        while (pending.Count > 0)
        {
            int next = pending.FirstOrDefault(i => deps[i].All(done.Contains), -1);
            if (next < 0)
                throw new UserInputException("pipeline: the jobs depend on each other in a cycle: " +
                    string.Join(", ", pending.Select(i => $"{jobs[i].Job.Name} (waits for {string.Join(", ", deps[i].Where(d => !done.Contains(d)))})")));
            pending.Remove(next);
            done.Add(jobs[next].Job.Name);
            order.Add(new PipelineStep(jobs[next].Job, jobs[next].Parameters, deps[next]));
        }
        return order;
    }
}
