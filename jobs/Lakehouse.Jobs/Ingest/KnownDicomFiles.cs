using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Lakehouse.Engine;

namespace Lakehouse.Jobs.Ingest;

/// <summary>
/// What earlier runs already landed, as compact hashes: file versions seen (ingested, duplicate or error) and, per SOP
/// Instance UID, the hash of the header that was kept. Memory is ~8 bytes per file and ~16 bytes per instance.
/// </summary>
internal sealed class KnownDicomFiles
{
    public HashSet<ulong> FileVersions { get; } = [];

    /// <summary>Whether this version of a file (path, size, time) landed before; a first run hashes no path.</summary>
    public bool HasVersion(string path, long size, long modifiedMicros) =>
        FileVersions.Count > 0 && FileVersions.Contains(FileFingerprint.Of(path, size, modifiedMicros));

    /// <summary>SOP Instance UID hash → the first 8 bytes of the kept header's SHA-256.</summary>
    public Dictionary<ulong, ulong> HeaderBySop { get; } = [];

    public static KnownDicomFiles Load(LakeStore lake)
    {
        var known = new KnownDicomFiles();
        DuckDBConnection? db = null; // opened only when there is something to read: a first run needs no engine
        try
        {
            foreach (var table in new[] { BronzeTables.DicomInstances, BronzeTables.DicomErrors, BronzeTables.DicomDuplicates })
            {
                string[] files = BronzeTables.ActiveFiles(lake, table);
                if (files.Length == 0) continue;
                if (db is null)
                {
                    db = new DuckDBConnection("DataSource=:memory:");
                    db.Open();
                }
                Read(db, known, files, instances: table == BronzeTables.DicomInstances);
            }
        }
        finally
        {
            db?.Dispose();
        }
        return known;
    }

    private static void Read(DuckDBConnection db, KnownDicomFiles known, string[] files, bool instances)
    {
        string columns = "source_path, file_size, epoch_us(file_modified_at)" + (instances ? ", sop_instance_uid, header_sha256" : "");
        using var cmd = db.CreateCommand();
        cmd.CommandText = $"SELECT {columns} FROM read_parquet([{string.Join(", ", files.Select(Sql.String))}])";
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            known.FileVersions.Add(FileFingerprint.Of(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
            if (instances && !reader.IsDBNull(3))
                known.HeaderBySop[SopHash(reader.GetString(3))] = HashPrefix(reader.GetString(4));
        }
    }

    /// <summary>The hash a run computes from a SOP Instance UID's UTF-8 bytes (<see cref="FileFingerprint.HashUtf8"/>), of a stored UID.</summary>
    public static ulong SopHash(string sopInstanceUid)
    {
        int max = Encoding.UTF8.GetMaxByteCount(sopInstanceUid.Length);
        byte[]? rented = max > 256 ? ArrayPool<byte>.Shared.Rent(max) : null;
        Span<byte> utf8 = rented ?? stackalloc byte[256];
        ulong h = FileFingerprint.HashUtf8(utf8[..Encoding.UTF8.GetBytes(sopInstanceUid, utf8)]);
        if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        return h;
    }

    /// <summary>The first 8 bytes of a SHA-256 as a big-endian number: equal to <see cref="HashPrefix(string)"/> of its hex.</summary>
    public static ulong HashPrefix(ReadOnlySpan<byte> sha256) => BinaryPrimitives.ReadUInt64BigEndian(sha256);

    /// <summary>The first 16 hex digits of a SHA-256 as a number.</summary>
    public static ulong HashPrefix(string sha256Hex) => ulong.Parse(sha256Hex.AsSpan(0, 16), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
