using Lakehouse.Jobs.Ingest;
using Lakehouse.Jobs.Tests.Support;
using Lakehouse.Testing;

namespace Lakehouse.Jobs.Tests.Ingest;

/// <summary>
/// The io_uring batch opener against the file-by-file open it replaces (<see cref="SourceTree.Open(string)"/>), on real
/// files: the same size, time and bytes (files shorter and longer than the first read, empty files), the same failures
/// (a fifo, a link, a file deleted after the walk, a name that is not UTF-8), every folder released and every descriptor
/// closed. Skipped where the system forbids io_uring (then ingestion opens file by file, which the other tests cover).
/// </summary>
public sealed class ChunkOpenerTests
{
    [Fact]
    public void A_batch_opens_sizes_and_reads_files_as_the_plain_open_does_and_closes_everything()
    {
        using var opener = ChunkOpener.TryCreate(32);
        if (opener is null) return; // io_uring is not available here
        using var dir = new TempDirectory("chunk-opener");
        string root = dir.Combine("export");
        string folder = Path.Combine(root, "DOE^JANE");
        Directory.CreateDirectory(folder);
        var random = new Random(7);
        int[] sizes = [0, 100, 4 * 1024 - 1, 4 * 1024, 4 * 1024 + 1, 100_000];
        for (int i = 0; i < sizes.Length; i++)
        {
            var bytes = new byte[sizes[i]];
            random.NextBytes(bytes);
            string path = Path.Combine(folder, $"f{i}.dcm");
            File.WriteAllBytes(path, bytes);
            File.SetLastWriteTimeUtc(path, new DateTime(2024, 2, 3, 4, 5, 6, DateTimeKind.Utc).AddTicks(1234567 + i));
        }
        ExternalTool.Run(ExternalTool.Require("mkfifo"), [Path.Combine(folder, "pipe.dcm")]).Succeeded.Should().BeTrue();
        File.WriteAllBytes(Path.Combine(folder, "swap.dcm"), [1, 2, 3]);
        File.WriteAllBytes(Path.Combine(folder, "gone.dcm"), [1, 2, 3]);
        var python = ExternalTool.Run(Pydicom.Python, ["-c", "import os,sys; open(os.path.join(os.fsencode(sys.argv[1]), b'x\\xff.dcm'),'wb').write(b'abc')", folder]);
        python.Succeeded.Should().BeTrue(python.StdErr);

        using var walk = new ChunkedWalk(SourceTree.WalkFiles(root));
        var chunk = new IngestChunk(32);
        walk.TryTake(chunk).Should().BeTrue();
        chunk.Count.Should().Be(sizes.Length + 4);
        // Between the walk and the open: one file deleted, one replaced by a link.
        File.Delete(Path.Combine(folder, "gone.dcm"));
        File.Delete(Path.Combine(folder, "swap.dcm"));
        File.CreateSymbolicLink(Path.Combine(folder, "swap.dcm"), Path.Combine(folder, "f1.dcm"));

        opener.Open(chunk);
        opener.ReadHeads(_ => true, HeadLength.Min);

        chunk.Walked[0].Folder!.IsClosed.Should().BeTrue("every file released its folder");
        for (int i = 0; i < chunk.Count; i++)
        {
            string path = chunk.Walked[i].Path;
            ref readonly var opened = ref opener[i];
            opened.Fd.Should().NotBe(-2, "every walked file of a folder goes through the batch");
            OpenedSourceFile plain;
            try { plain = SourceTree.Open(path); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                opened.IsRegularFile.Should().BeFalse($"{Path.GetFileName(path)} fails to open file by file ({e.Message}), so in the batch too");
                continue;
            }
            using (plain)
            {
                opened.Errno.Should().Be(0, Path.GetFileName(path));
                (opened.Size, opened.ModifiedMicros).Should().Be((plain.Size, plain.ModifiedMicros), Path.GetFileName(path));
                var expected = new MemoryStream();
                plain.Stream.CopyTo(expected);
                HeadAndRest(opener, i).Should().Equal(expected.ToArray(), Path.GetFileName(path));
                opener.HeadOf(i).Length.Should().Be((int)Math.Min(plain.Size, 4096), "the first chunk's heads are 4 KiB");
            }
        }
        var names = Enumerable.Range(0, chunk.Count).Where(i => opener[i].IsRegularFile)
            .Select(i => Path.GetFileName(chunk.Walked[i].Path)).ToList();
        names.Should().BeEquivalentTo(["f0.dcm", "f1.dcm", "f2.dcm", "f3.dcm", "f4.dcm", "f5.dcm", "x\uDCFF.dcm"]);

        // The files stay open until the next chunk (which closes them) or the end.
        ProcessDescriptors.Under(root).Should().Be(chunk.Count - 2, "all but the deleted file and the link are open (the fifo too)");
        chunk.Reset();
        walk.TryTake(chunk).Should().BeFalse();
        opener.Open(chunk);
        opener.ReadHeads(_ => true, HeadLength.Min);
        ProcessDescriptors.Under(root).Should().Be(0, "the next batch's reads closed them");
    }

