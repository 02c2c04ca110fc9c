using System.Text.Json.Nodes;
using Lakehouse.Udfs.Deidentification;

namespace Lakehouse.Udfs.Tests.Deidentification;

/// <summary>Invented reports only (never the shared IU reports).</summary>
public class ReportTextDeidentifierTests
{
    private static readonly ReportScrubContext Context = new()
    {
        KnownNames = ["BRAMBLEWORTH^CORNELIA^J"],
        KnownIdentifiers = ["QX4471902", "ACC-55318"],
        InstitutionNames = ["Harborview North Annex"],
        DateShift = new DateShift(-10),
    };

    private static string Scrub(string text) => ReportTextDeidentifier.Scrub(text, Context);

    [Fact]
    public void Scrubs_a_whole_invented_report()
    {
        const string report =
            "PATIENT: Brambleworth, Cornelia   MRN: QX4471902   ACC: ACC-55318\n" +
            "EXAM DATE: 03/14/2021. Comparison: 2021-02-01.\n" +
            "Referring physician: Dr. Alistair Penhaligon, Harborview North Annex, phone (555) 201-3344.\n" +
            "FINDINGS: No acute abnormality. Cornelia tolerated the study.\n" +
            "Results sent to a.penhaligon@example.org and https://portal.example.org/r/123.\n" +
            "Patient lives at 42 Quillfeather Lane, Mapleton, OR 97001. Seen at St. Odo Medical Center on March 14, 2021.\n" +
            "Dictated by: Imelda Stroud";
        string s = Scrub(report);
        foreach (string phi in new[] { "Brambleworth", "Cornelia", "QX4471902", "ACC-55318", "Penhaligon", "Alistair", "Harborview", "201-3344",
                     "penhaligon@", "portal.example", "Quillfeather", "97001", "St. Odo", "Imelda", "Stroud", "03/14/2021", "2021-02-01", "March 14, 2021" })
            s.Should().NotContainEquivalentOf(phi);
        s.Should().Contain("[NAME]").And.Contain("[ID]").And.Contain("[PHONE]").And.Contain("[EMAIL]").And.Contain("[URL]")
            .And.Contain("[ADDRESS]").And.Contain("[INSTITUTION]");
        s.Should().Contain("03/04/2021").And.Contain("2021-01-22").And.Contain("March 4, 2021");
        s.Should().Contain("FINDINGS: No acute abnormality.").And.Contain("tolerated the study.");
    }

    [Theory]
    [InlineData("on 03/14/2021.", "on 03/04/2021.")]
    [InlineData("on 3/14/2021.", "on 3/4/2021.")]
    [InlineData("on 3/14/21.", "on 3/4/21.")]
    [InlineData("on 2021-03-14.", "on 2021-03-04.")]
    [InlineData("on March 14, 2021.", "on March 4, 2021.")]
    [InlineData("on Mar 14 2021.", "on Mar 4 2021.")]
    [InlineData("on 14-Mar-2021.", "on 04-Mar-2021.")]
    [InlineData("on 14 March 2021.", "on 4 March 2021.")]
    [InlineData("on 05-MAR-2021.", "on 23-FEB-2021.")]
    [InlineData("on 14.03.2021.", "on 04.03.2021.")]
    [InlineData("on 02/30/2021.", "on 02/30/2021.")]
    public void Shifts_dates_in_their_own_format(string text, string expected) => Scrub(text).Should().Be(expected);

    [Fact]
    public void Without_a_shift_dates_become_a_token()
    {
        ReportTextDeidentifier.Scrub("Seen 2021-03-14 and 3/15/2021.", new ReportScrubContext()).Should().Be("Seen [DATE] and [DATE].");
    }

    [Theory]
    [InlineData("Call 555-201-3344 now", "Call [PHONE] now")]
    [InlineData("Call (555) 201-3344 now", "Call [PHONE] now")]
    [InlineData("Call +1 555 201 3344 now", "Call [PHONE] now")]
    [InlineData("Call +49-6221-555-010 now", "Call [PHONE] now")]
    [InlineData("SSN 078-05-1120 on file", "SSN [ID] on file")]
    [InlineData("MRN# Z99887766 seen", "MRN# [ID] seen")]
    [InlineData("Accession number: 77120045", "Accession number: [ID]")]
    [InlineData("Mr. Oswin Tillinghast arrived", "Mr. [NAME] arrived")]
    [InlineData("Mrs. Okafor arrived", "Mrs. [NAME] arrived")]
    [InlineData("cc: Farquhar, Delphine", "cc: [NAME]")]
    [InlineData("Seen at Lindenbrook Memorial Hospital today", "Seen at [INSTITUTION] today")]
    [InlineData("Seen at Klinikum Ostheim today", "Seen at [INSTITUTION] today")]
    [InlineData("Lives at 17 Birchgrove Road, Apt 4", "Lives at [ADDRESS]")]
    [InlineData("Lives at Lindenstrasse 8, 10115 Berlin", "Lives at [ADDRESS]")]
    [InlineData("Mail to Eastwick, NH 03001 please", "Mail to [ADDRESS] please")]
    [InlineData("Mild degenerative change at L4-5. Impression: normal.", "Mild degenerative change at L4-5. Impression: normal.")]
    [InlineData("Heart size 12 cm, 3 nodules of 4 mm, 120 mL", "Heart size 12 cm, 3 nodules of 4 mm, 120 mL")]
    public void Scrubs_patterns_and_leaves_clinical_text(string text, string expected) => Scrub(text).Should().Be(expected);

