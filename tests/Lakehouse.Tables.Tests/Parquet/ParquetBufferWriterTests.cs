using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;
using Lakehouse.Tables.Parquet;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;
using Lakehouse.Testing;
using Parquet;

namespace Lakehouse.Tables.Tests.BufferWriter;

/// <summary>
/// Files written by <see cref="ParquetBufferWriter"/> (our Parquet encoder for typed column buffers) read back exactly in
/// DuckDB, Parquet.Net (through our snapshot reader) and delta-check: every type, nulls in every nullable one, empty
/// strings and arrays vs null, non-ASCII UTF-8, several row groups, chunks of several pages, each codec; and the schema
/// is the one Parquet.Net writes for the same table.
/// </summary>
public sealed class ParquetBufferWriterTests
{
    internal static readonly StructType Schema = new(
        new StructField("id", DeltaType.Long, Nullable: false),
        new StructField("name", DeltaType.String),
        new StructField("tags_json", DeltaType.String),
        new StructField("blob", DeltaType.Binary),
        new StructField("series", DeltaType.Integer),
        new StructField("frames", DeltaType.Short),
        new StructField("bits", DeltaType.Byte),
        new StructField("ratio", DeltaType.Float),
        new StructField("score", DeltaType.Double),
        new StructField("flag", DeltaType.Boolean),
        new StructField("born", DeltaType.Date),
        new StructField("acquired", DeltaType.Timestamp),
        new StructField("local_time", DeltaType.TimestampNtz),
        new StructField("rows_required", DeltaType.Integer, Nullable: false),
        new StructField("flag_required", DeltaType.Boolean, Nullable: false),
        new StructField("spacing", new ArrayType(DeltaType.Double, ContainsNull: false)),
        new StructField("counts", new ArrayType(DeltaType.Long, ContainsNull: false), Nullable: false),
        new StructField("days", new ArrayType(DeltaType.Date, ContainsNull: false)),
        new StructField("flags", new ArrayType(DeltaType.Boolean, ContainsNull: false)),
        new StructField("shorts", new ArrayType(DeltaType.Short, ContainsNull: false)));

    internal static IReadOnlyList<string> Columns => Schema.Fields.Select(f => f.Name).ToList();

    /// <summary>Appends rows start..start+count: nulls in long runs and alternating, empty vs null, non-ASCII, some 20 KB strings.</summary>
    internal static void Fill(ColumnBuffers b, int start, int count, int bigText = 20_000)
    {
        var epoch = new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        for (int i = start; i < start + count; i++)
        {
            bool runNull = i / 13 % 2 == 0, altNull = i % 2 == 1;
            Col<FixedColumnBuffer<long>>(b, 0).Append((long)i * 1_000_003 - 5_000_000);
            var name = b.Column<Utf8ColumnBuffer>(1);
            if (i % 7 == 0) name.Append((string?)null);
            else name.Append(i % 5 == 0 ? "" : i % 3 == 0 ? $"Zoë 😀 ü{i}" : "n" + i.ToString("D5", CultureInfo.InvariantCulture));
            var tags = b.Column<Utf8ColumnBuffer>(2);
            if (i % 11 == 3) tags.Append((string?)null);
            else tags.Append("{\"i\":" + i + ",\"t\":\"" + new string((char)('a' + i % 26), i % 4 == 0 ? bigText : i % 50) + "\"}");
            var blob = b.Column<Utf8ColumnBuffer>(3);
            if (altNull) blob.AppendNull();
            else blob.Append(new byte[] { 0, (byte)i, 0xFF, (byte)(i >> 8) }.AsSpan(0, i % 5));
            Fixed(Col<FixedColumnBuffer<int>>(b, 4), runNull ? null : i - 300);
            Fixed(Col<FixedColumnBuffer<short>>(b, 5), altNull ? null : (short)(i * 37 - 9000));
            Fixed(Col<FixedColumnBuffer<sbyte>>(b, 6), i % 3 == 0 ? null : (sbyte)(i % 256 - 128));
            Fixed(Col<FixedColumnBuffer<float>>(b, 7), i % 4 == 2 ? null : i * 0.5f - 7.25f);
            Fixed(Col<FixedColumnBuffer<double>>(b, 8), runNull ? null : i == 10 ? -0.0 : Math.Sqrt(i) - 3);
            Fixed(Col<FixedColumnBuffer<bool>>(b, 9), i % 5 == 4 ? null : i % 3 == 0);
            Fixed(Col<FixedColumnBuffer<int>>(b, 10), altNull ? null : ColumnBuffer.DateValue(new DateOnly(1950, 1, 1).AddDays(i * 40)));
            Fixed(Col<FixedColumnBuffer<long>>(b, 11), i % 6 == 5 ? null : ColumnBuffer.TimestampValue(epoch.AddSeconds(i * 3601.5).AddTicks(i * 10)));
            Fixed(Col<FixedColumnBuffer<long>>(b, 12), runNull ? null : ColumnBuffer.TimestampValue(new DateTime(1999, 12, 31, 23, 0, 0, DateTimeKind.Unspecified).AddMinutes(i)));
            Col<FixedColumnBuffer<int>>(b, 13).Append(i * 3);
            Col<FixedColumnBuffer<bool>>(b, 14).Append(i % 2 == 0);
            var spacing = Col<FixedArrayColumnBuffer<double>>(b, 15);
            if (i % 5 == 0) spacing.AppendNull();
            else spacing.Append(i % 5 == 1 ? [] : [0.5 + i, 0.25]);
            Col<FixedArrayColumnBuffer<long>>(b, 16).Append(Enumerable.Range(0, i % 4).Select(k => (long)(i * k - 10)).ToArray());
            var days = Col<FixedArrayColumnBuffer<int>>(b, 17);
            if (runNull) days.AppendNull();
            else days.Append([ColumnBuffer.DateValue(new DateOnly(2020, 2, 29).AddDays(i))]);
            var flags = Col<FixedArrayColumnBuffer<bool>>(b, 18);
            if (i % 3 == 2) flags.AppendNull();
            else flags.Append(Enumerable.Range(0, i % 11).Select(k => (k + i) % 3 == 0).ToArray());
            var shorts = Col<FixedArrayColumnBuffer<short>>(b, 19);
            if (i % 9 == 0) shorts.AppendNull();
            else shorts.Append([(short)-i, (short)(i * 2)]);
            b.EndRow();
        }
    }

