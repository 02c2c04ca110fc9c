using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;
using Lakehouse.Tables.Parquet;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;
using Lakehouse.Testing;

namespace Lakehouse.Tables.Tests;

/// <summary>
/// An outside oracle for the typed statistics: the rows are written as a Delta data file a row group per
/// <see cref="ColumnBuffers"/>, and DuckDB's own null counts and min/max over that Parquet file (its strings compare as
/// bytes, like ours) must be what <see cref="StatsCollector.Add(ColumnBuffers)"/> reported, after the protocol's cuts.
/// </summary>
public sealed class TypedStatsDuckDbTests
{
    private static readonly StructType Schema = new(
        new StructField("id", DeltaType.Long, Nullable: false),
        new StructField("series", DeltaType.Integer),
        new StructField("small", DeltaType.Short),
        new StructField("tiny", DeltaType.Byte),
        new StructField("ratio", DeltaType.Float),
        new StructField("score", DeltaType.Double),
        new StructField("name", DeltaType.String),
        new StructField("day", DeltaType.Date),
        new StructField("at", DeltaType.Timestamp));

    private static readonly string[] CodePoints = ["a", "b", "Z", "0", "é", "\u4E2D", "\uE000", "\uFFFD", "😀", "\U0010FFFF"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Typed_statistics_match_DuckDB_over_the_written_file(int seed)
    {
        var random = new Random(seed);
        using var tmp = new TempDirectory("typed-stats-duckdb");
        var table = DeltaTable.Create(tmp.Path, Schema);
        var stats = new StatsCollector(Schema.Fields, StatsColumnSelection.Default);
        var txn = table.NewTransaction(DeltaOperation.Append);
        var buffers = new ColumnBuffers(Schema);
        using (var file = txn.OpenFile())
        {
            for (int group = 0; group < 3; group++)
            {
                buffers.Clear();
                int rows = random.Next(1, 80);
                for (int r = 0; r < rows; r++) AppendRandomRow(buffers, random);
                stats.Add(buffers);
                file.Write(buffers);
            }
            file.Complete();
        }
        txn.Commit();

        var json = JsonNode.Parse(stats.ToJson())!;
        using var conn = new DuckDBConnection("Data Source=:memory:");
        conn.Open();
        using var cmd = conn.CreateCommand();
        string files = Path.Combine(tmp.Path, "*.parquet").Replace("'", "''", StringComparison.Ordinal);
        cmd.CommandText = $"SELECT count(*) FROM read_parquet('{files}')";
        json["numRecords"]!.GetValue<long>().Should().Be((long)cmd.ExecuteScalar()!);
        foreach (var field in Schema.Fields)
        {
            string c = field.Name, q = $"\"{c}\"";
            string select = field.Type == DeltaType.Timestamp ? $"epoch_us(min({q})), epoch_us(max({q}))"
                : field.Type == DeltaType.Date ? $"CAST(min({q}) AS VARCHAR), CAST(max({q}) AS VARCHAR)" : $"min({q}), max({q})";
            cmd.CommandText = $"SELECT count(*) - count({q}), {select} FROM read_parquet('{files}')";
            using var reader = cmd.ExecuteReader();
            reader.Read().Should().BeTrue();
            json["nullCount"]![c]!.GetValue<long>().Should().Be(reader.GetInt64(0), c);
            if (reader.IsDBNull(1))
            {
                json["minValues"]!.AsObject().ContainsKey(c).Should().BeFalse(c);
                continue;
            }
            json["minValues"]![c]!.ToJsonString().Should().Be(Expected(field.Type, reader.GetValue(1), isMax: false), c);
            json["maxValues"]![c]!.ToJsonString().Should().Be(Expected(field.Type, reader.GetValue(2), isMax: true), c);
        }
    }

    // DuckDB's min/max as the protocol writes them: ms timestamps (max rounded up), strings cut to 32 code points.
    private static string Expected(DeltaType type, object v, bool isMax)
    {
        JsonNode node = type switch
        {
            PrimitiveType { Name: "long" or "integer" or "short" or "byte" } => JsonValue.Create(Convert.ToInt64(v, CultureInfo.InvariantCulture)),
            PrimitiveType { Name: "float" } => JsonValue.Create((float)v),
            PrimitiveType { Name: "double" } => JsonValue.Create((double)v),
            PrimitiveType { Name: "date" } => JsonValue.Create((string)v),
            PrimitiveType { Name: "timestamp" } => JsonValue.Create(Millis((long)v, isMax)),
            _ => JsonValue.Create(Prefix((string)v, isMax)),
        };
        return node.ToJsonString();
    }

    private static string Millis(long micros, bool isMax)
    {
        long ms = Math.DivRem(micros, 1000, out long rest) - (micros < 0 && micros % 1000 != 0 ? 1 : 0);
        if (isMax && rest != 0) ms++;
        return DateTime.UnixEpoch.AddMilliseconds(ms).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }

    private static string Prefix(string s, bool isMax)
    {
        var runes = s.EnumerateRunes().ToArray();
        if (runes.Length <= 32) return s;
        var sb = new StringBuilder();
        foreach (var r in runes[..32]) sb.Append(r.ToString());
        return isMax ? sb.Append("\U0010FFFF").ToString() : sb.ToString();
    }

    private static void AppendRandomRow(ColumnBuffers b, Random random)
    {
        bool Null() => random.Next(6) == 0;
        b.Column<FixedColumnBuffer<long>>(0).Append(random.NextInt64(long.MinValue, long.MaxValue));
        b.Column<FixedColumnBuffer<int>>(1).Append(Null() ? null : random.Next(int.MinValue, int.MaxValue));
        b.Column<FixedColumnBuffer<short>>(2).Append(Null() ? null : (short)random.Next(short.MinValue, short.MaxValue + 1));
        b.Column<FixedColumnBuffer<sbyte>>(3).Append(Null() ? null : (sbyte)random.Next(sbyte.MinValue, sbyte.MaxValue + 1));
        b.Column<FixedColumnBuffer<float>>(4).Append(Null() ? null : (float)(random.NextDouble() * 2e6 - 1e6));
        b.Column<FixedColumnBuffer<double>>(5).Append(Null() ? null : random.NextDouble() * 2e12 - 1e12);
        b.Column<Utf8ColumnBuffer>(6).Append(Null() ? null : string.Concat(Enumerable.Range(0, random.Next(0, 40)).Select(_ => CodePoints[random.Next(CodePoints.Length)])));
        b.Column<FixedColumnBuffer<int>>(7).Append(Null() ? null : random.Next(-25_000, 50_000)); // 1901..2106
        b.Column<FixedColumnBuffer<long>>(8).Append(Null() ? null : random.NextInt64(-2_000_000_000_000_000, 4_000_000_000_000_000)); // 1906..2096, µs
        b.EndRow();
    }
}
