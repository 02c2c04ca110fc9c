using Lakehouse.Engine;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;
using Lakehouse.Udfs.Dicom.Reading;

namespace Lakehouse.Jobs.Ingest;

/// <summary>
/// The bronze tables ingestion writes. Bronze is the restricted zone: these tables hold PHI (names, ids, dates, source paths).
/// </summary>
public static class BronzeTables
{
    /// <summary>One row per distinct SOP instance: file facts, key attributes, and the full non-pixel header as DICOM JSON.</summary>
    public static readonly LakeTableName DicomInstances = new("bronze", "dicom_instances");

    /// <summary>Files that are not DICOM or are broken: path, reason, byte offset, run.</summary>
    public static readonly LakeTableName DicomErrors = new("bronze", "dicom_errors");

    /// <summary>Files whose SOP Instance UID was already ingested: identical header (duplicate) or different header (conflict).</summary>
    public static readonly LakeTableName DicomDuplicates = new("bronze", "dicom_duplicates");

    /// <summary>Radiology reports with their sections.</summary>
    public static readonly LakeTableName Reports = new("bronze", "reports");

    /// <summary>Report lines that could not be read, and conflicting re-deliveries of a report id.</summary>
    public static readonly LakeTableName ReportErrors = new("bronze", "report_errors");

    /// <summary>The key columns of the instance tables, in schema order (an array: a row walks it with no enumerator); declared before the schemas built from it.</summary>
    public static readonly DicomKeyColumn[] KeyColumns = [.. DicomKeyAttributes.BronzeColumns];

    /// <summary>The file-identity columns every file-level bronze table starts with.</summary>
    private static readonly StructField[] FileColumns =
    [
        new("source_path", DeltaType.String, Nullable: false),
        new("file_size", DeltaType.Long, Nullable: false),
        new("file_modified_at", DeltaType.Timestamp, Nullable: false),
    ];

    private static readonly StructField[] RunColumns =
    [
        new("ingest_run_id", DeltaType.String, Nullable: false),
        new("ingested_at", DeltaType.Timestamp, Nullable: false),
    ];

    /// <summary>Schema of bronze.dicom_instances: file facts, every key attribute column, header hash and JSON, run.</summary>
    public static readonly StructType DicomInstancesSchema = new(
    [
        .. FileColumns,
        .. KeyColumns.Select(c => new StructField(c.ColumnName, DeltaTypeOf(c.ClrType))),
        new("header_bytes", DeltaType.Long, Nullable: false),
        new("header_sha256", DeltaType.String, Nullable: false),
        new("tags_json", DeltaType.String),
        .. RunColumns,
    ]);

    /// <summary>Schema of bronze.dicom_errors.</summary>
    public static readonly StructType DicomErrorsSchema = new(
    [
        .. FileColumns,
        new("reason", DeltaType.String, Nullable: false),
        new("byte_offset", DeltaType.Long),
        new("tag", DeltaType.String),
        new("message", DeltaType.String, Nullable: false),
        .. RunColumns,
    ]);

    /// <summary>
    /// Schema of bronze.dicom_duplicates: the instance columns plus <c>kind</c> ("duplicate": same header as the kept
    /// instance; "conflict": same SOP Instance UID, different header). A conflict keeps its full header (tags_json),
    /// since it may be the same images under another patient id, which patient linking and splits must see.
    /// </summary>
    public static readonly StructType DicomDuplicatesSchema = new(
    [
        .. DicomInstancesSchema.Fields.Take(DicomInstancesSchema.Fields.Count - RunColumns.Length),
        new("kind", DeltaType.String, Nullable: false),
        .. RunColumns,
    ]);

    /// <summary>
    /// Columns with Delta log statistics (min/max/nullCount), per table: ids, UIDs, modality, dates, sizes and run. Statistics
    /// copy values into the log, so the large, PHI-dense columns with no skipping value get none: tags_json, message, report
    /// text (text, findings, impression), source_path, names.
    /// </summary>
    private static readonly Dictionary<LakeTableName, string> StatsColumns = new()
    {
        [DicomInstances] = InstanceStatsColumns,
        [DicomDuplicates] = InstanceStatsColumns + ",kind",
        [DicomErrors] = "file_size,file_modified_at,reason,byte_offset,tag,ingest_run_id,ingested_at",
        [Reports] = "report_id,accession_number,patient_id,issuer_of_patient_id,site,report_date,status,source_line,ingest_run_id,ingested_at",
        [ReportErrors] = "source_line,report_id,reason,ingest_run_id,ingested_at",
    };

    private const string InstanceStatsColumns = "file_size,file_modified_at,patient_id,issuer_of_patient_id,study_instance_uid,series_instance_uid," +
        "sop_instance_uid,sop_class_uid,accession_number,modality,study_date,series_date,acquisition_date,header_bytes,ingest_run_id,ingested_at";