    [Fact]
    public void Known_names_are_scrubbed_case_insensitively_as_whole_words_only()
    {
        var ctx = new ReportScrubContext { KnownNames = ["MAY^ROSE^^DR"] };
        ReportTextDeidentifier.Scrub("rose may be seen; primrose and mayhem stay. DR stays.", ctx)
            .Should().Be("[NAME] [NAME] be seen; primrose and mayhem stay. DR stays.");
    }

    /// <summary>What a site's headers typically hold besides the patient: a department, stations, the institution.</summary>
    private static readonly ReportScrubContext SiteContext = new()
    {
        KnownNames = ["BRAMBLEWORTH^CORNELIA^J", "MAY^ROSE", "WHITE^MARK^^DR"],
        KnownIdentifiers = ["QX4471902", "ACC-55318", "PORTABLE"],
        InstitutionNames = ["RADIOLOGY", "Diagnostic Imaging", "Harborview North Annex", "PORTABLE", "CT_SCANNER"],
        DateShift = new DateShift(-10),
    };

    /// <summary>Clinical text that the scrubber must return unchanged, even with the site's department and station names known.</summary>
    [Theory]
    [InlineData("RADIOLOGY REPORT")]
    [InlineData("DEPARTMENT OF RADIOLOGY")]
    [InlineData("Department of Radiology, Diagnostic Imaging section")]
    [InlineData("PORTABLE CHEST: Single AP view of the chest.")]
    [InlineData("EXAM: XR CHEST PORTABLE 1 VIEW")]
    [InlineData("Interventional Radiology was consulted for drain placement.")]
    [InlineData("Recommend follow-up in the Pulmonary Nodule Clinic.")]
    [InlineData("FINDINGS: There may be a small left pleural effusion. May represent atelectasis.")]
    [InlineData("The white matter is normal. Mark the site of the biopsy.")]
    [InlineData("Long segment of narrowing. Rose-colored fluid was aspirated.")]
    [InlineData("HISTORY: PATIENT WITH CHEST PAIN AND SHORTNESS OF BREATH.")]
    [InlineData("CLINICAL HISTORY: PATIENT HAS FEVER. RULE OUT PNEUMONIA.")]
    [InlineData("INDICATION: Patient Status Post Fall.")]
    [InlineData("IMPRESSION: No acute cardiopulmonary abnormality. Endotracheal tube 4 cm above the carina.")]
    [InlineData("Right internal jugular central venous catheter tip in the SVC. Cardiac pacemaker leads intact.")]
    [InlineData("Clinic Visit scheduled. Hospital Course uncomplicated.")]
    [InlineData("Chest X-Ray, MRN pending.")]
    [InlineData("Comparison: CT chest without contrast. Technique: PA and lateral views.")]
    [InlineData("Mild degenerative change of the thoracic spine at T7-8. Heart size 12 cm.")]
    public void Clinical_text_comes_out_unchanged(string text) => ReportTextDeidentifier.Scrub(text, SiteContext).Should().Be(text);

