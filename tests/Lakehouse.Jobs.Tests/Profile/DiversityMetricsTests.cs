using Lakehouse.Jobs.Profile.Metrics;

namespace Lakehouse.Jobs.Tests.Profile;

public class DiversityMetricsTests
{
    private const double Eps = 1e-12;

    [Fact]
    public void Counts_shares_and_missingness()
    {
        var d = CategoryDistribution.Of(["F", "M", "F", null, "", "F", "O"]);
        d.Present.Should().Be(5);
        d.Missing.Should().Be(2);
        d.Total.Should().Be(7);
        d.MissingShare.Should().BeApproximately(2.0 / 7, Eps);
        d.Categories.Select(c => (c.Category, c.Count)).Should().Equal(("F", 3L), ("M", 1L), ("O", 1L));
        d.Categories[0].Share.Should().BeApproximately(0.6, Eps);
        d.CountOf("X").Should().Be(0);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(7)]
    public void Uniform_distribution_has_entropy_log_k_evenness_one_and_k_effective_categories(int k)
    {
        long[] counts = Enumerable.Repeat(10L, k).ToArray();
        Diversity.ShannonEntropy(counts).Should().BeApproximately(Math.Log(k), Eps);
        Diversity.ShannonEntropyBits(counts).Should().BeApproximately(Math.Log2(k), Eps);
        Diversity.PielouEvenness(counts).Should().BeApproximately(1, Eps);
        Diversity.SimpsonIndex(counts).Should().BeApproximately(1.0 / k, Eps);
        Diversity.GiniSimpson(counts).Should().BeApproximately(1 - 1.0 / k, Eps);
        Diversity.HillNumber(counts, 0).Should().Be(k);
        Diversity.HillNumber(counts, 1).Should().BeApproximately(k, 1e-9);
        Diversity.HillNumber(counts, 2).Should().BeApproximately(k, 1e-9);
        Diversity.HillNumber(counts, 3).Should().BeApproximately(k, 1e-9);
        Diversity.ImbalanceRatio(counts).Should().Be(1);
    }

    [Fact]
    public void Skewed_distribution_matches_hand_computed_values()
    {
        // p = (0.5, 0.25, 0.25): H = 1.5 bits = 1.5 ln 2 nats; Σp² = 0.375; J = 1.5/log2(3).
        long[] counts = [2, 1, 1, 0];
        Diversity.ShannonEntropyBits(counts).Should().BeApproximately(1.5, Eps);
        Diversity.ShannonEntropy(counts).Should().BeApproximately(1.5 * Math.Log(2), Eps);
        Diversity.PielouEvenness(counts).Should().BeApproximately(1.5 / Math.Log2(3), Eps);
        Diversity.SimpsonIndex(counts).Should().BeApproximately(0.375, Eps);
        Diversity.GiniSimpson(counts).Should().BeApproximately(0.625, Eps);
        Diversity.HillNumber(counts, 1).Should().BeApproximately(Math.Pow(2, 1.5), 1e-9);
        Diversity.HillNumber(counts, 2).Should().BeApproximately(1 / 0.375, 1e-9);
        Diversity.HillNumber(counts, 0).Should().Be(3, "zero counts are not categories");
        Diversity.ImbalanceRatio(counts).Should().Be(2);
        // Hill numbers do not increase with the order.
        Diversity.HillNumber(counts, 0.5).Should().BeInRange(Diversity.HillNumber(counts, 1), 3);
    }

