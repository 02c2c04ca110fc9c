using System.Globalization;
using System.Text.Json.Nodes;
using Lakehouse.Tables.Parquet;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;
using Lakehouse.Testing;
using Parquet;

namespace Lakehouse.Tables.Tests.BufferWriter;

/// <summary>
/// <see cref="PagedUtf8ColumnBuffer"/> encodes string pages as values arrive: the file must be byte for byte the one the
/// writer makes from a plain <see cref="Utf8ColumnBuffer"/> of the same rows (same page cuts, levels, statistics), for
/// every codec, nullable or not, with rows discarded on the way; and what it cannot do (read back or discard a closed
/// page's values, another codec than the file's) fails naming the column.
/// </summary>
public sealed class PagedUtf8ColumnBufferTests
{
    private static readonly StructType Schema = new(
        new StructField("id", DeltaType.Long, Nullable: false),
        new StructField("tags_json", DeltaType.String),
        new StructField("code", DeltaType.String, Nullable: false),
        new StructField("blob", DeltaType.Binary));

    private static readonly string[] Columns = ["id", "tags_json", "code", "blob"];

    // Row i: headers of 40 KB and of a few bytes (pages of 1 MiB close every ~25 rows; rarer from row 300 on, so a page
    // holds hundreds of rows and its levels take more than a few bytes), nulls, empty strings, non-ASCII.
    private static string? Json(int i) => i % 9 == 4 ? null : i % 10 == 0 ? "" : i % 3 == 0 && (i < 300 || i % 60 == 0)
        ? "{\"i\":" + i + ",\"t\":\"" + new string((char)('a' + i % 26), 40_000) + "é\"}"
        : "{\"i\":" + i + "}";

    private static string Code(int i) => i % 5 == 0 ? "" : "C" + (i * 7919 % 1000).ToString("D3", CultureInfo.InvariantCulture) + (i % 4 == 0 ? "ü" : "");

    private static byte[]? Blob(int i) => i % 2 == 1 ? null : [(byte)i, 0, 0xFF];

    // Appends rows [start, start + count); every 17th row is started and discarded first, as a failed source file is.
    private static void Fill(ColumnBuffers b, int start, int count)
    {
        for (int i = start; i < start + count; i++)
        {
            if (i % 17 == 0)
            {
                b.Column<FixedColumnBuffer<long>>(0).Append(-1);
                Text(b.Column(1), "{\"discarded\":\"" + new string('x', 30_000) + "\"}");
                b.DiscardRow();
            }
            b.Column<FixedColumnBuffer<long>>(0).Append(i);
            Text(b.Column(1), Json(i));
            Text(b.Column(2), Code(i));
            switch (b.Column(3))
            {
                case PagedUtf8ColumnBuffer p when Blob(i) is { } bytes: p.Append(bytes); break;
                case Utf8ColumnBuffer u when Blob(i) is { } bytes: u.Append(bytes); break;
                case var c: c.AppendNull(); break;
            }
            b.EndRow();
        }
    }

    private static void Text(ColumnBuffer column, string? value)
    {
        if (column is PagedUtf8ColumnBuffer paged) paged.Append(value);
        else ((Utf8ColumnBuffer)column).Append(value);
    }

    private static byte[] WriteFile(CompressionMethod compression, bool paged, params int[] groups)
    {
        using var stream = new MemoryStream();
        using (var writer = new ParquetBufferWriter(stream, Schema, compression))
        {
            var buffers = new ColumnBuffers(Schema);
            var pagedColumns = paged ? new[] { 1, 2, 3 }.Select(c => buffers.EncodePagesOnAppend(c, compression)).ToList() : [];
            int start = 0;
            foreach (int g in groups)
            {
                buffers.Clear();
                Fill(buffers, start, g);
                if (paged && g > 60) pagedColumns[0].ClosedPages.Should().BeGreaterThan(0, "pages close as values arrive, before the group is written");
                writer.WriteRowGroup(buffers);
                start += g;
            }
            writer.Finish();
            foreach (var p in pagedColumns) p.Dispose();
        }
        return stream.ToArray();
    }

    [Theory]
    [InlineData(CompressionMethod.Zstd)]
    [InlineData(CompressionMethod.Snappy)]
    [InlineData(CompressionMethod.None)]
    public void A_file_with_paged_columns_is_byte_identical_to_the_buffered_one_and_reads_back(CompressionMethod compression)
    {
        int[] groups = [120, 1, 90, 2000];
        byte[] buffered = WriteFile(compression, paged: false, groups);
        byte[] paged = WriteFile(compression, paged: true, groups);
        paged.Should().Equal(buffered);

        using var tmp = new TempDirectory("pq-paged");
        string file = tmp.Combine("data.parquet");
        File.WriteAllBytes(file, paged);
        var expected = Enumerable.Range(0, groups.Sum())
            .Select(i => $"{i}|{TestSupport.Render(Json(i))}|{Code(i)}|{TestSupport.Render(Blob(i))}|").Order(StringComparer.Ordinal).ToList();
        TestSupport.DuckDbRows([file], Columns).Should().Equal(expected);
    }

