using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Lakehouse.Jobs.Pipeline;

/// <summary>One job entry of a pipeline file.</summary>
/// <param name="Job">The catalog name of the job.</param>
/// <param name="After">Jobs that must finish first, beyond what the job's input and output tables imply.</param>
/// <param name="Enabled">False to keep the entry in the file without running it (not looked up in the catalog).</param>
/// <param name="Parameters">Job-specific parameters; they override the ones derived from the shared sections.</param>
public sealed record PipelineJobEntry(string Job, IReadOnlyList<string> After, bool Enabled, IReadOnlyDictionary<string, string> Parameters);

/// <summary>The <c>sample:</c> section: generate the synthetic archive into <paramref name="Folder"/> when it does not exist yet.</summary>
/// <param name="Folder">Absolute folder of the archive.</param>
/// <param name="Patients">Number of people.</param>
/// <param name="Seed">Random seed.</param>
public sealed record PipelineSample(string Folder, int Patients, int Seed);

/// <summary>The <c>deidentify:</c> section: where the key is (never the key itself) and the de-identification options.</summary>
/// <param name="KeyFile">Absolute path of the key file, or null.</param>
/// <param name="KeyEnv">Name of the environment variable holding the key, or null.</param>
/// <param name="GenerateKeyIfMissing">For the sample only: create a random key under the lake's restricted/ folder when no key file is configured.</param>
/// <param name="Options">De-identification options passed to the job as parameters.</param>
public sealed record PipelineDeidentify(string? KeyFile, string? KeyEnv, bool GenerateKeyIfMissing, IReadOnlyDictionary<string, string> Options);

/// <summary>
/// A pipeline file (YAML), validated: every error is a <see cref="UserInputException"/> of one line naming the file and the key.
/// Relative paths are resolved against the folder of the file. See pipelines/README.md for the schema.
/// </summary>
public sealed record PipelineConfig
{
    /// <summary>The pipeline name (lineage, run state).</summary>
    public required string Name { get; init; }
    /// <summary>The file it was read from (absolute).</summary>
    public required string SourceFile { get; init; }
    /// <summary>The lake root from the file (absolute), or null when the command line must give it.</summary>
    public string? Lake { get; init; }
    /// <summary>The sample archive to generate on first run, or null.</summary>
    public PipelineSample? Sample { get; init; }
    /// <summary>The DICOM archive folder (absolute), or null.</summary>
    public string? DicomSource { get; init; }
    /// <summary>The report file or folder (absolute), or null.</summary>
    public string? ReportsSource { get; init; }
    /// <summary>The de-identification section, or null.</summary>
    public PipelineDeidentify? Deidentify { get; init; }
    /// <summary>Split ratios by split name (train, validation, test), or empty.</summary>
    public IReadOnlyDictionary<string, double> SplitRatios { get; init; } = new Dictionary<string, double>();
    /// <summary>Split seed, or null.</summary>
    public long? SplitSeed { get; init; }
    /// <summary>Release name, or null (release and export then have nothing to do).</summary>
    public string? ReleaseName { get; init; }
    /// <summary>Export folder (absolute), or null.</summary>
    public string? ExportDir { get; init; }
    /// <summary>The jobs in file order.</summary>
    public required IReadOnlyList<PipelineJobEntry> Jobs { get; init; }

    /// <summary>Parameter names the runner adds to every job (lineage); they do not count as a change of parameters.</summary>
    public static readonly IReadOnlyList<string> RunnerParameters = ["pipeline", "pipeline_run_id"];

