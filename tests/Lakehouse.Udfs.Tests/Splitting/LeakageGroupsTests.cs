using Lakehouse.Udfs.Splitting;

namespace Lakehouse.Udfs.Tests.Splitting;

public class LeakageGroupsTests
{
    [Fact]
    public void Shared_study_or_instance_uid_merges_patients_and_group_id_is_the_smallest_pseudonym()
    {
        var g = new LeakageGroups();
        g.Add("P3", "1.1", "1.1.1", "1.1.1.1");
        g.Add("P2", "1.2", "1.2.1", "1.2.1.1");
        g.Add("P1", "1.1", "9.9", "9.9.9");   // same study as P3
        g.Add("P4", "1.4", "1.4.1", "1.2.1.1"); // same SOP instance as P2
        g.Add("P5", "1.5");
        var grouping = g.Build();

        grouping.GroupOf("P3").Should().Be("P1");
        grouping.GroupOf("P1").Should().Be("P1");
        grouping.GroupOf("P4").Should().Be("P2");
        grouping.GroupOf("P5").Should().Be("P5");
        grouping.Groups.Should().HaveCount(3);
        grouping.Groups["P1"].Should().Equal("P1", "P3");
        grouping.PatientCount.Should().Be(5);
    }

    [Fact]
    public void Shared_series_uid_merges_and_transitive_chains_collapse()
    {
        var g = new LeakageGroups();
        g.Add("P1", "S1", "SE1");
        g.Add("P2", "S2", "SE1");
        g.Add("P3", "S2", "SE3");
        g.Add("P4", "S4", "SE3");
        g.Build().Groups.Should().ContainSingle().Which.Value.Should().Equal("P1", "P2", "P3", "P4");
    }

    [Fact]
    public void Identifier_kinds_are_kept_apart_and_empty_identifiers_ignored()
    {
        var g = new LeakageGroups();
        g.Add("P1", "1.2.3", null, "");
        g.Add("P2", null, "1.2.3", "");   // same text, but a series UID: no leak through a study
        g.Add("P3", "", "", null);
        g.Build().Groups.Should().HaveCount(3);
    }

    [Fact]
    public void Group_ids_do_not_depend_on_input_order()
    {
        var rows = new[] { ("B", "s1"), ("C", "s2"), ("A", "s1"), ("D", "s2"), ("C", "s3"), ("E", "s9") };
        var forward = new LeakageGroups();
        foreach (var (p, s) in rows) forward.Add(p, s);
        var backward = new LeakageGroups();
        foreach (var (p, s) in rows.Reverse()) backward.Add(p, s);
        var a = forward.Build();
        var b = backward.Build();
        foreach (var p in new[] { "A", "B", "C", "D", "E" }) a.GroupOf(p).Should().Be(b.GroupOf(p));
        a.GroupOf("D").Should().Be("C");
    }

    [Fact]
    public void Missing_patient_is_rejected_and_unknown_lookup_does_not_echo_the_pseudonym()
    {
        var g = new LeakageGroups();
        g.Invoking(x => x.Add("", "1.2")).Should().Throw<ArgumentException>();
        g.Add("P1", "1.2");
        g.Build().Invoking(x => x.GroupOf("SECRET-ID")).Should().Throw<KeyNotFoundException>()
            .Which.Message.Should().NotContain("SECRET-ID");
    }
}