    [Fact]
    public void Pages_are_cut_where_the_writer_cuts_them_at_exactly_the_page_size()
    {
        // Four values with their length prefixes fill a page exactly: pages of 4, 4 and 1 rows, whichever buffer holds them.
        var schema = new StructType(new StructField("tags_json", DeltaType.String, Nullable: false));
        string exact = new('j', ParquetBufferWriter.PageBytes / 4 - 4);
        byte[] Write(bool paged, out int pages)
        {
            using var stream = new MemoryStream();
            pages = 0;
            using (var writer = new ParquetBufferWriter(stream, schema, CompressionMethod.Zstd))
            {
                var buffers = new ColumnBuffers(schema);
                using var p = paged ? buffers.EncodePagesOnAppend(0, CompressionMethod.Zstd) : null;
                for (int i = 0; i < 9; i++)
                {
                    Text(buffers.Column(0), exact);
                    buffers.EndRow();
                }
                writer.WriteRowGroup(buffers);
                writer.Finish();
                pages = p?.ClosedPages ?? 0;
            }
            return stream.ToArray();
        }
        Write(paged: true, out int closed).Should().Equal(Write(paged: false, out _));
        closed.Should().Be(3);
    }

    [Fact]
    public void Short_values_get_the_same_footer_statistics_as_the_buffered_column()
    {
        // All values within 64 bytes: min/max are written, and must be the same bytes either way.
        var schema = new StructType(new StructField("code", DeltaType.String));
        byte[] Write(bool paged)
        {
            using var stream = new MemoryStream();
            using (var writer = new ParquetBufferWriter(stream, schema, CompressionMethod.Zstd))
            {
                var buffers = new ColumnBuffers(schema);
                using var p = paged ? buffers.EncodePagesOnAppend(0, CompressionMethod.Zstd) : null;
                foreach (string? v in new[] { "m", null, "", "zz", "ä", "a" })
                {
                    Text(buffers.Column(0), v);
                    buffers.EndRow();
                }
                writer.WriteRowGroup(buffers);
                writer.Finish();
            }
            return stream.ToArray();
        }
        Write(paged: true).Should().Equal(Write(paged: false));
    }

    [Fact]
    public void Values_of_closed_pages_cannot_be_read_back_and_a_row_still_open_cannot_be_written()
    {
        var buffers = new ColumnBuffers(Schema);
        using var paged = buffers.EncodePagesOnAppend(1, CompressionMethod.Zstd);
        for (int i = 0; i < 30; i++)
        {
            buffers.Column<FixedColumnBuffer<long>>(0).Append(i);
            paged.Append(new string('a', 40_000));
            buffers.Column<Utf8ColumnBuffer>(2).Append("c");
            buffers.Column(3).AppendNull();
            buffers.EndRow();
        }
        paged.ClosedPages.Should().Be(1);
        paged.Invoking(p => p.ValueAt(0)).Should().Throw<NotSupportedException>().WithMessage("*'tags_json'*closed page*");
        paged.ValueAt(29).Should().Be(new string('a', 40_000), "the open page's values are still there");

        // A row half appended is not written: the writer refuses instead of writing the stray value.
        paged.Append("stray");
        using var stream = new MemoryStream();
        using var writer = new ParquetBufferWriter(stream, Schema, CompressionMethod.Zstd);
        writer.Invoking(w => w.WriteRowGroup(buffers)).Should().Throw<InvalidOperationException>().WithMessage("*'tags_json'*31 values for 30 rows*");
    }

    [Fact]
    public void Pages_of_another_codec_than_the_file_s_are_refused_naming_the_column()
    {
        var buffers = new ColumnBuffers(Schema);
        using var paged = buffers.EncodePagesOnAppend(1, CompressionMethod.Zstd);
        Fill(buffers, 0, 3);
        using var stream = new MemoryStream();
        using var writer = new ParquetBufferWriter(stream, Schema, CompressionMethod.Snappy);
        writer.Invoking(w => w.WriteRowGroup(buffers)).Should().Throw<ArgumentException>().WithMessage("*'tags_json'*Zstd*Snappy*");
        buffers.Invoking(b => b.EncodePagesOnAppend(2, CompressionMethod.Zstd)).Should().Throw<InvalidOperationException>()
            .WithMessage("*'code'*first row*");
        new ColumnBuffers(Schema).Invoking(b => b.EncodePagesOnAppend(0, CompressionMethod.Zstd)).Should().Throw<ArgumentException>()
            .WithMessage("*'id'*only string and binary*");
    }

    [Fact]
    public void A_delta_file_with_a_paged_column_passes_delta_check_with_its_null_count_and_no_min_max()
    {
        using var tmp = new TempDirectory("pq-paged-delta");
        var table = DeltaTable.Create(tmp.Path, Schema);
        var buffers = new ColumnBuffers(Schema);
        using var paged = buffers.EncodePagesOnAppend(1, CompressionMethod.Zstd);
        var txn = table.NewTransaction(DeltaOperation.Append);
        using (var file = txn.OpenFile())
        {
            Fill(buffers, 0, 80);
            file.Write(buffers);
            buffers.Clear();
            Fill(buffers, 80, 20);
            file.Write(buffers);
            file.Complete();
        }
        txn.Commit();
        RoundTripTests.AssertValid(tmp.Path);

        var stats = JsonNode.Parse(table.Snapshot().ActiveFiles.Single().StatsJson!)!;
        stats["numRecords"]!.GetValue<long>().Should().Be(100);
        stats["nullCount"]!["tags_json"]!.GetValue<long>().Should().Be(Enumerable.Range(0, 100).Count(i => Json(i) is null));
        stats["minValues"]!.AsObject().ContainsKey("tags_json").Should().BeFalse("its values are compressed as they arrive");
        stats["minValues"]!["id"]!.GetValue<long>().Should().Be(0);
        TestSupport.Rendered(table.Snapshot().ReadRows(), Columns).Should().Equal(Enumerable.Range(0, 100)
            .Select(i => $"{i}|{TestSupport.Render(Json(i))}|{Code(i)}|{TestSupport.Render(Blob(i))}|").Order(StringComparer.Ordinal));
    }
}