    [Fact]
    public void Each_chunk_reads_the_head_it_is_asked_for_and_the_rest_follows()
    {
        using var opener = ChunkOpener.TryCreate(4);
        if (opener is null) return;
        using var dir = new TempDirectory("chunk-opener-heads");
        var random = new Random(11);
        var files = new Dictionary<string, byte[]>();
        for (int i = 0; i < 20; i++)
        {
            var bytes = new byte[i == 0 ? 5000 : 100_000]; // one file shorter than some heads
            random.NextBytes(bytes);
            string path = dir.Combine($"{i:D2}.dcm");
            File.WriteAllBytes(path, bytes);
            files[path] = bytes;
        }
        using var walk = new ChunkedWalk(SourceTree.WalkFiles(dir.Path));
        var chunk = new IngestChunk(4);
        foreach (int head in new[] { 4096, 65536, 100, 32768, 8192 })
        {
            walk.TryTake(chunk).Should().BeTrue();
            opener.Open(chunk);
            opener.ReadHeads(_ => true, head);
            for (int i = 0; i < chunk.Count; i++)
            {
                byte[] expected = files[chunk.Walked[i].Path];
                opener.HeadOf(i).Length.Should().Be(Math.Min(head, expected.Length));
                HeadAndRest(opener, i).Should().Equal(expected, "the head and the rest are the whole file");
            }
            chunk.Reset();
        }
        FluentActions.Invoking(() => opener.ReadHeads(_ => true, HeadLength.Max + 1)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void The_head_holds_nine_in_ten_headers_of_the_chunk_before()
    {
        var length = new HeadLength();
        length.Current.Should().Be(4096, "the first chunk reads 4 KiB");
        // Per chunk: the headers the reader saw end at these offsets; the next chunk reads the smallest power of two
        // within 4..64 KiB that holds nine in ten of them with the stop element after each, or what it read before when
        // no header was seen.
        (long[] Saw, int Next)[] steps =
        [
            ([1500, 700], 4096),
            ([9000, 20_000, 300], 32768),
            ([], 32768),
            ([5000], 8192),
            ([1_000_000], 65536),
            ([65536 - 12], 65536),
            ([8180], 8192),
            ([8181], 16384),
            ([.. Enumerable.Repeat(1600L, 9), 30_000], 4096), // one in ten longer: it reads on by itself
            ([.. Enumerable.Repeat(1600L, 8), 30_000, 30_000], 32768),
            ([.. Enumerable.Repeat(1600L, 27), 9000, 9000, 9000, 9000, 100_000], 16384),
        ];
        foreach (var (saw, next) in steps)
        {
            foreach (long end in saw) length.Saw(end);
            length.NextChunk().Should().Be(next, string.Join(", ", saw));
            length.Current.Should().Be(next);
        }
    }

    // File i's bytes read as the reader reads them: the batch's head, then the rest from where it stopped.
    private static byte[] HeadAndRest(ChunkOpener opener, int i)
    {
        var bytes = new MemoryStream();
        bytes.Write(opener.HeadOf(i));
        var rest = opener.RestOf(i);
        if (rest is null) opener.HeadOf(i).Length.Should().Be((int)opener[i].Size, "no rest: the head is the whole file");
        else
        {
            rest.Position.Should().Be(opener.HeadOf(i).Length);
            rest.CopyTo(bytes, 1000);
        }
        return bytes.ToArray();
    }

    [Fact]
    public void Disposing_closes_the_files_of_the_last_chunk()
    {
        var opener = ChunkOpener.TryCreate(32);
        if (opener is null) return;
        using var dir = new TempDirectory("chunk-opener-dispose");
        for (int i = 0; i < 5; i++) File.WriteAllBytes(dir.Combine($"{i}.dcm"), [1]);
        using var walk = new ChunkedWalk(SourceTree.WalkFiles(dir.Path));
        var chunk = new IngestChunk(32);
        walk.TryTake(chunk);
        opener.Open(chunk);
        opener.ReadHeads(i => i % 2 == 0, HeadLength.Min);
        opener[1].HeadLength.Should().Be(-1, "a file not wanted is not read");
        opener[0].HeadLength.Should().Be(1);
        ProcessDescriptors.Under(dir.Path).Should().Be(5);
        opener.Dispose();
        ProcessDescriptors.Under(dir.Path).Should().Be(0);
    }
}
