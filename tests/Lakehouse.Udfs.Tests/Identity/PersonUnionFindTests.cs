using Lakehouse.Udfs.Identity;

namespace Lakehouse.Udfs.Tests.Identity;

public class PersonUnionFindTests
{
    private static readonly string[] Keys = Enumerable.Range(0, 60).Select(i => $"NS{i % 3}\\{i:D3}").ToArray();

    private static readonly (string, string)[] Edges =
        Enumerable.Range(0, 40).Select(i => (Keys[(i * 7) % 60], Keys[(i * 13 + 5) % 60])).ToArray();

    [Fact]
    public void Person_ids_do_not_depend_on_the_order_of_keys_and_edges()
    {
        var expected = Build(Keys, Edges);
        var random = new Random(12345);
        for (int trial = 0; trial < 25; trial++)
        {
            var keys = Keys.OrderBy(_ => random.Next()).ToArray();
            var edges = Edges.Select(e => random.Next(2) == 0 ? e : (e.Item2, e.Item1)).OrderBy(_ => random.Next()).ToArray();
            Build(keys, edges).Should().Equal(expected);
        }
    }

    [Fact]
    public void Groups_are_the_connected_components_named_by_their_smallest_key()
    {
        var uf = new PersonUnionFind();
        foreach (string k in new[] { "B\\2", "A\\1", "C\\3", "D\\4", "E\\5" }) uf.Add(k);
        uf.Union("C\\3", "B\\2").Should().BeTrue();
        uf.Union("A\\1", "C\\3").Should().BeTrue();
        uf.Union("B\\2", "A\\1").Should().BeFalse(); // already one person
        uf.Connected("A\\1", "B\\2").Should().BeTrue();
        uf.Connected("A\\1", "D\\4").Should().BeFalse();
        var ids = uf.PersonIds().ToDictionary(p => p.Key, p => p.PersonId);
        ids.Keys.Should().Equal("A\\1", "B\\2", "C\\3", "D\\4", "E\\5");
        ids["A\\1"].Should().Be(PersonUnionFind.PersonIdOf("A\\1")).And.Be(ids["B\\2"]).And.Be(ids["C\\3"]);
        ids["D\\4"].Should().Be(PersonUnionFind.PersonIdOf("D\\4")).And.NotBe(ids["E\\5"]);
    }

    [Fact]
    public void Person_ids_have_a_fixed_format_and_value()
    {
        string id = PersonUnionFind.PersonIdOf("RIVERSIDE_MC\\RMC1");
        id.Should().MatchRegex("^PER-[0-9a-f]{16}$");
        // SHA-256("RIVERSIDE_MC\RMC1"), first 8 bytes, computed independently with sha256sum.
        id.Should().Be("PER-" + ExpectedSha256Prefix);
    }

    private const string ExpectedSha256Prefix = "d761182f019e10b8";

    private static List<(string, string)> Build(IEnumerable<string> keys, IEnumerable<(string, string)> edges)
    {
        var uf = new PersonUnionFind();
        foreach (string k in keys) uf.Add(k);
        foreach (var (a, b) in edges) uf.Union(a, b);
        return uf.PersonIds().ToList();
    }
}
