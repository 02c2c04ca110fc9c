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
/// Files go through <see cref="ParquetBufferWriter"/> (typed buffers, no boxing); tables it cannot write (decimal
/// columns, codecs other than ZSTD/SNAPPY/none) through Parquet.Net.
/// </summary>
public sealed class DeltaFileWriter : IDisposable
{
    private readonly DeltaTransaction _transaction;
    private readonly string _tablePath;
    private readonly string _relativePath;
    private readonly string _absolutePath;
    private readonly StructType _schema;
    private readonly List<StructField> _fields;
    private readonly StatsCollector _stats;
    private readonly FileStream _stream;
    // Exactly one of the two writes the file.
    private readonly ParquetBufferWriter? _bufferWriter;
    private readonly ParquetWriter? _parquetNet;
    private readonly global::Parquet.Schema.ParquetSchema? _parquetSchema;
    // Write(ColumnBatch) converts into these (kept for the next batch).
    private ColumnBuffers? _converted;
    private bool _closed;

    internal DeltaFileWriter(DeltaTransaction transaction, string tablePath, StructType schema, IReadOnlyList<string> partitionColumns, CompressionMethod compression,
        StatsColumnSelection statsColumns)
    {
        if (partitionColumns.Count > 0)
            throw new DeltaException(DeltaErrorKind.InvalidArgument, tablePath, "a streamed data file needs an unpartitioned table", "Use Write, which splits rows by partition.");
        if (!ColumnarWriter.Supports(schema.Fields))
            throw new DeltaException(DeltaErrorKind.InvalidArgument, tablePath, "a streamed data file needs flat columns (or arrays of fixed-width values)", "Use Write for nested schemas.");
        _transaction = transaction;
        _tablePath = tablePath;
        _schema = schema;
        _fields = [.. schema.Fields];
        _stats = new StatsCollector(_fields, statsColumns);
        _relativePath = DataFileWriter.NewFileName(compression);
        _absolutePath = Path.Combine(tablePath, _relativePath);
        _stream = new FileStream(_absolutePath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        try
        {
            if (ParquetBufferWriter.Supports(schema) && ParquetBufferWriter.Supports(compression))
                _bufferWriter = new ParquetBufferWriter(_stream, schema, compression);
            else
            {
                _parquetSchema = ParquetSchemaMapper.ToParquet(_fields);
                _parquetNet = ParquetWriter.CreateAsync(_parquetSchema, _stream, ColumnarWriter.Options(compression)).GetAwaiter().GetResult();
            }
        }
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
        if (_bufferWriter is null)
        {
            var columns = _fields.Select(f => batch.Column(f.Name)).ToList();
            var rows = Enumerable.Range(0, batch.RowCount).ToArray();
            ColumnarWriter.WriteRowGroupAsync(_parquetNet!, _parquetSchema!, _fields, columns, rows, 0, rows.Length).GetAwaiter().GetResult();
            _stats.Add(batch, rows);
            RowCount += batch.RowCount;
            return;
        }
        _converted ??= new ColumnBuffers(_schema);
        _converted.Clear();
        try { _converted.Append(batch); }
        catch (InvalidOperationException e)
        {
            throw new DeltaException(DeltaErrorKind.InvalidArgument, _tablePath, e.Message); // names the column and row, never the value
        }
        _bufferWriter.WriteRowGroup(_converted);
        // Statistics from the batch itself: its values are boxed already, the buffers' would be boxed again.
        _stats.Add(batch, Enumerable.Range(0, batch.RowCount).ToArray());
        RowCount += batch.RowCount;
    }

    /// <summary>Appends the rows of <paramref name="buffers"/> (which must follow the table's schema) as one row group.</summary>
    /// <exception cref="DeltaException">The buffers' schema differs from the table's (the message names the column).</exception>
    public void Write(ColumnBuffers buffers)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (ParquetBufferWriter.SchemaDifference(_schema, buffers.Schema) is { } difference)
            throw new DeltaException(DeltaErrorKind.SchemaMismatch, _tablePath, "the rows do not follow the table's schema: " + difference,
                "Build the ColumnBuffers from the table's schema.");
        if (buffers.RowCount == 0) return;
        if (_bufferWriter is null)
        {
            Write(buffers.ToColumnBatch());
            return;
        }
        _bufferWriter.WriteRowGroup(buffers);
        _stats.Add(buffers);
        RowCount += buffers.RowCount;
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
            if (_bufferWriter is not null)
            {
                using (_bufferWriter) _bufferWriter.Finish();
            }
            else _parquetNet!.DisposeAsync().AsTask().GetAwaiter().GetResult();
            _stream.Flush(flushToDisk: true);
        }
        finally { _stream.Dispose(); }
    }
}
