using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DuckDB.NET.Data;
using Lakehouse.Engine;
using Lakehouse.Jobs.Reports;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;
using Lakehouse.Udfs.Reports;

namespace Lakehouse.Jobs.Ingest;

/// <summary>The outcome of a report ingestion run: counts and committed versions. No paths, no text.</summary>
public sealed record ReportIngestSummary(string RunId, int FilesRead, long Records, long Reports, long Unchanged, long Conflicts, long Errors,
    TimeSpan Elapsed, IReadOnlyDictionary<string, long> TableVersions)
{
    /// <summary>One human line.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"ingest reports: {FilesRead} files, {Records} records, {Reports} new reports, {Unchanged} unchanged, {Conflicts} conflicts, {Errors} errors in {Elapsed.TotalSeconds:F1} s; run {RunId}");
}

/// <summary>
/// <c>ingest reports</c>: radiology reports from JSONL or CSV files (or a folder of them) into bronze.reports, with
/// FINDINGS and IMPRESSION split out. A report id already landed with the same content is skipped; with different
/// content it is recorded in bronze.report_errors as a conflict and the landed version is kept. Malformed records go
/// to bronze.report_errors with their file and line; the run goes on.
/// </summary>
public sealed class ReportIngestJob(LakeStore lake, string source)
{
    /// <summary>The job name recorded in lineage.</summary>
    public const string JobName = "ingest-reports";

    // Accepted spellings of each field, first one canonical.
    private static readonly string[] IdNames = ["report_id", "reportid", "id"];
    private static readonly string[] TextNames = ["text", "report_text", "report"];
    private static readonly string[] AccessionNames = ["accession_number", "accession", "accessionnumber"];
    private static readonly string[] PatientNames = ["patient_id", "mrn", "patientid"];
    private static readonly string[] IssuerNames = ["issuer_of_patient_id", "issuer"];
    private static readonly string[] SiteNames = ["site", "site_id"];
    private static readonly string[] DateNames = ["report_date", "date", "study_date"];
    private static readonly string[] StatusNames = ["status", "report_status"];

    /// <summary>Schema of bronze.reports.</summary>
    public static readonly StructType ReportsSchema = new(
    [
        new("report_id", DeltaType.String, Nullable: false),
        new("accession_number", DeltaType.String),
        new("patient_id", DeltaType.String),
        new("issuer_of_patient_id", DeltaType.String),
        new("site", DeltaType.String),
        new("report_date", DeltaType.Date),
        new("status", DeltaType.String),
        new("text", DeltaType.String, Nullable: false),
        new("findings", DeltaType.String),
        new("impression", DeltaType.String),
        new("source_path", DeltaType.String, Nullable: false),
        new("source_line", DeltaType.Long, Nullable: false),
        new("content_sha256", DeltaType.String, Nullable: false),
        new("ingest_run_id", DeltaType.String, Nullable: false),
        new("ingested_at", DeltaType.Timestamp, Nullable: false),
    ]);

    /// <summary>Schema of bronze.report_errors.</summary>
    public static readonly StructType ReportErrorsSchema = new(
    [
        new("source_path", DeltaType.String, Nullable: false),
        new("source_line", DeltaType.Long, Nullable: false),
        new("report_id", DeltaType.String),
        new("reason", DeltaType.String, Nullable: false),
        new("message", DeltaType.String, Nullable: false),
        new("ingest_run_id", DeltaType.String, Nullable: false),
        new("ingested_at", DeltaType.Timestamp, Nullable: false),
    ]);

