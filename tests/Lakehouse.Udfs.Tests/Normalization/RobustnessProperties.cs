using FsCheck;
using FsCheck.Xunit;
using Lakehouse.Udfs.Normalization;

namespace Lakehouse.Udfs.Tests.Normalization;

/// <summary>Parsers get whatever a header holds: any string must give a value or null, never an exception.</summary>
public class RobustnessProperties
{
    private static readonly NormalizationFunctions Functions = NormalizationFunctions.Default;

    [Property(MaxTest = 300)]
    public void No_function_throws_on_any_input(string? a, string? b, string? c, string? d)
    {
        Functions.Modality(a); Functions.Manufacturer(a); Functions.ModelName(a, b); Functions.PatientSex(a); Functions.Site(a, b);
        Functions.BodyPartTerm(a, b); Functions.BodyPartMethod(b, a);
        Functions.StudyType(a, b); Functions.StudyView(a, b);
        NormalizationFunctions.AgeYears(a); NormalizationFunctions.AgeYearsFromDates(a, b);
        NormalizationFunctions.DicomDecimal(a); NormalizationFunctions.PixelSpacingRow(a);
        NormalizationFunctions.DicomTimestamp(a, b, c, d);
    }

    [Property(MaxTest = 300)]
    public void Digit_strings_in_date_and_time_shapes_never_throw(PositiveInt seed)
    {
        var random = new Random(seed.Get);
        string Digits(int n) => string.Concat(Enumerable.Range(0, n).Select(_ => (char)('0' + random.Next(10))));
        string da = Digits(8), tm = Digits(random.Next(7)) + (random.Next(2) == 0 ? "." + Digits(random.Next(8)) : "");
        string dt = Digits(random.Next(15)) + (random.Next(2) == 0 ? (random.Next(2) == 0 ? "+" : "-") + Digits(4) : "");
        DicomDateTime.ToIsoTimestamp(da, tm, dt, "+" + Digits(4));
        Age.FromDates(Digits(8), Digits(8));
        Age.FromDates("99990101", "99991231").Should().BeApproximately(364 / 365.0, 1e-9);
    }

    [Property(MaxTest = 300)]
    public void Valid_DA_TM_round_trip_to_the_same_instant(DateTime when)
    {
        string da = when.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        string tm = when.ToString("HHmmss.ffffff", System.Globalization.CultureInfo.InvariantCulture);
        string iso = DicomDateTime.ToIsoTimestamp(da, tm, null, null)!;
        DateTime.Parse(iso, System.Globalization.CultureInfo.InvariantCulture).Should().Be(new DateTime(when.Ticks - when.Ticks % 10));
    }
}
