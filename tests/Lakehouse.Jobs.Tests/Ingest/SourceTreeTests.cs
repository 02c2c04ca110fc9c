using Lakehouse.Jobs.Ingest;
using Lakehouse.Testing;

namespace Lakehouse.Jobs.Tests.Ingest;

public sealed class SourceTreeTests
{
    [Fact]
    public void Walk_is_depth_first_in_ordinal_order_with_sizes_and_times_and_follows_no_link()
    {
        using var dir = new TempDirectory("source-tree");
        string root = dir.Combine("export");
        foreach (string f in new[] { "b/2.dcm", "b/10.dcm", "a/x/deep.dcm", "a/Z.dcm", "a/a.dcm", "top.dcm", ".hidden" })
        {
            string path = Path.Combine(root, f);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, new byte[f.Length]);
        }
        var stamp = new DateTime(2024, 2, 3, 4, 5, 6, DateTimeKind.Utc).AddTicks(1234560);
        File.SetLastWriteTimeUtc(Path.Combine(root, "top.dcm"), stamp);
        // Links elsewhere (a folder outside the export, a file inside it) are not followed: each file is read where it lives.
        Directory.CreateDirectory(dir.Combine("outside"));
        File.WriteAllBytes(dir.Combine("outside", "other.dcm"), [1]);
        Directory.CreateSymbolicLink(Path.Combine(root, "linked-folder"), dir.Combine("outside"));
        File.CreateSymbolicLink(Path.Combine(root, "b", "link.dcm"), Path.Combine(root, "top.dcm"));

        var files = SourceTree.Walk(root).Select(path =>
        {
            using var file = SourceTree.Open(path);
            return (Path: path, file.Size, file.ModifiedMicros);
        }).ToList();
        files.Select(f => Path.GetRelativePath(root, f.Path).Replace('\\', '/')).Should().Equal(
            ".hidden", "top.dcm", "a/Z.dcm", "a/a.dcm", "a/x/deep.dcm", "b/10.dcm", "b/2.dcm");
        files.Should().OnlyContain(f => f.Size == Path.GetRelativePath(root, f.Path).Length);
        files.Single(f => f.Path.EndsWith("top.dcm", StringComparison.Ordinal)).ModifiedMicros
            .Should().Be(FileFingerprint.Micros(stamp)).And.Be(FileFingerprint.Micros(new FileInfo(Path.Combine(root, "top.dcm")).LastWriteTimeUtc));
        SourceTree.Count(root).Should().Be(files.Count);
    }

    [Fact]
    public void A_missing_root_walks_to_nothing()
    {
        using var dir = new TempDirectory("source-tree-missing");
        SourceTree.Walk(dir.Combine("gone")).Should().BeEmpty();
        SourceTree.Count(dir.Combine("gone")).Should().Be(0);
    }
}