    /// <summary>The table properties a bronze table is created with (<see cref="Tables.DataSkippingProperties.StatsColumns"/>); none for other tables.</summary>
    public static IReadOnlyDictionary<string, string>? PropertiesOf(LakeTableName name) =>
        StatsColumns.TryGetValue(name, out string? columns)
            ? new Dictionary<string, string> { [Tables.DataSkippingProperties.StatsColumns] = columns }
            : null;

    /// <summary>The Delta type of a key attribute's CLR type (times are ISO strings: Delta has no time-of-day type).</summary>
    public static DeltaType DeltaTypeOf(Type clr) =>
        clr == typeof(string) ? DeltaType.String
        : clr == typeof(DateOnly?) || clr == typeof(DateOnly) ? DeltaType.Date
        : clr == typeof(TimeOnly?) || clr == typeof(TimeOnly) ? DeltaType.String
        : clr == typeof(double?) || clr == typeof(double) ? DeltaType.Double
        : clr == typeof(int?) || clr == typeof(int) ? DeltaType.Integer
        : clr == typeof(double[]) ? new ArrayType(DeltaType.Double, ContainsNull: false)
        : throw new ArgumentException($"no Delta type for key attribute type {clr.Name}", nameof(clr));

    /// <summary>
    /// Appends one batch of columns (schema order) to a bronze table, creating the table on first use, and records the
    /// committed version; an empty batch commits nothing.
    /// </summary>
    public static void Append(LakeStore lake, LakeTableName name, StructType schema, IReadOnlyList<System.Collections.IList> columns,
        Tables.Transaction.CommitLineage lineage, IDictionary<string, long> versions)
    {
        if (columns[0].Count == 0) return;
        var tx = lake.OpenOrCreate(name, schema, lineage, properties: PropertiesOf(name)).NewTransaction(Tables.Transaction.DeltaOperation.Append, lineage);
        tx.Write(new Tables.Transaction.ColumnBatch(schema, columns));
        versions[name.ToString()] = tx.Commit();
    }

    /// <summary>The Parquet files of a bronze table's latest snapshot (none when the table does not exist yet).</summary>
    public static string[] ActiveFiles(LakeStore lake, LakeTableName name) =>
        lake.TryOpen(name)?.Snapshot().ActiveFiles.Select(f => f.AbsolutePath).ToArray() ?? [];

    /// <summary>Appends one instance's value of a key column to its bronze column, straight from the extracted bytes and numbers.</summary>
    public static void AppendKeyValue(ColumnBuffer column, DicomKeyColumn key, DicomKeyValues values)
    {
        int slot = key.Slot;
        switch (key.Kind)
        {
            case DicomKeyValueKind.Text:
                var text = values.Text(slot);
                if (text.IsEmpty) column.AppendNull(); // an empty value is null
                else ((Utf8ColumnBuffer)column).Append(text);
                break;
            case DicomKeyValueKind.Date:
                if (values.Date(slot) is { } d) ((FixedColumnBuffer<int>)column).Append(ColumnBuffer.DateValue(d));
                else column.AppendNull();
                break;
            case DicomKeyValueKind.Time:
                if (values.Time(slot) is { } t) AppendTime((Utf8ColumnBuffer)column, t);
                else column.AppendNull();
                break;
            case DicomKeyValueKind.Decimal: ((FixedColumnBuffer<double>)column).Append(values.Decimal(slot)); break;
            case DicomKeyValueKind.Integer: ((FixedColumnBuffer<int>)column).Append(values.Integer(slot)); break;
            case DicomKeyValueKind.PixelSpacing:
                if (values.TryGetPixelSpacing(out double row, out double col)) ((FixedArrayColumnBuffer<double>)column).Append([row, col]);
                else column.AppendNull();
                break;
            default: throw new ArgumentException($"no bronze column shape for key column {key.ColumnName}", nameof(key));
        }
    }

    /// <summary>
    /// A time of day as the ISO string the bronze column holds (Delta has no time-of-day type): what
    /// <c>HH:mm:ss.FFFFFF</c> formats (microseconds, trailing zeros and a zero fraction left out), digit by digit
    /// straight into the buffer, without parsing a format per value.
    /// </summary>
    public static void AppendTime(Utf8ColumnBuffer column, TimeOnly time)
    {
        ArgumentNullException.ThrowIfNull(column);
        var to = column.Reserve(15);
        TwoDigits(to, time.Hour);
        to[2] = (byte)':';
        TwoDigits(to[3..], time.Minute);
        to[5] = (byte)':';
        TwoDigits(to[6..], time.Second);
        int n = 8;
        int micros = (int)(time.Ticks % TimeSpan.TicksPerSecond / 10);
        if (micros > 0)
        {
            to[n++] = (byte)'.';
            for (int scale = 100_000; micros > 0; scale /= 10)
            {
                to[n++] = (byte)('0' + micros / scale);
                micros %= scale;
            }
        }
        column.Commit(n);
    }

    private static void TwoDigits(Span<byte> to, int value)
    {
        to[0] = (byte)('0' + value / 10);
        to[1] = (byte)('0' + value % 10);
    }
}
