using System.Diagnostics;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;
using Lakehouse.Testing;

namespace Lakehouse.Tables.Tests;

/// <summary>Optimistic concurrency: real OS processes appending at once, logical conflicts, and crashes between commit steps.</summary>
public sealed class ConcurrencyTests
{
    private static readonly StructType WriterSchema = new(new StructField("id", DeltaType.Long), new StructField("writer", DeltaType.Integer));

    private static Process StartWriter(string table, int writer, int count, string? crashAt = null)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { TestSupport.TestWriterDll, "append", table, writer.ToString(System.Globalization.CultureInfo.InvariantCulture), count.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            psi.ArgumentList.Add(a);
        if (crashAt is not null) psi.Environment["LAKEHOUSE_DELTA_CRASH_AT"] = crashAt;
        return Process.Start(psi)!;
    }

    private static (int ExitCode, string StdErr) Wait(Process p)
    {
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit(120_000).Should().BeTrue("the writer process must finish");
        return (p.ExitCode, err.Result);
    }

    [Fact]
    public void Four_processes_appending_at_once_lose_and_duplicate_nothing()
    {
        using var tmp = new TempDirectory("delta-concurrent");
        DeltaTable.Create(tmp.Path, WriterSchema, configuration: new Dictionary<string, string> { ["delta.checkpointInterval"] = "5" });
        const int writers = 4, perWriter = 6;
        var processes = Enumerable.Range(1, writers).Select(w => StartWriter(tmp.Path, w, perWriter)).ToList();
        foreach (var p in processes)
        {
            var (code, err) = Wait(p);
            code.Should().Be(0, err);
        }
        var snapshot = DeltaTable.Open(tmp.Path).Snapshot();
        snapshot.Version.Should().Be(writers * perWriter);
        var ids = snapshot.ReadRows().Select(r => (long)r["id"]!).ToList();
        ids.Should().OnlyHaveUniqueItems().And.HaveCount(writers * perWriter);
        ids.Should().BeEquivalentTo(Enumerable.Range(1, writers).SelectMany(w => Enumerable.Range(0, perWriter).Select(i => w * 100_000L + i)));
        for (int w = 1; w <= writers; w++) snapshot.TransactionVersion($"writer-{w}").Should().Be(perWriter - 1);
        DeltaTable.Open(tmp.Path).History().Should().HaveCount(writers * perWriter + 1);
        RoundTripTests.AssertValid(tmp.Path);
    }

    [Theory]
    [InlineData("after-data-files")]
    [InlineData("before-commit")]
    [InlineData("after-commit")]
    public void Writer_killed_between_steps_leaves_a_readable_table_and_the_next_write_succeeds(string crashPoint)
    {
        using var tmp = new TempDirectory("delta-crash");
        DeltaTable.Create(tmp.Path, WriterSchema, configuration: new Dictionary<string, string> { ["delta.checkpointInterval"] = "2" });
        var (firstCode, firstErr) = Wait(StartWriter(tmp.Path, 1, 1));
        firstCode.Should().Be(0, firstErr);
        var (code, _) = Wait(StartWriter(tmp.Path, 2, 1, crashPoint));
        code.Should().Be(86, "the crash hook exits the process at " + crashPoint);

        var table = DeltaTable.Open(tmp.Path);
        long expectedVersion = crashPoint == "after-commit" ? 2 : 1; // after-commit: the commit is durable, only the checkpoint of v2 is missing
        var snapshot = table.Snapshot();
        snapshot.Version.Should().Be(expectedVersion);
        snapshot.ReadRows().Should().HaveCount((int)expectedVersion);
        Directory.EnumerateFiles(Path.Combine(tmp.Path, "_delta_log"), "*.tmp").Should().HaveCountLessThanOrEqualTo(1, "at most the crashed writer's temp commit remains");

        var (nextCode, nextErr) = Wait(StartWriter(tmp.Path, 3, 1));
        nextCode.Should().Be(0, nextErr);
        table.Snapshot().Version.Should().Be(expectedVersion + 1);
        table.Snapshot().ReadRows().Should().HaveCount((int)expectedVersion + 1);
        RoundTripTests.AssertValid(tmp.Path);
    }

    [Fact]
    public void Append_racing_append_both_commit_in_process()
    {
        using var tmp = new TempDirectory("delta-race");
        var table = DeltaTable.Create(tmp.Path, WriterSchema);
        var a = table.NewTransaction(DeltaOperation.Append);
        var b = table.NewTransaction(DeltaOperation.Append);
        a.Write(new ColumnBatch(WriterSchema, [new List<long> { 1 }, new List<int> { 1 }]));
        b.Write(new ColumnBatch(WriterSchema, [new List<long> { 2 }, new List<int> { 2 }]));
        b.TryCommit(1).Should().Be(new CommitResult.Committed(1));
        a.TryCommit(1).Should().Be(new CommitResult.Conflicted(1));
        a.Commit().Should().Be(2);
        table.Snapshot().ReadRows().Should().HaveCount(2);
    }

