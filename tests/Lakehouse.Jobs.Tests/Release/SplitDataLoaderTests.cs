using Lakehouse.Jobs.Export;
using Lakehouse.Jobs.Gold.Release;
using Lakehouse.Testing;
using Microsoft.ML;
using Xunit.Abstractions;

namespace Lakehouse.Jobs.Tests.Release;

public sealed class SplitDataLoaderTests(ITestOutputHelper log)
{
    [Fact]
    public void ExportedFiles_TrainAndEvaluateAnMlNetClassifier()
    {
        using var lake = new ReleaseLake();
        lake.AddPatients(60, 200); // enough studies for a stable metric
        lake.WriteSplits("sv1", 60, 200, shift: 0, Tables.Transaction.DeltaOperation.Append);
        using var output = new TempDirectory("export");
        ReleaseCatalog.Create(lake.Lake, "r1");
        var export = ReleaseExporter.Export(lake.Lake, "r1", output.Path);

        var rows = SplitDataLoader.ReadRows(output.Combine("train.parquet"));
        rows.Should().HaveCount((int)export.Files.Single(f => f.Split == "train").Rows);
        rows.Should().OnlyContain(r => r.Split == "train" && r.PatientId.StartsWith("PT-") && !float.IsNaN(r.AgeYears));
        rows.Select(r => r.LabelOf("cardiomegaly")).Should().Contain(float.NaN).And.Contain(1f).And.Contain(0f);

        var ml = new MLContext(seed: 1);
        var train = SplitDataLoader.LoadForLabel(ml, output.Combine("train.parquet"), "cardiomegaly");
        var test = SplitDataLoader.LoadForLabel(ml, output.Combine("test.parquet"), "cardiomegaly");
        var pipeline = ml.Transforms.Categorical.OneHotEncoding([new("sex_1h", "sex"), new("site_1h", "site"), new("modality_1h", "modality")])
            .Append(ml.Transforms.NormalizeMinMax("age", "age_years"))
            .Append(ml.Transforms.Concatenate("Features", "age", "sex_1h", "site_1h", "modality_1h"))
            .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression());
        var model = pipeline.Fit(train);
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(test));

        // The fixture makes cardiomegaly follow age >= 60 with 10% noise: a model that sees the age learns it.
        ml.Data.CreateEnumerable<LabeledInstance>(test, reuseRowObject: false).Count().Should().BeGreaterThan(20);
        log.WriteLine($"cardiomegaly from age/sex/site/modality: test AUC {metrics.AreaUnderRocCurve:F3}, accuracy {metrics.Accuracy:F3}");
        metrics.AreaUnderRocCurve.Should().BeGreaterThan(0.8);
        metrics.Accuracy.Should().BeGreaterThan(0.75);

        var view = SplitDataLoader.Load(ml, output.Combine("validation.parquet"));
        view.Schema.Select(c => c.Name).Should().Contain(["person_id", "sop_instance_uid", "age_years", "labels", "split"]);
    }

    [Fact]
    public void Loader_RejectsFilesThatAreNotExports_NamingTheFile()
    {
        using var dir = new TempDirectory("loader");
        string notParquet = dir.Combine("train.parquet");
        File.WriteAllText(notParquet, "not parquet");
        var read = () => SplitDataLoader.ReadRows(notParquet);
        read.Should().Throw<UserInputException>().WithMessage("split file train.parquet: not a readable Parquet file");

        string other = dir.Combine("other.parquet");
        using (var duck = new DuckDB.NET.Data.DuckDBConnection("DataSource=:memory:"))
        {
            duck.Open();
            using var c = duck.CreateCommand();
            c.CommandText = $"COPY (SELECT 'x' AS person_id) TO '{other}' (FORMAT PARQUET)";
            c.ExecuteNonQuery();
        }
        var wrong = () => SplitDataLoader.ReadRows(other);
        wrong.Should().Throw<UserInputException>().WithMessage("split file other.parquet: not an exported split file; missing columns: patient_id*");
        var missing = () => SplitDataLoader.ReadRows(dir.Combine("nope.parquet"));
        missing.Should().Throw<UserInputException>().WithMessage("split file nope.parquet does not exist");
    }
}
