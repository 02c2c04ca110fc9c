using System.Globalization;
using System.Text.Json.Nodes;
using Lakehouse.Tables.Snapshot;

namespace Lakehouse.Tables.Tests;

/// <summary>
/// Reads every table of shared/delta-conformance and compares with expected/&lt;name&gt;.json: per reconstructable version the
/// file count, columns, partition columns, numRecords and row count; sample rows of the latest version; non-reconstructable
/// versions must fail; refused tables must name the unsupported feature.
/// Not met (reasoned): column mapping (name mode) tables are refused instead of read (minReaderVersion 2 is not implemented);
/// golden_data_reader_partition_values stores a timestamp partition in Spark's session zone (America/Los_Angeles), which
/// the protocol does not record: we read it as UTC, so its sample rows are not compared (delta-kernel-rs skips it too).
/// </summary>
public sealed class ConformanceTests
{
    /// <summary>Tables we must refuse (UnsupportedFeature naming this text) or fail on (error kind) instead of reading.</summary>
    private static readonly Dictionary<string, (DeltaErrorKind Kind, string Mentions)> NotReadable = new()
    {
        ["deltars_simple_table_features"] = (DeltaErrorKind.UnsupportedFeature, "blahabl"),
        ["deltars_table_with_column_mapping"] = (DeltaErrorKind.UnsupportedFeature, "columnMapping"),
        ["golden_table_with_columnmapping_mode_name"] = (DeltaErrorKind.UnsupportedFeature, "columnMapping"),
        ["deltars_table_with_liquid_clustering"] = (DeltaErrorKind.UnsupportedFeature, "deletionVectors"),
        ["golden_dv_with_columnmapping"] = (DeltaErrorKind.UnsupportedFeature, "deletionVectors"),
        ["kernel_table_with_dv_small"] = (DeltaErrorKind.UnsupportedFeature, "deletionVectors"),
        ["golden_v2_checkpoint_parquet"] = (DeltaErrorKind.UnsupportedFeature, "v2Checkpoint"),
        ["kernel_type_widening"] = (DeltaErrorKind.UnsupportedFeature, "typeWidening-preview"),
        ["golden_deltalog_invalid_protocol_version"] = (DeltaErrorKind.UnsupportedFeature, "minReaderVersion 99"),
        ["golden_deltalog_state_reconstruction_without_protocol"] = (DeltaErrorKind.InvalidTable, "no protocol action"),
        ["golden_versions_not_contiguous"] = (DeltaErrorKind.InvalidTable, "commit 1 is missing"),
    };

    private static readonly HashSet<string> NoSampleComparison = ["golden_data_reader_partition_values"];

    public static TheoryData<string> Tables()
    {
        var data = new TheoryData<string>();
        foreach (string f in Directory.EnumerateFiles(Path.Combine(TestSupport.ConformanceRoot, "expected"), "*.json").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileNameWithoutExtension(f));
        return data;
    }

    [Fact]
    public void All_49_conformance_tables_are_covered() => Tables().Count.Should().Be(49);

