using Lakehouse.Udfs.Splitting;

namespace Lakehouse.Udfs.Tests.Splitting;

public class SplitMix64Tests
{
    [Fact]
    public void Matches_the_reference_sequence_for_seed_zero()
    {
        var rng = new SplitMix64(0);
        rng.NextUInt64().Should().Be(0xE220A8397B1DCDAFUL);
        rng.NextUInt64().Should().Be(0x6E789E6AA1B965F4UL);
    }

    [Fact]
    public void Bounded_ints_stay_in_range_and_cover_it()
    {
        var rng = new SplitMix64(7);
        var seen = new int[5];
        for (int i = 0; i < 1000; i++) seen[rng.NextInt(5)]++;
        seen.Should().OnlyContain(c => c > 150);
        rng.NextDouble().Should().BeInRange(0, 1);
    }
}
