using Lakehouse.Udfs.Dicom;

namespace Lakehouse.Udfs.Tests;

public class DicomDictionaryTests
{
    [Fact]
    public void Finds_exact_entries_and_repeating_group_masks()
    {
        DicomDictionary.TryGet(DicomTags.PatientName, out var pn).Should().BeTrue();
        pn.VR.Should().Be(DicomVR.PN);
        pn.Keyword.Should().Be("PatientName");
        DicomDictionary.TryGet(new DicomTag(0x6002, 0x3000), out var overlay).Should().BeTrue();
        overlay.Keyword.Should().Be("OverlayData");
        DicomDictionary.ImplicitVR(new DicomTag(0x0009, 0x0010)).Should().Be(DicomVR.LO, "private creators are LO");
        DicomDictionary.ImplicitVR(new DicomTag(0x0009, 0x1001)).Should().Be(DicomVR.UN);
    }

    [Fact]
    public void Generated_dictionary_matches_the_shared_source()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Lakehouse.Testing.RepoPaths.SharedFile("dicom", "dictionary.json")));
        int exact = doc.RootElement.EnumerateArray().Count(e => !e.GetProperty("isMask").GetBoolean());
        DicomDictionary.Count.Should().Be(exact, "rerun udfs/tools/Lakehouse.DicomDictionaryGenerator when the dictionary changes");
    }
}
