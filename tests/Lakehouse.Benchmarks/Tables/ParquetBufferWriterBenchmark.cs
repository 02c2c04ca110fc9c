using System.Diagnostics;
using System.Globalization;
using System.Text;
using Lakehouse.Tables;
using Lakehouse.Tables.Parquet;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;
using Lakehouse.Testing;
using Parquet;
using Parquet.Schema;
using DeltaField = Lakehouse.Tables.Schema.StructField;
using DeltaStruct = Lakehouse.Tables.Schema.StructType;

namespace Lakehouse.Benchmarks.Tables;

/// <summary>
/// Bronze-shaped rows (an 8 KB JSON-like tags_json, 30 short strings, longs, ints, a double, a date, a timestamp, an
/// array&lt;double&gt;, ~5% nulls) written a 256-row row group at a time, zstd: <see cref="ParquetBufferWriter"/> from
/// <see cref="ColumnBuffers"/> vs Parquet.Net 6.1 from typed arrays (string[], long?[], ...: the peer gets its values
/// ready-made, without the boxing the old path paid). Only the writers' calls are timed; the data of each row group is
/// prepared outside. Best of N runs each; prints rows/s, MB/s (of file), the ratio and the file sizes, plus our zstd levels 1..3.
/// Then native libzstd vs ZstdSharp, same run, alternating: whole files of real bronze row groups (when a bronze table is
/// given, else the synthetic ones), and the codec alone on their tags_json page bodies, with libzstd's faster negative
/// levels for information.
/// </summary>
public sealed class ParquetBufferWriterBenchmark : IBenchmarkCommand
{
    private const int RowGroupRows = 256;
    private const int ShortStrings = 30;

    public string Name => "parquet-buffer-writer";
    public string Description => "bronze-shaped row groups to Parquet: our ColumnBuffers writer vs Parquet.Net 6.1 (typed arrays), zstd and uncompressed; args: rows (12000), runs (3), [a bronze dicom_instances table: its rows for the native/managed comparison]";