    private static void Fixed<T>(FixedColumnBuffer<T>? column, T? value) where T : unmanaged => column?.Append(value);

    // Column `index` of the full schema in `b`, or a throwaway buffer when `b`'s schema leaves it out (the Delta schema).
    private static T Col<T>(ColumnBuffers b, int index) where T : ColumnBuffer
    {
        string name = Schema.Fields[index].Name;
        for (int i = 0; i < b.Schema.Fields.Count; i++) if (b.Schema.Fields[i].Name == name) return b.Column<T>(i);
        return new ColumnBuffers(new StructType(Schema.Fields[index])).Column<T>(0);
    }

    /// <summary>The schema without timestamp_ntz (our Delta writer does not implement the timestampNtz feature).</summary>
    internal static readonly StructType DeltaSchema = new(Schema.Fields.Where(f => f.Type != DeltaType.TimestampNtz).ToArray());

    internal static IReadOnlyList<string> DeltaColumns => DeltaSchema.Fields.Select(f => f.Name).ToList();

    /// <summary>The rows of row groups of the given sizes, as <see cref="TestSupport.Rendered"/> strings.</summary>
    internal static List<string> Expected(params int[] groups) => Expected(Schema, groups);

    internal static List<string> Expected(StructType schema, params int[] groups)
    {
        var all = new ColumnBuffers(schema);
        Fill(all, 0, groups.Sum());
        var batch = all.ToColumnBatch();
        return TestSupport.Rendered(Enumerable.Range(0, batch.RowCount).Select(batch.Row), schema.Fields.Select(f => f.Name).ToList());
    }

    private static void WriteFile(string path, CompressionMethod compression, params int[] groups)
    {
        using var stream = new FileStream(path, FileMode.CreateNew);
        using var writer = new ParquetBufferWriter(stream, Schema, compression);
        var buffers = new ColumnBuffers(Schema);
        int start = 0;
        foreach (int g in groups)
        {
            buffers.Clear();
            Fill(buffers, start, g);
            writer.WriteRowGroup(buffers);
            start += g;
        }
        writer.RowCount.Should().Be(start);
        writer.Finish();
    }

    private static List<object?[]> Query(string sql)
    {
        using var conn = new DuckDBConnection("Data Source=:memory:");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        using var reader = cmd.ExecuteReader();
        return DataRows.ReadAll(reader);
    }

