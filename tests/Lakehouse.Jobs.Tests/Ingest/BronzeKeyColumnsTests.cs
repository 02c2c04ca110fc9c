using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Lakehouse.Jobs.Ingest;
using Lakehouse.Udfs.Dicom.Json;
using Lakehouse.Udfs.Dicom.Reading;

namespace Lakehouse.Jobs.Tests.Ingest;

/// <summary>
/// The whole bronze table against a reference: every row of bronze.dicom_instances and bronze.dicom_duplicates, every
/// key column, as the string path gives it (ReadHeader of the row's source file, <see cref="DicomKeyAttributes"/> values
/// as the columns held them before the UTF-8 path: strings, dates, times as ISO strings, numbers), plus the header's
/// size, SHA-256 hex and JSON.
/// </summary>
public class BronzeKeyColumnsTests(IngestFixture fx) : IClassFixture<IngestFixture>
{
    [Fact]
    public void Every_bronze_row_holds_the_values_of_the_string_path()
    {
        var rows = fx.Rows(BronzeTables.DicomInstances).Select(r => (Row: r, Table: "instances"))
            .Concat(fx.Rows(BronzeTables.DicomDuplicates).Select(r => (Row: r, Table: "duplicates")))
            .ToList();
        rows.Should().HaveCountGreaterThan(100);
        var json = new ArrayBufferWriter<byte>();
        int nonAscii = 0, withTime = 0, withSpacing = 0;
        foreach (var (row, table) in rows)
        {
            string path = (string)row["source_path"]!;
            string label = $"{table} {Path.GetFileName(path)}";
            var reference = DicomFileReader.ReadHeader(path, label);
            reference.IsSuccess.Should().BeTrue(label);
            foreach (var column in DicomKeyAttributes.BronzeColumns)
            {
                string expected = Render(column.Get(reference.Keys!));
                string actual = Render(row[column.ColumnName]);
                actual.Should().Be(expected, $"{label} {column.ColumnName}");
                if (row[column.ColumnName] is string s && !Ascii.IsValid(s)) nonAscii++;
            }
            if (reference.Keys!.StudyTime is not null) withTime++;
            if (reference.Keys.PixelSpacing is not null) withSpacing++;
            json.ResetWrittenCount();
            DicomJson.SerializeUtf8(reference.Dataset!, json);
            row["header_sha256"].Should().Be(Convert.ToHexStringLower(SHA256.HashData(json.WrittenSpan)), label);
            row["header_bytes"].Should().Be(reference.HeaderBytes, label);
            if (table == "instances") row["tags_json"].Should().Be(Encoding.UTF8.GetString(json.WrittenSpan), label);
        }
        nonAscii.Should().BeGreaterThan(0, "the sample holds names in other character sets");
        withTime.Should().BeGreaterThan(0);
        withSpacing.Should().BeGreaterThan(0);
    }

    // One text form for a value as DicomKeyAttributes holds it and as the table reads it back.
    private static string Render(object? value) => value switch
    {
        null => "<null>",
        string s => "s:" + s,
        DateOnly d => "d:" + d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        TimeOnly t => "s:" + t.ToString("HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture), // times are ISO strings in bronze
        double v => "n:" + v.ToString("R", CultureInfo.InvariantCulture),
        int i => "n:" + i.ToString(CultureInfo.InvariantCulture),
        System.Collections.IEnumerable list => "[" + string.Join(",", list.Cast<object?>().Select(Render)) + "]",
        _ => value.GetType().Name + ":" + Convert.ToString(value, CultureInfo.InvariantCulture),
    };
}

public class BronzeTimeColumnTests
{
    [Fact]
    public void Times_are_written_as_the_iso_format_gives_them()
    {
        var rnd = new Random(7);
        var times = new List<TimeOnly> { TimeOnly.MinValue, TimeOnly.MaxValue, new(10, 15, 30), new(9, 5, 0, 250), new(23, 59, 59, 999, 999), new(0, 0, 0, 0, 1), new(12, 0, 0, 100) };
        for (int i = 0; i < 2000; i++) times.Add(new TimeOnly(rnd.NextInt64(TimeSpan.TicksPerDay)));
        var buffers = new Lakehouse.Tables.Transaction.ColumnBuffers(new Lakehouse.Tables.Schema.StructType([new("t", Lakehouse.Tables.Schema.DeltaType.String)]));
        var column = buffers.Column<Lakehouse.Tables.Transaction.Utf8ColumnBuffer>(0);
        foreach (var t in times)
        {
            BronzeTables.AppendTime(column, t);
            buffers.EndRow();
        }
        for (int i = 0; i < times.Count; i++)
            Encoding.UTF8.GetString(column.Value(i)).Should().Be(times[i].ToString("HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture), times[i].Ticks.ToString(CultureInfo.InvariantCulture));
    }
}
