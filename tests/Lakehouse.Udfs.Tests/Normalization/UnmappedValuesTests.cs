using Lakehouse.Udfs.Normalization;

namespace Lakehouse.Udfs.Tests.Normalization;

/// <summary>
/// What stays unmapped from a sample of messy header values: the list a job shows users so they know
/// which rows to add to pipelines/ref next. The expected lists pin the current mapping coverage.
/// </summary>
public class UnmappedValuesTests
{
    private static readonly string[] Modalities = ["CT", "ct ", "MR", "MRI", "PET", "PT", "CR", "DX", "DR", "MG", "US", "XA", "NM", "OT", "SR", "XRAY", "CTMR", "Scout", ""];
    private static readonly string[] BodyParts = ["CHEST", "Chest", "THORAX", "TÓRAX", "LUNG", "ABD", "ABDOMEN_PELVIS", "HEAD", "SKULL", "BRAIN", "L-SPINE", "C SPINE", "RKNEE",
        "KNEE", "MAMMO", "BREAST", "EXTREMITY", "PORT CHEST", "ABDOMEN_CHEST", "SCOUT", "BODY", "UNKNOWN", "", "   "];
    private static readonly string[] Manufacturers = ["GE MEDICAL SYSTEMS", "GEMS", "SIEMENS", "Philips Medical Systems", "TOSHIBA_MEC", "CANON_MEC", "FUJIFILM Corporation",
        "HOLOGIC, Inc.", "Lorad", "AGFA", "KODAK", "Carestream Health", "Vendor X", "Pixelmed Publishing", "DCMTK", "", "OEC Medical Systems"];
    private static readonly string[] Descriptions = ["CT CHEST W CONTRAST", "CT ABD/PELVIS W/O", "MRI BRAIN W/WO", "XR CHEST PA/LAT", "MAMMO SCREENING BILAT", "Knee 2 views",
        "PROTOCOL 12 RESEARCH", "Scout", "CTA HEAD NECK", "US ABD COMPLETE", "ANONYMIZED", ""];

    [Fact]
    public void The_unmapped_values_of_a_messy_sample_are_listed_raw()
    {
        Unmapped(Modalities, v => ModalityNormalizer.Normalize(v)).Should().Equal("CTMR", "Scout");
        Unmapped(BodyParts, v => ToMapped(BodyPartNormalizer.Normalize(v, null))).Should().Equal("ABDOMEN_CHEST", "BODY", "PORT CHEST", "SCOUT", "UNKNOWN");
        Unmapped(Manufacturers, v => ManufacturerNormalizer.Normalize(v)).Should().Equal("DCMTK", "OEC Medical Systems", "Pixelmed Publishing", "Vendor X");
        Unmapped(Descriptions, v => ToMapped(StudyTypeParser.Parse(v, null))).Should().Equal(
            "ANONYMIZED", "Knee 2 views", "PROTOCOL 12 RESEARCH", "Scout"); // "Knee 2 views": no modality without the header
    }

    [Fact]
    public void Empty_input_is_neither_mapped_nor_an_unmapped_value()
    {
        ModalityNormalizer.Normalize("  ").Should().Be(default(MappedValue));
        ManufacturerNormalizer.Normalize(null).Should().Be(default(MappedValue));
        BodyPartNormalizer.Normalize(" ", " ").Should().Be(default(BodyPartResult));
    }

    private static MappedValue ToMapped(BodyPartResult r) => new(r.Term, r.Mapped);

    private static MappedValue ToMapped(StudyType t) => new(t.CanonicalName, t.Mapped);

    // The job's query: distinct non-null values that did not map, sorted.
    private static List<string> Unmapped(IEnumerable<string> sample, Func<string, MappedValue> normalize) =>
        sample.Select(normalize).Where(r => !r.Mapped && r.Value is not null).Select(r => r.Value!).Distinct().Order(StringComparer.Ordinal).ToList();
}
