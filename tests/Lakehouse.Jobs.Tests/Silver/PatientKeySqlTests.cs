using DuckDB.NET.Data;
using Lakehouse.Engine;
using Lakehouse.Jobs.Identity;
using Lakehouse.Jobs.Ingest;
using Lakehouse.Jobs.Silver;
using Lakehouse.Testing;
using Lakehouse.Udfs.Identity;
using Lakehouse.Udfs.Registry;

namespace Lakehouse.Jobs.Tests.Silver;

/// <summary>The patient key of SQL jobs (the <c>patient_key</c> UDF through DuckDB) against <see cref="PatientKey.From(string?, string?, string?, IdentityOptions)"/>.</summary>
[Collection(SilverCollection.Name)]
public sealed class PatientKeySqlTests(SilverFixture fx)
{
    private static readonly IdentityOptions SiteMaps = new()
    {
        SiteByIssuer = new Dictionary<string, string> { ["RIVERSIDE_MC"] = "S1", ["KLINIKUM_NORD"] = "S2", ["FJORDVIK_HF"] = "S3" },
        SiteByInstitution = new Dictionary<string, string> { ["ST ANNE COMMUNITY HOSPITAL"] = "S4", ["SAKURA IMAGING CLINIC"] = "S5", ["HOPITAL SAINT ELOI"] = "S6" },
    };

    // (issuer, institution, patient id): synthetic values, no real patient.
    public static TheoryData<string?, string?, string?> TrickyRows => new()
    {
        { "HOSP A  ISSUER ", "ignored", " 123 " },
        { " RIVERSIDE_MC", null, "A\\B" },
        { "ISS\\UER", "x", "77" },
        { null, "Hôpital Saint-Éloi", "42" },
        { "", "  St. Anne  Community-Hospital ", "\t007\t" },
        { "   ", null, "9" },
        { null, "Clinique", "" },
        { null, "Clinique", "   " },
        { "ISS\0\0", "Sakura Imaging Clinic\0", "123\0\0" },
        { null, "\0\0", "5\0" },
        { null, null, null },
        { "ISS", "Any", "Åsa-ß" },
        { null, "Ωmega Ünïcode", "x" },
    };

    [Theory]
    [MemberData(nameof(TrickyRows))]
    public void The_sql_udf_gives_exactly_the_csharp_key_with_and_without_site_maps(string? issuer, string? institution, string? patientId)
    {
        Sql(UdfRegistry.Default, issuer, institution, patientId).Should().Be(PatientKey.From(issuer, institution, patientId, new IdentityOptions())?.Text);
        var mapped = new UdfRegistry(UdfRegistry.Default.All.Where(f => !IdentityUdfs.IsIdentityFunction(f.Name)).Concat(IdentityUdfs.For(SiteMaps)));
        Sql(mapped, issuer, institution, patientId).Should().Be(PatientKey.From(issuer, institution, patientId, SiteMaps)?.Text);
    }

    [Fact]
    public void Site_maps_change_keys_without_an_issuer_so_the_bound_udf_differs_from_the_default()
    {
        // Guards the test above: with the maps the key must really differ, or binding the options would be untested.
        var mapped = new UdfRegistry(UdfRegistry.Default.All.Where(f => !IdentityUdfs.IsIdentityFunction(f.Name)).Concat(IdentityUdfs.For(SiteMaps)));
        Sql(mapped, null, "St. Anne Community Hospital", "1").Should().Be("site:S4\\1");
        Sql(UdfRegistry.Default, null, "St. Anne Community Hospital", "1").Should().Be("site:ST ANNE COMMUNITY HOSPITAL\\1");
        Sql(mapped, "RIVERSIDE_MC", null, "1").Should().Be("RIVERSIDE_MC\\1", "the issuer is the namespace; the map only names the site");
    }

    [Theory]
    [InlineData(" ISS ", "S1", " X\\Y\0", "ISS\\X/Y")]
    [InlineData("", "S1", "\tX ", "site:S1\\X")]
    [InlineData(null, "  ", "X", "site:UNKNOWN_SITE\\X")]
    [InlineData(null, null, "X", "site:UNKNOWN_SITE\\X")]
    [InlineData("ISS", "S1", " \0", null)]
    [InlineData(null, "S1", null, null)]
    public void The_report_key_udf_is_the_patient_key_of_a_named_site(string? issuer, string? site, string? patientId, string? expected)
    {
        Sql(UdfRegistry.Default, issuer, site, patientId, IdentityUdfs.PatientKeyAtSiteName).Should().Be(expected);
        Sql(UdfRegistry.Default, issuer, site, patientId, IdentityUdfs.PatientKeyAtSiteName)
            .Should().Be(PatientKey.From(issuer, string.IsNullOrWhiteSpace(site) ? PatientSite.Unknown : site, patientId)?.Text);
    }