    [Theory]
    [InlineData(CompressionMethod.Zstd)]
    [InlineData(CompressionMethod.Snappy)]
    [InlineData(CompressionMethod.None)]
    public void Every_type_reads_back_exactly_in_duckdb_across_row_groups_and_pages(CompressionMethod compression)
    {
        using var tmp = new TempDirectory("pq-buffers");
        string file = tmp.Combine("data.parquet");
        int[] groups = [256, 1, 300];
        WriteFile(file, compression, groups);

        TestSupport.DuckDbRows([file], Columns).Should().Equal(Expected(groups));

        // Row groups as written, and the 20 KB strings of one group span more than one 1 MiB page.
        var chunks = Query($"SELECT row_group_id, row_group_num_rows, path_in_schema, total_uncompressed_size, stats_null_count, compression FROM parquet_metadata('{file}')");
        chunks.Select(c => Convert.ToInt64(c[0], CultureInfo.InvariantCulture)).Distinct().Should().HaveCount(3);
        chunks.Where(c => (string)c[2]! == "tags_json").Select(c => Convert.ToInt64(c[1], CultureInfo.InvariantCulture)).Should().Equal(256, 1, 300);
        var bigChunk = chunks.First(c => (string)c[2]! == "tags_json");
        Convert.ToInt64(bigChunk[3], CultureInfo.InvariantCulture).Should().BeGreaterThan(ParquetBufferWriter.PageBytes, "64 rows of 20 KB need two pages");
        string codec = compression switch { CompressionMethod.None => "UNCOMPRESSED", _ => compression.ToString().ToUpperInvariant() };
        chunks.Select(c => (string)c[5]!).Distinct().Should().Equal(codec);
    }

    [Fact]
    public void Statistics_in_the_footer_are_the_data_s_own_null_counts_and_signed_or_byte_order_min_max()
    {
        using var tmp = new TempDirectory("pq-buffers-stats");
        string file = tmp.Combine("data.parquet");
        WriteFile(file, CompressionMethod.Zstd, 40);
        // DuckDB decodes the footer's min/max with the column's type, so equality with aggregates checks both encoding and order.
        var stats = Query($"SELECT path_in_schema, stats_min_value, stats_max_value, stats_null_count FROM parquet_metadata('{file}') WHERE row_group_id = 0")
            .ToDictionary(r => (string)r[0]!, r => (Min: r[1]?.ToString(), Max: r[2]?.ToString(), Nulls: r[3] is null ? (long?)null : Convert.ToInt64(r[3], CultureInfo.InvariantCulture)));
        var actual = Query($"SELECT min(id)::VARCHAR, max(id)::VARCHAR, min(series)::VARCHAR, max(series)::VARCHAR, min(frames)::VARCHAR, max(frames)::VARCHAR, " +
            $"min(bits)::VARCHAR, max(bits)::VARCHAR, min(born)::VARCHAR, max(born)::VARCHAR, min(name)::VARCHAR, max(name)::VARCHAR, count(*) - count(name) FROM read_parquet('{file}')")[0];
        stats["id"].Should().Be((actual[0]?.ToString(), actual[1]?.ToString(), (long?)0));
        stats["series"].Min.Should().Be(actual[2]!.ToString());
        stats["series"].Max.Should().Be(actual[3]!.ToString());
        stats["frames"].Min.Should().Be(actual[4]!.ToString());
        stats["frames"].Max.Should().Be(actual[5]!.ToString());
        stats["bits"].Min.Should().Be(actual[6]!.ToString());
        stats["bits"].Max.Should().Be(actual[7]!.ToString());
        stats["born"].Min.Should().Be(actual[8]!.ToString());
        stats["born"].Max.Should().Be(actual[9]!.ToString());
        stats["name"].Should().Be((actual[10]?.ToString(), actual[11]?.ToString(), Convert.ToInt64(actual[12], CultureInfo.InvariantCulture)), "short UTF-8 strings get byte-order min/max");
        stats["tags_json"].Min.Should().BeNull("6 KB values would bloat the footer");
        stats["tags_json"].Nulls.Should().Be(4);
        stats["series"].Nulls.Should().Be(26, "rows 0-12 and 26-38");
    }

