using System.Globalization;
using Lakehouse.Udfs.Normalization;

namespace Lakehouse.Udfs.Tests.Normalization;

public class DicomValueTests
{
    [Theory]
    [InlineData("045Y", 45.0)]
    [InlineData("000Y", 0.0)]
    [InlineData("006M", 0.5)]
    [InlineData("018M", 1.5)]
    [InlineData("003W", 21 / 365.25)]
    [InlineData("010D", 10 / 365.25)]
    [InlineData("045Y ", 45.0)]
    [InlineData("45Y", 45.0)]
    [InlineData("045y", 45.0)]
    public void Age_strings_give_years(string value, double years)
    {
        Age.FromAgeString(value).Should().BeApproximately(years, 1e-12);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("045")]
    [InlineData("45")]
    [InlineData("Y")]
    [InlineData("045X")]
    [InlineData("-45Y")]
    [InlineData("4.5Y")]
    [InlineData("0045Y")]
    [InlineData("45 Y")]
    [InlineData("O45Y")]
    public void Malformed_age_strings_are_null(string? value)
    {
        Age.FromAgeString(value).Should().BeNull();
    }

    [Theory]
    [InlineData("19800615", "20250615", 45.0)]
    [InlineData("19800615", "20250614", 44 + 364 / 365.0)]
    [InlineData("20240101", "20240701", 182 / 366.0)]
    [InlineData("20000229", "20010228", 1.0)]
    [InlineData("1980.06.15", "20250615", 45.0)]
    public void Age_from_birth_and_study_dates(string birth, string study, double years)
    {
        Age.FromDates(birth, study).Should().BeApproximately(years, 1e-9);
    }

    [Theory]
    [InlineData("20250616", "20250615")]
    [InlineData("19801315", "20250615")]
    [InlineData("19800230", "20250615")]
    [InlineData("1980061", "20250615")]
    [InlineData("", "20250615")]
    [InlineData("19800615", null)]
    public void Age_from_bad_or_reversed_dates_is_null(string? birth, string? study)
    {
        Age.FromDates(birth, study).Should().BeNull();
    }

