using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Lakehouse.Engine;
using Lakehouse.Jobs.Sample;

namespace Lakehouse.Jobs.Pipeline;

/// <summary>What happened to a job in a pipeline run.</summary>
public enum PipelineJobStatus
{
    /// <summary>The job ran and succeeded.</summary>
    Ran,
    /// <summary>Its input tables and parameters were as at its last successful run.</summary>
    Skipped,
    /// <summary>The job threw.</summary>
    Failed,
    /// <summary>A job it waits for failed, so it did not run.</summary>
    Blocked,
}

/// <summary>One job's outcome in a pipeline run.</summary>
/// <param name="Job">The job name.</param>
/// <param name="Status">Ran, skipped, failed or blocked.</param>
/// <param name="Duration">Wall time.</param>
/// <param name="Committed">Table → version committed by this run.</param>
/// <param name="Detail">The job's summary line, the reason for a skip, or the (PHI-free) failure.</param>
public sealed record PipelineJobOutcome(string Job, PipelineJobStatus Status, TimeSpan Duration, IReadOnlyDictionary<string, long> Committed, string Detail);

/// <summary>A pipeline run: its id and each job's outcome in run order.</summary>
/// <param name="Pipeline">The pipeline name.</param>
/// <param name="RunId">The run id (in every job's lineage parameters as <c>pipeline_run_id</c>).</param>
/// <param name="Jobs">The outcomes in run order.</param>
public sealed record PipelineRunSummary(string Pipeline, string RunId, IReadOnlyList<PipelineJobOutcome> Jobs)
{
    /// <summary>True when no job failed.</summary>
    public bool Succeeded => Jobs.All(j => j.Status is PipelineJobStatus.Ran or PipelineJobStatus.Skipped);

    /// <summary>The outcome of a job.</summary>
    public PipelineJobOutcome this[string job] => Jobs.First(j => j.Job == job);

