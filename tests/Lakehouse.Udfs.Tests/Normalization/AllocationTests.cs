using Lakehouse.Udfs.Normalization;

namespace Lakehouse.Udfs.Tests.Normalization;

/// <summary>These run per row on millions of rows: a lookup that maps must not allocate.</summary>
public class AllocationTests
{
    [Fact]
    public void Mapped_lookups_allocate_nothing()
    {
        var reference = NormalizationReference.Default;
        Run(reference); // warm up: static initialization and JIT
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) Run(reference);
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }

    [Fact]
    public void Parsing_a_study_type_allocates_only_its_name()
    {
        var reference = NormalizationReference.Default;
        StudyTypeParser.Parse("CT CHEST W/O CONTRAST", "CT", reference);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) StudyTypeParser.Parse("CT CHEST W/O CONTRAST", "CT", reference);
        long perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / 1000;
        perCall.Should().BeLessThanOrEqualTo(100, "one string of ~30 chars for the canonical name");
    }

    private static void Run(NormalizationReference reference)
    {
        ModalityNormalizer.Normalize("ct ", reference);
        BodyPartNormalizer.Normalize("L-SPINE", null, reference);
        BodyPartNormalizer.Normalize("RKNEE", null, reference);
        BodyPartNormalizer.Normalize(null, "MRI L-SPINE W/O", reference);
        ManufacturerNormalizer.Normalize("FUJI PHOTO FILM Co., ltd.", reference);
        Sex.Normalize("male", reference);
        SiteNormalizer.Normalize("SITE_A", null, reference);
        Age.FromAgeString("045Y");
        Age.FromDates("19800615", "20250614");
        DicomNumbers.ParseDecimalString(" 1.5E-1 ");
        PixelSpacing.Parse("0.5\\0.5");
    }
}