    /// <summary>Runs the ingestion to the end.</summary>
    public ReportIngestSummary Run()
    {
        var clock = Stopwatch.StartNew();
        string[] files = SourceFiles(source);
        string runId = Guid.CreateVersion7().ToString("N");
        DateTime ingestedAt = DateTime.UtcNow;
        var lineage = new CommitLineage(JobName) { Parameters = new Dictionary<string, string> { ["run_id"] = runId } };
        var known = LoadKnown();
        var reports = ReportsSchema.Fields.Select(_ => new List<object?>()).ToArray();
        var errors = ReportErrorsSchema.Fields.Select(_ => new List<object?>()).ToArray();
        long records = 0, unchanged = 0, conflicts = 0, errorCount = 0;

        void Error(string path, long line, string? reportId, string reason, string message)
        {
            errorCount++;
            object?[] row = [path, line, reportId, reason, message, runId, ingestedAt];
            for (int i = 0; i < row.Length; i++) errors[i].Add(row[i]);
        }

        for (int f = 0; f < files.Length; f++)
        {
            string path = files[f];
            string label = "report file #" + (f + 1).ToString(CultureInfo.InvariantCulture);
            foreach (var record in ReportRecords.Read(path, label))
            {
                records++;
                if (record.Error is { } why)
                {
                    Error(path, record.Line, null, "malformed", $"{label} line {record.Line}: {why}");
                    continue;
                }
                var fields = record.Fields!;
                string? id = Field(fields, IdNames)?.Trim();
                string? text = Field(fields, TextNames);
                if (string.IsNullOrEmpty(id) || text is null)
                {
                    Error(path, record.Line, id, "missing_field", $"{label} line {record.Line}: needs '{IdNames[0]}' and '{TextNames[0]}'");
                    continue;
                }
                string? dateText = Field(fields, DateNames);
                DateOnly? date = ParseDate(dateText);
                if (dateText is { Length: > 0 } && date is null)
                {
                    Error(path, record.Line, id, "bad_date", $"{label} line {record.Line}: '{DateNames[0]}' is not a date (expected YYYY-MM-DD or YYYYMMDD)");
                    continue;
                }
                string?[] identity = [id, Field(fields, AccessionNames), Field(fields, PatientNames), Field(fields, IssuerNames),
                    Field(fields, SiteNames), date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Status(Field(fields, StatusNames)), text];
                string sha = Sha256(identity);
                ulong idHash = FileFingerprint.Hash(id);
                if (known.TryGetValue(idHash, out ulong kept))
                {
                    if (kept == KnownDicomFiles.HashPrefix(sha)) unchanged++;
                    else
                    {
                        conflicts++;
                        Error(path, record.Line, id, "conflict", $"{label} line {record.Line}: this report id was already ingested with different content; the first version is kept");
                    }
                    continue;
                }
                known[idHash] = KnownDicomFiles.HashPrefix(sha);
                var sections = ReportSectionSplitter.Default.Split(text);
                object?[] row = [id, identity[1], identity[2], identity[3], identity[4], date, identity[6], text,
                    SectionText(text, sections, ReportSectionKind.Findings), SectionText(text, sections, ReportSectionKind.Impression),
                    path, record.Line, sha, runId, ingestedAt];
                for (int i = 0; i < row.Length; i++) reports[i].Add(row[i]);
            }
        }
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        BronzeTables.Append(lake, BronzeTables.Reports, ReportsSchema, reports, lineage, versions);
        BronzeTables.Append(lake, BronzeTables.ReportErrors, ReportErrorsSchema, errors, lineage, versions);
        return new ReportIngestSummary(runId, files.Length, records, reports[0].Count, unchanged, conflicts, errorCount, clock.Elapsed, versions);
    }

    private static string[] SourceFiles(string source)
    {
        if (File.Exists(source)) return [Path.GetFullPath(source)];
        if (Directory.Exists(source))
            return Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).Where(ReportRecords.IsReportFile)
                .Select(Path.GetFullPath).Order(StringComparer.Ordinal).ToArray();
        throw new UserInputException("ingest reports: --source is neither a file nor a folder");
    }

    private Dictionary<ulong, ulong> LoadKnown()
    {
        var known = new Dictionary<ulong, ulong>();
        string[] files = BronzeTables.ActiveFiles(lake, BronzeTables.Reports);
        if (files.Length == 0) return known;
        using var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = $"SELECT report_id, content_sha256 FROM read_parquet([{string.Join(", ", files.Select(Sql.String))}])";
        using var reader = cmd.ExecuteReader();
        while (reader.Read()) known[FileFingerprint.Hash(reader.GetString(0))] = KnownDicomFiles.HashPrefix(reader.GetString(1));
        return known;
    }

    private static string? Field(IReadOnlyDictionary<string, string?> fields, string[] names)
    {
        foreach (string n in names)
            if (fields.TryGetValue(n, out var v) && !string.IsNullOrWhiteSpace(v)) return v;
        return null;
    }

    private static DateOnly? ParseDate(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        string t = text.Trim();
        string[] formats = ["yyyy-MM-dd", "yyyyMMdd", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm:ssZ"];
        if (DateTime.TryParseExact(t, formats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var d)) return DateOnly.FromDateTime(d);
        return null;
    }

    private static string? Status(string? raw) => raw?.Trim().ToLowerInvariant() switch
    {
        null or "" => null,
        "f" or "final" or "signed" => "final",
        "a" or "addendum" or "addended" => "addendum",
        "p" or "prelim" or "preliminary" => "preliminary",
        "c" or "corrected" => "corrected",
        var other => other,
    };

    private static string? SectionText(string text, IReadOnlyList<ReportSection> sections, ReportSectionKind kind)
    {
        var parts = sections.Where(s => s.Kind == kind).Select(s => s.Body(text).ToString().Trim()).Where(s => s.Length > 0).ToList();
        return parts.Count == 0 ? null : string.Join("\n", parts);
    }

    private static string Sha256(string?[] values)
    {
        var sb = new StringBuilder();
        foreach (string? v in values) sb.Append(v?.Length ?? -1).Append(':').Append(v).Append('\u001F');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }
}