    /// <summary>
    /// The parameters of a job: those its shared section implies (sources → ingest-*, deidentify → deidentify,
    /// split → split, release → release and export), overridden by the entry's own <c>parameters:</c>.
    /// The de-identification key file is resolved separately by the runner (it may be generated).
    /// </summary>
    public Dictionary<string, string> ParametersFor(PipelineJobEntry entry)
    {
        var p = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (entry.Job)
        {
            case "ingest-dicom" when DicomSource is not null: p["source"] = DicomSource; break;
            case "ingest-reports" when ReportsSource is not null: p["source"] = ReportsSource; break;
            case "deidentify" when Deidentify is not null:
                if (Deidentify.KeyFile is not null) p["key_file"] = Deidentify.KeyFile;
                if (Deidentify.KeyEnv is not null) p["key_env"] = Deidentify.KeyEnv;
                foreach (var (k, v) in Deidentify.Options) p[k] = v;
                break;
            case "split":
                if (SplitRatios.Count > 0)
                    p["ratios"] = string.Join(",", SplitRatios.Select(r => r.Key + "=" + r.Value.ToString("R", CultureInfo.InvariantCulture)));
                if (SplitSeed is { } seed) p["seed"] = seed.ToString(CultureInfo.InvariantCulture);
                break;
            case "release" or "export":
                if (ReleaseName is not null) p["release"] = ReleaseName;
                if (ExportDir is not null) p["export_dir"] = ExportDir;
                break;
        }
        foreach (var (k, v) in entry.Parameters) p[k] = v;
        return p;
    }

