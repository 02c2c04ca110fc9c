using Lakehouse.Udfs.Dicom.Writing;

namespace Lakehouse.Jobs.Sample;

/// <summary>Pixel matrix of the sample images.</summary>
public enum PixelSize
{
    /// <summary>8x8, 16-bit: headers dominate, archives stay small and fast.</summary>
    Tiny,
    /// <summary>512x512, 16-bit, like real CT/MR slices.</summary>
    Realistic,
}

/// <summary>What <see cref="SampleArchiveGenerator.Generate"/> writes.</summary>
public sealed record SampleArchiveOptions
{
    /// <summary>The folder to write into; it must not exist or be empty.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>The number of people (each with one or more registrations and studies); at least 1.</summary>
    public int Patients { get; init; } = 50;

    /// <summary>The seed: the same seed gives a byte-identical archive.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Pixel matrix of every image.</summary>
    public PixelSize Pixels { get; init; } = PixelSize.Tiny;

    /// <summary>Files written at once (I/O bound, so more than the cores); the output does not depend on it.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Math.Max(4, Environment.ProcessorCount * 4);
}

/// <summary>Counts of what a generated archive holds.</summary>
/// <param name="Persons">True people.</param>
/// <param name="Studies">Studies with valid files.</param>
/// <param name="ValidFiles">Valid DICOM files (one per instance).</param>
/// <param name="OtherFiles">Junk, truncated and duplicate files.</param>
/// <param name="Reports">Lines of reports.jsonl.</param>
/// <param name="Bytes">Total size of the DICOM, junk and report files.</param>
public sealed record SampleArchiveSummary(int Persons, int Studies, int ValidFiles, int OtherFiles, int Reports, long Bytes);

/// <summary>
/// Writes the synthetic archive that jobs and tests run on: a messy multi-site PACS export of DICOM Part 10 files with
/// planted (synthetic) PHI, radiology reports in reports.jsonl, and the ground truth in ground-truth/.
/// Deterministic: everything is planned from the seed on one thread, then files are written in parallel, each from its own plan entry.
/// </summary>
public static class SampleArchiveGenerator
{
    /// <summary>Generates the archive; throws <see cref="UserInputException"/> for bad options or a non-empty output folder.</summary>
    public static SampleArchiveSummary Generate(SampleArchiveOptions options)
    {
        if (options.Patients < 1) throw new UserInputException("--patients must be at least 1");
        if (options.Patients > 1_000_000) throw new UserInputException("--patients must be at most 1000000");
        var root = new DirectoryInfo(options.OutputDirectory);
        if (root.Exists && root.EnumerateFileSystemInfos().Any())
            throw new UserInputException("the --out folder is not empty; the sample archive needs an empty or new folder");
        root.Create();

        var plan = SamplePlanner.Plan(options.Patients, options.Seed, options.Pixels);
        // The export itself goes under dicom/, beside reports.jsonl and ground-truth/, so `ingest dicom --source DIR/dicom`
        // reads exactly the PACS export (ground-truth paths are relative to DIR and include the prefix).
        var planned = plan.Files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        for (int i = 0; i < plan.Files.Count; i++) plan.Files[i] = plan.Files[i] with { Path = DicomFolder + "/" + plan.Files[i].Path };
        for (int i = 0; i < plan.Traps.Count; i++)
            plan.Traps[i] = plan.Traps[i] with { Details = plan.Traps[i].Details.Select(d => planned.Contains(d) ? DicomFolder + "/" + d : d).ToArray() };
        plan.Files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        foreach (string dir in plan.Files.Select(f => Path.GetDirectoryName(Local(root.FullName, f.Path))!).Distinct(StringComparer.Ordinal))
            Directory.CreateDirectory(dir);

        long bytes = 0;
        Parallel.ForEach(plan.Files, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxDegreeOfParallelism) }, file =>
        {
            byte[] content = Content(file, plan);
            File.WriteAllBytes(Local(root.FullName, file.Path), content);
            Interlocked.Add(ref bytes, content.Length);
        });
        bytes += SampleGroundTruth.Write(root.FullName, plan);
        int valid = plan.Files.Count(f => f.Kind == SampleFileKind.Valid);
        return new SampleArchiveSummary(plan.Persons.Count, plan.Studies.Count, valid, plan.Files.Count - valid, plan.Reports.Count, bytes);
    }

    private static byte[] Content(SampleFile file, SamplePlan plan)
    {
        if (file.Bytes is not null) return file.Bytes;
        var instance = file.Instance!;
        var record = file.RecordOverride ?? instance.Study.Record;
        if (!file.Truncate) return SampleDicomBuilder.Encode(instance, record, plan.Pixels, plan.Seed);
        // Cut inside the StudyDescription value, so the file ends mid-element (never on an element boundary).
        byte[] full = SampleDicomBuilder.Encode(instance, record, PixelSize.Tiny, plan.Seed, DicomTransferSyntax.ExplicitVRLittleEndian);
        byte[] marker = System.Text.Encoding.ASCII.GetBytes(instance.Study.Description);
        int at = full.AsSpan().IndexOf(marker);
        int cut = at > 0 ? at + marker.Length / 2 : full.Length / 2;
        return full[..cut];
    }

    /// <summary>The folder of the archive root that holds the DICOM export.</summary>
    public const string DicomFolder = "dicom";

    internal static string Local(string root, string relative) => Path.Combine([root, .. relative.Split('/')]);
}
