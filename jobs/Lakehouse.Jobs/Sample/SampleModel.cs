using Lakehouse.Udfs.Dicom.Writing;

namespace Lakehouse.Jobs.Sample;

/// <summary>A true person: one identity, possibly registered at several sites under different patient IDs.</summary>
internal sealed class SamplePerson
{
    public required string PersonId { get; init; }
    public required NameCulture Culture { get; init; }
    public required string Family { get; init; }
    public required string Given { get; init; }
    /// <summary>Ideographic family/given for Japanese names, written as the second PN component group.</summary>
    public string? FamilyIdeographic { get; init; }
    public string? GivenIdeographic { get; init; }
    /// <summary>M, F, O, or empty when unknown.</summary>
    public required string Sex { get; init; }
    public required DateOnly BirthDate { get; set; }
    public List<SamplePatientRecord> Records { get; } = [];
}

/// <summary>A person's registration at one site: the patient ID and demographics as that site writes them.</summary>
internal sealed class SamplePatientRecord
{
    public required SamplePerson Person { get; init; }
    public required SampleSite Site { get; init; }
    public required string PatientId { get; set; }
    public required string? IssuerOfPatientId { get; set; }
    public required string PatientName { get; set; }
    public required DicomCharacterSet CharacterSet { get; set; }
    public required string Address { get; init; }
    public required string Phone { get; init; }
    public bool WriteBirthDate { get; set; } = true;
    public List<(string PatientId, string Issuer)> OtherPatientIds { get; } = [];
    public List<SampleStudy> Studies { get; } = [];
    /// <summary>Stable per-site sequence number, used by sites whose folders are numbered.</summary>
    public int SiteSequence { get; set; }
}

/// <summary>A device at a site: manufacturer as spelled on the device, model, serial and station.</summary>
internal sealed record SampleDevice(Manufacturer Manufacturer, string ManufacturerSpelling, string Model, string SerialNumber,
    string StationName, string SoftwareVersion);

/// <summary>One planned study with every header value it writes and its intended normalized values.</summary>
internal sealed class SampleStudy
{
    public required SamplePatientRecord Record { get; init; }
    public required StudyTemplate Template { get; init; }
    public required string StudyInstanceUid { get; init; }
    public required string AccessionNumber { get; init; }
    public required string StudyId { get; init; }
    public required DateOnly StudyDate { get; init; }
    public required TimeOnly StudyTime { get; init; }
    public required string Description { get; init; }
    public required string BodyPartExamined { get; init; }
    public required SampleDevice Device { get; init; }
    public required string ReferringPhysician { get; init; }
    public required string PerformingPhysician { get; init; }
    public required string Operator { get; init; }
    public required DicomTransferSyntax TransferSyntax { get; init; }
    public required bool UndefinedLengthSequences { get; init; }
    public required string? PatientAge { get; init; }
    public required int? AgeYears { get; init; }
    public required string? ContrastAgent { get; init; }
    public required string RequestedProcedureId { get; init; }
    public string? ImageComments { get; init; }
    public string? StudyComments { get; init; }
    public string? AdditionalPatientHistory { get; init; }
    public bool WritePrivateBlock { get; init; }
    public required string ClinicalHistory { get; init; }
    /// <summary>Intended CheXpert labels (chest studies): 1, 0, -1 or null (not mentioned), in <see cref="SampleReports.Observations"/> order.</summary>
    public int?[]? Labels { get; set; }
    public List<SampleSeries> Series { get; } = [];
    public int Index { get; init; }
}

/// <summary>One planned series.</summary>
internal sealed class SampleSeries
{
    public required string SeriesInstanceUid { get; init; }
    public required int SeriesNumber { get; init; }
    public required string Description { get; init; }
    public required TimeOnly SeriesTime { get; init; }
    public List<SampleInstance> Instances { get; } = [];
}

/// <summary>One planned instance; <see cref="Ordinal"/> seeds its own random stream (pixel noise).</summary>
internal sealed record SampleInstance(SampleStudy Study, SampleSeries Series, int InstanceNumber, string SopInstanceUid, long Ordinal);

/// <summary>What a planned file holds.</summary>
internal enum SampleFileKind { Valid, Junk, Truncated, Duplicate }

/// <summary>One file of the archive: its relative path (with '/'), what it is, and how to produce its bytes.</summary>
internal sealed record SampleFile(string Path, SampleFileKind Kind, SampleInstance? Instance, string Note,
    SamplePatientRecord? RecordOverride = null, byte[]? Bytes = null, bool Truncate = false);

/// <summary>A radiology report of reports.jsonl and its truth.</summary>
internal sealed record SampleReport(string ReportId, SampleStudy? Study, SamplePatientRecord Record, string? AccessionNumber,
    DateOnly ReportDate, string Status, string Text, string Match);

/// <summary>A planted identity or leakage trap, described in ground-truth/traps.json.</summary>
internal sealed record SampleTrap(string Trap, string Description, string[] PersonIds, string[] PatientIds, string[] Details);