    [Theory]
    [InlineData("1.5", 1.5)]
    [InlineData(" 2.50 ", 2.5)]
    [InlineData("+3", 3.0)]
    [InlineData("-0.625", -0.625)]
    [InlineData("1.5E-1", 0.15)]
    [InlineData("5e2", 500.0)]
    [InlineData(".5", 0.5)]
    [InlineData("5.", 5.0)]
    [InlineData("0.6\0", 0.6)]
    public void Decimal_strings_parse(string value, double expected)
    {
        DicomNumbers.ParseDecimalString(value).Should().Be(expected);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("abc")]
    [InlineData("1,5")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1e999")]
    [InlineData("1.5\\2.5")]
    [InlineData("0x10")]
    [InlineData("1 5")]
    public void Malformed_decimal_strings_are_null(string? value)
    {
        DicomNumbers.ParseDecimalString(value).Should().BeNull();
    }

    [Fact]
    public void Pixel_spacing_is_two_doubles()
    {
        PixelSpacing.Parse("0.703125\\0.703125").Should().Be((0.703125, 0.703125));
        PixelSpacing.Parse(" 0.5 \\ +6E-1 ").Should().Be((0.5, 0.6));
        PixelSpacing.Parse("0.5").Should().BeNull();
        PixelSpacing.Parse("0.5\\").Should().BeNull();
        PixelSpacing.Parse("0.5\\0.5\\0.5").Should().BeNull();
        PixelSpacing.Parse(null).Should().BeNull();
        NormalizationFunctions.PixelSpacingColumn("0.5\\0.25").Should().Be(0.25);
    }

    [Theory]
    [InlineData("20210304", "050607", null, null, "2021-03-04T05:06:07")]
    [InlineData("20210304", "050607.123", null, null, "2021-03-04T05:06:07.123")]
    [InlineData("20210304", "050607.123456", null, "+0100", "2021-03-04T05:06:07.123456+01:00")]
    [InlineData("20210304", "0506", null, null, "2021-03-04T05:06:00")]
    [InlineData("20210304", "05", null, "-0530", "2021-03-04T05:00:00-05:30")]
    [InlineData("20210304", "05:06:07.5", null, null, "2021-03-04T05:06:07.5")]
    [InlineData("20210304", null, null, null, "2021-03-04T00:00:00")]
    [InlineData("20210304", "235960", null, null, "2021-03-04T23:59:59")]
    [InlineData(null, null, "2021", null, "2021-01-01T00:00:00")]
    [InlineData(null, null, "202103", null, "2021-03-01T00:00:00")]
    [InlineData(null, null, "20210304050607.12+0100", "-0500", "2021-03-04T05:06:07.12+01:00")]
    [InlineData(null, null, "2021030405-0500", null, "2021-03-04T05:00:00-05:00")]
    [InlineData(null, null, "20210304050607 ", "+0000", "2021-03-04T05:06:07+00:00")]
    [InlineData("19990101", "000000", "garbage", null, "1999-01-01T00:00:00")]
    public void Timestamps_from_DA_TM_or_DT(string? date, string? time, string? dateTime, string? offset, string expected)
    {
        DicomDateTime.ToIsoTimestamp(date, time, dateTime, offset).Should().Be(expected);
    }

    [Theory]
    [InlineData("20211304", "050607", null, null)]
    [InlineData("20210230", "050607", null, null)]
    [InlineData("20210304", "250607", null, null)]
    [InlineData("20210304", "056007", null, null)]
    [InlineData("20210304", "050", null, null)]
    [InlineData("20210304", "0506.5", null, null)]
    [InlineData("20210304", "050607.1234567", null, null)]
    [InlineData("20210304", "050607", null, "+01")]
    [InlineData("20210304", "050607", null, "+1500")]
    [InlineData(null, null, "20213", null)]
    [InlineData(null, null, "2021030405.5", null)]
    [InlineData(null, null, "", null)]
    [InlineData(null, null, null, null)]
    public void Malformed_date_times_are_null(string? date, string? time, string? dateTime, string? offset)
    {
        DicomDateTime.ToIsoTimestamp(date, time, dateTime, offset).Should().BeNull();
    }

    [Fact]
    public void Date_times_agree_with_pydicom()
    {
        string[] dts = ["2021", "202103", "20210304", "2021030405", "202103040506", "20210304050607", "20210304050607.1",
            "20210304050607.123456", "20210304050607+0100", "20210304050607.5-0830", "19000101000000", "20241231235959.999999+1400"];
        string[] tms = ["05", "0506", "050607", "050607.5", "235959.999999", "000000.000001"];
        string script = """
            import sys
            from pydicom.valuerep import DT, TM
            kind = None
            for line in sys.stdin.read().split():
                k, v = line.split('=')
                print(DT(v).isoformat() if k == 'dt' else TM(v).isoformat())
            """;
        string input = string.Join("\n", dts.Select(d => "dt=" + d).Concat(tms.Select(t => "tm=" + t)));
        var result = Lakehouse.Testing.ExternalTool.Run(Python(), ["-c", script], stdin: input);
        result.Succeeded.Should().BeTrue(result.StdErr);
        string[] expected = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        expected.Should().HaveCount(dts.Length + tms.Length);
        for (int i = 0; i < dts.Length; i++)
            Instant(DicomDateTime.ToIsoTimestamp(null, null, dts[i], null)!).Should().Be(Instant(expected[i]), dts[i]);
        for (int i = 0; i < tms.Length; i++)
            Instant(DicomDateTime.ToIsoTimestamp("20000101", tms[i], null, null)!).Should().Be(Instant("2000-01-01T" + expected[dts.Length + i]), tms[i]);
    }

    [Fact]
    public void Decimal_strings_agree_with_pydicom()
    {
        string[] values = ["1.5", " 2.50 ", "+3", "-0.625", "1.5E-1", "5e2", ".5", "5.", "0.703125", "-1.2e+3", "+0.0", "123456789012", "1e-300"];
        var result = Lakehouse.Testing.ExternalTool.Run(Python(),
            ["-c", "import sys\nfrom pydicom.valuerep import DSfloat\nfor v in sys.stdin.read().split('|'): print(repr(float(DSfloat(v))))"],
            stdin: string.Join("|", values));
        result.Succeeded.Should().BeTrue(result.StdErr);
        string[] expected = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        expected.Should().HaveCount(values.Length);
        for (int i = 0; i < values.Length; i++)
            DicomNumbers.ParseDecimalString(values[i]).Should().Be(double.Parse(expected[i], CultureInfo.InvariantCulture), values[i]);
    }

    private static DateTimeOffset Instant(string iso) =>
        DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static string Python() => Lakehouse.Testing.Pydicom.Python;
}