    [Fact]
    public void Degenerate_distributions_do_not_divide_by_zero()
    {
        long[] single = [9];
        Diversity.ShannonEntropy(single).Should().Be(0);
        Diversity.PielouEvenness(single).Should().Be(double.NaN);
        Diversity.SimpsonIndex(single).Should().Be(1);
        Diversity.HillNumber(single, 1).Should().Be(1);
        long[] empty = [];
        Diversity.ShannonEntropy(empty).Should().Be(0);
        Diversity.HillNumber(empty, 2).Should().Be(0);
        Diversity.GiniSimpson(empty).Should().Be(0);
        Diversity.ImbalanceRatio(empty).Should().Be(double.NaN);
        FluentActions.Invoking(() => Diversity.ShannonEntropy([1, -1])).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => Diversity.HillNumber(single, -1)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Summary_collects_every_figure()
    {
        var s = Diversity.Summarize(CategoryDistribution.FromCounts([new("CR", 6), new("DX", 2)], missing: 2));
        s.Categories.Should().Be(2);
        s.Present.Should().Be(8);
        s.Missing.Should().Be(2);
        s.MissingShare.Should().BeApproximately(0.2, Eps);
        s.Simpson.Should().BeApproximately(0.75 * 0.75 + 0.25 * 0.25, Eps);
        s.EffectiveSimpson.Should().BeApproximately(1 / 0.625, 1e-9);
        s.ShannonNats.Should().BeApproximately(-(0.75 * Math.Log(0.75) + 0.25 * Math.Log(0.25)), Eps);
        s.ImbalanceRatio.Should().Be(3);
    }

    [Fact]
    public void Jensen_Shannon_is_zero_for_identical_one_for_disjoint_and_symmetric()
    {
        var a = CategoryDistribution.FromCounts([new("A", 3), new("B", 1)]);
        var aScaled = CategoryDistribution.FromCounts([new("B", 10), new("A", 30)]);
        var disjoint = CategoryDistribution.FromCounts([new("C", 5)]);
        DistributionShift.JensenShannonDivergence(a, aScaled).Should().BeApproximately(0, Eps);
        DistributionShift.JensenShannonDivergence(a, disjoint).Should().BeApproximately(1, Eps);

        // Hand computed: p = (1, 0), q = (0.5, 0.5), m = (0.75, 0.25):
        // JSD = ½·log2(1/0.75) + ½·(0.5·log2(0.5/0.75) + 0.5·log2(0.5/0.25)) ≈ 0.311278.
        var p = CategoryDistribution.FromCounts([new("A", 4)]);
        var q = CategoryDistribution.FromCounts([new("A", 2), new("B", 2)]);
        double expected = 0.5 * Math.Log2(1 / 0.75) + 0.5 * (0.5 * Math.Log2(0.5 / 0.75) + 0.5 * Math.Log2(2));
        DistributionShift.JensenShannonDivergence(p, q).Should().BeApproximately(expected, Eps).And.BeApproximately(0.311278, 1e-6);
        DistributionShift.JensenShannonDivergence(q, p).Should().BeApproximately(expected, Eps);
        DistributionShift.MaxPairwiseJensenShannon([a, aScaled, q]).Should().BeApproximately(DistributionShift.JensenShannonDivergence(a, q), Eps);

        FluentActions.Invoking(() => DistributionShift.JensenShannonDivergence(a, CategoryDistribution.Of([null])))
            .Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Intersections_count_combinations_and_flag_small_cells()
    {
        var rows = new List<string?[]>();
        for (int i = 0; i < 6; i++) rows.Add(["F", "40-64", "SITE-A"]);
        for (int i = 0; i < 4; i++) rows.Add(["M", "40-64", "SITE-A"]);
        rows.Add(["M", "90+", "SITE-B"]);
        rows.Add([null, "18-39", "SITE-B"]);

        var cells = Intersections.Count(rows);

        cells.Select(c => (string.Join('|', c.Key), c.Count, c.BelowThreshold)).Should().Equal(
            ("|18-39|SITE-B", 1L, true),
            ("F|40-64|SITE-A", 6L, false),
            ("M|40-64|SITE-A", 4L, true),
            ("M|90+|SITE-B", 1L, true));
        Intersections.Count(rows, minCellSize: 4).Count(c => c.BelowThreshold).Should().Be(2);
        FluentActions.Invoking(() => Intersections.Count([["a", "b"], ["a"]])).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Intersections_keep_values_with_separator_characters_apart()
    {
        var cells = Intersections.Count([["a\u001f", "b"], ["a", "\u001fb"]], minCellSize: 1);
        cells.Should().HaveCount(2).And.OnlyContain(c => c.Count == 1 && !c.BelowThreshold);
    }

    [Theory]
    [InlineData(0.0, "0-17")]
    [InlineData(17.9, "0-17")]
    [InlineData(18.0, "18-39")]
    [InlineData(39.0, "18-39")]
    [InlineData(40.0, "40-64")]
    [InlineData(64.5, "40-64")]
    [InlineData(65.0, "65-89")]
    [InlineData(89.0, "65-89")]
    [InlineData(90.0, "90+")]
    [InlineData(112.0, "90+")]
    [InlineData(-1.0, null)]
    [InlineData(double.NaN, null)]
    public void Age_bands(double age, string? band)
    {
        AgeBands.Of(age).Should().Be(band);
        AgeBands.All.Should().HaveCount(5);
        AgeBands.Of(null).Should().BeNull();
    }
}
