using System.Text;
using Lakehouse.Udfs.Dicom;
using Lakehouse.Udfs.Dicom.Writing;

namespace Lakehouse.Jobs.Sample;

/// <summary>Everything the archive will hold, decided up front on one thread from one random stream.</summary>
internal sealed class SamplePlan
{
    public List<SamplePerson> Persons { get; } = [];
    public List<SampleStudy> Studies { get; } = [];
    public List<SampleFile> Files { get; } = [];
    public List<SampleReport> Reports { get; } = [];
    public List<SampleTrap> Traps { get; } = [];
    public SortedSet<(string Attribute, string Value)> Phi { get; } = [];
    public required PixelSize Pixels { get; init; }
    public required long Seed { get; init; }
}

/// <summary>Plans a deterministic synthetic archive: persons, registrations, studies, files, reports, traps.</summary>
internal sealed class SamplePlanner
{
    /// <summary>The identity traps need this many people; smaller archives have none.</summary>
    public const int MinimumPatientsForTraps = 8;

    private readonly SampleRandom _rng;
    private readonly SamplePlan _plan;
    private readonly DateOnly _epoch;
    private readonly HashSet<string> _usedIds = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Site, string Modality), SampleDevice[]> _devices = [];
    private readonly Dictionary<string, string[]> _physicians = [];
    private long _instanceOrdinal;

    private SamplePlanner(long seed, PixelSize pixels)
    {
        _rng = SampleRandom.For(seed, 1);
        _plan = new SamplePlan { Pixels = pixels, Seed = seed };
        // Fixed dates derived from the seed, never the clock.
        _epoch = new DateOnly(2015, 1, 1).AddDays((int)((ulong)seed % 365));
    }

    public static SamplePlan Plan(int patients, long seed, PixelSize pixels)
    {
        var planner = new SamplePlanner(seed, pixels);
        planner.Run(patients);
        return planner._plan;
    }

    private void Run(int patients)
    {
        foreach (var site in SampleVocabulary.Sites) SetUpSite(site);
        bool traps = patients >= MinimumPatientsForTraps;
        for (int i = 0; i < patients; i++) _plan.Persons.Add(NewPerson(i, traps ? ForcedSite(i) : null));
        if (traps) PlantIdentityTraps();
        int sequence = 0;
        foreach (var person in _plan.Persons)
            foreach (var record in person.Records) record.SiteSequence = ++sequence;
        foreach (var person in _plan.Persons) PlanStudies(person);
        foreach (var study in _plan.Studies) PlanFiles(study);
        if (traps) PlantLeakageTraps();
        PlanJunkAndTruncated(patients);
        PlanReports(patients);
        CollectPhi();
    }

    // People 0-5 carry the traps and need particular sites (see PlantIdentityTraps).
    private static string? ForcedSite(int index) => index switch
    {
        0 => "S1", 1 => "S2", 2 => "S4", 3 => "S5", 4 => "S1", 5 => "S1", _ => null,
    };

    private void SetUpSite(SampleSite site)
    {
        var (family, male, female) = SampleVocabulary.Names(site.Culture);
        var doctors = new string[6];
        for (int i = 0; i < doctors.Length; i++)
        {
            string f = Romaji(_rng.Pick(family)), g = Romaji(_rng.Pick(_rng.Chance(0.5) ? male : female));
            if (site.CharacterSet == DicomCharacterSet.Default) (f, g) = (Ascii(f), Ascii(g));
            doctors[i] = site.UpperCaseNames ? $"{f.ToUpperInvariant()}^{g.ToUpperInvariant()}" : $"{f}^{g}";
        }
        _physicians[site.SiteId] = doctors;
        foreach (string modality in new[] { "CT", "MR", "CR", "DX", "MG", "US" })
        {
            var makers = SampleVocabulary.Manufacturers.Where(m => m.Models.ContainsKey(modality)).ToArray();
            var devices = new SampleDevice[2];
            for (int i = 0; i < devices.Length; i++)
            {
                var m = _rng.Pick(makers);
                devices[i] = new SampleDevice(m, _rng.Pick(m.Spellings), _rng.Pick(m.Models[modality]), "SN" + _rng.Digits(7),
                    StationFor(site, modality, i), $"{_rng.Between(1, 9)}.{_rng.Between(0, 20)}.{_rng.Between(0, 9)}");
            }
            _devices[(site.SiteId, modality)] = devices;
        }
    }

    private static string StationFor(SampleSite site, string modality, int i)
    {
        int pick = modality switch { "CT" => 0, "MR" => 1, "CR" or "DX" => 2 + i % 2, "MG" => site.StationNames.Length - 1, _ => 4 % site.StationNames.Length };
        return site.StationNames[Math.Min(pick, site.StationNames.Length - 1)];
    }

    private SamplePerson NewPerson(int index, string? forcedSite)
    {
        var site = forcedSite is null
            ? _rng.Weighted(SampleVocabulary.Sites.Select(s => (s, s.Weight)).ToArray())
            : SampleVocabulary.Sites.First(s => s.SiteId == forcedSite);
        double sr = _rng.NextDouble();
        // Trap people need a known sex (linking by name + birth date + sex).
        string sex = sr < 0.48 ? "M" : sr < 0.96 || index < 6 ? "F" : sr < 0.98 ? "O" : "";
        var (families, male, female) = SampleVocabulary.Names(site.Culture);
        string family = _rng.Pick(families);
        string given = _rng.Pick(sex == "M" ? male : sex == "F" ? female : _rng.Chance(0.5) ? male : female);
        if (index == 0) (family, given) = (Ascii(family), Ascii(given)); // exact-name link across two ASCII sites
        // The OtherPatientIDs trap person has a name that S1 must transliterate, so only the ID sequence links them.
        if (index == 1) family = _rng.Pick(families.Where(f => !f.All(char.IsAscii)).ToArray());
        string? familyIdeo = null, givenIdeo = null;
        if (site.Culture == NameCulture.Japanese)
        {
            familyIdeo = family.Split('|')[1];
            givenIdeo = given.Split('|')[1];
            family = family.Split('|')[0];
            given = given.Split('|')[0];
        }
        var person = new SamplePerson
        {
            PersonId = $"P{index + 1:D5}", Culture = site.Culture, Family = family, Given = given,
            FamilyIdeographic = familyIdeo, GivenIdeographic = givenIdeo, Sex = sex, BirthDate = default,
        };
        person.Records.Add(NewRecord(person, site));
        return person;
    }

    private SamplePatientRecord NewRecord(SamplePerson person, SampleSite site, string? patientId = null)
    {
        string name = PersonNameFor(person, site);
        var charset = site.CharacterSet;
        if (charset == DicomCharacterSet.Default && !name.All(char.IsAscii)) charset = DicomCharacterSet.IsoIr100;
        return new SamplePatientRecord
        {
            Person = person, Site = site, PatientId = patientId ?? NewPatientId(site), IssuerOfPatientId = site.IssuerOfPatientId,
            PatientName = name, CharacterSet = charset, Address = NewAddress(site.Culture), Phone = NewPhone(site.Culture),
        };
    }

    private static string PersonNameFor(SamplePerson p, SampleSite site)
    {
        string f = p.Family, g = p.Given;
        if (site.UpperCaseNames) (f, g) = (f.ToUpperInvariant(), g.ToUpperInvariant());
        string pn = $"{f}^{g}";
        return p.FamilyIdeographic is null ? pn : $"{pn}={p.FamilyIdeographic}^{p.GivenIdeographic}";
    }

    private string NewPatientId(SampleSite site)
    {
        while (true)
        {
            string id = site.SiteId switch
            {
                "S1" => "RMC" + _rng.Digits(7),
                "S2" => "4" + _rng.Digits(7),
                "S3" => _rng.Digits(11),
                _ => _rng.Digits(6),
            };
            if (_usedIds.Add("pid:" + id)) return id;
        }
    }

    private string NewAccession(SampleSite site)
    {
        while (true)
        {
            string acc = site.AccessionPrefix + _rng.Digits(site.AccessionDigits);
            if (_usedIds.Add("acc:" + acc)) return acc;
        }
    }

    private string NewAddress(NameCulture culture) => culture switch
    {
        NameCulture.German => $"{_rng.Pick(SampleVocabulary.GermanStreets)} {_rng.Between(1, 120)}, {_rng.Pick(SampleVocabulary.GermanCities)}",
        NameCulture.Norwegian => $"{_rng.Pick(SampleVocabulary.NorwegianStreets)} {_rng.Between(1, 80)}, {_rng.Pick(SampleVocabulary.NorwegianCities)}",
        NameCulture.Japanese => $"{_rng.Pick(SampleVocabulary.JapaneseAreas)}{_rng.Between(1, 5)}-{_rng.Between(1, 30)}-{_rng.Between(1, 20)}",
        _ => $"{_rng.Between(10, 9999)} {_rng.Pick(SampleVocabulary.EnglishStreets)}, {_rng.Pick(SampleVocabulary.EnglishCities)}{_rng.Digits(2)}",
    };

    private string NewPhone(NameCulture culture) => culture switch
    {
        NameCulture.German => $"+49 40 {_rng.Digits(7)}",
        NameCulture.Norwegian => $"+47 9{_rng.Digits(2)} {_rng.Digits(2)} {_rng.Digits(3)}",
        NameCulture.Japanese => $"03-{_rng.Digits(4)}-{_rng.Digits(4)}",
        _ => $"({_rng.Between(201, 989)}) 555-{_rng.Between(100, 199):D4}",
    };

    private void PlantIdentityTraps()
    {
        var p = _plan.Persons;
        // 1. Same person at S1 and S4, linked only by exact name + birth date + sex (S4 writes the name exactly as S1 does).
        var s4 = NewRecord(p[0], SampleVocabulary.Sites[3]);
        s4.PatientName = p[0].Records[0].PatientName;
        p[0].Records.Add(s4);
        _plan.Traps.Add(new SampleTrap("same_person_name_birthdate_sex", "one person at S1 and S4 under different patient IDs; " +
            "identical PatientName, PatientBirthDate and PatientSex, no other link", [p[0].PersonId],
            [p[0].Records[0].PatientId, s4.PatientId], []));

        // 2. Same person at S2 and S1: S1 spells the name in ASCII, the link is S1's OtherPatientIDsSequence naming the S2 ID.
        var home = p[1].Records[0];
        var s1 = NewRecord(p[1], SampleVocabulary.Sites[0]);
        s1.PatientName = Ascii(home.PatientName).ToUpperInvariant();
        s1.CharacterSet = DicomCharacterSet.Default;
        s1.OtherPatientIds.Add((home.PatientId, home.IssuerOfPatientId!));
        p[1].Records.Add(s1);
        _plan.Traps.Add(new SampleTrap("linked_by_other_patient_ids", "one person at S2 and S1; the S1 files list the S2 patient ID " +
            "and issuer in OtherPatientIDsSequence; the name is transliterated at S1", [p[1].PersonId], [home.PatientId, s1.PatientId], []));

        // 3. Two different people sharing one PatientID string at S4 and S5, neither site writes IssuerOfPatientID.
        p[3].Records[0].PatientId = p[2].Records[0].PatientId;
        _plan.Traps.Add(new SampleTrap("shared_patient_id_different_people", "two different people at S4 and S5 with the same " +
            "PatientID string and no IssuerOfPatientID", [p[2].PersonId, p[3].PersonId], [p[2].Records[0].PatientId], []));
    }

    private void PlanStudies(SamplePerson person)
    {
        int total = person.Records.Count > 1 ? person.Records.Count + _rng.Next(2) : _rng.Weighted([(1, 50), (2, 35), (3, 15)]);
        // A timeline of distinct study dates; the age at the first study sets the birth date.
        var dates = new List<DateOnly>();
        var d = _epoch.AddDays(_rng.Next(365 * 6));
        for (int i = 0; i < total; i++)
        {
            dates.Add(d);
            d = d.AddDays(_rng.Between(3, 700));
        }
        double ar = _rng.NextDouble();
        int ageDays = ar < 0.02 ? _rng.Between(7, 48)
            : ar < 0.05 ? _rng.Between(60, 700)
            : ar < 0.09 ? _rng.Between(2 * 365 + 10, 17 * 365)
            : ar < 0.12 ? _rng.Between(90 * 365 + 30, 97 * 365)
            : _rng.Between(18 * 365 + 10, 89 * 365);
        person.BirthDate = dates[0].AddDays(-ageDays);
        foreach (var record in person.Records)
            record.WriteBirthDate = !_rng.Chance(0.03);
        for (int i = 0; i < total; i++)
        {
            // Every registration gets at least one study; the rest go to the home site.
            var record = i < person.Records.Count ? person.Records[i] : person.Records[0];
            record.Studies.Add(NewStudy(record, dates[i]));
        }
    }

    private SampleStudy NewStudy(SamplePatientRecord record, DateOnly date)
    {
        var person = record.Person;
        var choices = SampleVocabulary.Studies.Where(t => !t.FemaleOnly || person.Sex == "F").Select(t => (t, t.Weight)).ToArray();
        var template = _rng.Weighted(choices);
        var site = record.Site;
        var device = _rng.Pick(_devices[(site.SiteId, template.Modality)]);
        string bodyPart = _rng.Pick(template.BodyPartSpellings);
        string description = _rng.Pick(template.Descriptions);
        var ts = _rng.Weighted([(DicomTransferSyntax.ExplicitVRLittleEndian, 70), (DicomTransferSyntax.ImplicitVRLittleEndian, 12),
            (DicomTransferSyntax.ExplicitVRBigEndian, 8), (DicomTransferSyntax.DeflatedExplicitVRLittleEndian, 10)]);
        int ageYears = FullYears(person.BirthDate, date);
        // Age is written most of the time; missing only when the birth date is there to compute it from.
        string? age = !record.WriteBirthDate || !_rng.Chance(0.12) ? AgeString(person.BirthDate, date) : null;
        var doctors = _physicians[site.SiteId];
        string referring = _rng.Pick(doctors);
        string display = DisplayName(record);
        string history = _rng.Pick(SampleVocabulary.ClinicalHistories);
        var study = new SampleStudy
        {
            Record = record, Template = template, StudyInstanceUid = _rng.Uid(), AccessionNumber = NewAccession(site),
            StudyId = _rng.Digits(4), StudyDate = date, StudyTime = new TimeOnly(_rng.Between(7, 19), _rng.Next(60), _rng.Next(60)),
            Description = description, BodyPartExamined = bodyPart, Device = device, ReferringPhysician = referring,
            PerformingPhysician = _rng.Pick(doctors), Operator = OperatorName(site),
            TransferSyntax = ts, UndefinedLengthSequences = _rng.Chance(0.3), PatientAge = age, AgeYears = ageYears,
            ContrastAgent = template.Contrast == "yes" ? ContrastAgent(template.Modality) : null,
            RequestedProcedureId = "RP" + _rng.Digits(6),
            ImageComments = _rng.Chance(0.15) ? $"Pt {display} MRN {record.PatientId} - repeat per {DoctorDisplay(referring)}" : null,
            StudyComments = _rng.Chance(0.1) ? $"Prior exam at {site.InstitutionName} on {SampleReports.Us(date.AddDays(-_rng.Between(30, 900)))}, MRN {record.PatientId}" : null,
            AdditionalPatientHistory = _rng.Chance(0.25) ? $"{history} Patient {display} can be reached at {record.Phone}." : null,
            WritePrivateBlock = _rng.Chance(0.6), ClinicalHistory = history, Index = _plan.Studies.Count,
        };
        if (template.IsChest) study.Labels = SampleReports.DrawLabels(_rng, description.Contains("PORTABLE", StringComparison.Ordinal));
        int seriesCount = _rng.Between(template.MinSeries, template.MaxSeries);
        var time = study.StudyTime;
        for (int s = 0; s < seriesCount; s++)
        {
            time = time.AddMinutes(_rng.Between(1, 9));
            var series = new SampleSeries
            {
                SeriesInstanceUid = _rng.Uid(), SeriesNumber = s + 1 + (template.Modality is "CT" or "MR" ? 1 : 0),
                Description = SeriesDescription(template, s), SeriesTime = time,
            };
            int count = _rng.Between(template.MinInstances, template.MaxInstances);
            for (int i = 0; i < count; i++) series.Instances.Add(new SampleInstance(study, series, i + 1, _rng.Uid(), _instanceOrdinal++));
            study.Series.Add(series);
        }
        _plan.Studies.Add(study);
        return study;
    }

    private string ContrastAgent(string modality) => modality == "MR"
        ? _rng.Pick(SampleVocabulary.ContrastAgents[3..])
        : _rng.Pick(SampleVocabulary.ContrastAgents[..3]);

    private string OperatorName(SampleSite site)
    {
        var (family, male, female) = SampleVocabulary.Names(site.Culture);
        string f = Romaji(_rng.Pick(family)), g = Romaji(_rng.Pick(_rng.Chance(0.5) ? male : female));
        if (site.CharacterSet == DicomCharacterSet.Default) (f, g) = (Ascii(f), Ascii(g));
        return $"{f}^{g}";
    }

    private static string SeriesDescription(StudyTemplate t, int s) => t.Modality switch
    {
        "CT" => new[] { "AXIAL 2.5MM", "CORONAL MPR", "SAGITTAL MPR" }[s % 3],
        "MR" => new[] { "T1 SAG", "T2 AX", "FLAIR AX" }[s % 3],
        "MG" => "BILATERAL CC/MLO",
        "US" => "US IMAGES",
        _ => t.BodyPart == "CHEST" ? "PA/LAT" : "AP/LAT",
    };

    private void PlanFiles(SampleStudy study)
    {
        foreach (var series in study.Series)
            foreach (var instance in series.Instances)
                _plan.Files.Add(new SampleFile(PathOf(instance, study.Record), SampleFileKind.Valid, instance, ""));
    }

    /// <summary>Each site exports in its own messy layout; several put the patient's name or ID in folder names.</summary>
    private static string PathOf(SampleInstance i, SamplePatientRecord r)
    {
        var s = i.Study;
        string date = Dicom(s.StudyDate);
        string family = Ascii(r.Person.Family).Replace(' ', '_'), given = Ascii(r.Person.Given).Replace(' ', '_');
        return r.Site.SiteId switch
        {
            "S1" => $"EXPORT/{PathSafe(r.PatientName.Split('=')[0])}_{r.PatientId}/{date}_{s.AccessionNumber}/SE{i.Series.SeriesNumber:D3}/IM{i.InstanceNumber:D5}",
            "S2" => $"Klinikum_Nordstadt/{r.PatientId}/{s.AccessionNumber}/S{i.Series.SeriesNumber}/{i.InstanceNumber:D4}.dcm",
            "S3" => $"fjordvik_eksport/{PathSafe(r.Person.Family)}_{PathSafe(r.Person.Given)}/{date}-{s.AccessionNumber}/{i.Series.SeriesNumber}_{i.InstanceNumber}.DCM",
            "S4" => $"stanne/DICOM/PAT{r.SiteSequence:D5}/ST{s.Index:D5}/SER{i.Series.SeriesNumber}/I{i.InstanceNumber:D6}",
            _ => $"sakura/{r.PatientId}/{s.Template.Modality}_{date}_{s.AccessionNumber}/{family}_{given}_{i.Series.SeriesNumber}_{i.InstanceNumber:D3}.dcm",
        };
    }

    private static string PathSafe(string s) => new(s.Select(c => c is '/' or '\\' or ' ' ? '_' : c).ToArray());

    private void PlantLeakageTraps()
    {
        // 4. A re-exported duplicate: same bytes (same SOP Instance UID, identical header) under another path.
        var dupStudy = _plan.Persons[5].Records[0].Studies[0];
        var original = dupStudy.Series[0].Instances[0];
        string originalPath = PathOf(original, dupStudy.Record);
        string dupPath = "EXPORT_2" + originalPath["EXPORT".Length..];
        _plan.Files.Add(new SampleFile(dupPath, SampleFileKind.Duplicate, original, "reexport_identical_bytes"));
        _plan.Traps.Add(new SampleTrap("reexported_duplicate", "a file exported twice: identical bytes, same SOPInstanceUID, another path",
            [_plan.Persons[5].PersonId], [dupStudy.Record.PatientId], [original.SopInstanceUid, originalPath, dupPath]));

        // 5. One study whose UIDs also appear under a second patient ID: an emergency registration merged later.
        var person = _plan.Persons[4];
        var study = person.Records[0].Studies[0];
        var temp = NewRecord(person, person.Records[0].Site, "UNK" + _rng.Digits(6));
        temp.PatientName = "TRAUMA^ALPHA";
        temp.CharacterSet = DicomCharacterSet.Default;
        temp.WriteBirthDate = false;
        person.Records.Add(temp);
        foreach (var series in study.Series)
            foreach (var instance in series.Instances)
                _plan.Files.Add(new SampleFile(PathOf(instance, temp), SampleFileKind.Duplicate, instance, "same_uids_other_patient_id", temp));
        _plan.Traps.Add(new SampleTrap("study_under_two_patient_ids", "one study (same Study/Series/SOP Instance UIDs) written under " +
            "the person's patient ID and again under a temporary emergency ID with a placeholder name",
            [person.PersonId], [person.Records[0].PatientId, temp.PatientId], [study.StudyInstanceUid]));
    }

    private void PlanJunkAndTruncated(int patients)
    {
        _plan.Files.Add(new SampleFile("EXPORT/README.txt", SampleFileKind.Junk, null, "text",
            Bytes: Encoding.ASCII.GetBytes($"PACS export job {_rng.Digits(5)}\nFormat: DICOM Part 10, one file per instance\nDo not edit.\n")));
        _plan.Files.Add(new SampleFile("EXPORT/Thumbs.db", SampleFileKind.Junk, null, "random_bytes", Bytes: RandomBytes(4096)));
        _plan.Files.Add(new SampleFile("Klinikum_Nordstadt/export.log", SampleFileKind.Junk, null, "text",
            Bytes: Encoding.ASCII.GetBytes("2019-01-01 00:00:00 export started\n2019-01-01 00:04:12 export finished, 0 errors\n")));
        _plan.Files.Add(new SampleFile("stanne/DICOM/EMPTY", SampleFileKind.Junk, null, "empty", Bytes: []));
        _plan.Files.Add(new SampleFile("stanne/DICOM/IM000000.dcm", SampleFileKind.Junk, null, "random_bytes", Bytes: RandomBytes(2048)));
        _plan.Files.Add(new SampleFile("sakura/preview.jpg", SampleFileKind.Junk, null, "jpeg", Bytes: TinyJpeg()));
        _plan.Files.Add(new SampleFile("fjordvik_eksport/notat.DCM", SampleFileKind.Junk, null, "text_with_dicom_extension",
            Bytes: Encoding.UTF8.GetBytes("Eksport fra PACS. Ikke en DICOM-fil.\n")));
        for (int k = 0; k < patients / 200; k++)
            _plan.Files.Add(new SampleFile($"EXPORT/tmp{k:D3}.bin", SampleFileKind.Junk, null, "random_bytes", Bytes: RandomBytes(1024 + _rng.Next(4096))));

        // Truncated files: extra instances (not in instances.csv) of real series, cut inside an element value.
        int truncated = 2 + patients / 40;
        var candidates = _plan.Studies.Where(s => s.TransferSyntax != DicomTransferSyntax.DeflatedExplicitVRLittleEndian).ToList();
        for (int k = 0; k < truncated && candidates.Count > 0; k++)
        {
            var study = candidates[_rng.Next(candidates.Count)];
            var series = study.Series[0];
            var instance = new SampleInstance(study, series, 9000 + k, _rng.Uid(), _instanceOrdinal++);
            _plan.Files.Add(new SampleFile(PathOf(instance, study.Record), SampleFileKind.Truncated, instance, "cut_inside_header", Truncate: true));
        }
    }

    private byte[] RandomBytes(int n)
    {
        var b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte)_rng.NextUInt64();
        // Make sure no junk accidentally starts like a Part 10 file.
        if (n > 132) b[128] = (byte)'X';
        return b;
    }

    // A minimal JFIF: SOI, APP0, a comment, EOI. Recognizably a JPEG, not DICOM.
    private static byte[] TinyJpeg() =>
    [
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
        0xFF, 0xFE, 0x00, 0x09, (byte)'p', (byte)'r', (byte)'e', (byte)'v', (byte)'i', (byte)'e', (byte)'w', 0xFF, 0xD9,
    ];

    private void PlanReports(int patients)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        string NewReportId()
        {
            while (true)
            {
                string id = "RPT" + _rng.Digits(8);
                if (ids.Add(id)) return id;
            }
        }
        foreach (var study in _plan.Studies)
        {
            if (_rng.Chance(0.12)) continue; // studies without a report
            var r = study.Record;
            string display = DisplayName(r);
            string referring = DoctorDisplay(study.ReferringPhysician);
            var (findings, impression) = study.Labels is { } labels
                ? SampleReports.ChestText(_rng, labels)
                : SampleReports.OtherText(study.Template);
            string text = SampleReports.Compose(study, findings, impression, display, referring);
            // A few reports lack the accession: they match by patient + date (dates are distinct per person).
            bool noAccession = _rng.Chance(0.05);
            var date = noAccession ? study.StudyDate : study.StudyDate.AddDays(_rng.Next(3));
            _plan.Reports.Add(new SampleReport(NewReportId(), study, r, noAccession ? null : study.AccessionNumber, date, "final", text,
                noAccession ? "patient_and_date" : "accession"));
            if (_rng.Chance(0.06))
            {
                var later = date.AddDays(_rng.Between(1, 10));
                _plan.Reports.Add(new SampleReport(NewReportId(), study, r, study.AccessionNumber, later, "addendum",
                    SampleReports.Addendum(study, later, display, referring), "accession"));
            }
        }
        // Reports whose study is not in the archive (e.g. exams at another facility).
        int orphans = 1 + patients / 50;
        for (int k = 0; k < orphans; k++)
        {
            var person = _plan.Persons[_rng.Next(_plan.Persons.Count)];
            var record = person.Records[0];
            var date = record.Studies.Count > 0 ? record.Studies[^1].StudyDate.AddDays(_rng.Between(20, 200)) : _epoch;
            string acc = NewAccession(record.Site);
            string text = "RADIOLOGY REPORT\n" + $"{record.Site.InstitutionName}\nPatient: {DisplayName(record)}   MRN: {record.PatientId}\n" +
                $"Accession: {acc}   Exam date: {SampleReports.Us(date)}\nExam: OUTSIDE FILM REVIEW\n\nFINDINGS:\nOutside images reviewed.\n\n" +
                "IMPRESSION:\nSee outside report.\n";
            _plan.Reports.Add(new SampleReport(NewReportId(), null, record, acc, date, "final", text, "none"));
        }
        _plan.Reports.Sort((a, b) => string.CompareOrdinal(a.ReportId, b.ReportId));
    }

    private void CollectPhi()
    {
        void Add(string attribute, string? value)
        {
            if (value is null) return;
            value = value.Trim();
            if (value.Length >= 4) _plan.Phi.Add((attribute, value));
        }
        foreach (var person in _plan.Persons)
        {
            foreach (var r in person.Records)
            {
                // The emergency placeholder name (TRAUMA^ALPHA) identifies nobody; its temporary ID does.
                if (r.PatientName.StartsWith("TRAUMA^", StringComparison.Ordinal)) { Add("PatientID", r.PatientId); continue; }
                Add("PatientName", r.PatientName);
                // Family names alone identify; given names alone ("Mark", "Carol") would only make false alarms.
                foreach (string group in r.PatientName.Split('=')) Add("PatientName.family", group.Split('^')[0]);
                Add("PatientID", r.PatientId);
                foreach (var (id, _) in r.OtherPatientIds) Add("OtherPatientIDs", id);
                if (r.WriteBirthDate) Add("PatientBirthDate", Dicom(person.BirthDate));
                Add("PatientAddress", r.Address);
                Add("PatientTelephoneNumbers", r.Phone);
                Add("report.patient_name", DisplayName(r));
                Add("report.birth_date", SampleReports.Us(person.BirthDate));
            }
        }
        foreach (var s in _plan.Studies)
        {
            Add("AccessionNumber", s.AccessionNumber);
            Add("StudyInstanceUID", s.StudyInstanceUid);
            Add("StudyDate", Dicom(s.StudyDate));
            Add("AcquisitionDateTime", Dicom(s.StudyDate) + s.StudyTime.ToString("HHmmss"));
            Add("report.exam_date", SampleReports.Us(s.StudyDate));
            Add("ReferringPhysicianName", s.ReferringPhysician);
            Add("report.referring_physician", DoctorDisplay(s.ReferringPhysician));
            Add("PerformingPhysicianName", s.PerformingPhysician);
            Add("OperatorsName", s.Operator);
            Add("InstitutionName", s.Record.Site.InstitutionName);
            Add("InstitutionAddress", s.Record.Site.InstitutionAddress);
            Add("StationName", s.Device.StationName);
            Add("DeviceSerialNumber", s.Device.SerialNumber);
            Add("RequestedProcedureID", s.RequestedProcedureId);
            Add("ImageComments", s.ImageComments);
            Add("StudyComments", s.StudyComments);
            Add("AdditionalPatientHistory", s.AdditionalPatientHistory);
        }
        foreach (var r in _plan.Reports) Add("report.accession_number", r.AccessionNumber);
    }

    /// <summary>The name as the site's RIS prints it: transliterated where the site writes ASCII only.</summary>
    public static string DisplayName(SamplePatientRecord r)
    {
        if (r.PatientName.StartsWith("TRAUMA", StringComparison.Ordinal)) return "Trauma Alpha";
        string name = $"{r.Person.Given} {r.Person.Family}";
        return r.CharacterSet == DicomCharacterSet.Default ? Ascii(name) : name;
    }

    public static string DoctorDisplay(string pn)
    {
        var parts = pn.Split('^');
        return parts.Length > 1 ? $"Dr. {parts[1]} {parts[0]}" : $"Dr. {parts[0]}";
    }

    public static string Dicom(DateOnly d) => $"{d.Year:D4}{d.Month:D2}{d.Day:D2}";

    public static int FullYears(DateOnly birth, DateOnly at)
    {
        int years = at.Year - birth.Year;
        if (at.Month < birth.Month || (at.Month == birth.Month && at.Day < birth.Day)) years--;
        return years;
    }

    /// <summary>DICOM AS: days under a week, weeks under 7 weeks, months under 2 years, else years (PS3.5 Table 6.2-1).</summary>
    public static string AgeString(DateOnly birth, DateOnly at)
    {
        int days = at.DayNumber - birth.DayNumber;
        if (days < 7) return $"{days:D3}D";
        if (days < 49) return $"{days / 7:D3}W";
        int years = FullYears(birth, at);
        if (years < 2)
        {
            int months = (at.Year - birth.Year) * 12 + at.Month - birth.Month - (at.Day < birth.Day ? 1 : 0);
            return $"{months:D3}M";
        }
        return $"{years:D3}Y";
    }

    private static string Romaji(string s) => s.Split('|')[0];

    /// <summary>ASCII transliteration the way registration desks do it (ü → ue, ø → oe, å → aa, é → e).</summary>
    public static string Ascii(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (char c in s)
        {
            sb.Append(c switch
            {
                'ä' => "ae", 'ö' => "oe", 'ü' => "ue", 'Ä' => "Ae", 'Ö' => "Oe", 'Ü' => "Ue", 'ß' => "ss",
                'ø' => "oe", 'Ø' => "Oe", 'å' => "aa", 'Å' => "Aa", 'æ' => "ae", 'Æ' => "Ae",
                'é' => "e", 'É' => "E", 'á' => "a", 'í' => "i", 'ó' => "o", 'ú' => "u", 'ñ' => "n", 'Ñ' => "N",
                _ => c < 128 ? c.ToString() : "",
            });
        }
        return sb.ToString();
    }
}
