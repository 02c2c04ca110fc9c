using Lakehouse.Udfs.Registry;

namespace Lakehouse.Udfs.Deidentification;

/// <summary>
/// The de-identification functions bound to one key and one set of options, for one job run
/// (<c>UdfRegistry.Default.With(DeidentificationUdfs.For(key, options))</c>); never registered globally.
/// <c>deid_tags_json</c> adds its action counts to <see cref="Audit"/>, which the job writes to <c>silver.deid_audit</c>.
/// </summary>
public sealed class DeidentificationUdfs
{
    /// <summary>Separator of the values of a list argument (names, identifiers): ASCII unit separator.</summary>
    public const char ListSeparator = '\u001f';

    /// <summary>Separator between the identifiers and the institution names in the identifiers argument of <c>deid_scrub</c>: ASCII record separator.</summary>
    public const char SectionSeparator = '\u001e';

    private readonly DeidKey _key;
    private readonly DeidOptions _options;
    private readonly DeidAudit _audit = new();
    private readonly Lock _auditLock = new();

    private DeidentificationUdfs(DeidKey key, DeidOptions options)
    {
        _key = key;
        _options = options;
        Functions =
        [
            Udf.Define<string, string>("deid_patient", "Patient pseudonym PT-... of a patient key (or \"person:\" + person id)", ["patient_key"], Patient),
            Udf.Define<string, string>("deid_accession", "Accession number pseudonym AC-...", ["accession_number"], Accession),
            Udf.Define<string, string>("deid_report_id", "Report id pseudonym RP-...", ["report_id"], ReportId),
            Udf.Define<string, string>("deid_uid", "UID remapped to 2.25.<keyed hash> (kept under Retain UIDs)", ["uid"], Uid),
            Udf.Define<DateOnly, string, DateOnly>("deid_shift_date", "The date shifted by the date shift of the person key", ["date", "person_key"], ShiftDate),
            Udf.Define<string, string?>("deid_age", "Patient Age (AS) grouped: 90 years or older becomes 090Y", ["patient_age"], AgeGrouping.GroupDicomAge),
            Udf.Define<string, string, string>("deid_tags_json", "DICOM JSON de-identified (PS3.15 Basic Profile with the run's options); dates shifted by the person key",
                ["tags_json", "person_key"], TagsJson),
            Udf.Define<string?, string?, string?, string?, string?>("deid_scrub",
                "Free text with the known names, identifiers and institutions scrubbed and dates shifted by the person key (lists separated by U+001F; institutions after U+001E)",
                ["text", "names", "identifiers", "person_key"], Scrub, new UdfOptions(UdfNulls.Receive)),
        ];
    }

    /// <summary>The functions of one run.</summary>
    public static DeidentificationUdfs For(DeidKey key, DeidOptions options)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(options);
        return new DeidentificationUdfs(key, options);
    }

    /// <summary>The UDF definitions to add to the run's registry.</summary>
    public IReadOnlyList<UdfDefinition> Functions { get; }

    /// <summary>A copy of the action × keyword counts of every <c>deid_tags_json</c> call so far.</summary>
    public DeidAudit Audit
    {
        get
        {
            var copy = new DeidAudit();
            lock (_auditLock) copy.Merge(_audit);
            return copy;
        }
    }

    /// <summary><c>deid_patient</c>.</summary>
    public string Patient(string patientKey) => Pseudonyms.Patient(_key, patientKey);

    /// <summary><c>deid_accession</c>: AC- and 16 base32 characters.</summary>
    public string Accession(string accession) => "AC-" + Pseudonyms.Patient(_key, "accession:" + accession)[Pseudonyms.PatientPrefix.Length..];

    /// <summary><c>deid_report_id</c>: RP- and 16 base32 characters.</summary>
    public string ReportId(string reportId) => "RP-" + Pseudonyms.Patient(_key, "report:" + reportId)[Pseudonyms.PatientPrefix.Length..];

    /// <summary><c>deid_uid</c>.</summary>
    public string Uid(string uid) => _options.RetainUids ? uid : UidRemapper.Remap(_key, uid.Trim().TrimEnd('\0'));

    /// <summary><c>deid_shift_date</c>.</summary>
    public DateOnly ShiftDate(DateOnly date, string personKey) => DateShift.For(_key, personKey).Shift(date);

    /// <summary><c>deid_tags_json</c>.</summary>
    public string TagsJson(string tagsJson, string personKey)
    {
        var audit = new DeidAudit();
        string result = DicomJsonDeidentifier.Deidentify(tagsJson, _options, _key, personKey, audit);
        lock (_auditLock) _audit.Merge(audit);
        return result;
    }

    /// <summary><c>deid_scrub</c>.</summary>
    public string? Scrub(string? text, string? names, string? identifiers, string? personKey)
    {
        if (text is null) return null;
        string ids = identifiers ?? "";
        int section = ids.IndexOf(SectionSeparator, StringComparison.Ordinal);
        string institutions = section < 0 ? "" : ids[(section + 1)..];
        if (section >= 0) ids = ids[..section];
        var context = new ReportScrubContext
        {
            KnownNames = Split(names),
            KnownIdentifiers = Split(ids),
            InstitutionNames = Split(institutions),
            DateShift = personKey is null ? null : DateShift.For(_key, personKey),
        };
        return ReportTextDeidentifier.Scrub(text, context);
    }

    private static string[] Split(string? list) =>
        string.IsNullOrEmpty(list) ? [] : list.Split(ListSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToArray();
}
