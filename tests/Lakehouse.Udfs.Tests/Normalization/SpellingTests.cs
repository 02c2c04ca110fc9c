using Lakehouse.Udfs.Normalization;

namespace Lakehouse.Udfs.Tests.Normalization;

public class SpellingTests
{
    [Theory]
    [InlineData("CT ", "CT")]
    [InlineData("ct", "CT")]
    [InlineData(" Ct", "CT")]
    [InlineData("PT", "PT")]
    [InlineData("PET", "PT")]
    [InlineData("MRI", "MR")]
    [InlineData("mr", "MR")]
    [InlineData("DR", "DX")]
    [InlineData("MG", "MG")]
    [InlineData("ST", "NM")]
    [InlineData("RTSTRUCT", "RTSTRUCT")]
    public void Modality_spellings_map_to_the_defined_term(string raw, string expected)
    {
        ModalityNormalizer.Normalize(raw).Should().Be(new MappedValue(expected, true));
    }

    [Theory]
    [InlineData("CHEST", "CHEST")]
    [InlineData("THORAX", "CHEST")]
    [InlineData("Chest", "CHEST")]
    [InlineData("Thorax", "CHEST")]
    [InlineData("LUNG", "CHEST")]
    [InlineData("LUNGS", "CHEST")]
    [InlineData("TÓRAX", "CHEST")]
    [InlineData("CHEST_TO_PELVIS", "CHESTABDPELVIS")]
    [InlineData("HEAD", "HEAD")]
    [InlineData("SKULL", "SKULL")]
    [InlineData("BRAIN", "BRAIN")]
    [InlineData("ABD", "ABDOMEN")]
    [InlineData("ABDOMEN", "ABDOMEN")]
    [InlineData("PELVIS", "PELVIS")]
    [InlineData("L-SPINE", "LSPINE")]
    [InlineData("LSPINE", "LSPINE")]
    [InlineData("C SPINE", "CSPINE")]
    [InlineData("CSPINE", "CSPINE")]
    [InlineData("BREAST", "BREAST")]
    [InlineData("MAMMO", "BREAST")]
    [InlineData("KNEE", "KNEE")]
    [InlineData("RKNEE", "KNEE")]
    [InlineData("LEFT_KNEE", "KNEE")]
    [InlineData("Knee Right", "KNEE")]
    [InlineData("l spine", "LSPINE")]
    public void Body_part_spellings_map_to_the_canonical_term(string raw, string term)
    {
        var result = BodyPartNormalizer.Normalize(raw, "CT SOMETHING ELSE");
        result.Term.Should().Be(term);
        result.Mapped.Should().BeTrue();
        result.Method.Should().Be(BodyPartMethod.BodyPartExamined, "Body Part Examined wins over the description");
    }

    [Theory]
    [InlineData("CHEST", "816094009", "Chest")]
    [InlineData("HEAD", "69536005", "Head")]
    [InlineData("BRAIN", "12738006", "Brain")]
    [InlineData("ABDOMEN", "818981001", "Abdomen")]
    [InlineData("PELVIS", "816092008", "Pelvis")]
    [InlineData("BREAST", "76752008", "Breast")]
    [InlineData("KNEE", "72696002", "Knee")]
    [InlineData("CSPINE", "122494005", "Cervical spine")]
    [InlineData("LSPINE", "122496007", "Lumbar spine")]
    [InlineData("TSPINE", "122495006", "Thoracic spine")]
    public void Body_part_terms_carry_their_CID_4031_code(string term, string code, string display)
    {
        BodyPartNormalizer.Normalize(term, null).Should().Be(new BodyPartResult(term, code, display, true, BodyPartMethod.BodyPartExamined));
    }

    [Theory]
    [InlineData("CT CHEST W CONTRAST", "CHEST")]
    [InlineData("MRI L-SPINE W/O", "LSPINE")]
    [InlineData("XR KNEE 2 VIEWS RT", "KNEE")]
    [InlineData("MAMMO SCREENING BILAT", "BREAST")]
    [InlineData("CT ABD/PELVIS W", "ABDOMENPELVIS")]
    [InlineData("CT ABD W", "ABDOMEN")]
    [InlineData("CT ABDOMEN PELVIS W", "ABDOMENPELVIS")]
    [InlineData("TC de TÓRAX", "CHEST")]
    public void An_empty_body_part_is_inferred_from_the_study_description(string description, string term)
    {
        foreach (string? empty in new[] { null, "", "   " })
        {
            var result = BodyPartNormalizer.Normalize(empty, description);
            result.Term.Should().Be(term);
            result.Mapped.Should().BeTrue();
            result.Method.Should().Be(BodyPartMethod.StudyDescription);
        }
    }

