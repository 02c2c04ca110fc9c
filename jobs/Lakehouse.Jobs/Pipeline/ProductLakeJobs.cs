using Lakehouse.Engine;
using Lakehouse.Jobs.Export;
using Lakehouse.Jobs.Gold.Release;
using Lakehouse.Jobs.Identity;
using Lakehouse.Jobs.Ingest;

namespace Lakehouse.Jobs.Pipeline;

/// <summary><c>link-patients</c> as a pipeline job: identity resolution over bronze into the restricted zone (overwrite).</summary>
public sealed class LinkPatientsLakeJob : ILakeJob
{
    /// <summary>The catalog name.</summary>
    public const string JobName = "link-patients";

    /// <inheritdoc />
    public string Name => JobName;
    /// <inheritdoc />
    public IReadOnlyList<LakeTableName> Inputs => [BronzeTables.DicomInstances, BronzeTables.DicomDuplicates];
    /// <inheritdoc />
    public IReadOnlyList<LakeTableName> Outputs => [IdentityTables.PatientLinks, IdentityTables.PatientPersons, IdentityTables.IdentityConflicts];

    /// <inheritdoc />
    public JobResult Run(JobContext context)
    {
        var summary = new LinkPatientsJob(context.Lake).Run();
        return new JobResult(summary.TableVersions, summary.ToString());
    }
}

/// <summary>
/// <c>release</c> as a pipeline job: pins the current silver, gold and ref versions under the name given by the
/// <c>release</c> parameter. A name is immutable, so a re-run with the same name and an existing release does nothing.
/// </summary>
public sealed class ReleaseLakeJob(IReadOnlyDictionary<string, string> parameters) : ILakeJob
{
    /// <summary>The catalog name.</summary>
    public const string JobName = "release";

    /// <inheritdoc />
    public string Name => JobName;
    /// <inheritdoc />
    public IReadOnlyList<LakeTableName> Inputs => [new("gold", "splits"), new("gold", "study_labels"), new("silver", "instances")];
    /// <inheritdoc />
    public IReadOnlyList<LakeTableName> Outputs => [ReleaseCatalog.Table];

    /// <inheritdoc />
    public JobResult Run(JobContext context)
    {
        string name = Required(parameters, "release", "set release.name in the pipeline file");
        if (ReleaseCatalog.Find(context.Lake, name) is not null)
            return new JobResult(new Dictionary<string, long>(), $"release: '{name}' exists already (releases are immutable)");
        var release = ReleaseCatalog.Create(context.Lake, name, parameters.GetValueOrDefault("split_version"));
        long version = DeltaVersion(context.Lake, ReleaseCatalog.Table);
        return new JobResult(new Dictionary<string, long> { [ReleaseCatalog.Table.ToString()] = version },
            $"release: '{release.Name}' pins {release.Tables.Count} table versions");
    }

    internal static string Required(IReadOnlyDictionary<string, string> parameters, string name, string help) =>
        parameters.TryGetValue(name, out var v) && v.Length > 0 ? v : throw new UserInputException($"the '{name}' parameter is missing: {help}");

    private static long DeltaVersion(LakeStore lake, LakeTableName table) => Tables.DeltaTable.Open(lake.PathOf(table)).Snapshot().Version;
}

/// <summary><c>export</c> as a pipeline job: writes the release named by <c>release</c> into <c>export_dir</c> (byte-identical on re-runs).</summary>
public sealed class ExportLakeJob(IReadOnlyDictionary<string, string> parameters) : ILakeJob
{
    /// <summary>The catalog name.</summary>
    public const string JobName = "export";

    /// <inheritdoc />
    public string Name => JobName;
    /// <inheritdoc />
    public IReadOnlyList<LakeTableName> Inputs => [ReleaseCatalog.Table];
    /// <inheritdoc />
    public IReadOnlyList<LakeTableName> Outputs => [];

    /// <inheritdoc />
    public JobResult Run(JobContext context)
    {
        string release = ReleaseLakeJob.Required(parameters, "release", "set release.name in the pipeline file");
        string dir = ReleaseLakeJob.Required(parameters, "export_dir", "set release.export_dir in the pipeline file");
        var result = ReleaseExporter.Export(context.Lake, release, dir);
        return new JobResult(new Dictionary<string, long>(), $"export: release '{release}', {result.Files.Sum(f => f.Rows)} rows in {result.Files.Count} files");
    }
}