    public int Run(string[] args)
    {
        int rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 12_000;
        int runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        string? tagsFrom = args.Length > 2 ? args[2] : null;
        using var tmp = new TempDirectory("pq-buffer-bench");
        var schema = BronzeShape();
        var groups = new List<ColumnBuffers>();
        for (int start = 0; start < rows; start += RowGroupRows)
        {
            var b = new ColumnBuffers(schema);
            Fill(b, start, Math.Min(RowGroupRows, rows - start));
            groups.Add(b);
        }
        var pqSchema = ParquetNetSchema(schema);

        double ours = double.MaxValue, theirs = double.MaxValue;
        long oursBytes = 0, theirsBytes = 0;
        for (int run = 0; run < runs; run++)
        {
            string oursFile = tmp.Combine($"ours-{run}.parquet"), theirsFile = tmp.Combine($"parquet-net-{run}.parquet");
            ours = Math.Min(ours, WriteOurs(oursFile, schema, groups, ParquetBufferWriter.ZstdLevel));
            theirs = Math.Min(theirs, WriteParquetNet(theirsFile, pqSchema, groups));
            oursBytes = new FileInfo(oursFile).Length;
            theirsBytes = new FileInfo(theirsFile).Length;
        }
        // Managed allocation of one more run each (the peer's includes building its input arrays, so it is an upper bound).
        long before = GC.GetAllocatedBytesForCurrentThread();
        WriteOurs(tmp.Combine("alloc-ours.parquet"), schema, groups, ParquetBufferWriter.ZstdLevel);
        long oursAllocated = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        WriteParquetNet(tmp.Combine("alloc-parquet-net.parquet"), pqSchema, groups);
        long theirsAllocated = GC.GetAllocatedBytesForCurrentThread() - before;
        double Mb(long bytes) => bytes / 1e6;
        Console.WriteLine($"rows: {rows} in {groups.Count} row groups of {RowGroupRows}, {schema.Fields.Count} columns, zstd, best of {runs}");
        Console.WriteLine($"ours (ColumnBuffers):   {ours:F0} ms, {rows / ours * 1000:F0} rows/s, {Mb(oursBytes) / ours * 1000:F1} MB/s, file {oursBytes} B");
        Console.WriteLine($"Parquet.Net 6.1:        {theirs:F0} ms, {rows / theirs * 1000:F0} rows/s, {Mb(theirsBytes) / theirs * 1000:F1} MB/s, file {theirsBytes} B");
        Console.WriteLine($"speed-up: {theirs / ours:F2}x; size ours/Parquet.Net: {(double)oursBytes / theirsBytes:F3}");
        Console.WriteLine($"allocated on this thread: ours {Mb(oursAllocated):F2} MB, Parquet.Net (incl. its input arrays) {Mb(theirsAllocated):F1} MB");
        // Encoding alone, without the codec: both uncompressed.
        double oursPlain = double.MaxValue, theirsPlain = double.MaxValue;
        for (int run = 0; run < runs; run++)
        {
            oursPlain = Math.Min(oursPlain, WriteOurs(tmp.Combine($"ours-plain-{run}.parquet"), schema, groups, 0, CompressionMethod.None));
            theirsPlain = Math.Min(theirsPlain, WriteParquetNet(tmp.Combine($"parquet-net-plain-{run}.parquet"), pqSchema, groups, CompressionMethod.None));
        }
        Console.WriteLine($"uncompressed: ours {oursPlain:F0} ms, Parquet.Net {theirsPlain:F0} ms, speed-up {theirsPlain / oursPlain:F2}x");
        Console.WriteLine($"zstd implementation used by files: {(ZstdPageCompressor.NativeAvailable ? "native libzstd " + NativeZstd.Version : "ZstdSharp (libzstd not loadable)")}");
        for (int level = 1; level <= 3; level++)
        {
            string f = tmp.Combine($"level-{level}.parquet");
            double ms = double.MaxValue;
            for (int run = 0; run < runs; run++)
            {
                File.Delete(f);
                ms = Math.Min(ms, WriteOurs(f, schema, groups, level));
            }
            Console.WriteLine($"ours zstd level {level}: {ms:F0} ms, file {new FileInfo(f).Length} B");
        }
        string source = $"synthetic rows ({rows})";
        if (tagsFrom is not null)
        {
            var snapshot = DeltaTable.Open(tagsFrom).Snapshot();
            var all = snapshot.ReadRows();
            schema = snapshot.Schema;
            groups = [];
            for (int start = 0; start < all.Count; start += RowGroupRows)
            {
                var b = new ColumnBuffers(schema);
                b.Append(ColumnBatch.FromRows(schema, all.Skip(start).Take(RowGroupRows)));
                groups.Add(b);
            }
            source = $"real bronze rows ({all.Count}) of {tagsFrom}";
        }
        CompareWriters(schema, groups, source, Math.Max(runs, 20), tmp);
        int tags = schema.Fields.ToList().FindIndex(f => f.Name == "tags_json");
        CompareCodecs(TagsPages(groups.SelectMany(g => Values(g.Column<Utf8ColumnBuffer>(tags))).ToList(), "tags_json of " + source), Math.Max(runs, 5));
        return 0;
    }

