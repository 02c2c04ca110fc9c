using Lakehouse.Udfs.Normalization;

namespace Lakehouse.Udfs.Tests.Normalization;

public class SiteCountryTests
{
    [Theory]
    [InlineData("RIVERSIDE_MC", null, "US")]
    [InlineData("klinikum-nord", null, "DE")]
    [InlineData("FJORDVIK_HF", "whatever", "NO")]
    [InlineData("SITE_A", null, null)]
    [InlineData(null, "Unknown Hospital", null)]
    public void The_country_comes_from_the_mapped_site(string? issuer, string? institution, string? country) =>
        NormalizationFunctions.Default.SiteCountry(issuer, institution).Should().Be(country);

    [Theory]
    [InlineData("issuer,X,S9,DEU\n", "ISO 3166-1 alpha-2")]
    [InlineData("issuer,X,S9,DE\nissuer,Y,S9,FR\n", "two different countries")]
    public void A_bad_country_is_reported_with_file_and_line(string rows, string reason)
    {
        var texts = NormalizationReference.DefaultCsvTexts().ToDictionary(kv => kv.Key, kv => kv.Value);
        texts["site"] = "# version: test\nkind,raw,site,country\n" + rows;
        var act = () => NormalizationReference.Load(texts);
        act.Should().Throw<ReferenceDataException>().WithMessage($"*{reason}*");
    }

    [Fact]
    public void A_site_file_without_the_country_column_still_loads()
    {
        var texts = NormalizationReference.DefaultCsvTexts().ToDictionary(kv => kv.Key, kv => kv.Value);
        texts["site"] = "# version: old\nkind,raw,site\nissuer,RIVERSIDE_MC,S1\n";
        var functions = new NormalizationFunctions(NormalizationReference.Load(texts));
        functions.Site("RIVERSIDE_MC", null).Should().Be("S1");
        functions.SiteCountry("RIVERSIDE_MC", null).Should().BeNull();
    }
}