    /// <summary>PHI sentences that must still be masked, with the site context above.</summary>
    [Theory]
    [InlineData("Referring physician: Dr. Alistair Penhaligon", "Referring physician: Dr. [NAME]")]
    [InlineData("Discussed with Dr. Jörg Koch at 14:00.", "Discussed with Dr. [NAME] at 14:00.")]
    [InlineData("Mrs. Okafor tolerated the exam.", "Mrs. [NAME] tolerated the exam.")]
    [InlineData("Prof. Håkon Jørgensen reviewed.", "Prof. [NAME] reviewed.")]
    [InlineData("PATIENT: BRAMBLEWORTH, CORNELIA", "PATIENT: [NAME], [NAME]")]
    [InlineData("Patient: Rose May", "Patient: [NAME] [NAME]")]
    [InlineData("MAY, ROSE J was seen. There may be an effusion.", "[NAME], [NAME] J was seen. There may be an effusion.")]
    [InlineData("Mrs. May was informed.", "Mrs. [NAME] was informed.")]
    [InlineData("Results called to Dr. White.", "Results called to Dr. [NAME].")]
    [InlineData("cc: Mark White, MD", "cc: [NAME] [NAME], MD")]
    [InlineData("Patient: Ingrid Solvang", "Patient: [NAME]")]
    [InlineData("Dictated by: Imelda Stroud", "Dictated by: [NAME]")]
    [InlineData("MRN: QX4471902", "MRN: [ID]")]
    [InlineData("MRN: 55123987", "MRN: [ID]")]
    [InlineData("Accession: ACC-55318", "Accession: [ID]")]
    [InlineData("Accession #E8088474 final", "Accession #[ID] final")]
    [InlineData("Call 555-201-3344.", "Call [PHONE].")]
    [InlineData("Patient phone 03-2464-9567.", "Patient phone [PHONE].")]
    [InlineData("Tel. 040 5550 1234 (home)", "Tel. [PHONE] (home)")]
    [InlineData("Can be reached at +47 912 34 567.", "Can be reached at [PHONE].")]
    [InlineData("DOB: 03/14/1950", "DOB: 03/04/1950")]
    [InlineData("Seen at St. Mary's Hospital yesterday.", "Seen at [INSTITUTION] yesterday.")]
    [InlineData("Transferred from Mercy Medical Center.", "Transferred from [INSTITUTION].")]
    [InlineData("Outside films from The Riverside Radiology Group reviewed.", "Outside films from The [INSTITUTION] Group reviewed.")]
    [InlineData("HARBORVIEW NORTH ANNEX", "[INSTITUTION]")]
    [InlineData("Outside study from Fjordvik Sykehus.", "Outside study from [INSTITUTION].")]
    [InlineData("Seen at Ålesund Sjukehus.", "Seen at [INSTITUTION].")]
    [InlineData("ADDENDUM to accession E8088474 (James Phillips, MRN 4471902):", "ADDENDUM to accession [ID] ([NAME], MRN [ID]):")]
    [InlineData("ADDENDUM (JAMES PHILLIPS, MRN 4471902)", "ADDENDUM ([NAME], MRN [ID])")]
    [InlineData("Acquired on CT_SCANNER in room 2.", "Acquired on [INSTITUTION] in room 2.")]
    public void Phi_sentences_are_still_masked(string text, string expected) => ReportTextDeidentifier.Scrub(text, SiteContext).Should().Be(expected);

    [Fact]
    public void Name_parts_that_are_report_words_are_kept_alone_and_other_parts_are_masked_everywhere()
    {
        var ctx = new ReportScrubContext { KnownNames = ["BAKER^GREEN^FRANK"] };
        ReportTextDeidentifier.Scrub("Small Baker cyst. Frank hemorrhage absent. Green tolerated it. FRANK BAKER called.", ctx)
            .Should().Be("Small Baker cyst. Frank hemorrhage absent. [NAME] tolerated it. [NAME] [NAME] called.");
    }

    [Fact]
    public void Descriptor_cleaning_keeps_department_and_station_words_of_the_same_header()
    {
        // Department (0008,1040) RADIOLOGY and station (0008,1010) PORTABLE are identifiers of the header; the descriptor
        // keeps those words but loses the patient's name and the device serial number.
        var input = new JsonObject
        {
            ["00100010"] = Text("PN", new JsonObject { ["Alphabetic"] = "PLUMTREE^MAY" }),
            ["00081040"] = Text("LO", "RADIOLOGY"),
            ["00081010"] = Text("SH", "PORTABLE"),
            ["00181000"] = Text("LO", "XR_ROOM_7"),
            ["00081030"] = Text("LO", "RADIOLOGY PORTABLE CHEST MAY PLUMTREE XR_ROOM_7"),
        };
        string output = DicomJsonDeidentifier.Deidentify(input.ToJsonString(), new DeidOptions { CleanDescriptors = true }, DeidTestKeys.A, "X|1", new DeidAudit());
        JsonNode.Parse(output)!["00081030"]!["Value"]![0]!.GetValue<string>()
            .Should().Be("RADIOLOGY PORTABLE CHEST [NAME] [NAME] [ID]");

        static JsonObject Text(string vr, JsonNode value) =>
            new() { ["vr"] = vr, ["Value"] = new JsonArray(value) };
    }

    [Fact]
    public void Department_words_only_are_not_treated_as_known_values_but_station_codes_are()
    {
        ScrubVocabulary.IsDepartmentOnly("RADIOLOGY").Should().BeTrue();
        ScrubVocabulary.IsDepartmentOnly("Department of Diagnostic Imaging").Should().BeTrue();
        ScrubVocabulary.IsDepartmentOnly("CT_SCANNER").Should().BeFalse();
        ScrubVocabulary.IsDepartmentOnly("RMC-MR-3T").Should().BeFalse();
        ScrubVocabulary.IsDepartmentOnly("Riverside Radiology").Should().BeFalse();
        ScrubVocabulary.IsDepartmentOnly("").Should().BeFalse();
    }
}
