namespace Lakehouse.Udfs.Dicom.Reading;

/// <summary>The outcome of reading a file header: a data set and its key attributes, or an error.</summary>
public sealed class DicomReadResult
{
    private DicomReadResult() { }

    /// <summary>True when the header was read.</summary>
    public bool IsSuccess => Error is null;

    private DicomFileMetaBytes _meta;
    private DicomDataset? _fileMeta;

    /// <summary>
    /// The File Meta Information (group 0002); empty when the file has none, null on failure. Materialized from the bytes
    /// the read kept on first use: reading a header needs only its transfer syntax.
    /// </summary>
    public DicomDataset? FileMeta
    {
        get
        {
            if (!IsSuccess) return null;
            if (_fileMeta is null) Interlocked.CompareExchange(ref _fileMeta, DicomFileReader.MaterializeFileMeta(_meta), null);
            return _fileMeta;
        }
    }

    /// <summary>
    /// The data set without File Meta Information and without the elements from the stop tag on. Null on failure, and
    /// from <see cref="DicomFileReader.ReadHeaderJson(Stream, string, System.Buffers.ArrayBufferWriter{byte}, DicomReadOptions?)"/>
    /// unless the file took its materializing fallback.
    /// </summary>
    public DicomDataset? Dataset { get; private init; }

    /// <summary>The key attributes of the data set as bronze column values (UTF-8 text, typed values).</summary>
    public DicomKeyValues? KeyValues { get; private init; }

    private DicomKeyAttributes? _keys;

    /// <summary>The typed key attributes of the data set (made from <see cref="KeyValues"/> on first use).</summary>
    public DicomKeyAttributes? Keys => _keys ??= KeyValues?.ToAttributes();

    /// <summary>The failure, when <see cref="IsSuccess"/> is false.</summary>
    public DicomReadError? Error { get; private init; }

    /// <summary>
    /// The number of file bytes the header occupies (up to the stop tag, or the whole file when it has none). For a deflated
    /// data set, whose compressed end of header is unknown, the file bytes handed to the inflater until the header was
    /// complete, in pieces of 8 KiB from the start of the data set: the compressed header plus the inflater's read-ahead
    /// (at most 8 KiB), never more than the file, and the same however the file was read (whole, streamed, or a head read
    /// first).
    /// </summary>
    public long HeaderBytes { get; private init; }

    /// <summary>The transfer syntax the data set was read with.</summary>
    public DicomTransferSyntax? TransferSyntax { get; private init; }

    internal static DicomReadResult Success(in DicomFileMetaBytes meta, DicomDataset? dataset, DicomKeyValues keys, long headerBytes,
        DicomTransferSyntax syntax) =>
        new() { _meta = meta, Dataset = dataset, KeyValues = keys, HeaderBytes = headerBytes, TransferSyntax = syntax };

    internal static DicomReadResult Failure(DicomReadError error) => new() { Error = error };
}
