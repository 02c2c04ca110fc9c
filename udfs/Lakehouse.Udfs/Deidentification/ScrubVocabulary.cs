namespace Lakehouse.Udfs.Deidentification;

/// <summary>
/// Words the report scrubber must not take for identifiers on their own: clinical vocabulary (sections, anatomy,
/// findings, devices, departments) and everyday English words that are also names ("May", "Rose", "White", "Long").
/// Used as evidence against a pattern match, never to keep a value the caller says is PHI next to other PHI.
/// </summary>
internal static class ScrubVocabulary
{
    /// <summary>
    /// Words that name a department, service, room or device kind, not a site: a known institution, department or station
    /// value made only of these ("RADIOLOGY", "PORTABLE", "Diagnostic Imaging") identifies nobody and is not scrubbed, and an
    /// institution match made only of these ("Department of Radiology", "Interventional Radiology") is kept.
    /// </summary>
    public static readonly HashSet<string> Departments = new(
    [
        "radiology", "radiologie", "imaging", "diagnostic", "diagnostics", "interventional", "department", "dept", "division", "section",
        "service", "services", "unit", "of", "and", "the", "for", "&", "pediatric", "paediatric", "neuro", "neuroradiology", "body",
        "musculoskeletal", "msk", "breast", "chest", "thoracic", "cardiac", "cardiothoracic", "cardiovascular", "vascular", "abdominal",
        "emergency", "er", "ed", "trauma", "nuclear", "medicine", "oncology", "oncologic", "women's", "womens", "outpatient", "inpatient",
        "ambulatory", "general", "portable", "mobile", "ct", "mr", "mri", "ultrasound", "us", "sonography", "mammography", "mammo", "xray",
        "x-ray", "fluoroscopy", "angiography", "pet", "spect", "dexa", "reading", "room", "scanner", "station", "report", "reports",
        "clinic", "hospital", "institute", "center", "centre", "health", "medical", "heart", "cancer", "sleep", "spine", "orthopedic",
        "orthopaedic", "pulmonary", "pulmonology", "lung", "nodule", "thyroid", "liver", "stroke", "vein", "wound", "pain", "surgery", "surgical", "icu", "nicu", "picu", "ccu", "or", "pacu", "bildediagnostikk", "röntgen", "roentgen",
    ], StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Words that are also given or family names but far more often ordinary report words. A known name part in this set is
    /// scrubbed only next to another part of the name, a title or a name token ("Rose May", "MAY, ROSE", "Mrs. May");
    /// a labelled or titled name candidate holding one of these ("Patient HAS CHEST PAIN") is not a name.
    /// </summary>
    public static readonly HashSet<string> CommonWords = new(
    [
        // Function words and report verbs that follow labels in all-caps text.
        "a", "an", "the", "is", "was", "has", "had", "have", "with", "without", "and", "or", "of", "in", "on", "at", "to", "for",
        "no", "not", "none", "may", "might", "can", "will", "be", "been", "are", "were", "denies", "presents", "presented",
        "reports", "complains", "underwent", "status", "post", "history", "hx", "s/p", "who", "which", "that", "this",
        "male", "female", "man", "woman", "boy", "girl", "year", "years", "old", "yo", "new", "prior", "previous", "follow", "up",
        "known", "unknown", "visit", "course", "stay", "admission", "note", "notes", "records", "outside", "seen", "from",
        "transferred", "referred", "admitted", "identified", "positioned", "supine", "upright", "erect", "prone", "seated", "by",
        "per", "as", "see",
        // Names that are also words of report text ("may represent", "white matter", "frank hemorrhage", "Baker cyst"). Names
        // that are rare in reports (Green, King, Young) are not listed: they are scrubbed wherever they occur.
        "rose", "mark", "will", "long", "white", "black", "gray", "grey", "small", "short", "low", "high", "early", "late",
        "major", "minor", "large", "little", "cross", "field", "case", "rule", "free", "fair", "bright", "best", "hope", "frank",
        "ward", "stone", "baker", "child", "sharp", "day", "mild", "moderate", "severe",
        // Clinical words (sections, anatomy, findings, devices).
        "findings", "impression", "indication", "indications", "technique", "comparison", "conclusion", "exam", "examination",
        "clinical", "procedure", "addendum", "report", "radiology", "department", "portable", "normal", "abnormal", "stable",
        "unchanged", "acute", "chronic", "clear", "left", "right", "bilateral", "base", "bases", "apex", "lobe", "upper", "lower",
        "middle", "heart", "lung", "lungs", "chest", "mass", "bone", "bones", "rib", "ribs", "head", "neck", "spine", "brain",
        "abdomen", "pelvis", "knee", "hip", "hand", "foot", "back", "liver", "kidney", "breast", "pain", "fever", "cough",
        "shortness", "breath", "trauma", "fall", "pneumonia", "effusion", "edema", "nodule", "opacity", "fracture", "tube",
        "line", "catheter", "pacemaker", "wire", "wires", "clip", "clips", "stent", "drain", "port", "device", "devices",
        "ct", "mr", "mri", "xray", "x-ray", "cxr", "ap", "pa", "lat", "lateral", "frontal", "view", "views", "contrast",
    ], StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// True when every word of <paramref name="value"/> (split at white space, '/' and ',') is a department word. A digit or
    /// another mark inside a word ("CT_SCANNER", "RMC-MR-3T") makes a station code, which is scrubbed.
    /// </summary>
    public static bool IsDepartmentOnly(ReadOnlySpan<char> value)
    {
        var lookup = Departments.GetAlternateLookup<ReadOnlySpan<char>>();
        bool any = false;
        foreach (var range in value.SplitAny(" \t\r\n/,"))
        {
            var word = value[range].TrimEnd('.');
            if (word.IsEmpty) continue;
            foreach (char c in word)
                if (!char.IsLetter(c) && c is not '\'' and not '&' and not '-') return false;
            if (!lookup.Contains(word)) return false;
            any = true;
        }
        return any;
    }

    /// <summary>True when <paramref name="word"/> is a department word (see <see cref="Departments"/>).</summary>
    public static bool IsDepartmentWord(ReadOnlySpan<char> word) => Departments.GetAlternateLookup<ReadOnlySpan<char>>().Contains(word);

    /// <summary>True when <paramref name="word"/> is an ordinary word (see <see cref="CommonWords"/>).</summary>
    public static bool IsCommonWord(ReadOnlySpan<char> word) => CommonWords.GetAlternateLookup<ReadOnlySpan<char>>().Contains(word);
}
