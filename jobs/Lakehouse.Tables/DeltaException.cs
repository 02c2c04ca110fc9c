namespace Lakehouse.Tables;

/// <summary>What went wrong with a Delta table operation.</summary>
public enum DeltaErrorKind
{
    /// <summary>The directory holds no Delta table (no <c>_delta_log</c> commits).</summary>
    TableNotFound,
    /// <summary>The table already exists where a new one was to be created.</summary>
    TableAlreadyExists,
    /// <summary>The table uses a protocol version or table feature this library does not implement.</summary>
    UnsupportedFeature,
    /// <summary>The requested version or timestamp cannot be reconstructed from the log.</summary>
    VersionNotFound,
    /// <summary>A concurrent commit conflicts logically with this transaction, or retries ran out.</summary>
    Conflict,
    /// <summary>The log is structurally invalid (missing protocol/metadata, gaps in versions).</summary>
    InvalidTable,
    /// <summary>Data does not match the table schema, or a schema change is not allowed.</summary>
    SchemaMismatch,
    /// <summary>A log, checkpoint or data file cannot be parsed.</summary>
    Corrupt,
    /// <summary>A data file referenced by the snapshot does not exist (e.g. vacuumed).</summary>
    DataFileMissing,
    /// <summary>The caller passed an invalid argument (retention too short, secret-looking lineage key...).</summary>
    InvalidArgument,
}

/// <summary>
/// The one exception type of Lakehouse.Tables. Messages name the table directory and the problem, never a data value
/// (tables may hold PHI); where a fix is known the message ends with a "Help:" line.
/// </summary>
public sealed class DeltaException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DeltaException(DeltaErrorKind kind, string table, string problem, string? help = null, Exception? inner = null)
        : base(Format(table, problem, help), inner)
    {
        Kind = kind;
        Table = table;
    }

    /// <summary>The category of the failure.</summary>
    public DeltaErrorKind Kind { get; }

    /// <summary>The table directory the error is about.</summary>
    public string Table { get; }

    /// <summary>True when the caller (input, arguments, table choice) must change something; false for corrupt or racing state.</summary>
    public bool IsUserError => Kind is DeltaErrorKind.TableNotFound or DeltaErrorKind.TableAlreadyExists or DeltaErrorKind.UnsupportedFeature
        or DeltaErrorKind.VersionNotFound or DeltaErrorKind.SchemaMismatch or DeltaErrorKind.InvalidArgument;

    private static string Format(string table, string problem, string? help) =>
        help is null ? $"Delta table '{table}': {problem}" : $"Delta table '{table}': {problem}\nHelp: {help}";
}
