using Lakehouse.Udfs.Dicom.Reading;

namespace Lakehouse.Udfs.Tests.Dicom;

/// <summary>Transfer syntax UIDs to encodings (PS3.5 section 10, PS3.6 Annex A).</summary>
public class DicomTransferSyntaxTests
{
    [Theory]
    [InlineData("1.2.840.10008.1.2", false, false, false, false)]
    [InlineData("1.2.840.10008.1.2.1", true, false, false, false)]
    [InlineData("1.2.840.10008.1.2.2", true, true, false, false)]
    [InlineData("1.2.840.10008.1.2.1.99", true, false, true, false)]
    [InlineData("1.2.840.10008.1.2.1.98", true, false, false, true)] // encapsulated uncompressed
    [InlineData("1.2.840.10008.1.2.4.50", true, false, false, true)] // JPEG baseline
    [InlineData("1.2.840.10008.1.2.4.70", true, false, false, true)] // JPEG lossless SV1
    [InlineData("1.2.840.10008.1.2.4.201", true, false, false, true)] // HTJ2K lossless
    [InlineData("1.2.840.10008.1.2.5", true, false, false, true)] // RLE lossless
    [InlineData("1.2.840.10008.1.2.8.1", true, false, false, true)] // deflated image frame compression
    public void A_known_uid_names_its_encoding(string uid, bool explicitVR, bool bigEndian, bool deflated, bool encapsulated)
    {
        var syntax = DicomTransferSyntax.FromUid(uid)!;
        syntax.Should().Be(new DicomTransferSyntax(uid, explicitVR, bigEndian, deflated, encapsulated));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1.2.840.10008.1.2.3")]
    [InlineData("1.2.840.10008.1.2.4")]
    [InlineData("1.2.840.10008.1.2.4.5x")]
    [InlineData("1.2.840.10008.1.2.5.1")]
    [InlineData("1.2.3.4")]
    public void An_unknown_uid_names_none(string uid) => DicomTransferSyntax.FromUid(uid).Should().BeNull();

    // Every file of an archive names its syntax: an encapsulated one is the same instance each time, not a new one per file.
    [Fact]
    public void An_encapsulated_syntax_is_one_instance()
    {
        var first = DicomTransferSyntax.FromUid("1.2.840.10008.1.2.4.91")!;
        DicomTransferSyntax.FromUid("1.2.840.10008.1.2.4.91".AsSpan()).Should().BeSameAs(first);
        DicomTransferSyntax.FromUid("1.2.840.10008.1.2.4.57").Should().NotBeSameAs(first);
    }
}
