using Lakehouse.Tables.Actions;

namespace Lakehouse.Tables.TableFeatures;

/// <summary>What a caller wants to do with a table; each needs a different set of supported features.</summary>
public enum Operation
{
    /// <summary>Read the log and data files.</summary>
    Scan,
    /// <summary>Commit new versions (append, overwrite, checkpoint, vacuum).</summary>
    Write,
}

/// <summary>
/// The protocol check (protocol §Protocol Evolution, §Table Features) as a static table: for every feature name we know,
/// whether reading and writing it is implemented. Unknown names are unsupported.
/// </summary>
public static class TableFeatureSupport
{
    private sealed record FeatureInfo(bool ReaderSupported, bool WriterSupported);

    private static readonly Dictionary<string, FeatureInfo> Features = new(StringComparer.Ordinal)
    {
        // Reader features: implemented, or need no reader behaviour.
        ["timestampNtz"] = new(ReaderSupported: true, WriterSupported: false),
        ["vacuumProtocolCheck"] = new(ReaderSupported: true, WriterSupported: false),
        // Writer-only features of legacy writer versions 2 we honour.
        ["appendOnly"] = new(ReaderSupported: true, WriterSupported: true),
        ["invariants"] = new(ReaderSupported: true, WriterSupported: false),
        // Known but not implemented: refused rather than misread.
        ["columnMapping"] = new(false, false),
        ["deletionVectors"] = new(false, false),
        ["v2Checkpoint"] = new(false, false),
        ["typeWidening"] = new(false, false),
        ["typeWidening-preview"] = new(false, false),
        ["variantType"] = new(false, false),
        ["variantType-preview"] = new(false, false),
    };

    /// <summary>The highest legacy reader/writer versions this library implements.</summary>
    public const int MaxReaderVersion = 3, MaxWriterVersion = 2;

    /// <summary>Throws <see cref="DeltaErrorKind.UnsupportedFeature"/> naming every feature of <paramref name="protocol"/> that blocks <paramref name="operation"/>.</summary>
    public static void EnsureOperationSupported(string table, Protocol protocol, Operation operation)
    {
        var blocking = new List<string>();
        if (protocol.MinReaderVersion == 2) blocking.Add("columnMapping");
        foreach (string f in protocol.ReaderFeatures ?? [])
            if (!Features.TryGetValue(f, out var info) || !info.ReaderSupported) blocking.Add(f);
        if (operation == Operation.Write)
        {
            foreach (string f in protocol.WriterFeatures ?? [])
                if ((!Features.TryGetValue(f, out var info) || !info.WriterSupported) && !blocking.Contains(f)) blocking.Add(f);
        }
        bool versionTooHigh = protocol.MinReaderVersion > MaxReaderVersion || protocol.MinReaderVersion < 1
            || (operation == Operation.Write && protocol.MinWriterVersion > MaxWriterVersion && protocol.MinWriterVersion != 7);
        if (blocking.Count == 0 && !versionTooHigh) return;
        string what = operation == Operation.Scan ? "read" : "write";
        string problem = $"cannot {what}: protocol minReaderVersion {protocol.MinReaderVersion} / minWriterVersion {protocol.MinWriterVersion}"
            + (blocking.Count > 0 ? $" needs unsupported feature(s): {string.Join(", ", blocking)}" : $" is beyond reader {MaxReaderVersion} / writer {MaxWriterVersion}");
        throw new DeltaException(DeltaErrorKind.UnsupportedFeature, table, problem,
            "Read or rewrite this table with an engine that supports these features (e.g. Spark/delta-rs), or disable them on the table.");
    }
}
