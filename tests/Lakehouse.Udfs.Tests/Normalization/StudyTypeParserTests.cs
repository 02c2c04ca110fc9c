using Lakehouse.Udfs.Normalization;

namespace Lakehouse.Udfs.Tests.Normalization;

public class StudyTypeParserTests
{
    [Theory]
    [InlineData("CT CHEST W/ CONTRAST", Contrast.Yes)]
    [InlineData("CT CHEST WITH CONTRAST", Contrast.Yes)]
    [InlineData("CT CHEST W CONTRAST", Contrast.Yes)]
    [InlineData("CT CHEST +C", Contrast.Yes)]
    [InlineData("CT CHEST C+", Contrast.Yes)]
    [InlineData("CT CHEST W", Contrast.Yes)]
    [InlineData("CT CHEST W/WO", Contrast.Yes)]
    [InlineData("CT CHEST WO", Contrast.No)]
    [InlineData("CT CHEST W/O", Contrast.No)]
    [InlineData("CT CHEST W/O CONTRAST", Contrast.No)]
    [InlineData("CT CHEST WITHOUT CONTRAST", Contrast.No)]
    [InlineData("CT CHEST NON-CON", Contrast.No)]
    [InlineData("CT CHEST PLAIN", Contrast.No)]
    [InlineData("CT CHEST", Contrast.Unknown)]
    public void Contrast_phrases_are_read(string description, Contrast contrast)
    {
        var type = StudyTypeParser.Parse(description, "CT");
        type.Contrast.Should().Be(contrast);
        type.BodyRegion.Should().Be("CHEST");
        type.Modality.Should().Be("CT");
        type.Mapped.Should().BeTrue();
    }

    [Theory]
    [InlineData("XR CHEST PA", "PA")]
    [InlineData("XR CHEST AP PORTABLE", "AP")]
    [InlineData("XR CHEST LAT", "LAT")]
    [InlineData("XR CHEST PA/LAT", "PA/LAT")]
    [InlineData("XR CHEST PA AND LATERAL", "PA/LAT")]
    [InlineData("XR CHEST PA + LAT", "PA/LAT")]
    [InlineData("XR CHEST 2 VIEWS", "2 VIEWS")]
    [InlineData("XR CHEST 1 VIEW", "1 VIEW")]
    public void Radiograph_views_are_read(string description, string view)
    {
        StudyTypeParser.Parse(description, "DX").View.Should().Be(view);
    }

    [Fact]
    public void A_canonical_name_combines_modality_region_contrast_and_view()
    {
        StudyTypeParser.Parse("CT THORAX W/ CONTRAST", "CT").Should()
            .Be(new StudyType("CT Chest with contrast", "CT", "CHEST", Contrast.Yes, null, true));
        StudyTypeParser.Parse("MAMMO SCREENING BILAT CC/MLO", null).Should()
            .Be(new StudyType("MG Breast CC/MLO", "MG", "BREAST", Contrast.Unknown, "CC/MLO", true));
        StudyTypeParser.Parse("MG BREAST CC MLO", "MG").View.Should().Be("CC/MLO");
        StudyTypeParser.Parse("MRI L-SPINE WO", "MR").CanonicalName.Should().Be("MR Lumbar spine without contrast");
        StudyTypeParser.Parse("XR CHEST PA/LAT", "CR").CanonicalName.Should().Be("CR Chest PA/LAT");
    }

    [Fact]
    public void The_header_modality_wins_and_the_description_fills_in()
    {
        StudyTypeParser.Parse("PET/CT WHOLE BODY", "PT").Modality.Should().Be("PT");
        StudyTypeParser.Parse("CT HEAD", "ct ").Modality.Should().Be("CT");
        StudyTypeParser.Parse("MRI BRAIN", null).Modality.Should().Be("MR");
        StudyTypeParser.Parse("MRI BRAIN", "ZZ").Modality.Should().Be("MR", "an unmapped header modality does not count");
    }

    [Fact]
    public void An_unparseable_description_is_kept_raw_and_flagged()
    {
        var type = StudyTypeParser.Parse("  RESEARCH PROTOCOL 17 ", "MR");
        type.Should().Be(new StudyType("RESEARCH PROTOCOL 17", "MR", null, Contrast.Unknown, null, false));
        StudyTypeParser.Parse(null, "CT").Should().Be(new StudyType(null, "CT", null, Contrast.Unknown, null, false));
        StudyTypeParser.Parse(new string('W', 5000), null).Mapped.Should().BeFalse("long input is cut, not an error");
    }
}