    [Fact]
    public void Normalize_joins_every_key_of_an_identity_built_with_site_maps()
    {
        var lake = fx.CopyNormalized("patient-key-site-maps");
        var context = new JobContext(lake, new Dictionary<string, string>(), TextWriter.Null);
        new LinkPatientsJob(lake, SiteMaps).Run();
        new NormalizeJob().Run(context);

        var persons = SilverFixture.Rows(lake, IdentityTables.PatientPersons).ToDictionary(r => (string)r["patient_key"]!, r => (string)r["person_id"]!);
        var rows = SilverFixture.Rows(lake, SilverTables.InstancesNormalized);
        rows.Should().Contain(r => r["issuer_of_patient_id"] == null && r["institution_name"] != null,
            "the sample must have keys named by a mapped institution, or this test could not fail");
        foreach (var row in rows)
        {
            string key = (string)row["patient_key"]!;
            persons.Should().ContainKey(key, "normalize builds keys with the site maps identity was built with");
            row["person_key"].Should().Be("person:" + persons[key]);
        }
        rows.Select(r => (string)r["patient_key"]!).Should().Contain(k => k.StartsWith("site:S4\\", StringComparison.Ordinal) || k.StartsWith("site:S5\\", StringComparison.Ordinal));
    }

    [Fact]
    public void Identity_tables_give_back_the_site_maps_they_were_built_with()
    {
        var lake = fx.CopyNormalized("patient-key-options");
        IdentityTables.KeyOptions(lake).SiteByInstitution.Should().BeEmpty("no identity yet: default options");
        new LinkPatientsJob(lake, SiteMaps).Run();
        var read = IdentityTables.KeyOptions(lake);
        read.SiteByIssuer.Should().BeEquivalentTo(SiteMaps.SiteByIssuer);
        read.SiteByInstitution.Should().BeEquivalentTo(SiteMaps.SiteByInstitution);
        new LinkPatientsJob(lake).Run();
        IdentityTables.KeyOptions(lake).SiteByIssuer.Should().BeEmpty("a run without maps records none");
    }

    [Fact]
    public void An_instance_without_patient_id_has_no_key_and_reaches_silver_without_patient_or_person()
    {
        // PatientKey.From gives null without a PatientID (no key, no person): SQL must too, and the silver jobs must carry it.
        string dcmodify = ExternalTool.Require("dcmodify");
        var lake = fx.CopyNormalized("patient-key-no-id");
        string extra = fx.Dir.Combine("no-id-dicom");
        Directory.CreateDirectory(extra);
        string source = Directory.EnumerateFiles(Path.Combine(fx.Archive, "dicom"), "*.dcm", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        string file = Path.Combine(extra, "no-id.dcm");
        File.Copy(source, file);
        ExternalTool.Run(dcmodify, ["-nb", "-gin", "-ea", "(0010,0020)", file]).Succeeded.Should().BeTrue();
        new DicomIngestJob(lake, new DicomIngestOptions(extra)).Run();
        new LinkPatientsJob(lake).Run();
        var context = new JobContext(lake, new Dictionary<string, string>(), TextWriter.Null);
        new NormalizeJob().Run(context);
        fx.Deidentify(lake, fx.KeyFileA);

        var normalized = SilverFixture.Rows(lake, SilverTables.InstancesNormalized);
        var noId = normalized.Where(r => r["patient_id"] is null || ((string)r["patient_id"]!).Trim().Length == 0).ToList();
        noId.Should().ContainSingle("the modified copy is the only instance without PatientID");
        noId[0]["patient_key"].Should().BeNull();
        noId[0]["person_key"].Should().BeNull();
        normalized.Where(r => r != noId[0]).Should().OnlyContain(r => ((string)r["person_key"]!).StartsWith("person:", StringComparison.Ordinal));

        var silver = SilverFixture.Rows(lake, SilverTables.Instances);
        silver.Should().HaveCount(normalized.Count);
        silver.Count(r => r["patient_id"] is null && r["person_id"] is null).Should().Be(1);
        SilverFixture.Rows(lake, SilverTables.Crosswalk).Should().OnlyContain(r => r["original"] != null && r["pseudonym"] != null);
    }

    private static string? Sql(UdfRegistry registry, string? issuer, string? institution, string? patientId, string function = IdentityUdfs.PatientKeyName)
    {
        using var engine = new LakeEngine(null, new LakeEngineOptions { Udfs = registry });
        using var cmd = engine.Connection.CreateCommand();
        cmd.CommandText = $"SELECT {function}(CAST($1 AS VARCHAR), CAST($2 AS VARCHAR), CAST($3 AS VARCHAR))";
        cmd.Parameters.Add(new DuckDBParameter((object?)issuer ?? DBNull.Value));
        cmd.Parameters.Add(new DuckDBParameter((object?)institution ?? DBNull.Value));
        cmd.Parameters.Add(new DuckDBParameter((object?)patientId ?? DBNull.Value));
        object? value = cmd.ExecuteScalar();
        return value is DBNull or null ? null : (string)value;
    }
}