    /// <summary>Reads and validates a pipeline file.</summary>
    /// <exception cref="UserInputException">The file is missing, not YAML, or a key is unknown, missing or of the wrong type.</exception>
    public static PipelineConfig Load(string path)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new UserInputException($"pipeline file {path} does not exist");
        string text = File.ReadAllText(full);
        return Parse(text, full, Path.GetFileName(full));
    }

    /// <summary>Parses pipeline YAML; <paramref name="file"/> anchors relative paths, <paramref name="label"/> names it in errors.</summary>
    public static PipelineConfig Parse(string yaml, string file, string label)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new UserInputException($"pipeline {label}: not valid YAML at line {ex.Start.Line}, column {ex.Start.Column}: {OneLine(ex.Message)}");
        }
        if (stream.Documents.Count == 0) throw new UserInputException($"pipeline {label}: the file is empty");
        var reader = new Reader(label, Path.GetDirectoryName(Path.GetFullPath(file))!);
        return reader.Read(stream.Documents[0].RootNode, file);
    }

    private static string OneLine(string s) => s.ReplaceLineEndings(" ").Trim();

    /// <summary>Walks the YAML tree; every error names the key path (e.g. <c>split.seed</c>) and its line.</summary>
    private sealed class Reader(string label, string baseDir)
    {
        private UserInputException Error(string key, YamlNode node, string reason) =>
            new($"pipeline {label}: {key} (line {node.Start.Line}): {reason}");

        private YamlMappingNode Map(YamlNode node, string key) =>
            node as YamlMappingNode ?? throw Error(key, node, "expected a mapping of keys to values");

        private Dictionary<string, YamlNode> Keys(YamlMappingNode map, string prefix, params string[] allowed)
        {
            var result = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            foreach (var (k, v) in map.Children)
            {
                string name = (k as YamlScalarNode)?.Value ?? throw Error(prefix, k, "keys must be plain names");
                string path = prefix.Length == 0 ? name : prefix + "." + name;
                if (!allowed.Contains(name))
                    throw Error(path, k, $"unknown key; expected one of: {string.Join(", ", allowed)}");
                result[name] = v;
            }
            return result;
        }

        private string Scalar(YamlNode node, string key)
        {
            if (node is not YamlScalarNode s) throw Error(key, node, "expected a single value");
            if (string.IsNullOrWhiteSpace(s.Value)) throw Error(key, node, "is empty");
            return s.Value;
        }

        private string? OptionalScalar(Dictionary<string, YamlNode> keys, string name, string prefix) =>
            keys.TryGetValue(name, out var n) && !(n is YamlScalarNode { Value: null or "" or "~" or "null" }) ? Scalar(n, prefix + name) : null;

        private string? PathValue(Dictionary<string, YamlNode> keys, string name, string prefix) =>
            OptionalScalar(keys, name, prefix) is { } v ? Path.GetFullPath(Path.Combine(baseDir, v)) : null;

        private long Integer(YamlNode node, string key, long min, long max)
        {
            string v = Scalar(node, key);
            if (!long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n))
                throw Error(key, node, $"expected an integer, got '{v}'");
            if (n < min || n > max) throw Error(key, node, $"must be between {min} and {max}, got {n}");
            return n;
        }

        private bool Boolean(YamlNode node, string key)
        {
            string v = Scalar(node, key);
            return v.ToLowerInvariant() switch
            {
                "true" or "yes" or "on" => true,
                "false" or "no" or "off" => false,
                _ => throw Error(key, node, $"expected true or false, got '{v}'"),
            };
        }

        private Dictionary<string, string> StringMap(YamlNode node, string key)
        {
            var map = Map(node, key);
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (k, v) in map.Children)
            {
                string name = (k as YamlScalarNode)?.Value ?? throw Error(key, k, "keys must be plain names");
                result[name] = v is YamlScalarNode s ? s.Value ?? "" : throw Error(key + "." + name, v, "expected a single value");
            }
            return result;
        }

        // Job parameters named *_dir, *_file or *_path are paths: resolved against the pipeline file's folder like the sections' paths.
        private Dictionary<string, string> ResolvePaths(Dictionary<string, string> parameters)
        {
            foreach (string k in parameters.Keys.ToList())
                if ((k.EndsWith("_dir", StringComparison.Ordinal) || k.EndsWith("_file", StringComparison.Ordinal) || k.EndsWith("_path", StringComparison.Ordinal))
                    && parameters[k].Length > 0)
                    parameters[k] = Path.GetFullPath(Path.Combine(baseDir, parameters[k]));
            return parameters;
        }

        public PipelineConfig Read(YamlNode root, string file)
        {
            var top = Keys(Map(root, "(top level)"), "", "pipeline", "lake", "sample", "sources", "deidentify", "split", "release", "jobs");
            if (!top.TryGetValue("pipeline", out var nameNode)) throw Error("pipeline", root, "is required (the pipeline name)");
            string name = Scalar(nameNode, "pipeline");

            PipelineSample? sample = null;
            if (top.TryGetValue("sample", out var sampleNode))
            {
                var s = Keys(Map(sampleNode, "sample"), "sample", "folder", "patients", "seed");
                sample = new PipelineSample(
                    PathValue(s, "folder", "sample.") ?? throw Error("sample.folder", sampleNode, "is required"),
                    s.TryGetValue("patients", out var pn) ? (int)Integer(pn, "sample.patients", 1, 1_000_000) : 50,
                    s.TryGetValue("seed", out var sn) ? (int)Integer(sn, "sample.seed", int.MinValue, int.MaxValue) : 1);
            }

            string? dicom = null, reports = null;
            if (top.TryGetValue("sources", out var srcNode))
            {
                var s = Keys(Map(srcNode, "sources"), "sources", "dicom", "reports");
                dicom = PathValue(s, "dicom", "sources.");
                reports = PathValue(s, "reports", "sources.");
            }

            PipelineDeidentify? deid = null;
            if (top.TryGetValue("deidentify", out var deidNode))
            {
                var d = Keys(Map(deidNode, "deidentify"), "deidentify", "key_file", "key_env", "generate_key_if_missing", "options");
                string? keyEnv = OptionalScalar(d, "key_env", "deidentify.");
                if (keyEnv is not null && !keyEnv.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                    throw Error("deidentify.key_env", d["key_env"], "must be the name of an environment variable (letters, digits, _), not the key");
                deid = new PipelineDeidentify(
                    PathValue(d, "key_file", "deidentify."), keyEnv,
                    d.TryGetValue("generate_key_if_missing", out var g) && Boolean(g, "deidentify.generate_key_if_missing"),
                    d.TryGetValue("options", out var o) ? StringMap(o, "deidentify.options") : new Dictionary<string, string>());
            }

            var ratios = new Dictionary<string, double>(StringComparer.Ordinal);
            long? splitSeed = null;
            if (top.TryGetValue("split", out var splitNode))
            {
                var s = Keys(Map(splitNode, "split"), "split", "ratios", "seed");
                if (s.TryGetValue("ratios", out var rn))
                {
                    var r = Keys(Map(rn, "split.ratios"), "split.ratios", "train", "validation", "test");
                    foreach (var (split, node) in r)
                    {
                        string v = Scalar(node, "split.ratios." + split);
                        if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) || x < 0 || x > 1)
                            throw Error("split.ratios." + split, node, $"expected a number between 0 and 1, got '{v}'");
                        ratios[split] = x;
                    }
                    if (ratios.Count > 0 && Math.Abs(ratios.Values.Sum() - 1) > 1e-9)
                        throw Error("split.ratios", rn, $"must add up to 1, they add up to {ratios.Values.Sum().ToString("R", CultureInfo.InvariantCulture)}");
                }
                if (s.TryGetValue("seed", out var seedNode)) splitSeed = Integer(seedNode, "split.seed", long.MinValue, long.MaxValue);
            }

            string? release = null, export = null;
            if (top.TryGetValue("release", out var relNode))
            {
                var r = Keys(Map(relNode, "release"), "release", "name", "export_dir");
                release = OptionalScalar(r, "name", "release.");
                export = PathValue(r, "export_dir", "release.");
            }

            if (!top.TryGetValue("jobs", out var jobsNode)) throw Error("jobs", root, "is required (the list of jobs to run)");
            if (jobsNode is not YamlSequenceNode seq || seq.Children.Count == 0) throw Error("jobs", jobsNode, "expected a non-empty list of jobs");
            var jobs = new List<PipelineJobEntry>();
            for (int i = 0; i < seq.Children.Count; i++)
            {
                string at = $"jobs[{i}]";
                var node = seq.Children[i];
                if (node is YamlScalarNode plain)
                {
                    jobs.Add(new PipelineJobEntry(Scalar(plain, at), [], true, new Dictionary<string, string>()));
                    continue;
                }
                var j = Keys(Map(node, at), at, "job", "after", "enabled", "parameters");
                if (!j.TryGetValue("job", out var jn)) throw Error(at + ".job", node, "is required (the job name)");
                var after = new List<string>();
                if (j.TryGetValue("after", out var an))
                {
                    if (an is YamlScalarNode one) after.Add(Scalar(one, at + ".after"));
                    else if (an is YamlSequenceNode many) after.AddRange(many.Children.Select((c, k) => Scalar(c, $"{at}.after[{k}]")));
                    else throw Error(at + ".after", an, "expected a job name or a list of job names");
                }
                jobs.Add(new PipelineJobEntry(Scalar(jn, at + ".job"), after,
                    !j.TryGetValue("enabled", out var en) || Boolean(en, at + ".enabled"),
                    j.TryGetValue("parameters", out var pn) ? ResolvePaths(StringMap(pn, at + ".parameters")) : new Dictionary<string, string>()));
            }
            foreach (var dup in jobs.GroupBy(j => j.Job, StringComparer.Ordinal).Where(g => g.Count() > 1))
                throw Error("jobs", jobsNode, $"job '{dup.Key}' is listed twice");
            foreach (var (entry, i) in jobs.Select((e, i) => (e, i)))
                foreach (string a in entry.After.Where(a => !jobs.Any(j => j.Job == a)))
                    throw Error($"jobs[{i}].after", jobsNode, $"'{a}' is not a job of this pipeline");

            return new PipelineConfig
            {
                Name = name,
                SourceFile = Path.GetFullPath(file),
                Lake = PathValue(top, "lake", ""),
                Sample = sample,
                DicomSource = dicom,
                ReportsSource = reports,
                Deidentify = deid,
                SplitRatios = ratios,
                SplitSeed = splitSeed,
                ReleaseName = release,
                ExportDir = export,
                Jobs = jobs,
            };
        }
    }
}