    [Fact]
    public void An_unknown_body_part_is_kept_raw_and_flagged()
    {
        BodyPartNormalizer.Normalize("  EXTREMITY_FOO ", "CT CHEST").Should()
            .Be(new BodyPartResult("EXTREMITY_FOO", null, null, false, BodyPartMethod.Unmapped));
        BodyPartNormalizer.Normalize(null, "SCREENING").Should().Be(new BodyPartResult(null, null, null, false, BodyPartMethod.None));
        BodyPartNormalizer.Normalize(null, null).Method.Should().Be(BodyPartMethod.None);
    }

    [Theory]
    [InlineData("GE MEDICAL SYSTEMS", "GE HealthCare")]
    [InlineData("GE Healthcare", "GE HealthCare")]
    [InlineData("GEMS", "GE HealthCare")]
    [InlineData("GE MEDICAL SYSTEMS, LLC", "GE HealthCare")]
    [InlineData("SIEMENS", "Siemens Healthineers")]
    [InlineData("Siemens Healthineers", "Siemens Healthineers")]
    [InlineData("Siemens AG", "Siemens Healthineers")]
    [InlineData("Philips Medical Systems", "Philips")]
    [InlineData("Philips Healthcare", "Philips")]
    [InlineData("Philips Medical Systems Nederland B.V.", "Philips")]
    [InlineData("TOSHIBA_MEC", "Canon Medical Systems")]
    [InlineData("Toshiba", "Canon Medical Systems")]
    [InlineData("CANON_MEC", "Canon Medical Systems")]
    [InlineData("FUJIFILM Corporation", "Fujifilm")]
    [InlineData("FUJI PHOTO FILM Co., ltd.", "Fujifilm")]
    [InlineData("HOLOGIC, Inc.", "Hologic")]
    [InlineData("Lorad", "Hologic")]
    [InlineData("Agfa", "Agfa")]
    [InlineData("AGFA", "Agfa")]
    [InlineData("Carestream Health", "Carestream")]
    [InlineData("KODAK", "Carestream")]
    public void Manufacturer_spellings_map_to_the_canonical_vendor(string raw, string vendor)
    {
        ManufacturerNormalizer.Normalize(raw).Should().Be(new MappedValue(vendor, true));
    }

    [Fact]
    public void Corporate_suffixes_alone_are_not_stripped_to_nothing()
    {
        ManufacturerNormalizer.Normalize("Inc.").Should().Be(new MappedValue("Inc.", false));
        ManufacturerNormalizer.Normalize("Acme Imaging GmbH").Should().Be(new MappedValue("Acme Imaging GmbH", false));
    }

    [Fact]
    public void Model_names_are_case_normalized_and_known_aliases_mapped()
    {
        ModelNameNormalizer.Normalize("SIEMENS", "  Prisma_fit ").Should().Be(new MappedValue("MAGNETOM Prisma Fit", true));
        ModelNameNormalizer.Normalize("GE MEDICAL SYSTEMS", "LightSpeed  VCT").Should().Be(new MappedValue("LightSpeed VCT", true));
        ModelNameNormalizer.Normalize("Philips", "LightSpeed VCT").Should().Be(new MappedValue("LIGHTSPEED VCT", false), "the alias belongs to another vendor");
        ModelNameNormalizer.Normalize(null, " Some   Scanner 3000 ").Should().Be(new MappedValue("SOME SCANNER 3000", false));
        ModelNameNormalizer.Normalize("GE", "  ").Should().Be(default(MappedValue));
    }

    [Theory]
    [InlineData("M", "M")]
    [InlineData("F", "F")]
    [InlineData("O", "O")]
    [InlineData("male", "M")]
    [InlineData("Female", "F")]
    [InlineData("W", "F")]
    [InlineData("weiblich", "F")]
    [InlineData(" m ", "M")]
    public void Sex_spellings_map_to_M_F_or_O(string raw, string sex)
    {
        Sex.Normalize(raw).Should().Be(new MappedValue(sex, true));
    }

    [Fact]
    public void Unknown_sex_is_null_and_odd_sex_is_kept_raw()
    {
        Sex.Normalize("U").Should().Be(new MappedValue(null, true));
        Sex.Normalize("UNKNOWN").Should().Be(new MappedValue(null, true));
        Sex.Normalize("").Should().Be(new MappedValue(null, false));
        Sex.Normalize("Q").Should().Be(new MappedValue("Q", false));
    }

    [Fact]
    public void Site_comes_from_the_issuer_then_the_institution()
    {
        SiteNormalizer.Normalize("site_a", "University Clinic B").Should().Be(new MappedValue("Site A", true));
        SiteNormalizer.Normalize("OTHER", "University-Clinic B").Should().Be(new MappedValue("Site B", true));
        SiteNormalizer.Normalize("OTHER", " Nowhere Hospital ").Should().Be(new MappedValue("Nowhere Hospital", false));
        SiteNormalizer.Normalize(null, null).Should().Be(new MappedValue(null, false));
    }
}
