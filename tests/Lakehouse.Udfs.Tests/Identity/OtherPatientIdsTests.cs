using Lakehouse.Udfs.Dicom;
using Lakehouse.Udfs.Dicom.Json;
using Lakehouse.Udfs.Dicom.Writing;
using Lakehouse.Udfs.Identity;

namespace Lakehouse.Udfs.Tests.Identity;

public class OtherPatientIdsTests
{
    [Fact]
    public void Sequence_items_are_read_from_our_own_DICOM_JSON()
    {
        // The header JSON as ingestion writes it (DicomJson), with two items, one without an issuer, one without an id.
        var ds = new DicomDataset()
            .Set(DicomElement.FromText(DicomTags.PatientID, "RMC7593147"))
            .Set(DicomElement.FromItems(DicomTags.OtherPatientIDsSequence,
            [
                new DicomDataset().Set(DicomElement.FromText(DicomTags.PatientID, "44700627 ")).Set(DicomElement.FromText(DicomTags.IssuerOfPatientID, "KLINIKUM_NORD")),
                new DicomDataset().Set(DicomElement.FromText(DicomTags.PatientID, "X1")),
                new DicomDataset().Set(DicomElement.FromText(DicomTags.IssuerOfPatientID, "NOBODY")),
            ]));
        string json = DicomJson.Serialize(ds);
        OtherPatientIds.TryParseFromDataset(json, out var items).Should().BeTrue();
        items.Should().Equal(new OtherPatientId("44700627", "KLINIKUM_NORD"), new OtherPatientId("X1", null));
    }

    [Fact]
    public void The_PS3_18_example_shape_is_read()
    {
        const string element = """{"vr":"SQ","Value":[{"00100020":{"vr":"LO","Value":["A-1"]},"00100021":{"vr":"LO","Value":["HOSP"]}},{"00100020":{"vr":"LO"}}]}""";
        OtherPatientIds.TryParseSequence(element, out var items).Should().BeTrue();
        items.Should().Equal(new OtherPatientId("A-1", "HOSP"));
    }

    [Theory]
    [InlineData("""{"vr":"SQ"}""")]
    [InlineData("null")]
    [InlineData("")]
    public void Empty_sequences_have_no_items(string element)
    {
        OtherPatientIds.TryParseSequence(element, out var items).Should().BeTrue();
        items.Should().BeEmpty();
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("""{"vr":"SQ","Value":"x"}""")]
    [InlineData("""{"vr":"SQ","Value":[1]}""")]
    [InlineData("[]")]
    public void Broken_sequences_are_reported_not_thrown(string element)
    {
        OtherPatientIds.TryParseSequence(element, out var items).Should().BeFalse();
        items.Should().BeEmpty();
        OtherPatientIds.TryParseFromDataset("{\"00101002\":" + element + "}", out _).Should().BeFalse();
    }

    [Fact]
    public void Bare_other_patient_ids_are_split_on_backslash()
    {
        OtherPatientIds.FromOtherPatientIds("A1\\ B2 \\\\A1").Should().Equal(new OtherPatientId("A1", null), new OtherPatientId("B2", null));
        OtherPatientIds.FromOtherPatientIds(null).Should().BeEmpty();
    }
}
