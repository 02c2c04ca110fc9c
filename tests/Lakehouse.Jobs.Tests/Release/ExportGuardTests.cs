using Lakehouse.Engine;
using Lakehouse.Jobs.Export;
using Lakehouse.Jobs.Identity;
using Lakehouse.Jobs.Ingest;

namespace Lakehouse.Jobs.Tests.Release;

public class ExportGuardTests
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
        ExportGuard.IsExportable(table).Should().BeFalse();
        var act = () => ExportGuard.EnsureExportable(table);
        act.Should().Throw<UserInputException>().WithMessage("export:*only silver, gold and ref*");
    }

    [Fact]
    public void The_identity_and_bronze_tables_themselves_are_refused()
    {
        foreach (var table in new[] { IdentityTables.PatientLinks, IdentityTables.PatientPersons, IdentityTables.IdentityConflicts,
                     IdentityTables.Crosswalk, BronzeTables.DicomInstances, BronzeTables.DicomDuplicates, BronzeTables.Reports })
            ((Action)(() => ExportGuard.EnsureExportable(table))).Should().Throw<UserInputException>().WithMessage("*hold PHI*");
    }

    [Theory]
    [InlineData("silver.dicom_instances")]
    [InlineData("gold.splits")]
    [InlineData("ref.body_parts")]
    public void Silver_gold_and_ref_are_exportable(string name)
    {
        var table = LakeTableName.Parse(name);
        ExportGuard.IsExportable(table).Should().BeTrue();
        ExportGuard.EnsureExportable(table);
    }
}
