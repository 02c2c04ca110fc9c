using Lakehouse.Engine;
using Lakehouse.Jobs.Identity;
using Lakehouse.Jobs.Ingest;

namespace Lakehouse.Jobs.Tests.Identity;

public class RestrictedZoneGuardTests
{
    [Theory]
    [InlineData("restricted.patient_links")]
    [InlineData("restricted.crosswalk")]
    [InlineData("RESTRICTED.patient_persons")]
    [InlineData("bronze.dicom_instances")]
    [InlineData("bronze.reports")]
    [InlineData("scratch.anything")]
    [InlineData("dicom_instances")]
    public void Bronze_restricted_and_unknown_zones_are_refused(string name)
    {
        var table = LakeTableName.Parse(name);
        RestrictedZoneGuard.IsExportable(table).Should().BeFalse();
        var act = () => RestrictedZoneGuard.EnsureExportable(table);
        act.Should().Throw<UserInputException>().WithMessage("refusing to export*only silver, gold and ref*");
    }

    [Fact]
    public void The_identity_and_bronze_tables_themselves_are_refused()
    {
        foreach (var table in new[] { IdentityTables.PatientLinks, IdentityTables.PatientPersons, IdentityTables.IdentityConflicts,
                     IdentityTables.Crosswalk, BronzeTables.DicomInstances, BronzeTables.DicomDuplicates, BronzeTables.Reports })
            ((Action)(() => RestrictedZoneGuard.EnsureExportable(table))).Should().Throw<UserInputException>().WithMessage("*holds PHI*");
    }

    [Theory]
    [InlineData("silver.dicom_instances")]
    [InlineData("gold.splits")]
    [InlineData("ref.body_parts")]
    public void Silver_gold_and_ref_are_exportable(string name)
    {
        var table = LakeTableName.Parse(name);
        RestrictedZoneGuard.IsExportable(table).Should().BeTrue();
        RestrictedZoneGuard.EnsureExportable(table);
    }

    [Fact]
    public void The_crosswalk_schema_holds_originals_and_pseudonyms_per_run()
    {
        IdentityTables.CrosswalkSchema.Fields.Select(f => f.Name).Should()
            .Equal("deid_run_id", "identifier_kind", "original_value", "pseudonym", "key_id", "created_at");
        IdentityTables.Crosswalk.Schema.Should().Be("restricted");
    }
}