    [Fact]
    public void The_schema_is_the_one_parquet_net_writes_for_the_same_table()
    {
        using var tmp = new TempDirectory("pq-buffers-schema");
        var ours = DeltaTable.Create(tmp.Combine("ours"), DeltaSchema);
        var theirs = DeltaTable.Create(tmp.Combine("theirs"), DeltaSchema);
        var buffers = new ColumnBuffers(DeltaSchema);
        Fill(buffers, 0, 30);
        var txn = ours.NewTransaction(DeltaOperation.Append);
        using (var file = txn.OpenFile())
        {
            file.Write(buffers);
            file.Complete();
        }
        txn.Commit();
        var their = theirs.NewTransaction(DeltaOperation.Append);
        their.Write(buffers.ToColumnBatch()); // the partition-splitting path: Parquet.Net's writer
        their.Commit();

        const string columns = "name, type, type_length, repetition_type, num_children, converted_type, scale, precision, field_id, logical_type";
        List<string> FileSchema(DeltaTable t) => Query($"SELECT {columns} FROM parquet_schema('{t.Snapshot().ActiveFiles.Single().AbsolutePath}')")
            .Select(r => string.Join("|", r.Select(TestSupport.Render))).ToList();
        // Where we deliberately differ from Parquet.Net and follow what Spark writes (Delta protocol's type mapping):
        // plain long/integer carry no INT(64|32) annotation, timestamps also carry the TIMESTAMP_MICROS converted type,
        // and a non-nullable array is a REQUIRED list group (Parquet.Net writes every list OPTIONAL, which its own reader
        // then refuses for a non-nullable column). The root's name is not read by anyone.
        static string AsSparkWrites(string row) => row
            .Replace("root|", "schema|", StringComparison.Ordinal)
            .Replace("|INT_64|null|null|null|IntType(bitWidth=@, isSigned=1)", "|null|null|null|null|null", StringComparison.Ordinal)
            .Replace("|INT_32|null|null|null|IntType(bitWidth= , isSigned=1)", "|null|null|null|null|null", StringComparison.Ordinal)
            .Replace("acquired|INT64|null|OPTIONAL|null|null|", "acquired|INT64|null|OPTIONAL|null|TIMESTAMP_MICROS|", StringComparison.Ordinal)
            .Replace("counts|null|null|OPTIONAL|", "counts|null|null|REQUIRED|", StringComparison.Ordinal);
        var parquetNet = FileSchema(theirs);
        parquetNet.Should().Contain("id|INT64|null|REQUIRED|null|INT_64|null|null|null|IntType(bitWidth=@, isSigned=1)", "the differences listed are still there");
        FileSchema(ours).Should().Equal(parquetNet.Select(AsSparkWrites));
        List<string> KeyValues(DeltaTable t) => Query($"SELECT decode(key) FROM parquet_kv_metadata('{t.Snapshot().ActiveFiles.Single().AbsolutePath}')")
            .Select(r => (string)r[0]!).ToList();
        KeyValues(ours).Should().Equal(KeyValues(theirs), "Parquet.Net writes no key/value metadata a reader needs");
    }

    [Fact]
    public void A_streamed_delta_file_passes_delta_check_and_reads_back_as_the_same_rows_written_through_parquet_net()
    {
        using var tmp = new TempDirectory("pq-buffers-delta");
        var streamed = DeltaTable.Create(tmp.Combine("streamed"), DeltaSchema);
        var txn = streamed.NewTransaction(DeltaOperation.Append);
        var buffers = new ColumnBuffers(DeltaSchema);
        using (var file = txn.OpenFile())
        {
            foreach (var (start, count) in new[] { (0, 256), (256, 0), (256, 100) })
            {
                buffers.Clear();
                Fill(buffers, start, count);
                file.Write(buffers);
            }
            file.RowCount.Should().Be(356);
            file.Complete();
        }
        txn.Commit();

        var reference = DeltaTable.Create(tmp.Combine("reference"), DeltaSchema);
        var all = new ColumnBuffers(DeltaSchema);
        Fill(all, 0, 356);
        var refTxn = reference.NewTransaction(DeltaOperation.Append);
        refTxn.Write(all.ToColumnBatch());
        refTxn.Commit();

        RoundTripTests.AssertValid(streamed.Path);
        var expected = Expected(DeltaSchema, 356);
        TestSupport.Rendered(streamed.Snapshot().ReadRows(), DeltaColumns).Should().Equal(expected, "our snapshot reader (Parquet.Net) reads the file");
        // The reference is compared through DuckDB: Parquet.Net writes the non-nullable array 'counts' as an OPTIONAL list,
        // which our snapshot reader (Parquet.Net's) then refuses; the buffer writer's REQUIRED list reads back above.
        TestSupport.DuckDbRows([reference.Snapshot().ActiveFiles.Single().AbsolutePath], DeltaColumns).Should().Equal(expected);
        var streamedFile = streamed.Snapshot().ActiveFiles.Single();
        TestSupport.DuckDbRows([streamedFile.AbsolutePath], DeltaColumns).Should().Equal(expected);
        JsonNode.Parse(streamedFile.StatsJson!)!.ToJsonString().Should().Be(JsonNode.Parse(reference.Snapshot().ActiveFiles.Single().StatsJson!)!.ToJsonString());
    }

