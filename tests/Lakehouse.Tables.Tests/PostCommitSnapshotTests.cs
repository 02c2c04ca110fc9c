using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;
using Lakehouse.Testing;

namespace Lakehouse.Tables.Tests;

/// <summary>
/// A writer that commits batch after batch reads the log once: each transaction starts from the previous one's
/// <see cref="DeltaTransaction.PostCommitSnapshot"/>. That snapshot must be the state a full replay of the log gives
/// (files, statistics, tombstones, app transactions, protocol, schema) after appends, replaced partitions, schema merges and
/// checkpoints; when another writer committed in between, it is read from the log, and the next commit sees that writer.
/// </summary>
public sealed class PostCommitSnapshotTests
{
    private static readonly StructType Schema = RoundTripTests.Schema;

    // Everything a snapshot tells a reader or the next writer, a line per fact (a difference names its line).
    private static List<string> StateOf(Tables.Snapshot.Snapshot s) =>
    [
        $"version {s.Version} (segment end {s.Segment.EndVersion})",
        $"protocol {s.Protocol.MinReaderVersion}/{s.Protocol.MinWriterVersion}/{TestSupport.Render(s.Protocol.ReaderFeatures)}/{TestSupport.Render(s.Protocol.WriterFeatures)}",
        $"schema {s.Schema.ToJsonString()}",
        $"partitioned by {string.Join(",", s.PartitionColumns)}",
        $"configuration {TestSupport.Render(s.Metadata.Configuration)}",
        .. s.ActiveFiles.Select(f => $"file {f.LogPath}|{f.AbsolutePath}|{f.Size}|{f.ModificationTime}|{f.StatsJson}|{TestSupport.Render(f.PartitionValues)}").Order(StringComparer.Ordinal),
        .. s.Tombstones.Keys.Select(k => "tombstone " + k).Order(StringComparer.Ordinal),
        .. s.Transactions.Select(t => $"txn {t.Key}={t.Value}").Order(StringComparer.Ordinal),
    ];

    [Fact]
    public void Each_post_commit_snapshot_is_the_state_a_replay_of_the_log_gives()
    {
        using var tmp = new TempDirectory("delta-post-commit");
        var table = DeltaTable.Create(tmp.Path, Schema, ["site"], new Dictionary<string, string> { ["delta.checkpointInterval"] = "4" });
        var read = table.Snapshot();
        for (int b = 0; b < 11; b++)
        {
            bool replace = b % 5 == 2, merge = b == 6;
            var txn = table.NewTransaction(read, replace ? DeltaOperation.ReplaceWhere : DeltaOperation.Append, mergeSchema: merge);
            if (replace) txn.RemoveWhere(pv => (string?)pv["site"] == "s1", "site = <value>");
            var batch = RoundTripTests.Batch(b * 10, 10);
            if (merge)
            {
                // A new nullable column, added by this commit's metaData.
                var wider = new StructType([.. Schema.Fields, new StructField("extra", DeltaType.Integer)]);
                batch = new ColumnBatch(wider, [.. batch.Columns, Enumerable.Range(0, 10).Select(i => (object?)i).ToList()]);
            }
            txn.Write(batch);
            txn.SetTransactionId("ingest", b);
            txn.Commit();
            read = txn.PostCommitSnapshot();
            StateOf(read).Should().Equal(StateOf(table.Snapshot(read.Version)), $"after commit {read.Version}");
        }
        read.Version.Should().Be(11);
        read.Schema.Find("extra").Should().NotBeNull();
        table.Snapshot().Segment.CheckpointVersion.Should().Be(8, "checkpoints were written on the way");
        RoundTripTests.AssertValid(tmp.Path);
    }

    [Fact]
    public void After_another_writer_s_commit_the_snapshot_comes_from_the_log_and_keeps_its_files()
    {
        using var tmp = new TempDirectory("delta-post-commit-race");
        var table = DeltaTable.Create(tmp.Path, Schema, ["site"]);
        var mine = table.NewTransaction(DeltaOperation.Append);
        var theirs = DeltaTable.Open(tmp.Path).NewTransaction(DeltaOperation.Append);
        theirs.Write(RoundTripTests.Batch(100, 5));
        theirs.Commit().Should().Be(1);
        mine.Write(RoundTripTests.Batch(0, 5));
        mine.Commit().Should().Be(2, "a blind append goes after the winner");

        var after = mine.PostCommitSnapshot();
        StateOf(after).Should().Equal(StateOf(table.Snapshot()));
        after.ActiveFiles.Should().HaveCount(theirs.Adds.Count + mine.Adds.Count);

        // A transaction from a snapshot that is behind (version 1) still commits after the newest version.
        var stale = table.NewTransaction(theirs.PostCommitSnapshot(), DeltaOperation.Append);
        stale.ReadVersion.Should().Be(1);
        stale.Write(RoundTripTests.Batch(200, 3));
        stale.Commit().Should().Be(3);
        table.Snapshot().ActiveFiles.Should().HaveCount(theirs.Adds.Count + mine.Adds.Count + stale.Adds.Count);
        RoundTripTests.AssertValid(tmp.Path);
    }

    [Fact]
    public void Misuse_is_refused()
    {
        using var tmp = new TempDirectory("delta-post-commit-misuse");
        var table = DeltaTable.Create(tmp.Combine("a"), Schema);
        var other = DeltaTable.Create(tmp.Combine("b"), Schema);
        var txn = table.NewTransaction(DeltaOperation.Append);
        txn.Invoking(t => t.PostCommitSnapshot()).Should().Throw<InvalidOperationException>().WithMessage("*not committed*");
        table.Invoking(t => t.NewTransaction(other.Snapshot(), DeltaOperation.Append)).Should().Throw<ArgumentException>().WithMessage("*another table*");
    }
}