    // Whole files, alternating within each run: native vs managed zstd at the file level, uncompressed (the encoding alone),
    // and for information libzstd at level -1 and with row groups of 2048 rows (fewer, larger pages: zstd's per-frame cost).
    private static void CompareWriters(DeltaStruct schema, List<ColumnBuffers> groups, string source, int runs, TempDirectory tmp)
    {
        var large = Regroup(schema, groups, 2048);
        var variants = new List<(string Name, ZstdImplementation? Zstd, int Level, List<ColumnBuffers> Groups)>
        {
            ("ZstdSharp", ZstdImplementation.Managed, ParquetBufferWriter.ZstdLevel, groups),
            ("uncompressed", null, 0, groups),
        };
        if (ZstdPageCompressor.NativeAvailable)
        {
            variants.Add(("libzstd " + NativeZstd.Version, ZstdImplementation.Native, ParquetBufferWriter.ZstdLevel, groups));
            variants.Add(("libzstd level -1", ZstdImplementation.Native, -1, groups));
            variants.Add(($"libzstd, {large.Count} groups", ZstdImplementation.Native, ParquetBufferWriter.ZstdLevel, large));
            variants.Add(($"ZstdSharp, {large.Count} groups", ZstdImplementation.Managed, ParquetBufferWriter.ZstdLevel, large));
        }
        var best = new double[variants.Count];
        var sizes = new long[variants.Count];
        Array.Fill(best, double.MaxValue);
        // Timed into Stream.Null (the writer's CPU, not the file system's); the sizes come from one file each.
        for (int v = 0; v < variants.Count; v++)
        {
            string f = tmp.Combine($"writer-{v}.parquet");
            using (var stream = new FileStream(f, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                WriteGroups(stream, schema, variants[v].Groups, variants[v].Zstd, variants[v].Level);
            sizes[v] = new FileInfo(f).Length;
            File.Delete(f);
        }
        for (int run = 0; run < runs; run++)
            for (int v = 0; v < variants.Count; v++)
            {
                var sw = Stopwatch.StartNew();
                WriteGroups(Stream.Null, schema, variants[v].Groups, variants[v].Zstd, variants[v].Level);
                best[v] = Math.Min(best[v], sw.Elapsed.TotalMilliseconds);
            }
        Console.WriteLine($"writer CPU on {source}, {groups.Count} row groups, zstd level {ParquetBufferWriter.ZstdLevel} unless named, into Stream.Null, best of {runs}:");
        for (int v = 0; v < variants.Count; v++)
            Console.WriteLine($"  {variants[v].Name,-24} {best[v],6:F1} ms, file {sizes[v],9} B, speed vs ZstdSharp {best[0] / best[v]:F2}x, size vs ZstdSharp {(double)sizes[v] / sizes[0]:F3}");
    }

    private static List<ColumnBuffers> Regroup(DeltaStruct schema, List<ColumnBuffers> groups, int rows)
    {
        var result = new List<ColumnBuffers>();
        foreach (var g in groups)
        {
            if (result.Count == 0 || result[^1].RowCount >= rows) result.Add(new ColumnBuffers(schema));
            result[^1].Append(g.ToColumnBatch());
        }
        return result;
    }

    private static void WriteGroups(Stream stream, DeltaStruct schema, List<ColumnBuffers> groups, ZstdImplementation? zstd, int level)
    {
        using var writer = new ParquetBufferWriter(stream, schema, zstd is null ? CompressionMethod.None : CompressionMethod.Zstd, level, zstd);
        foreach (var g in groups) writer.WriteRowGroup(g);
        writer.Finish();
    }

    private static IEnumerable<byte[]> Values(Utf8ColumnBuffer c)
    {
        for (int i = 0; i < c.Count; i++)
            if (!c.Nulls[i]) yield return c.Value(i).ToArray();
    }

    // PLAIN BYTE_ARRAY page bodies of RowGroupRows values each (4-byte length, bytes), as the writer builds them.
    private static (List<byte[]> Pages, string Source) TagsPages(List<byte[]> values, string source)
    {
        var pages = new List<byte[]>();
        for (int start = 0; start < values.Count; start += RowGroupRows)
        {
            var page = new MemoryStream();
            foreach (var v in values.Skip(start).Take(RowGroupRows))
            {
                page.Write(BitConverter.GetBytes(v.Length));
                page.Write(v);
            }
            pages.Add(page.ToArray());
        }
        return (pages, $"{source}: {values.Count} values, {pages.Count} pages");
    }

    // The codec alone: every page compressed once per run, best of runs; the variants alternate within each run.
    private static void CompareCodecs((List<byte[]> Pages, string Source) input, int runs)
    {
        var variants = new List<(string Name, ZstdImplementation Implementation, int Level)> { ("ZstdSharp level 1", ZstdImplementation.Managed, 1) };
        if (ZstdPageCompressor.NativeAvailable)
            foreach (int level in new[] { 1, -1, -3, -5, -7 })
                variants.Add(($"libzstd level {level}", ZstdImplementation.Native, level));
        long inBytes = input.Pages.Sum(p => (long)p.Length);
        var dest = new byte[ZstdPageCompressor.MaxCompressedLength(input.Pages.Max(p => p.Length))];
        var best = new double[variants.Count];
        var outBytes = new long[variants.Count];
        Array.Fill(best, double.MaxValue);
        for (int run = 0; run <= runs; run++)
            for (int v = 0; v < variants.Count; v++)
            {
                using var codec = ZstdPageCompressor.Create(variants[v].Level, variants[v].Implementation);
                long written = 0;
                var sw = Stopwatch.StartNew();
                foreach (var page in input.Pages) written += codec.Compress(page, dest);
                double ms = sw.Elapsed.TotalMilliseconds;
                if (run > 0) best[v] = Math.Min(best[v], ms); // run 0 warms up
                outBytes[v] = written;
            }
        Console.WriteLine($"codec alone on {input.Source}, {inBytes / 1e6:F1} MB, best of {runs}:");
        for (int v = 0; v < variants.Count; v++)
            Console.WriteLine($"  {variants[v].Name,-20} {best[v]:F1} ms, {inBytes / 1e6 / best[v] * 1000,7:F0} MB/s, {outBytes[v],9} B, ratio {(double)inBytes / outBytes[v]:F1}x, " +
                $"speed vs ZstdSharp {best[0] / best[v]:F2}x, size vs ZstdSharp {(double)outBytes[v] / outBytes[0]:F3}");
    }

    private static DeltaStruct BronzeShape()
    {
        var fields = new List<DeltaField>
        {
            new("row_id", DeltaType.Long, Nullable: false), new("tags_json", DeltaType.String), new("file_size", DeltaType.Long),
            new("pixel_bytes", DeltaType.Long), new("rows", DeltaType.Integer), new("columns", DeltaType.Integer),
            new("slice_thickness", DeltaType.Double), new("study_date", DeltaType.Date), new("ingested_at", DeltaType.Timestamp),
            new("pixel_spacing", new ArrayType(DeltaType.Double, ContainsNull: false)),
        };
        for (int i = 0; i < ShortStrings; i++) fields.Add(new DeltaField("s" + i.ToString("D2", CultureInfo.InvariantCulture), DeltaType.String));
        return new DeltaStruct(fields.ToArray());
    }

    private static void Fill(ColumnBuffers b, int start, int count)
    {
        var random = new Random(start);
        var json = new StringBuilder(9000);
        string[] vrs = ["CS", "DA", "UI", "LO", "PN", "DS", "IS", "SH", "TM"];
        for (int r = start; r < start + count; r++)
        {
            b.Column<FixedColumnBuffer<long>>(0).Append((long)r);
            json.Clear().Append('{');
            for (int t = 0; json.Length < 8000; t++)
                json.Append(CultureInfo.InvariantCulture, $"\"{0x00080000 + t * 0x11:X8}\":{{\"vr\":\"{vrs[t % vrs.Length]}\",\"Value\":[\"{random.Next(100000)}.{t}\"]}},");
            json.Append("\"end\":1}");
            b.Column<Utf8ColumnBuffer>(1).Append(json.ToString());
            b.Column<FixedColumnBuffer<long>>(2).Append(random.Next(20) == 0 ? null : 500_000L + random.Next(1_000_000));
            b.Column<FixedColumnBuffer<long>>(3).Append(524_288L);
            b.Column<FixedColumnBuffer<int>>(4).Append(512);
            b.Column<FixedColumnBuffer<int>>(5).Append(random.Next(20) == 0 ? null : 512);
            b.Column<FixedColumnBuffer<double>>(6).Append(random.Next(20) == 0 ? null : 0.625 * random.Next(1, 8));
            b.Column<FixedColumnBuffer<int>>(7).Append(ColumnBuffer.DateValue(new DateOnly(2019, 1, 1).AddDays(r % 1500)));
            b.Column<FixedColumnBuffer<long>>(8).Append(ColumnBuffer.TimestampValue(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMilliseconds(r * 17)));
            var spacing = b.Column<FixedArrayColumnBuffer<double>>(9);
            if (random.Next(20) == 0) spacing.AppendNull();
            else spacing.Append([0.7 + random.Next(10) * 0.01, 0.7 + random.Next(10) * 0.01]);
            for (int i = 0; i < ShortStrings; i++)
            {
                var s = b.Column<Utf8ColumnBuffer>(10 + i);
                if (random.Next(20) == 0) s.AppendNull();
                else s.Append(i % 3 == 0 ? $"1.2.826.0.1.3680043.8.498.{random.Next()}.{r}.{i}" : i % 3 == 1 ? vrs[random.Next(vrs.Length)] + i : $"SERIES {random.Next(40)}");
            }
            b.EndRow();
        }
    }

    private static double WriteOurs(string path, DeltaStruct schema, List<ColumnBuffers> groups, int level, CompressionMethod codec = CompressionMethod.Zstd)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        var sw = Stopwatch.StartNew();
        using (var writer = new ParquetBufferWriter(stream, schema, codec, level))
        {
            foreach (var g in groups) writer.WriteRowGroup(g);
            writer.Finish();
        }
        stream.Flush();
        return sw.Elapsed.TotalMilliseconds;
    }

    private static ParquetSchema ParquetNetSchema(DeltaStruct schema) => new(schema.Fields.Select(f => (Field)(f.Type switch
    {
        PrimitiveType { Name: "string" } => new DataField(f.Name, typeof(string), f.Nullable),
        PrimitiveType { Name: "long" } => new DataField(f.Name, typeof(long), f.Nullable),
        PrimitiveType { Name: "integer" } => new DataField(f.Name, typeof(int), f.Nullable),
        PrimitiveType { Name: "double" } => new DataField(f.Name, typeof(double), f.Nullable),
        PrimitiveType { Name: "date" } => new DataField(f.Name, typeof(DateOnly), f.Nullable),
        PrimitiveType { Name: "timestamp" } => new DateTimeDataField(f.Name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: f.Nullable),
        ArrayType => new ListField(f.Name, new DataField("element", typeof(double), false)),
        _ => throw new NotSupportedException(f.Type.ToString()),
    })).ToArray());

    // Parquet.Net's inputs for one row group, built outside the timed region.
    private static List<Func<ParquetRowGroupWriter, DataField, Task>> ParquetNetColumns(ColumnBuffers g, ParquetSchema pq)
    {
        var writes = new List<Func<ParquetRowGroupWriter, DataField, Task>>();
        int n = g.RowCount;
        for (int c = 0; c < g.Schema.Fields.Count; c++)
        {
            var col = g.Column(c);
            switch (col)
            {
                case Utf8ColumnBuffer s:
                {
                    var a = new string?[n];
                    for (int i = 0; i < n; i++) a[i] = s.Nulls[i] ? null : Encoding.UTF8.GetString(s.Value(i));
                    writes.Add((rg, f) => rg.WriteAsync(f, a!));
                    break;
                }
                case FixedColumnBuffer<long> l when g.Schema.Fields[c].Type == DeltaType.Timestamp:
                {
                    var a = new DateTime?[n];
                    for (int i = 0; i < n; i++) a[i] = l.Nulls[i] ? null : DateTime.UnixEpoch.AddTicks(l.Values[i] * 10);
                    writes.Add((rg, f) => rg.WriteAsync(f, (ReadOnlyMemory<DateTime?>)a));
                    break;
                }
                case FixedColumnBuffer<long> l when !g.Schema.Fields[c].Nullable:
                {
                    var a = l.Values.ToArray();
                    writes.Add((rg, f) => rg.WriteAsync(f, (ReadOnlyMemory<long>)a));
                    break;
                }
                case FixedColumnBuffer<long> l:
                {
                    var a = new long?[n];
                    for (int i = 0; i < n; i++) a[i] = l.Nulls[i] ? null : l.Values[i];
                    writes.Add((rg, f) => rg.WriteAsync(f, (ReadOnlyMemory<long?>)a));
                    break;
                }
                case FixedColumnBuffer<int> d when g.Schema.Fields[c].Type == DeltaType.Date:
                {
                    var a = new DateOnly?[n];
                    for (int i = 0; i < n; i++) a[i] = d.Nulls[i] ? null : DateOnly.FromDayNumber(new DateOnly(1970, 1, 1).DayNumber + d.Values[i]);
                    writes.Add((rg, f) => rg.WriteAsync(f, (ReadOnlyMemory<DateOnly?>)a));
                    break;
                }
                case FixedColumnBuffer<int> v:
                {
                    var a = new int?[n];
                    for (int i = 0; i < n; i++) a[i] = v.Nulls[i] ? null : v.Values[i];
                    writes.Add((rg, f) => rg.WriteAsync(f, (ReadOnlyMemory<int?>)a));
                    break;
                }
                case FixedColumnBuffer<double> v:
                {
                    var a = new double?[n];
                    for (int i = 0; i < n; i++) a[i] = v.Nulls[i] ? null : v.Values[i];
                    writes.Add((rg, f) => rg.WriteAsync(f, (ReadOnlyMemory<double?>)a));
                    break;
                }
                case FixedArrayColumnBuffer<double> arr:
                {
                    // Levels relative to the element's maximum definition level (2: optional list, repeated, required element).
                    var values = arr.Elements.ToArray();
                    var def = new List<int>();
                    var rep = new List<int>();
                    for (int i = 0; i < n; i++)
                    {
                        int len = arr.Ends[i] - (i == 0 ? 0 : arr.Ends[i - 1]);
                        if (len == 0) { def.Add(arr.Nulls[i] ? 0 : 1); rep.Add(0); continue; }
                        for (int k = 0; k < len; k++) { def.Add(2); rep.Add(k == 0 ? 0 : 1); }
                    }
                    var d = def.ToArray();
                    var r = rep.ToArray();
                    writes.Add((rg, f) => rg.WriteAllPartsAsync(f, (ReadOnlyMemory<double>)values, d, r, default));
                    break;
                }
                default: throw new NotSupportedException(col.GetType().Name);
            }
        }
        return writes;
    }

    private static double WriteParquetNet(string path, ParquetSchema pq, List<ColumnBuffers> groups, CompressionMethod codec = CompressionMethod.Zstd)
    {
        var fields = pq.GetDataFields();
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        var options = new ParquetOptions { CompressionMethod = codec, CompressionLevel = System.IO.Compression.CompressionLevel.Fastest };
        var timed = TimeSpan.Zero;
        var sw = Stopwatch.StartNew();
        var writer = ParquetWriter.CreateAsync(pq, stream, options).GetAwaiter().GetResult();
        timed += sw.Elapsed;
        foreach (var g in groups)
        {
            var columns = ParquetNetColumns(g, pq);
            sw.Restart();
            using (var rg = writer.CreateRowGroup())
                for (int c = 0; c < columns.Count; c++) columns[c](rg, fields[c]).GetAwaiter().GetResult();
            timed += sw.Elapsed;
        }
        sw.Restart();
        writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        stream.Flush();
        timed += sw.Elapsed;
        return timed.TotalMilliseconds;
    }
}
