using System.Text;

namespace Lakehouse.Jobs.Sample;

/// <summary>
/// Report text generated from intended labels, one clear sentence per mentioned observation, so a correct labeler
/// recovers the labels exactly: "There is X." (1), "No X." (0), "Cannot exclude X." / "Possible X." (-1).
/// </summary>
internal static class SampleReports
{
    /// <summary>The 14 CheXpert observations, snake_case, in labels.csv column order.</summary>
    public static readonly string[] Observations =
    [
        "no_finding", "enlarged_cardiomediastinum", "cardiomegaly", "lung_opacity", "lung_lesion", "edema", "consolidation",
        "pneumonia", "atelectasis", "pneumothorax", "pleural_effusion", "pleural_other", "fracture", "support_devices",
    ];

    // Per observation (index 1..13): the noun phrase, and the sentence stating it as present.
    private static readonly (string Phrase, string[] Positive)[] Phrases =
    [
        ("", []),
        ("enlarged cardiomediastinum", ["There is enlarged cardiomediastinum."]),
        ("cardiomegaly", ["There is cardiomegaly.", "There is mild cardiomegaly."]),
        ("lung opacity", ["There is a lung opacity in the right lower lobe.", "There is a lung opacity in the left lower lobe."]),
        ("pulmonary nodule", ["There is a pulmonary nodule in the left upper lobe.", "There is a pulmonary nodule in the right upper lobe."]),
        ("pulmonary edema", ["There is pulmonary edema.", "There is mild pulmonary edema."]),
        ("consolidation", ["There is consolidation in the right middle lobe.", "There is consolidation in the left lower lobe."]),
        ("pneumonia", ["Findings are consistent with pneumonia."]),
        ("atelectasis", ["There is bibasilar atelectasis.", "There is atelectasis at the left base."]),
        ("pneumothorax", ["There is a small right pneumothorax.", "There is a small left apical pneumothorax."]),
        ("pleural effusion", ["There is a moderate left pleural effusion.", "There is a small right pleural effusion."]),
        ("pleural thickening", ["There is pleural thickening at the right apex."]),
        ("rib fracture", ["There is a right rib fracture.", "There is a left rib fracture."]),
        ("support devices", ["An endotracheal tube is in place.", "A right internal jugular central venous catheter is in place.", "A cardiac pacemaker is in place."]),
    ];

    /// <summary>Draws intended labels: pathologies 1/0/-1/unmentioned, then no_finding = 1 when none is 1 or -1.</summary>
    public static int?[] DrawLabels(SampleRandom rng, bool portable)
    {
        var labels = new int?[Observations.Length];
        bool normal = rng.Chance(0.35);
        for (int i = 1; i <= 12; i++)
        {
            double r = rng.NextDouble();
            labels[i] = normal
                ? (r < 0.25 ? 0 : null)
                : r < 0.13 ? 1 : r < 0.19 ? -1 : r < 0.45 ? 0 : null;
        }
        double d = rng.NextDouble();
        labels[13] = d < (portable ? 0.45 : 0.1) ? 1 : d < 0.6 ? null : 0;
        bool anyPathology = false;
        for (int i = 1; i <= 12; i++) anyPathology |= labels[i] is 1 or -1;
        labels[0] = anyPathology ? null : 1;
        // A normal report says "The lungs are clear." (see ChestText): that states Lung Opacity negative.
        if (labels[0] == 1) labels[3] ??= 0;
        return labels;
    }

    /// <summary>FINDINGS and IMPRESSION of a chest report from its labels.</summary>
    public static (string Findings, string Impression) ChestText(SampleRandom rng, int?[] labels)
    {
        var findings = new List<string>();
        var impression = new List<string>();
        for (int i = 1; i < Observations.Length; i++)
        {
            var (phrase, positive) = Phrases[i];
            switch (labels[i])
            {
                case 1:
                    findings.Add(rng.Pick(positive));
                    impression.Add(char.ToUpperInvariant(phrase[0]) + phrase[1..] + ".");
                    break;
                case 0:
                    findings.Add($"No {phrase}.");
                    break;
                case -1:
                    string s = rng.Chance(0.5) ? $"Cannot exclude {phrase}." : $"Possible {phrase}.";
                    findings.Add(s);
                    impression.Add(s);
                    break;
            }
        }
        if (labels[0] == 1)
        {
            findings.Add("The lungs are clear.");
            impression.Insert(0, "No acute cardiopulmonary abnormality.");
        }
        // Support devices alone do not make an impression item when the study is otherwise normal.
        return (string.Join(" ", findings), string.Join(" ", impression.Select((s, i) => impression.Count > 1 ? $"{i + 1}. {s}" : s)));
    }

    /// <summary>Text for the non-chest studies: mentions none of the 14 observations (they get no labels row).</summary>
    public static (string Findings, string Impression) OtherText(StudyTemplate t) => (t.Modality, t.BodyPart) switch
    {
        ("CT", "HEAD") => ("No acute intracranial hemorrhage. Ventricles and sulci are normal for age.", "No acute intracranial abnormality."),
        ("MR", "BRAIN") => ("No restricted diffusion. No abnormal enhancement. Normal flow voids.", "Normal MRI of the brain."),
        ("MR", "KNEE") => ("The menisci are intact. The cruciate and collateral ligaments are intact.", "No internal derangement."),
        (_, "CSPINE") or (_, "LSPINE") => ("Vertebral body heights are maintained. Mild degenerative disc disease.", "Mild degenerative changes."),
        ("CT", "ABDOMEN") => ("The liver, spleen, pancreas and kidneys are unremarkable. No free fluid.", "No acute abdominal process."),
        ("MG", _) => ("The breasts are heterogeneously dense. No suspicious calcifications.", "BI-RADS 1: Negative."),
        ("US", _) => ("Normal sonographic appearance of the examined organs.", "Unremarkable ultrasound."),
        _ => ("Joint spaces are preserved. Alignment is normal.", "Normal radiographs."),
    };

    /// <summary>The full report: a header full of PHI, the sections, and a signature.</summary>
    public static string Compose(SampleStudy study, string findings, string impression, string displayName, string referringDisplay)
    {
        var r = study.Record;
        var sb = new StringBuilder();
        sb.Append("RADIOLOGY REPORT\n");
        sb.Append($"{r.Site.InstitutionName}\n");
        sb.Append($"Patient: {displayName}   MRN: {r.PatientId}   DOB: {Us(r.Person.BirthDate)}\n");
        sb.Append($"Accession: {study.AccessionNumber}   Exam date: {Us(study.StudyDate)}\n");
        sb.Append($"Exam: {study.Description}\n");
        sb.Append($"Referring physician: {referringDisplay}\n");
        sb.Append($"Clinical history: {study.ClinicalHistory} Patient phone {r.Phone}.\n\n");
        sb.Append($"FINDINGS:\n{findings}\n\nIMPRESSION:\n{impression}\n\n");
        sb.Append($"Electronically signed on {Us(study.StudyDate)}.\n");
        return sb.ToString();
    }

    public static string Addendum(SampleStudy study, DateOnly date, string displayName, string referringDisplay) =>
        $"ADDENDUM to accession {study.AccessionNumber} ({displayName}, MRN {study.Record.PatientId}):\n" +
        $"Results were discussed with {referringDisplay} by telephone on {Us(date)}.\n";

    public static string Us(DateOnly d) => $"{d.Month:D2}/{d.Day:D2}/{d.Year:D4}";
}