    [Fact]
    public void Overwrite_racing_an_append_is_a_conflict_and_commits_nothing()
    {
        using var tmp = new TempDirectory("delta-conflict");
        var table = DeltaTable.Create(tmp.Path, WriterSchema);
        var overwrite = table.NewTransaction(DeltaOperation.Overwrite);
        overwrite.Write(new ColumnBatch(WriterSchema, [new List<long> { 9 }, new List<int> { 9 }]));
        var append = table.NewTransaction(DeltaOperation.Append);
        append.Write(new ColumnBatch(WriterSchema, [new List<long> { 1 }, new List<int> { 1 }]));
        append.Commit().Should().Be(1);
        var act = () => overwrite.Commit();
        act.Should().Throw<DeltaException>().Where(e => e.Kind == DeltaErrorKind.Conflict && e.Message.Contains("concurrent commit 1") && e.Message.Contains("Help:"));
        table.Snapshot().Version.Should().Be(1);
    }

    [Fact]
    public void Same_app_id_committed_concurrently_is_a_conflict()
    {
        using var tmp = new TempDirectory("delta-txn");
        var table = DeltaTable.Create(tmp.Path, WriterSchema);
        var first = table.NewTransaction(DeltaOperation.Append);
        var second = table.NewTransaction(DeltaOperation.Append);
        foreach (var t in new[] { first, second })
        {
            t.Write(new ColumnBatch(WriterSchema, [new List<long> { 1 }, new List<int> { 1 }]));
            t.SetTransactionId("ingest-job", 7);
        }
        first.Commit();
        var act = () => second.Commit();
        act.Should().Throw<DeltaException>().Where(e => e.Kind == DeltaErrorKind.Conflict && e.Message.Contains("same application id"));
        table.Snapshot().TransactionVersion("ingest-job").Should().Be(7);
    }

    [Fact]
    public void Lineage_refuses_secret_looking_parameters()
    {
        using var tmp = new TempDirectory("delta-secret");
        var table = DeltaTable.Create(tmp.Path, WriterSchema);
        foreach (var (name, value) in new[] { ("password", "x"), ("api_key", "x"), ("key", "x"), ("source", "Server=db;Password=hunter2") })
        {
            var txn = table.NewTransaction(DeltaOperation.Append, new CommitLineage("job") { Parameters = new Dictionary<string, string> { [name] = value } });
            txn.Write(new ColumnBatch(WriterSchema, [new List<long> { 1 }, new List<int> { 1 }]));
            var act = () => txn.Commit();
            act.Should().Throw<DeltaException>().Where(e => e.Kind == DeltaErrorKind.InvalidArgument && !e.Message.Contains("hunter2"));
        }
        table.Snapshot().Version.Should().Be(0);
    }

    [Fact]
    public void Vacuum_honours_retention_and_keeps_active_files()
    {
        using var tmp = new TempDirectory("delta-vacuum");
        var table = DeltaTable.Create(tmp.Path, WriterSchema);
        var t1 = table.NewTransaction(DeltaOperation.Append);
        t1.Write(new ColumnBatch(WriterSchema, [new List<long> { 1 }, new List<int> { 1 }]));
        t1.Commit();
        var t2 = table.NewTransaction(DeltaOperation.Overwrite);
        t2.Write(new ColumnBatch(WriterSchema, [new List<long> { 2 }, new List<int> { 2 }]));
        t2.Commit();
        string removed = table.Snapshot(1).ActiveFiles.Single().AbsolutePath;

        var tooShort = () => table.Vacuum(TimeSpan.FromHours(1));
        tooShort.Should().Throw<DeltaException>().Where(e => e.Kind == DeltaErrorKind.InvalidArgument && e.Message.Contains("Help:"));
        table.Vacuum().FilesDeleted.Should().Be(0, "the removed file is younger than 7 days");
        File.SetLastWriteTimeUtc(removed, DateTime.UtcNow.AddDays(-8));
        table.Vacuum(dryRun: true).Should().Be(new VacuumResult(1, new FileInfo(removed).Length, true));
        File.Exists(removed).Should().BeTrue();
        table.Vacuum().FilesDeleted.Should().Be(1);
        File.Exists(removed).Should().BeFalse();
        table.Snapshot().ReadRows().Should().HaveCount(1);
        var old = () => table.Snapshot(1).ReadRows();
        old.Should().Throw<DeltaException>().Where(e => e.Kind == DeltaErrorKind.DataFileMissing);
    }
}
