using BenchmarkDotNet.Attributes;
using Lakehouse.Tables;
using Lakehouse.Tables.Parquet;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;

namespace Lakehouse.Benchmarks.Tables;

/// <summary>
/// Delta statistics of one 256-row group of bronze-like rows (UIDs, dates, sizes, timestamps, a 2 KB header JSON, pixel
/// spacing arrays; statistics on the columns bronze.dicom_instances indexes): the typed pass over <see cref="ColumnBuffers"/>
/// vs the boxed pass it replaced (buffers → <see cref="ColumnBatch"/> → boxed stats: the baseline) and vs the boxed pass
/// alone over a ready batch. Run: Lakehouse.Benchmarks bdn --filter *TypedStats*
/// </summary>
[MemoryDiagnoser]
public class TypedStatsBenchmarks
{
    private const int Rows = 256;

    private static readonly StructType Schema = new(
        new StructField("source_path", DeltaType.String, Nullable: false),
        new StructField("file_size", DeltaType.Long, Nullable: false),
        new StructField("file_modified_at", DeltaType.Timestamp, Nullable: false),
        new StructField("patient_id", DeltaType.String),
        new StructField("patient_name", DeltaType.String),
        new StructField("patient_birth_date", DeltaType.Date),
        new StructField("study_instance_uid", DeltaType.String),
        new StructField("series_instance_uid", DeltaType.String),
        new StructField("sop_instance_uid", DeltaType.String),
        new StructField("modality", DeltaType.String),
        new StructField("study_date", DeltaType.Date),
        new StructField("slice_thickness", DeltaType.Double),
        new StructField("pixel_spacing", new ArrayType(DeltaType.Double, ContainsNull: false)),
        new StructField("rows", DeltaType.Integer),
        new StructField("columns", DeltaType.Integer),
        new StructField("header_bytes", DeltaType.Long, Nullable: false),
        new StructField("header_sha256", DeltaType.String, Nullable: false),
        new StructField("tags_json", DeltaType.String),
        new StructField("ingest_run_id", DeltaType.String, Nullable: false),
        new StructField("ingested_at", DeltaType.Timestamp, Nullable: false));

    private const string IndexedColumns = "file_size, file_modified_at, patient_id, patient_birth_date, study_instance_uid, series_instance_uid, " +
        "sop_instance_uid, modality, study_date, slice_thickness, rows, columns, header_bytes, header_sha256, ingest_run_id, ingested_at";

    private ColumnBuffers _buffers = null!;
    private ColumnBatch _batch = null!;
    private int[] _allRows = [];
    private StatsCollector _typed = null!, _viaBatch = null!, _boxed = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        string[] modalities = ["CT", "MR", "CR", "US", "DX"];
        string json = "{" + string.Join(",", Enumerable.Range(0, 60).Select(i => $"\"0008{i:X4}\":{{\"vr\":\"LO\",\"Value\":[\"value {i}\"]}}")) + "}";
        _buffers = new ColumnBuffers(Schema);
        for (int i = 0; i < Rows; i++)
        {
            string study = $"1.2.826.0.1.3680043.8.498.{random.NextInt64(1_000_000_000_000, 9_999_999_999_999)}";
            _buffers.Column<Utf8ColumnBuffer>(0).Append($"/data/incoming/patient_{i / 40:D4}/study_{i / 10}/IM{i:D5}.dcm");
            _buffers.Column<FixedColumnBuffer<long>>(1).Append(random.NextInt64(100_000, 2_000_000));
            _buffers.Column<FixedColumnBuffer<long>>(2).Append(ColumnBuffer.TimestampValue(new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(random.Next(0, 86_400 * 30))));
            _buffers.Column<Utf8ColumnBuffer>(3).Append(i % 50 == 0 ? null : $"PID{i / 40:D6}");
            _buffers.Column<Utf8ColumnBuffer>(4).Append($"DOE^PATIENT{i / 40}");
            _buffers.Column<FixedColumnBuffer<int>>(5).Append(i % 30 == 0 ? null : ColumnBuffer.DateValue(new DateOnly(1940, 1, 1).AddDays(random.Next(0, 25_000))));
            _buffers.Column<Utf8ColumnBuffer>(6).Append(study);
            _buffers.Column<Utf8ColumnBuffer>(7).Append($"{study}.{i / 20}");
            _buffers.Column<Utf8ColumnBuffer>(8).Append($"{study}.{i / 20}.{i}");
            _buffers.Column<Utf8ColumnBuffer>(9).Append(modalities[i / 40 % 5]);
            _buffers.Column<FixedColumnBuffer<int>>(10).Append(ColumnBuffer.DateValue(new DateOnly(2024, 1, 1).AddDays(i / 10)));
            _buffers.Column<FixedColumnBuffer<double>>(11).Append(i % 4 == 0 ? null : 0.5 + random.Next(0, 10) * 0.25);
            _buffers.Column<FixedArrayColumnBuffer<double>>(12).Append([0.7, 0.7]);
            _buffers.Column<FixedColumnBuffer<int>>(13).Append(512);
            _buffers.Column<FixedColumnBuffer<int>>(14).Append(512);
            _buffers.Column<FixedColumnBuffer<long>>(15).Append(random.NextInt64(2_000, 20_000));
            _buffers.Column<Utf8ColumnBuffer>(16).Append(Convert.ToHexStringLower(BitConverter.GetBytes(random.NextInt64())) + new string('0', 48));
            _buffers.Column<Utf8ColumnBuffer>(17).Append(json);
            _buffers.Column<Utf8ColumnBuffer>(18).Append("run-2024-03-01T00:00:00Z-0001");
            _buffers.Column<FixedColumnBuffer<long>>(19).Append(ColumnBuffer.TimestampValue(new DateTime(2024, 3, 2, 0, 0, 0, DateTimeKind.Utc)));
            _buffers.EndRow();
        }
        _batch = _buffers.ToColumnBatch();
        _allRows = Enumerable.Range(0, Rows).ToArray();
        var selection = StatsColumnSelection.FromConfiguration("bench", Schema, [],
            new Dictionary<string, string> { [DataSkippingProperties.StatsColumns] = IndexedColumns });
        _typed = new StatsCollector(Schema.Fields, selection);
        _viaBatch = new StatsCollector(Schema.Fields, selection);
        _boxed = new StatsCollector(Schema.Fields, selection);
        // Same rows, same statistics: a benchmark of a wrong result would be worthless.
        _typed.Add(_buffers);
        _viaBatch.Add(_buffers.ToColumnBatch(), _allRows);
        _boxed.Add(_batch, _allRows);
        if (_typed.ToJson() != _viaBatch.ToJson() || _typed.ToJson() != _boxed.ToJson())
            throw new InvalidOperationException("typed and boxed statistics differ");
    }

    /// <summary>What Add(ColumnBuffers) did before: box every value into a batch, then the boxed pass.</summary>
    [Benchmark(Baseline = true)]
    public void BoxedViaToColumnBatch() => _viaBatch.Add(_buffers.ToColumnBatch(), _allRows);

    /// <summary>The boxed pass alone over a ready batch (the ColumnBatch write path).</summary>
    [Benchmark]
    public void BoxedBatchOnly() => _boxed.Add(_batch, _allRows);

    /// <summary>The typed pass.</summary>
    [Benchmark]
    public void Typed() => _typed.Add(_buffers);
}
