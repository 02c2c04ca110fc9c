using Lakehouse.Udfs.Identity;

namespace Lakehouse.Udfs.Tests.Identity;

public class PatientKeyTests
{
    private static readonly IdentityOptions Defaults = new();

    [Fact]
    public void The_issuer_is_the_namespace_when_present()
    {
        var key = PatientKey.From(" RIVERSIDE_MC ", "Riverside Medical Center", "RMC123 ", Defaults)!.Value;
        key.Namespace.Should().Be("RIVERSIDE_MC");
        key.PatientId.Should().Be("RMC123");
        key.HasIssuer.Should().BeTrue();
        key.Text.Should().Be("RIVERSIDE_MC\\RMC123");
        PatientKey.Parse(key.Text).Should().Be(key);
    }

    [Fact]
    public void Without_issuer_the_site_from_the_institution_is_the_namespace()
    {
        var key = PatientKey.From(null, "St. Anne  Community-Hospital", "705709", Defaults)!.Value;
        key.Namespace.Should().Be("site:ST ANNE COMMUNITY HOSPITAL");
        key.HasIssuer.Should().BeFalse();
        PatientKey.From("", "ST ANNE COMMUNITY HOSPITAL", "705709", Defaults).Should().Be(key);
    }

    [Fact]
    public void The_same_patient_id_at_two_sites_is_two_keys()
    {
        var a = PatientKey.From(null, "St. Anne Community Hospital", "705709", Defaults);
        var b = PatientKey.From(null, "Sakura Imaging Clinic", "705709", Defaults);
        a.Should().NotBe(b);
        PatientKey.From("ISSUER_A", null, "1", Defaults).Should().NotBe(PatientKey.From("ISSUER_B", null, "1", Defaults));
    }

    [Fact]
    public void Patient_ids_are_case_sensitive_and_an_empty_id_has_no_key()
    {
        PatientKey.From("I", null, "ab", Defaults).Should().NotBe(PatientKey.From("I", null, "AB", Defaults));
        PatientKey.From("I", null, "  ", Defaults).Should().BeNull();
        PatientKey.From("I", null, null, Defaults).Should().BeNull();
    }

    [Fact]
    public void A_site_named_like_an_issuer_does_not_collide_with_it()
    {
        var options = new IdentityOptions { SiteByInstitution = new Dictionary<string, string> { ["ST ANNE COMMUNITY HOSPITAL"] = "RIVERSIDE_MC" } };
        PatientKey.From(null, "St. Anne Community Hospital", "1", options).Should().NotBe(PatientKey.From("RIVERSIDE_MC", null, "1", options));
    }

    [Fact]
    public void ToString_never_shows_the_values()
    {
        var key = PatientKey.From("RIVERSIDE_MC", null, "RMC9048345", Defaults)!.Value;
        key.ToString().Should().NotContain("RMC9048345").And.NotContain("RIVERSIDE");
        $"{key}".Should().NotContain("RMC9048345");
    }
}

public class PatientSiteTests
{
    [Fact]
    public void Issuer_wins_then_institution_then_unknown()
    {
        var o = new IdentityOptions
        {
            SiteByIssuer = new Dictionary<string, string> { ["RIVERSIDE_MC"] = "S1" },
            SiteByInstitution = new Dictionary<string, string> { ["SAKURA IMAGING CLINIC"] = "S5" },
        };
        PatientSite.Resolve("RIVERSIDE_MC", "Sakura Imaging Clinic", o).Should().Be("S1");
        PatientSite.Resolve("OTHER_ISSUER", "Sakura Imaging Clinic", o).Should().Be("OTHER_ISSUER");
        PatientSite.Resolve(null, "sakura imaging  clinic.", o).Should().Be("S5");
        PatientSite.Resolve(null, "Fjordvik Sykehus", o).Should().Be("FJORDVIK SYKEHUS");
        PatientSite.Resolve(" ", " ", o).Should().Be(PatientSite.Unknown);
    }

    [Theory]
    [InlineData("Klinikum Nordstadt – Hamburg", "KLINIKUM NORDSTADT HAMBURG")]
    [InlineData("Bodø Sjukehus", "BODOE SJUKEHUS")]
    [InlineData("...", null)]
    public void Institution_names_are_normalized(string raw, string? expected) =>
        PatientSite.NormalizeInstitution(raw).Should().Be(expected);
}

public class PatientDemographicsTests
{
    [Theory]
    [InlineData("M", "M")]
    [InlineData(" f ", "F")]
    [InlineData("O", "O")]
    [InlineData("", null)]
    [InlineData("U", null)]
    [InlineData(null, null)]
    public void Sex_is_M_F_O_or_unknown(string? raw, string? expected) => PatientDemographics.NormalizeSex(raw).Should().Be(expected);

    [Fact]
    public void Placeholder_birth_dates_are_unknown()
    {
        PatientDemographics.NormalizeBirthDate(new DateOnly(1900, 1, 1)).Should().BeNull();
        PatientDemographics.NormalizeBirthDate(new DateOnly(1, 1, 1)).Should().BeNull();
        PatientDemographics.NormalizeBirthDate(new DateOnly(2030, 1, 1), new DateOnly(2026, 1, 1)).Should().BeNull();
        PatientDemographics.NormalizeBirthDate(new DateOnly(1966, 10, 11)).Should().Be(new DateOnly(1966, 10, 11));
        PatientDemographics.NormalizeBirthDate(null).Should().BeNull();
    }
}