    [Fact]
    public void Write_of_a_column_batch_goes_through_the_same_writer_and_reads_back_equal()
    {
        using var tmp = new TempDirectory("pq-buffers-batch");
        var table = DeltaTable.Create(tmp.Path, DeltaSchema);
        var all = new ColumnBuffers(DeltaSchema);
        Fill(all, 0, 120);
        var batch = all.ToColumnBatch();
        var txn = table.NewTransaction(DeltaOperation.Append);
        using (var file = txn.OpenFile())
        {
            file.Write(batch);
            file.Write(batch);
            file.Complete();
        }
        txn.Commit();
        var added = table.Snapshot().ActiveFiles.Single();
        Encoding.ASCII.GetString(ReadFooterCreatedBy(added.AbsolutePath)).Should().Contain("Lakehouse.Tables parquet writer");
        var once = Expected(DeltaSchema, 120);
        TestSupport.Rendered(table.Snapshot().ReadRows(), DeltaColumns).Should().Equal(once.Concat(once).Order(StringComparer.Ordinal));
        RoundTripTests.AssertValid(tmp.Path);
    }

    // The footer bytes (FileMetaData): created_by is stored as plain UTF-8 inside them.
    private static byte[] ReadFooterCreatedBy(string path)
    {
        var bytes = File.ReadAllBytes(path);
        int length = BitConverter.ToInt32(bytes, bytes.Length - 8);
        return bytes[(bytes.Length - 8 - length)..(bytes.Length - 8)];
    }

    [Fact]
    public void Buffers_of_another_schema_are_refused_naming_the_column()
    {
        using var tmp = new TempDirectory("pq-buffers-mismatch");
        var table = DeltaTable.Create(tmp.Path, DeltaSchema);
        var txn = table.NewTransaction(DeltaOperation.Append);
        using var file = txn.OpenFile();
        var retyped = new StructType(DeltaSchema.Fields.Select(f => f.Name == "series" ? f with { Type = DeltaType.Long } : f).ToArray());
        var act = () => file.Write(new ColumnBuffers(retyped));
        act.Should().Throw<DeltaException>().Where(e => e.Kind == DeltaErrorKind.SchemaMismatch).WithMessage("*'series'*long*integer*");
        var missing = new StructType(DeltaSchema.Fields.Where(f => f.Name != "shorts").ToArray());
        act = () => file.Write(new ColumnBuffers(missing));
        act.Should().Throw<DeltaException>().WithMessage("*'shorts'*missing*");
        var required = new StructType(DeltaSchema.Fields.Select(f => f.Name == "name" ? f with { Nullable = false } : f).ToArray());
        act = () => file.Write(new ColumnBuffers(required));
        act.Should().Throw<DeltaException>().WithMessage("*'name'*not nullable*");
    }

    [Fact]
    public void A_codec_the_buffer_writer_lacks_falls_back_to_parquet_net()
    {
        using var tmp = new TempDirectory("pq-buffers-gzip");
        var table = DeltaTable.Create(tmp.Path, DeltaSchema);
        var buffers = new ColumnBuffers(DeltaSchema);
        Fill(buffers, 0, 50, bigText: 100);
        var txn = table.NewTransaction(DeltaOperation.Append);
        using (var file = txn.OpenFile(CompressionMethod.Gzip))
        {
            file.Write(buffers);
            file.Complete();
        }
        txn.Commit();
        ParquetBufferWriter.Supports(CompressionMethod.Gzip).Should().BeFalse();
        var path = table.Snapshot().ActiveFiles.Single().AbsolutePath;
        Encoding.ASCII.GetString(ReadFooterCreatedBy(path)).Should().NotContain("Lakehouse.Tables parquet writer");
        var expected = new ColumnBuffers(DeltaSchema);
        Fill(expected, 0, 50, bigText: 100);
        var batch = expected.ToColumnBatch();
        TestSupport.DuckDbRows([path], DeltaColumns).Should().Equal(TestSupport.Rendered(Enumerable.Range(0, 50).Select(batch.Row), DeltaColumns));
    }

