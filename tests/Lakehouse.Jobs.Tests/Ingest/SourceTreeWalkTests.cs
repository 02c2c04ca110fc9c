using System.Text;
using Lakehouse.Jobs.Ingest;
using Lakehouse.Jobs.Tests.Support;
using Lakehouse.Testing;

namespace Lakehouse.Jobs.Tests.Ingest;

/// <summary>SourceTree.Walk (libc on Linux, the managed walk elsewhere) and SourceTree.Open on real folders.</summary>
public sealed class SourceTreeWalkTests
{
    public enum WalkKind { Default, Managed, LinuxStatEveryEntry }

    private static IEnumerable<string> WalkWith(WalkKind kind, string root) => kind switch
    {
        WalkKind.Managed => SourceTree.WalkManaged(root),
        WalkKind.LinuxStatEveryEntry => LinuxSourceWalk.Walk(root, statEveryEntry: true),
        _ => SourceTree.Walk(root),
    };

    // Files of a folder before its subfolders, names in ordinal order: upper case before lower, non-ASCII after ASCII.
    private static readonly string[] Expected =
    [
        ".hidden", "E.dcm", "e.dcm", "top.dcm", "é.dcm",
        "a/Z.dcm", "a/a.dcm", "a/x/deep.dcm",
        "b/10.dcm", "b/2.dcm",
        "日本/1.dcm",
    ];