    [Theory]
    [MemberData(nameof(Tables))]
    public void Table_reads_as_expected_or_is_refused(string name)
    {
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(TestSupport.ConformanceRoot, "expected", name + ".json")))!.AsObject();
        string root = Path.Combine(TestSupport.ConformanceRoot, "tables", name, "delta");
        var table = DeltaTable.Open(root);

        if (NotReadable.TryGetValue(name, out var refusal))
        {
            var act = () => table.Snapshot();
            act.Should().Throw<DeltaException>().Where(e => e.Kind == refusal.Kind && e.Message.Contains(refusal.Mentions, StringComparison.Ordinal));
            return;
        }

        long latest = (long)expected["version"]!;
        var versions = expected["versions"]!.AsObject();
        bool dataShipped = ((string?)expected["data_files_present"] ?? "").StartsWith("yes", StringComparison.Ordinal)
            || ((string?)expected["data_files_present"] ?? "").StartsWith("data latest yes", StringComparison.Ordinal);
        for (long v = 0; v <= latest; v++)
        {
            var ev = versions[v.ToString(CultureInfo.InvariantCulture)] as JsonObject;
            if (ev is null || ev["reconstructable"] is JsonValue r && !(bool)r)
            {
                var act = () => table.Snapshot(v);
                act.Should().Throw<DeltaException>($"version {v} of {name} is not reconstructable")
                    .Where(e => e.Kind == DeltaErrorKind.VersionNotFound || e.Kind == DeltaErrorKind.InvalidTable);
                continue;
            }
            var snapshot = table.Snapshot(v);
            snapshot.Version.Should().Be(v);
            if (ev["files"] is JsonValue files) snapshot.ActiveFiles.Should().HaveCount((int)files, $"files at v{v}");
            snapshot.Schema.Fields.Select(f => f.Name).Should().Equal(ev["columns"]!.AsArray().Select(c => (string)c!), $"columns at v{v}");
            snapshot.PartitionColumns.Should().Equal(ev["partition_columns"]!.AsArray().Select(c => (string)c!), $"partition columns at v{v}");
            if (ev["stats_num_records"] is JsonValue nr && snapshot.ActiveFiles.All(f => f.NumRecords is not null))
                snapshot.ActiveFiles.Sum(f => f.NumRecords!.Value).Should().Be((long)nr, $"numRecords at v{v}");
            if (ev["txns"] is JsonObject txns)
                foreach (var (app, txnVersion) in txns) snapshot.TransactionVersion(app).Should().Be((long)txnVersion!);

            if (ev["rows"] is JsonValue rows)
            {
                if (!dataShipped && (int)rows > 0) continue;
                var read = snapshot.ReadRows();
                read.Should().HaveCount((int)rows, $"rows at v{v}");
                if (v == latest && !NoSampleComparison.Contains(name) && expected["sample_rows"] is JsonArray samples)
                    foreach (var sample in samples) read.Should().Contain(row => Matches(sample!.AsObject(), row), $"sample row of {name} must be read");
            }
            else if (ev["data_files_missing"] is JsonValue)
            {
                var act = () => snapshot.ReadRows();
                act.Should().Throw<DeltaException>().Where(e => e.Kind == DeltaErrorKind.DataFileMissing);
            }
        }
    }

    [Fact]
    public void Timestamp_time_travel_uses_commit_file_modification_times()
    {
        using var tmp = new Lakehouse.Testing.TempDirectory("delta-tt");
        TestSupport.CopyDirectory(Path.Combine(TestSupport.ConformanceRoot, "tables", "golden_time_travel_start_start20_start40", "delta"), tmp.Path);
        var start = DateTimeOffset.FromUnixTimeMilliseconds(1540415658000);
        for (int v = 0; v <= 2; v++)
            File.SetLastWriteTimeUtc(Path.Combine(tmp.Path, "_delta_log", $"{v:D20}.json"), start.AddMinutes(20 * v).UtcDateTime);
        var table = DeltaTable.Open(tmp.Path);
        table.Snapshot(timestamp: start).Version.Should().Be(0);
        table.Snapshot(timestamp: start.AddMinutes(19)).Version.Should().Be(0);
        table.Snapshot(timestamp: start.AddMinutes(20)).Version.Should().Be(1);
        table.Snapshot(timestamp: start.AddMinutes(39)).ReadRows().Should().HaveCount(20);
        table.Snapshot(timestamp: start.AddDays(3)).Version.Should().Be(2);
        var before = () => table.Snapshot(timestamp: start.AddSeconds(-1));
        before.Should().Throw<DeltaException>().Where(e => e.Kind == DeltaErrorKind.VersionNotFound);
    }

    [Fact]
    public void Stale_last_checkpoint_hint_does_not_hide_the_newer_checkpoint()
    {
        var table = DeltaTable.Open(Path.Combine(TestSupport.ConformanceRoot, "tables", "deltars_table_failed_last_checkpoint_update", "delta"));
        var snapshot = table.Snapshot();
        snapshot.Segment.CheckpointVersion.Should().Be(3);
        snapshot.ReadRows().Should().HaveCount(20);
    }

    [Fact]
    public void Missing_version_error_names_the_table_and_has_help()
    {
        var table = DeltaTable.Open(Path.Combine(TestSupport.ConformanceRoot, "tables", "dat_basic_append", "delta"));
        var act = () => table.Snapshot(7);
        act.Should().Throw<DeltaException>().Where(e => e.Kind == DeltaErrorKind.VersionNotFound && e.Message.Contains("dat_basic_append") && e.Message.Contains("Help:") && e.IsUserError);
    }

    /// <summary>Compares a rendered expected row (expected/*.json conventions) with one of ours.</summary>
    private static bool Matches(JsonObject expected, IReadOnlyDictionary<string, object?> row)
    {
        foreach (var (column, value) in expected)
            if (!row.TryGetValue(column, out object? ours) || !ValueMatches(value, ours)) return false;
        return true;
    }

    private static bool ValueMatches(JsonNode? e, object? ours)
    {
        if (e is null) return ours is null;
        if (ours is null) return false;
        switch (ours)
        {
            case byte[] b: return string.Equals((string?)e, Convert.ToHexString(b), StringComparison.OrdinalIgnoreCase);
            case DateOnly d: return (string?)e == d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            case DateTime t:
                return (string?)e == t.ToString(t.Kind == DateTimeKind.Utc ? "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'" : "yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
            case string s: return (string?)e == s;
            case bool b: return e.GetValueKind() == System.Text.Json.JsonValueKind.True == b && e.GetValueKind() != System.Text.Json.JsonValueKind.String;
            case Dictionary<string, object?> st:
                return e is JsonObject eo && eo.All(kv => st.TryGetValue(kv.Key, out var x) && ValueMatches(kv.Value, x));
            case Dictionary<object, object?> map:
                return e is JsonObject mo && mo.Count == map.Count && mo.All(kv => map.Any(m => TestSupport.Render(m.Key) == kv.Key && ValueMatches(kv.Value, m.Value)));
            case List<object?> list:
                return e is JsonArray ea && ea.Count == list.Count && ea.Select((x, i) => ValueMatches(x, list[i])).All(ok => ok);
            default:
                double expectedNumber = e.GetValueKind() == System.Text.Json.JsonValueKind.String ? double.Parse((string)e!, CultureInfo.InvariantCulture) : (double)e;
                double actual = Convert.ToDouble(ours, CultureInfo.InvariantCulture);
                return Math.Abs(expectedNumber - actual) <= 1e-6 * Math.Max(1, Math.Abs(actual));
        }
    }
}
