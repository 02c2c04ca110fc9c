namespace Lakehouse.Udfs.Dicom.Reading;

/// <summary>
/// The File Meta Information of a file as the reader found it: its encoded bytes (a copy, empty when the file has
/// none), where they start in the file, and the value of the transfer syntax key column. The reader needs nothing else of
/// it per file; <see cref="DicomReadResult.FileMeta"/> materializes the data set from the bytes only when asked.
/// </summary>
internal readonly record struct DicomFileMetaBytes(byte[] Bytes, int FileOffset, string? TransferSyntaxUid);