    [Fact]
    public void Pyarrow_reads_the_file_when_installed()
    {
        var probe = ExternalTool.Run("python3", ["-c", "import pyarrow"]);
        if (!probe.Succeeded) return; // not installed on this machine: DuckDB and Parquet.Net stand in
        using var tmp = new TempDirectory("pq-buffers-arrow");
        string file = tmp.Combine("data.parquet");
        WriteFile(file, CompressionMethod.Zstd, 100, 50);
        var result = ExternalTool.Run("python3", ["-c",
            "import sys, pyarrow.parquet as pq; t = pq.read_table(sys.argv[1]); print(t.num_rows, t.column('name').null_count, sum(len(x) for x in t.column('counts').to_pylist()))", file]);
        result.Succeeded.Should().BeTrue(result.StdErr);
        var all = new ColumnBuffers(Schema);
        Fill(all, 0, 150);
        int elements = all.Column<FixedArrayColumnBuffer<long>>(16).Elements.Length;
        result.StdOut.Trim().Should().Be($"150 {all.Column(1).NullCount} {elements}");
    }
}

/// <summary>
/// Definition and repetition levels (RLE / bit-packing hybrid) at their edges: random null runs of every length around
/// the 8-value group and 504-value run boundaries, all-null and no-null chunks, arrays of random lengths; DuckDB decodes.
/// </summary>
public sealed class LevelEncodingTests
{
    private static readonly StructType Schema = new(
        new StructField("v", DeltaType.Integer),
        new StructField("b", DeltaType.Boolean),
        new StructField("a", new ArrayType(DeltaType.Long, ContainsNull: false)));

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 7)]
    [InlineData(3, 8)]
    [InlineData(4, 9)]
    [InlineData(5, 505)]
    [InlineData(6, 1200)]
    [InlineData(7, 3000)]
    public void Random_null_runs_and_array_lengths_read_back_in_duckdb(int seed, int rows)
    {
        using var tmp = new TempDirectory("pq-levels");
        var random = new Random(seed);
        var buffers = new ColumnBuffers(Schema);
        var expected = new List<string>();
        // Runs of nulls / values of random length (1..20, sometimes hundreds); seed 1 and 2 are all-null and no-null.
        bool isNull = seed == 1;
        int runLeft = 0;
        for (int r = 0; r < rows; r++)
        {
            if (runLeft-- <= 0)
            {
                runLeft = random.Next(4) == 0 ? random.Next(100, 700) : random.Next(1, 20);
                isNull = seed switch { 1 => true, 2 => false, _ => !isNull };
            }
            int? v = isNull ? null : r * 7 - 100;
            bool? b = isNull ? null : random.Next(2) == 0;
            long[]? a = random.Next(6) == 0 ? null : Enumerable.Range(0, random.Next(isNull ? 0 : 12)).Select(k => (long)r * 100 + k).ToArray();
            buffers.Column<FixedColumnBuffer<int>>(0).Append(v);
            buffers.Column<FixedColumnBuffer<bool>>(1).Append(b);
            if (a is null) buffers.Column<FixedArrayColumnBuffer<long>>(2).AppendNull();
            else buffers.Column<FixedArrayColumnBuffer<long>>(2).Append(a);
            buffers.EndRow();
            expected.Add($"{TestSupport.Render(v)}|{TestSupport.Render(b)}|{TestSupport.Render(a)}|");
        }
        expected.Sort(StringComparer.Ordinal);
        string file = tmp.Combine("levels.parquet");
        using (var stream = new FileStream(file, FileMode.CreateNew))
        using (var writer = new ParquetBufferWriter(stream, Schema, CompressionMethod.None))
        {
            writer.WriteRowGroup(buffers);
            writer.Finish();
        }
        TestSupport.DuckDbRows([file], ["v", "b", "a"]).Should().Equal(expected);
    }
}

