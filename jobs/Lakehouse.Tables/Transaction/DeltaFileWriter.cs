using Lakehouse.Tables.Actions;
using Lakehouse.Tables.Parquet;
using Lakehouse.Tables.Scan;
using Lakehouse.Tables.Schema;
using Parquet;

namespace Lakehouse.Tables.Transaction;

/// <summary>
/// One data file of a transaction written a row group at a time, so a long-running writer (ingestion) holds one row
/// group in memory, not the whole commit: <c>Write</c> appends a row group, <see cref="Complete"/> closes the file
/// and adds it (with statistics over all its rows) to the transaction. Disposing an incomplete writer deletes the partial
/// file. For unpartitioned tables whose columns are flat or arrays of fixed-width values (the column-by-column path).
/// </summary>
public sealed class DeltaFileWriter : IDisposable
{
    private readonly DeltaTransaction _transaction;
    private readonly string _relativePath;
    private readonly string _absolutePath;
    private readonly List<StructField> _fields;
    private readonly global::Parquet.Schema.ParquetSchema _parquetSchema;
    private readonly StatsCollector _stats;
    private readonly FileStream _stream;
    private readonly ParquetWriter _writer;
    private bool _closed;

    internal DeltaFileWriter(DeltaTransaction transaction, string tablePath, StructType schema, IReadOnlyList<string> partitionColumns, CompressionMethod compression,
        StatsColumnSelection statsColumns)
    {
        if (partitionColumns.Count > 0)
            throw new DeltaException(DeltaErrorKind.InvalidArgument, tablePath, "a streamed data file needs an unpartitioned table", "Use Write, which splits rows by partition.");
        if (!ColumnarWriter.Supports(schema.Fields))
            throw new DeltaException(DeltaErrorKind.InvalidArgument, tablePath, "a streamed data file needs flat columns (or arrays of fixed-width values)", "Use Write for nested schemas.");
        _transaction = transaction;
        _fields = [.. schema.Fields];
        _parquetSchema = ParquetSchemaMapper.ToParquet(_fields);
        _stats = new StatsCollector(_fields, statsColumns);
        _relativePath = DataFileWriter.NewFileName(compression);
        _absolutePath = Path.Combine(tablePath, _relativePath);
        _stream = new FileStream(_absolutePath, FileMode.CreateNew, FileAccess.Write);
        try { _writer = ParquetWriter.CreateAsync(_parquetSchema, _stream, ColumnarWriter.Options(compression)).GetAwaiter().GetResult(); }
        catch
        {
            _stream.Dispose();
            File.Delete(_absolutePath);
            throw;
        }
    }

    /// <summary>Rows written so far.</summary>
    public long RowCount { get; private set; }

    /// <summary>Appends <paramref name="batch"/> as one row group. Its columns are matched to the table's by name; a missing column is null.</summary>
    public void Write(ColumnBatch batch)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (batch.RowCount == 0) return;
        var columns = _fields.Select(f => batch.Column(f.Name)).ToList();
        var rows = Enumerable.Range(0, batch.RowCount).ToArray();
        ColumnarWriter.WriteRowGroupAsync(_writer, _parquetSchema, _fields, columns, rows, 0, rows.Length).GetAwaiter().GetResult();
        _stats.Add(batch, rows);
        RowCount += batch.RowCount;
    }

    /// <summary>Appends the rows of <paramref name="buffers"/> (which must follow the table's schema) as one row group.</summary>
    public void Write(ColumnBuffers buffers)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (buffers.RowCount == 0) return;
        // Placeholder: through the boxed batch until the typed Parquet writer lands.
        Write(buffers.ToColumnBatch());
    }

    /// <summary>Closes the file (footer, fsync) and adds it to the transaction. A file with no rows is deleted instead.</summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        Close();
        if (RowCount == 0)
        {
            File.Delete(_absolutePath);
            return;
        }
        _transaction.AddWritten(DataFileWriter.Added(_relativePath, _absolutePath, new Dictionary<string, string?>(), _stats.ToJson()));
    }

    /// <summary>Deletes the partial file when <see cref="Complete"/> was not reached.</summary>
    public void Dispose()
    {
        if (_closed) return;
        try { Close(); }
        catch (IOException) { } // already failing: the partial file goes either way
        try { File.Delete(_absolutePath); }
        catch (IOException) { } // an orphan that vacuum removes
    }

    private void Close()
    {
        _closed = true;
        try
        {
            _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
            _stream.Flush(flushToDisk: true);
        }
        finally { _stream.Dispose(); }
    }
}
