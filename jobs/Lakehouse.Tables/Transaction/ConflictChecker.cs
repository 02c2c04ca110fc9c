using Lakehouse.Tables.Actions;

namespace Lakehouse.Tables.Transaction;

/// <summary>
/// Decides whether a transaction may be committed after another writer won a version (optimistic concurrency,
/// Serializable for data changes). Each rule is a named Check… step; the first violated one throws
/// <see cref="DeltaErrorKind.Conflict"/> with a Help line.
/// </summary>
internal sealed class ConflictChecker(string table, DeltaTransaction txn, long winningVersion, CommitActions winner)
{
    public void CheckConflicts()
    {
        CheckProtocolCompatibility();
        CheckNoMetadataUpdates();
        CheckForAddedFilesThatShouldHaveBeenReadByCurrentTxn();
        CheckForDeletedFilesAgainstCurrentTxnDeletedFiles();
        CheckForUpdatedApplicationTransactionIds();
    }

    private void CheckProtocolCompatibility()
    {
        if (winner.Protocol is not null)
            Fail("changed the table protocol", "Re-open the table and run the transaction again.");
    }

    private void CheckNoMetadataUpdates()
    {
        if (winner.Metadata is not null)
            Fail("changed the table metadata (schema, partitioning or properties)", "Re-open the table and run the transaction again against the new schema.");
    }

    /// <summary>An overwrite/replace-where/delete read some partitions: a concurrent add into them would be lost or duplicated.</summary>
    private void CheckForAddedFilesThatShouldHaveBeenReadByCurrentTxn()
    {
        if (txn.ReadPredicate is null) return;
        foreach (var add in winner.Adds)
        {
            if (!add.DataChange) continue;
            if (txn.ReadPredicate(txn.TypedPartitionValues(add.PartitionValues)))
                Fail("added data to partitions this transaction replaces or deletes", "Run the overwrite/replace-where again; it will include the concurrent data.");
        }
    }

    private void CheckForDeletedFilesAgainstCurrentTxnDeletedFiles()
    {
        if (txn.RemovedKeys.Count == 0) return;
        foreach (var rm in winner.Removes)
            if (txn.RemovedKeys.Contains(Snapshot.Snapshot.FileKey(rm.Path, rm.DeletionVectorId)))
                Fail("removed a file this transaction also removes", "Run the transaction again on the new version.");
    }

    private void CheckForUpdatedApplicationTransactionIds()
    {
        if (txn.AppTransaction is not { } mine) return;
        foreach (var t in winner.Transactions)
            if (t.AppId == mine.AppId)
                Fail("committed a batch for the same application id", "Re-read the table's transaction version for this app id and skip batches already committed.");
    }

    private void Fail(string what, string help) =>
        throw new DeltaException(DeltaErrorKind.Conflict, table, $"concurrent commit {winningVersion} {what}; this {txn.Operation} transaction (read version {txn.ReadVersion}) was not committed", help);
}