    private static string BuildTree(TempDirectory dir)
    {
        string root = dir.Combine("export");
        foreach (string f in Expected)
        {
            string path = Path.Combine(root, f);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, Encoding.UTF8.GetBytes(f));
        }
        Directory.CreateDirectory(Path.Combine(root, "empty"));
        Directory.CreateDirectory(Path.Combine(root, "a", "empty-nested", "deeper"));
        Directory.CreateDirectory(dir.Combine("outside"));
        File.WriteAllBytes(dir.Combine("outside", "other.dcm"), [1]);
        // Links are not followed: to a folder outside, to a file inside, a loop, a dangling one.
        Directory.CreateSymbolicLink(Path.Combine(root, "linked-folder"), dir.Combine("outside"));
        File.CreateSymbolicLink(Path.Combine(root, "b", "link.dcm"), Path.Combine(root, "top.dcm"));
        Directory.CreateSymbolicLink(Path.Combine(root, "a", "loop"), root);
        File.CreateSymbolicLink(Path.Combine(root, "dangling.dcm"), Path.Combine(root, "gone.dcm"));
        return root;
    }

    private static string[] Relative(string root, IEnumerable<string> paths) =>
        paths.Select(p => Path.GetRelativePath(root, p).Replace('\\', '/')).ToArray();

    [Theory]
    [InlineData(WalkKind.Default)]
    [InlineData(WalkKind.Managed)]
    [InlineData(WalkKind.LinuxStatEveryEntry)]
    public void Walk_is_depth_first_in_ordinal_order_and_follows_no_link(WalkKind kind)
    {
        if (kind == WalkKind.LinuxStatEveryEntry && !LinuxFileSystem.IsSupported) return;
        using var dir = new TempDirectory("source-walk");
        string root = BuildTree(dir);

        var paths = WalkWith(kind, root).ToList();

        Relative(root, paths).Should().Equal(Expected);
        paths.Should().OnlyContain(p => Path.IsPathFullyQualified(p));
        SourceTree.Count(root).Should().Be(Expected.Length);
    }

    [Fact]
    public void The_libc_walk_and_the_managed_walk_agree_on_the_same_tree_and_any_spelling_of_the_root()
    {
        Assert.True(LinuxFileSystem.IsSupported == OperatingSystem.IsLinux(), "the libc walk must be what Linux x64/arm64 uses");
        using var dir = new TempDirectory("source-walk-same");
        string root = BuildTree(dir);
        var managed = SourceTree.WalkManaged(root).ToList();
        managed.Should().HaveCount(Expected.Length);
        SourceTree.Walk(root).Should().Equal(managed);
        SourceTree.Walk(root + "/").Should().Equal(managed);
        SourceTree.Walk(Path.Combine(root, "a", "..")).Should().Equal(managed);
        SourceTree.CountManaged(root).Should().Be(SourceTree.Count(root));
        // An independent oracle for the set: find without following links, everything that is neither a folder nor a link.
        var find = ExternalTool.Run(ExternalTool.Require("find"), [root, "-mindepth", "1", "!", "-type", "d", "!", "-type", "l"]);
        find.Succeeded.Should().BeTrue(find.StdErr);
        find.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().BeEquivalentTo(managed);
    }

    [Fact]
    public void Walked_files_open_relative_to_their_folder_as_their_paths_open_and_each_folder_closes_after_its_last_file()
    {
        if (!LinuxFileSystem.IsSupported) return;
        using var dir = new TempDirectory("source-walk-relative");
        string root = BuildTree(dir);
        ProcessDescriptors.Under(root).Should().Be(0);

        var walked = SourceTree.WalkFiles(root).ToList();

        walked.Select(w => w.Path).Should().Equal(SourceTree.Walk(root));
        walked.Should().OnlyContain(w => w.Folder != null);
        var folders = walked.Select(w => w.Folder!).Distinct().ToList();
        folders.Should().HaveCount(5, "the root, a, a/x, b and 日本 hold files").And.OnlyContain(f => !f.IsClosed);
        ProcessDescriptors.Under(root).Should().Be(5, "a folder stays open until its files are opened");
        foreach (var w in walked)
        {
            using var relative = SourceTree.Open(w);
            using var byPath = SourceTree.Open(w.Path);
            (relative.Size, relative.ModifiedMicros).Should().Be((byPath.Size, byPath.ModifiedMicros));
            new StreamReader(relative.Stream).ReadToEnd().Should().Be(new StreamReader(byPath.Stream).ReadToEnd());
        }
        folders.Should().OnlyContain(f => f.IsClosed, "each file released its folder");
        ProcessDescriptors.Under(root).Should().Be(0);
    }

    [Fact]
    public void A_walked_file_opens_in_the_folder_that_was_listed_and_fails_as_its_path_would_when_gone_or_a_link()
    {
        if (!LinuxFileSystem.IsSupported) return;
        using var dir = new TempDirectory("source-walk-relative-changes");
        string patient = dir.Combine("DOE^JANE");
        Directory.CreateDirectory(patient);
        foreach (string name in new[] { "1.dcm", "2.dcm", "3.dcm" }) File.WriteAllText(Path.Combine(patient, name), name);
        var walked = SourceTree.WalkFiles(dir.Path).ToList();

        // Meanwhile the folder is renamed and another put in its place, 2.dcm is deleted and 3.dcm becomes a link.
        Directory.Move(patient, dir.Combine("renamed"));
        Directory.CreateDirectory(patient);
        File.WriteAllText(Path.Combine(patient, "1.dcm"), "impostor");
        File.Delete(dir.Combine("renamed", "2.dcm"));
        File.Move(dir.Combine("renamed", "3.dcm"), dir.Combine("renamed", "3-real.dcm"));
        File.CreateSymbolicLink(dir.Combine("renamed", "3.dcm"), dir.Combine("renamed", "3-real.dcm"));

        using (var first = SourceTree.Open(walked[0]))
            new StreamReader(first.Stream).ReadToEnd().Should().Be("1.dcm", "the file of the folder the walk listed");
        var gone = Assert.ThrowsAny<IOException>(() => SourceTree.Open(walked[1]));
        gone.Should().BeAssignableTo<FileNotFoundException>();
        gone.Message.Should().Contain("ENOENT");
        NamesNoPath(gone, walked[1].Path);
        var link = Assert.ThrowsAny<IOException>(() => SourceTree.Open(walked[2]));
        link.Message.Should().Contain("symbolic link");
        NamesNoPath(link, walked[2].Path);
        walked[0].Folder!.IsClosed.Should().BeTrue("a failed open releases the folder too");
    }

    [Fact]
    public void Opt_in_oracle_the_walks_agree_on_the_archive_named_by_SOURCE_WALK_ORACLE_ROOT()
    {
        string? root = Environment.GetEnvironmentVariable("SOURCE_WALK_ORACLE_ROOT");
        if (root is null) return; // opt in: SOURCE_WALK_ORACLE_ROOT=/path/to/an/export dotnet test ... --filter ...Oracle
        var managed = SourceTree.WalkManaged(root).ToList();
        managed.Should().NotBeEmpty("the oracle root must hold files");
        SourceTree.Walk(root).Should().Equal(managed);
        LinuxSourceWalk.Walk(root, statEveryEntry: true).Should().Equal(managed);
        SourceTree.Count(root).Should().Be(managed.Count);
        foreach (string path in managed.Take(500))
        {
            using var file = SourceTree.Open(path);
            var info = new FileInfo(path);
            file.Size.Should().Be(info.Length);
            file.ModifiedMicros.Should().Be(FileFingerprint.Micros(info.LastWriteTimeUtc));
        }
    }

    [Fact]
    public void A_missing_root_or_a_file_as_root_walks_to_nothing()
    {
        using var dir = new TempDirectory("source-walk-missing");
        File.WriteAllBytes(dir.Combine("file.dcm"), [1]);
        foreach (string root in new[] { dir.Combine("gone"), dir.Combine("file.dcm") })
        {
            SourceTree.Walk(root).Should().BeEmpty();
            SourceTree.WalkManaged(root).Should().BeEmpty();
            SourceTree.Count(root).Should().Be(0);
        }
    }

    [Fact]
    public void A_root_that_is_a_link_is_walked_as_the_caller_named_it()
    {
        using var dir = new TempDirectory("source-walk-root-link");
        string real = dir.Combine("real");
        Directory.CreateDirectory(Path.Combine(real, "p"));
        File.WriteAllBytes(Path.Combine(real, "p", "1.dcm"), [1]);
        Directory.CreateSymbolicLink(dir.Combine("export"), real);
        SourceTree.Walk(dir.Combine("export")).Should().Equal(dir.Combine("export", "p", "1.dcm"));
        SourceTree.WalkManaged(dir.Combine("export")).Should().Equal(dir.Combine("export", "p", "1.dcm"));
    }

    [Theory]
    [InlineData(WalkKind.Default)]
    [InlineData(WalkKind.Managed)]
    public void A_folder_that_vanishes_during_the_walk_is_skipped(WalkKind kind)
    {
        using var dir = new TempDirectory("source-walk-vanish");
        string root = dir.Combine("export");
        foreach (string f in new[] { "first.dcm", "a/1.dcm", "b/1.dcm", "c/1.dcm" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, f))!);
            File.WriteAllBytes(Path.Combine(root, f), [1]);
        }
        var seen = new List<string>();
        foreach (string path in WalkWith(kind, root))
        {
            seen.Add(Path.GetRelativePath(root, path));
            // The walk is lazy: b is listed as a subfolder of the root, then deleted before it is read.
            if (seen.Count == 1) Directory.Delete(Path.Combine(root, "b"), recursive: true);
        }
        seen.Should().Equal("first.dcm", "a/1.dcm", "c/1.dcm");
    }

    [FactUnlessRoot]
    public void An_unreadable_folder_is_skipped()
    {
        if (OperatingSystem.IsWindows()) return;
        using var dir = new TempDirectory("source-walk-unreadable");
        string root = dir.Combine("export");
        foreach (string f in new[] { "a/1.dcm", "b/1.dcm", "c/1.dcm" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, f))!);
            File.WriteAllBytes(Path.Combine(root, f), [1]);
        }
        File.SetUnixFileMode(Path.Combine(root, "b"), UnixFileMode.None);
        try
        {
            Relative(root, SourceTree.Walk(root)).Should().Equal("a/1.dcm", "c/1.dcm");
            Relative(root, SourceTree.WalkManaged(root)).Should().Equal("a/1.dcm", "c/1.dcm");
            SourceTree.Count(root).Should().Be(2);
        }
        finally { File.SetUnixFileMode(Path.Combine(root, "b"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); }
    }

    public enum OpenKind { Default, Managed }

    private static OpenedSourceFile OpenWith(OpenKind kind, string path) =>
        kind == OpenKind.Managed ? OpenedSourceFile.OpenManaged(path) : SourceTree.Open(path);

    [Theory]
    [InlineData(OpenKind.Default)]
    [InlineData(OpenKind.Managed)]
    public void Open_gives_the_bytes_size_and_time_FileInfo_gives(OpenKind kind)
    {
        using var dir = new TempDirectory("source-open");
        var content = new byte[100_000];
        new Random(5).NextBytes(content);
        var stamps = new[]
        {
            new DateTime(2024, 2, 3, 4, 5, 6, DateTimeKind.Utc).AddTicks(1234567), // sub-µs ticks are truncated
            new DateTime(1969, 7, 20, 20, 17, 40, DateTimeKind.Utc).AddTicks(5), // before the epoch: truncation toward zero
            DateTime.UnixEpoch,
        };
        for (int i = 0; i < stamps.Length; i++)
        {
            string path = dir.Combine($"f{i}.dcm");
            File.WriteAllBytes(path, content.AsSpan(0, 1000 * i + 7).ToArray());
            File.SetLastWriteTimeUtc(path, stamps[i]);
            var info = new FileInfo(path);

            using var file = OpenWith(kind, path);

            file.Size.Should().Be(info.Length);
            file.ModifiedMicros.Should().Be(FileFingerprint.Micros(info.LastWriteTimeUtc));
            var read = new MemoryStream();
            file.Stream.CopyTo(read, 333);
            read.ToArray().Should().Equal(File.ReadAllBytes(path));
        }
    }

    [Theory]
    [InlineData(OpenKind.Default)]
    [InlineData(OpenKind.Managed)]
    public void The_stream_reads_at_its_position_and_seeks(OpenKind kind)
    {
        using var dir = new TempDirectory("source-open-seek");
        string path = dir.Combine("f.dcm");
        byte[] content = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
        File.WriteAllBytes(path, content);
        using var file = OpenWith(kind, path);
        var s = file.Stream;
        s.CanRead.Should().BeTrue();
        s.CanWrite.Should().BeFalse();
        s.Length.Should().Be(300);
        var buffer = new byte[10];
        s.ReadExactly(buffer);
        buffer.Should().Equal(content[..10]);
        s.Position.Should().Be(10);
        s.Seek(-5, SeekOrigin.End).Should().Be(295);
        s.Read(buffer, 0, 10).Should().Be(5);
        buffer[..5].Should().Equal(content[295..]);
        s.Read(buffer).Should().Be(0);
        s.Position = 128;
        s.ReadByte().Should().Be(128);
    }

    [Theory]
    [InlineData(OpenKind.Default)]
    [InlineData(OpenKind.Managed)]
    public void A_file_deleted_between_walk_and_open_is_an_IOException_without_the_path(OpenKind kind)
    {
        using var dir = new TempDirectory("source-open-deleted");
        string patientFolder = dir.Combine("DOE^JANE 1961-04-02");
        Directory.CreateDirectory(patientFolder);
        File.WriteAllBytes(Path.Combine(patientFolder, "1.2.840.99.1.dcm"), [1]);
        string path = SourceTree.Walk(dir.Path).Single();
        File.Delete(path);

        var e = Assert.ThrowsAny<IOException>(() => OpenWith(kind, path));

        e.Should().BeAssignableTo<FileNotFoundException>();
        NamesNoPath(e, path);
        if (kind == OpenKind.Default && LinuxFileSystem.IsSupported) e.Message.Should().Contain("ENOENT");
    }

    [Fact]
    public async Task Links_folders_and_fifos_are_not_regular_files_and_a_fifo_does_not_block()
    {
        using var dir = new TempDirectory("source-open-special");
        string folder = dir.Combine("DOE^JANE");
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "real.dcm"), [1]);
        File.CreateSymbolicLink(Path.Combine(folder, "link.dcm"), Path.Combine(folder, "real.dcm"));
        string fifo = Path.Combine(folder, "pipe.dcm");
        ExternalTool.Run(ExternalTool.Require("mkfifo"), [fifo]).Succeeded.Should().BeTrue();

        // The walk lists the fifo (it is not a link or a folder); opening it reports it instead of waiting for a writer.
        Relative(folder, SourceTree.Walk(folder)).Should().Equal("pipe.dcm", "real.dcm");
        var open = Task.Run(() => Record.Exception(() => SourceTree.Open(fifo)));
        (await Task.WhenAny(open, Task.Delay(TimeSpan.FromSeconds(60)))).Should().BeSameAs(open, "opening a fifo must not wait for a writer");
        var fifoError = await open;
        fifoError.Should().BeOfType<IOException>().Which.Message.Should().Be("not a regular file: a fifo");
        NamesNoPath(fifoError!, fifo);

        var link = Assert.ThrowsAny<IOException>(() => SourceTree.Open(Path.Combine(folder, "link.dcm")));
        link.Message.Should().Contain("symbolic link");
        NamesNoPath(link, Path.Combine(folder, "link.dcm"));

        var folderError = Record.Exception(() => SourceTree.Open(folder));
        folderError.Should().Match<Exception>(e => e is IOException || e is UnauthorizedAccessException);
        NamesNoPath(folderError!, folder);
    }

    [Fact]
    public void A_path_with_a_NUL_is_refused_not_cut_short()
    {
        using var dir = new TempDirectory("source-open-nul");
        File.WriteAllBytes(dir.Combine("a"), [1]);
        // libc would read "a" (the bytes up to the NUL): the open must refuse the path like .NET does.
        Assert.Throws<ArgumentException>(() => SourceTree.Open(dir.Combine("a\0b"))).Message.Should().NotContain(dir.Path);
    }

    [Fact]
    public void A_name_that_is_not_UTF8_is_walked_and_opens_again()
    {
        if (!LinuxFileSystem.IsSupported) return;
        using var dir = new TempDirectory("source-walk-bytes");
        // Latin-1 "é" (0xE9) and a lone 0xFF: names an old export may well hold; .NET's own APIs cannot open them.
        var r = ExternalTool.Run(Pydicom.Python, ["-c",
            "import os,sys; d=os.fsencode(sys.argv[1]); os.mkdir(os.path.join(d,b'Ren\\xe9')); open(os.path.join(d,b'Ren\\xe9',b'x\\xff.dcm'),'wb').write(b'abc')",
            dir.Path]);
        r.Succeeded.Should().BeTrue(r.StdErr);

        string path = SourceTree.Walk(dir.Path).Single();

        path.Should().Be(Path.Combine(dir.Path, "Ren\uDCE9", "x\uDCFF.dcm"));
        using (var file = SourceTree.Open(path))
        {
            file.Size.Should().Be(3);
            new StreamReader(file.Stream).ReadToEnd().Should().Be("abc");
        }
        // Relative to its folder, the name's own bytes are opened.
        using (var file = SourceTree.Open(SourceTree.WalkFiles(dir.Path).Single()))
            new StreamReader(file.Stream).ReadToEnd().Should().Be("abc");
        SourceTree.Count(dir.Path).Should().Be(1);
    }

    [Fact]
    public void Name_bytes_round_trip_through_decode_and_encode()
    {
        var random = new Random(11);
        List<byte[]> samples =
        [
            "plain.dcm"u8.ToArray(), "é日本𝄞"u8.ToArray(), [0xFF], [0xC3], [0xE6, 0x97], [0xED, 0xA0, 0x80], [0xC0, 0xAF],
            [0xF4, 0x90, 0x80, 0x80], [(byte)'a', 0xE9, (byte)'b'], [0xF0, 0x9D, 0x84, 0x9E, 0xDC],
        ];
        for (int i = 0; i < 2000; i++)
        {
            var b = new byte[random.Next(1, 40)];
            random.NextBytes(b);
            for (int j = 0; j < b.Length; j++) if (b[j] == 0) b[j] = 1; // names never hold NUL
            samples.Add(b);
        }
        foreach (var bytes in samples)
        {
            string s = PathBytes.Decode(bytes);
            var encoded = new byte[PathBytes.MaxBytes(s.Length)];
            int n = PathBytes.Encode(s, encoded);
            encoded[..n].Should().Equal(bytes);
            encoded[n].Should().Be(0);
            if (System.Text.Unicode.Utf8.IsValid(bytes)) s.Should().Be(Encoding.UTF8.GetString(bytes));
        }
        // A real character whose low surrogate lies in the escape range stays a character.
        string astral = char.ConvertFromUtf32(0x10000 + 0x80);
        var buffer = new byte[PathBytes.MaxBytes(astral.Length)];
        buffer[..PathBytes.Encode(astral, buffer)].Should().Equal(Encoding.UTF8.GetBytes(astral));
    }

    private static void NamesNoPath(Exception e, string path)
    {
        string text = e.ToString();
        foreach (string part in path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p.Length > 3 && p != "tmp"))
            text.Should().NotContain(part);
    }
}

/// <summary>A fact that cannot hold for root, who reads any folder whatever its permissions.</summary>
public sealed class FactUnlessRootAttribute : FactAttribute
{
    public FactUnlessRootAttribute()
    {
        if (Environment.IsPrivilegedProcess) Skip = "runs as root: permissions do not stop root from reading a folder";
    }
}
