using Lakehouse.Engine;
using Lakehouse.Tables.Transaction;

namespace Lakehouse.Jobs.Ingest;

/// <summary>
/// Streams row groups into bronze tables and commits them in batches: each table of a batch has one open transaction
/// and one data file that grows a row group at a time, so memory holds a row group, not the batch. <see cref="EndBatch"/>
/// completes the files and commits the tables in the order given (instances first: a run killed between two commits
/// is finished by the next one with no duplicate rows). Files of a batch that never commits are deleted.
/// </summary>
internal sealed class BronzeBatchWriter(LakeStore lake, CommitLineage lineage, IDictionary<string, long> versions) : IDisposable
{
    private readonly Dictionary<LakeTableName, (DeltaTransaction Transaction, DeltaFileWriter File)> _open = [];

    /// <summary>Appends one row group to <paramref name="table"/>; nothing when it is empty.</summary>
    public void Write(LakeTableName table, ColumnBuffers rows)
    {
        if (rows.RowCount == 0) return;
        var schema = rows.Schema;
        if (!_open.TryGetValue(table, out var open))
        {
            var transaction = lake.OpenOrCreate(table, schema, lineage, properties: BronzeTables.PropertiesOf(table)).NewTransaction(DeltaOperation.Append, lineage);
            _open[table] = open = (transaction, transaction.OpenFile());
        }
        open.File.Write(rows);
    }

    /// <summary>Completes and commits every table written since the last batch, in <paramref name="commitOrder"/>.</summary>
    public void EndBatch(IEnumerable<LakeTableName> commitOrder)
    {
        foreach (var table in commitOrder)
        {
            if (!_open.Remove(table, out var open)) continue;
            using (open.File) open.File.Complete();
            versions[table.ToString()] = open.Transaction.Commit();
        }
    }

    /// <summary>Deletes the files of a batch that did not commit.</summary>
    public void Dispose()
    {
        foreach (var (_, file) in _open.Values) file.Dispose();
        _open.Clear();
    }
}