    /// <summary>The summary as an aligned text table: job, status, duration, committed versions.</summary>
    public string ToTable()
    {
        var rows = Jobs.Select(j => (j.Job, Status: j.Status.ToString().ToLowerInvariant(),
            Duration: j.Duration.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s",
            Committed: j.Committed.Count == 0 ? "-" : string.Join(", ", j.Committed.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}@v{c.Value}")))).ToList();
        int w1 = Math.Max(3, rows.Max(r => r.Job.Length)), w2 = 7, w3 = Math.Max(8, rows.Max(r => r.Duration.Length));
        var text = new System.Text.StringBuilder();
        text.AppendLine($"{"job".PadRight(w1)}  {"status".PadRight(w2)}  {"duration".PadLeft(w3)}  committed");
        foreach (var r in rows) text.AppendLine($"{r.Job.PadRight(w1)}  {r.Status.PadRight(w2)}  {r.Duration.PadLeft(w3)}  {r.Committed}");
        return text.ToString();
    }
}

/// <summary>
/// Runs a pipeline file over a lake: generates the sample archive when configured and missing, orders the jobs
/// (<see cref="PipelineDag"/>), runs each in turn and records it in <see cref="PipelineRunState.Table"/>. A job with input
/// tables is skipped when they, its parameters and the code are as at its last successful run, so a re-run after a
/// failure resumes where it stopped and a re-run with nothing new commits nothing. Jobs without input tables (ingestion)
/// always run: they are incremental. A failed job blocks the jobs that wait for it; the others go on.
/// </summary>
public sealed class PipelineRunner(JobCatalog catalog, TextWriter log)
{
    /// <summary>The de-identification key file generated for the sample under the lake's restricted/ folder.</summary>
    public const string GeneratedKeyFileName = "deidentify.key";

    /// <summary>Run every job, even those whose inputs did not change.</summary>
    public bool Force { get; init; }

    /// <summary>Validates the pipeline against the catalog and orders it, without running anything.</summary>
    public IReadOnlyList<PipelineStep> Plan(PipelineConfig config, LakeStore lake, bool prepareKey = false)
    {
        var enabled = config.Jobs.Where(j => j.Enabled).ToList();
        if (enabled.Count == 0) throw new UserInputException($"pipeline {config.Name}: every job is disabled");
        var jobs = new List<(ILakeJob, IReadOnlyDictionary<string, string>, IReadOnlyList<string>)>();
        foreach (var entry in enabled)
        {
            if (!catalog.Contains(entry.Job))
                throw new UserInputException($"pipeline {config.Name}: job '{entry.Job}' is not in the job catalog (known jobs: {string.Join(", ", catalog.Names)}); " +
                    "its branch may not have landed yet: remove it from the pipeline file or set 'enabled: false'");
            var parameters = config.ParametersFor(entry);
            if (entry.Job == "deidentify") ResolveKey(config, lake, parameters, prepareKey);
            var after = entry.After.Where(a => enabled.Any(e => e.Job == a)).ToList();
            jobs.Add((catalog.Create(entry.Job, parameters), parameters, after));
        }
        return PipelineDag.Order(jobs);
    }

    /// <summary>Runs the pipeline.</summary>
    /// <exception cref="UserInputException">The pipeline file names an unknown job, has a cycle, or the sample cannot be generated.</exception>
    public PipelineRunSummary Run(PipelineConfig config, LakeStore lake)
    {
        var steps = Plan(config, lake);
        string runId = Guid.CreateVersion7().ToString("N");
        log.WriteLine($"pipeline {config.Name}: run {runId}, {steps.Count} jobs: {string.Join(" → ", steps.Select(s => s.Job.Name))}");
        EnsureSample(config);
        steps = Plan(config, lake, prepareKey: true);

        var last = Force ? [] : PipelineRunState.LastSucceeded(lake);
        var outcomes = new List<PipelineJobOutcome>();
        var notOk = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            string name = step.Job.Name;
            string prefix = $"[{i + 1}/{steps.Count}] {name}";
            if (step.DependsOn.FirstOrDefault(notOk.Contains) is { } failedDep)
            {
                notOk.Add(name);
                outcomes.Add(new PipelineJobOutcome(name, PipelineJobStatus.Blocked, TimeSpan.Zero, new Dictionary<string, long>(), $"waits for {failedDep}, which did not succeed"));
                log.WriteLine($"{prefix}: blocked ({failedDep} did not succeed)");
                continue;
            }
            var inputs = step.Job.Inputs.Distinct().ToDictionary(t => t.ToString(), t => lake.TryOpen(t)?.Snapshot().Version ?? -1L, StringComparer.Ordinal);
            string paramsHash = PipelineRunState.ParametersHash(step.Parameters);
            if (inputs.Count > 0 && last.TryGetValue(name, out var previous) && previous.ParametersSha256 == paramsHash
                && previous.CodeVersion == PipelineRunState.CodeVersion && SameVersions(previous.InputVersions, inputs)
                && step.Job.Outputs.All(lake.Exists))
            {
                string why = "inputs unchanged since run " + previous.RunId + ": " + Versions(inputs);
                outcomes.Add(new PipelineJobOutcome(name, PipelineJobStatus.Skipped, TimeSpan.Zero, new Dictionary<string, long>(), why));
                log.WriteLine($"{prefix}: skipped ({why})");
                continue;
            }

            log.WriteLine($"{prefix}: running");
            var parameters = new Dictionary<string, string>(step.Parameters, StringComparer.Ordinal)
            {
                ["pipeline"] = config.Name,
                ["pipeline_run_id"] = runId,
            };
            var startedAt = DateTime.UtcNow;
            var clock = Stopwatch.StartNew();
            var record = new PipelineRunRecord(runId, name, "succeeded", inputs, paramsHash, PipelineRunState.CodeVersion);
            try
            {
                var result = step.Job.Run(new JobContext(lake, parameters, log));
                clock.Stop();
                // A job with table inputs is recorded even when it committed nothing, so the next run can skip it;
                // ingestion that found nothing new leaves no trace.
                if (inputs.Count > 0 || result.Committed.Count > 0)
                    PipelineRunState.Append(lake, config.Name, record, startedAt, clock.Elapsed, result.Committed, null);
                outcomes.Add(new PipelineJobOutcome(name, PipelineJobStatus.Ran, clock.Elapsed, result.Committed, result.Summary));
                log.WriteLine($"{prefix}: ran in {clock.Elapsed.TotalSeconds:F1} s; {result.Summary}");
            }
            catch (Exception ex)
            {
                clock.Stop();
                string message = Describe(ex);
                notOk.Add(name);
                PipelineRunState.Append(lake, config.Name, record with { Status = "failed" }, startedAt, clock.Elapsed, new Dictionary<string, long>(), message);
                outcomes.Add(new PipelineJobOutcome(name, PipelineJobStatus.Failed, clock.Elapsed, new Dictionary<string, long>(), message));
                log.WriteLine($"{prefix}: FAILED after {clock.Elapsed.TotalSeconds:F1} s: {message}");
                if (!IsUserError(ex)) log.WriteLine(ex.StackTrace);
            }
        }
        var summary = new PipelineRunSummary(config.Name, runId, outcomes);
        log.WriteLine();
        log.Write(summary.ToTable());
        int ran = outcomes.Count(o => o.Status == PipelineJobStatus.Ran), skipped = outcomes.Count(o => o.Status == PipelineJobStatus.Skipped);
        int failed = outcomes.Count(o => o.Status == PipelineJobStatus.Failed), blocked = outcomes.Count(o => o.Status == PipelineJobStatus.Blocked);
        log.WriteLine($"pipeline {config.Name}: {ran} ran, {skipped} skipped, {failed} failed, {blocked} blocked" +
            (failed > 0 ? "; fix the failure and run again: jobs that succeeded are skipped" : ""));
        return summary;
    }

    private void EnsureSample(PipelineConfig config)
    {
        if (config.Sample is not { } sample) return;
        if (Directory.Exists(sample.Folder) && Directory.EnumerateFileSystemEntries(sample.Folder).Any()) return;
        log.WriteLine($"sample: generating the synthetic archive ({sample.Patients} people, seed {sample.Seed}) into {Path.GetFileName(sample.Folder)}/");
        var s = SampleArchiveGenerator.Generate(new SampleArchiveOptions { OutputDirectory = sample.Folder, Patients = sample.Patients, Seed = sample.Seed });
        log.WriteLine($"sample: {s.Persons} people, {s.Studies} studies, {s.ValidFiles} DICOM files, {s.Reports} reports (synthetic PHI)");
    }

    /// <summary>
    /// Puts the key location into the deidentify job's parameters: the configured key file (which must exist), the
    /// configured environment variable name, or — sample only, with generate_key_if_missing — a random key file under
    /// the lake's restricted/ folder, created on first run. The key itself never enters parameters or lineage.
    /// </summary>
    private void ResolveKey(PipelineConfig config, LakeStore lake, Dictionary<string, string> parameters, bool prepare)
    {
        var deid = config.Deidentify;
        if (deid is null) return;
        if (deid.KeyFile is not null)
        {
            if (!File.Exists(deid.KeyFile))
                throw new UserInputException($"pipeline {config.Name}: deidentify.key_file: the key file {Path.GetFileName(deid.KeyFile)} does not exist" +
                    (deid.GenerateKeyIfMissing ? " (generate_key_if_missing only creates a key when key_file is not set: the key then goes under the lake's restricted/ folder)" : ""));
            return;
        }
        if (deid.KeyEnv is not null || !deid.GenerateKeyIfMissing) return;
        string path = Path.Combine(lake.Root, "restricted", GeneratedKeyFileName);
        parameters["key_file"] = path;
        if (!prepare || File.Exists(path)) return;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var file = new FileStream(path, options))
        using (var writer = new StreamWriter(file))
        {
            writer.WriteLine(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
        }
        log.WriteLine($"deidentify: generated a random sample key in the lake's restricted/{GeneratedKeyFileName} (sample use only; keep real keys outside the lake)");
    }

    private static bool SameVersions(IReadOnlyDictionary<string, long> a, IReadOnlyDictionary<string, long> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out long v) && v == kv.Value);

    private static string Versions(IReadOnlyDictionary<string, long> versions) =>
        string.Join(", ", versions.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => v.Value < 0 ? v.Key + " absent" : $"{v.Key}@v{v.Value}"));

    private static bool IsUserError(Exception ex) => ex switch
    {
        UserInputException or LakeSqlException => true,
        Tables.DeltaException d => d.IsUserError,
        FileNotFoundException or DirectoryNotFoundException => true,
        _ => false,
    };

    // User errors carry messages written to be PHI-free; anything else may quote data, so only its type is shown.
    private static string Describe(Exception ex) => IsUserError(ex) && ex is not (FileNotFoundException or DirectoryNotFoundException)
        ? ex.Message.ReplaceLineEndings(" ").Trim()
        : $"{ex.GetType().Name} (internal error; see the stack trace in the log)";
}