/// <summary>A streamed file of a table the buffer writer cannot hold (decimal columns) is still written, by Parquet.Net.</summary>
public sealed class BufferWriterFallbackTests
{
    [Fact]
    public void A_decimal_table_streams_through_parquet_net()
    {
        using var tmp = new TempDirectory("pq-buffers-decimal");
        var schema = new StructType(new StructField("id", DeltaType.Long, Nullable: false), new StructField("dose", new DecimalType(10, 3)));
        ParquetBufferWriter.Supports(schema).Should().BeFalse();
        var table = DeltaTable.Create(tmp.Path, schema);
        var txn = table.NewTransaction(DeltaOperation.Append);
        using (var file = txn.OpenFile())
        {
            file.Write(new ColumnBatch(schema, [new List<object?> { 1L, 2L }, new List<object?> { 1.5m, null }]));
            file.Complete();
        }
        txn.Commit();
        TestSupport.Rendered(table.Snapshot().ReadRows(), ["id", "dose"]).Should().Equal("1|1.5|", "2|null|");
        RoundTripTests.AssertValid(tmp.Path);
    }
}

/// <summary>Shapes the bronze schema does not have: required strings, arrays whose elements may be null, a value larger than a page.</summary>
public sealed class BufferWriterShapeTests
{
    [Fact]
    public void Required_strings_nullable_element_arrays_and_a_value_larger_than_a_page_read_back()
    {
        using var tmp = new TempDirectory("pq-buffers-shapes");
        var schema = new StructType(
            new StructField("code", DeltaType.String, Nullable: false),
            new StructField("ints", new ArrayType(DeltaType.Integer, ContainsNull: true)),
            new StructField("floats", new ArrayType(DeltaType.Float, ContainsNull: true), Nullable: false),
            new StructField("report", DeltaType.String));
        var buffers = new ColumnBuffers(schema);
        var rows = new List<string>();
        for (int i = 0; i < 40; i++)
        {
            string code = i % 4 == 0 ? "" : "C" + i;
            int[]? ints = i % 3 == 0 ? null : Enumerable.Range(0, i % 5).ToArray();
            float[] floats = Enumerable.Range(0, i % 2).Select(k => k + i * 0.5f).ToArray();
            // One report bigger than a page on its own, between small ones.
            string? report = i == 7 ? new string('é', ParquetBufferWriter.PageBytes) : i % 6 == 0 ? null : "r" + i;
            buffers.Column<Utf8ColumnBuffer>(0).Append(code);
            if (ints is null) buffers.Column<FixedArrayColumnBuffer<int>>(1).AppendNull();
            else buffers.Column<FixedArrayColumnBuffer<int>>(1).Append(ints);
            buffers.Column<FixedArrayColumnBuffer<float>>(2).Append(floats);
            buffers.Column<Utf8ColumnBuffer>(3).Append(report);
            buffers.EndRow();
            rows.Add($"{code}|{TestSupport.Render(ints)}|{TestSupport.Render(floats)}|{TestSupport.Render(report)}|");
        }
        rows.Sort(StringComparer.Ordinal);
        var table = DeltaTable.Create(tmp.Path, schema);
        var txn = table.NewTransaction(DeltaOperation.Append);
        using (var file = txn.OpenFile())
        {
            file.Write(buffers);
            file.Complete();
        }
        txn.Commit();
        string[] columns = ["code", "ints", "floats", "report"];
        var path = table.Snapshot().ActiveFiles.Single().AbsolutePath;
        TestSupport.DuckDbRows([path], columns).Should().Equal(rows);
        RoundTripTests.AssertValid(tmp.Path);

        // Our snapshot reader (Parquet.Net 6.1's untyped reader) reads an empty array whose elements may be null as null,
        // from the buffer writer's file and from Parquet.Net's own alike: a reader limitation, not the file (DuckDB reads []).
        string[] readable = ["code", "ints", "report"];
        var reference = DeltaTable.Create(tmp.Combine("reference"), new StructType(schema.Fields.Where(f => readable.Contains(f.Name)).ToArray()));
        var refTxn = reference.NewTransaction(DeltaOperation.Append);
        var batch = buffers.ToColumnBatch();
        refTxn.Write(new ColumnBatch(reference.Snapshot().Schema, readable.Select(c => batch.Columns[Array.IndexOf(columns, c)]).ToArray()));
        refTxn.Commit();
        TestSupport.Rendered(table.Snapshot().ReadRows(), readable).Should().Equal(TestSupport.Rendered(reference.Snapshot().ReadRows(), readable));
    }
}
