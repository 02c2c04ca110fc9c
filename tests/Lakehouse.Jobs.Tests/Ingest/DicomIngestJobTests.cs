using Lakehouse.Engine;
using System.Diagnostics;
using Lakehouse.Jobs.Ingest;
using Lakehouse.Jobs.Tests.Support;
using Lakehouse.Jobs.Sample;
using Lakehouse.Tables;
using Lakehouse.Testing;

namespace Lakehouse.Jobs.Tests.Ingest;

public class DicomIngestJobTests(IngestFixture fx) : IClassFixture<IngestFixture>
{
    [Fact]
    public void Every_valid_instance_lands_once_with_its_key_values()
    {
        var truth = fx.Truth.Read("instances.csv");
        var rows = fx.Rows(BronzeTables.DicomInstances);
        rows.Should().HaveCount(truth.Count);
        rows.Select(r => (string)r["sop_instance_uid"]!).Should().OnlyHaveUniqueItems();
        var bySop = rows.ToDictionary(r => (string)r["sop_instance_uid"]!);
        // A SOP instance exported under a second patient id (a trap) is kept from the first file in path order; the
        // other copy is a conflict (checked below), so only its UIDs are compared here.
        var twoPatientIds = fx.Truth.Read("files.csv").Where(f => f["note"] == "same_uids_other_patient_id").Select(f => f["sop_instance_uid"]).ToHashSet();
        foreach (var t in truth)
        {
            var row = bySop[t["sop_instance_uid"]];
            row["study_instance_uid"].Should().Be(t["study_instance_uid"]);
            row["series_instance_uid"].Should().Be(t["series_instance_uid"]);
            row["modality"].Should().Be(t["modality"]);
            ((string)row["tags_json"]!).Should().StartWith("{");
            if (twoPatientIds.Contains(t["sop_instance_uid"])) continue;
            row["patient_id"].Should().Be(t["patient_id"]);
            ((string)row["source_path"]!).Should().EndWith(t["path"].Replace('/', Path.DirectorySeparatorChar));
        }
    }

    [Fact]
    public void Junk_and_truncated_files_are_errors_with_a_reason_and_duplicates_are_kept_apart()
    {
        var files = fx.Truth.Read("files.csv");
        var listed = files.Select(f => Path.GetFullPath(Path.Combine(fx.ArchiveRoot, f["path"]))).ToHashSet();
        // Files of the archive folder that the ground truth does not list (its own metadata) are not DICOM either.
        int unlisted = Directory.EnumerateFiles(fx.DicomRoot, "*", SearchOption.AllDirectories).Count(p => !listed.Contains(Path.GetFullPath(p)));
        var errors = fx.Rows(BronzeTables.DicomErrors);
        errors.Should().HaveCount(files.Count(f => f["kind"] is "junk" or "truncated") + unlisted);
        errors.Should().OnlyContain(e => !string.IsNullOrEmpty((string?)e["reason"]) && ((string)e["message"]!).StartsWith("file #"));
        foreach (var truncated in files.Where(f => f["kind"] == "truncated"))
            errors.Should().Contain(e => ((string)e["source_path"]!).EndsWith(truncated["path"].Replace('/', Path.DirectorySeparatorChar)) && (string)e["reason"]! == "Truncated");

        var duplicates = fx.Rows(BronzeTables.DicomDuplicates);
        duplicates.Count(d => (string)d["kind"]! == "duplicate").Should().Be(files.Count(f => f["note"] == "reexport_identical_bytes"));
        var conflicts = duplicates.Where(d => (string)d["kind"]! == "conflict").ToList();
        conflicts.Should().HaveCount(files.Count(f => f["note"] == "same_uids_other_patient_id"));
        conflicts.Should().OnlyContain(c => c["tags_json"] != null, "a conflict keeps its header for patient linking");
    }

    [Fact]
    public void Error_messages_and_the_summary_carry_no_path_and_no_planted_phi()
    {
        var phi = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(fx.ArchiveRoot, "ground-truth", "phi.json")))
            .RootElement.EnumerateArray().Select(e => e.GetProperty("value").GetString()!).ToList();
        string said = fx.FirstRun.ToString() + fx.ReportsRun + string.Join("\n", fx.Rows(BronzeTables.DicomErrors).Select(e => (string)e["message"]!));
        said.Should().NotContain(fx.ArchiveRoot);
        foreach (string value in phi) said.Should().NotContain(value);
    }

    [Fact]
    public void Every_bronze_table_passes_the_independent_delta_validator()
    {
        foreach (var name in new[] { BronzeTables.DicomInstances, BronzeTables.DicomErrors, BronzeTables.DicomDuplicates, BronzeTables.Reports })
        {
            var result = DeltaCheck.Check(fx.Lake.PathOf(name), "--redact");
            result.ExitCode.Should().Be(0, $"{name}: {result.StdOut}");
        }
    }

    [Fact]
    public void A_second_run_adds_nothing_and_new_or_changed_files_are_picked_up()
    {
        using var dir = new TempDirectory("ingest-incremental");
        SampleArchiveGenerator.Generate(new SampleArchiveOptions { OutputDirectory = dir.Combine("a"), Patients = 3, Seed = 11 });
        string source = Directory.Exists(dir.Combine("a", "dicom")) ? dir.Combine("a", "dicom") : dir.Combine("a");
        var lake = new LakeStore(dir.Combine("lake"));
        var first = new DicomIngestJob(lake, new DicomIngestOptions(source)).Run();
        var second = new DicomIngestJob(lake, new DicomIngestOptions(source)).Run();
        second.FilesUnchanged.Should().Be(first.FilesFound);
        (second.Instances + second.Errors + second.Duplicates + second.Conflicts).Should().Be(0);
        second.TableVersions.Should().BeEmpty("a run with nothing new commits nothing");

        // A new archive part (another seed: new SOP instances) is picked up; nothing else is read again.
        SampleArchiveGenerator.Generate(new SampleArchiveOptions { OutputDirectory = Path.Combine(source, "later"), Patients = 2, Seed = 12 });
        int before = DeltaTable.Open(lake.PathOf(BronzeTables.DicomInstances)).Snapshot().ReadRows().Count;
        var third = new DicomIngestJob(lake, new DicomIngestOptions(source)).Run();
        third.FilesUnchanged.Should().Be(first.FilesFound);
        third.Instances.Should().BeGreaterThan(0);
        DeltaTable.Open(lake.PathOf(BronzeTables.DicomInstances)).Snapshot().ReadRows().Count.Should().Be(before + (int)third.Instances);

        // A changed file whose SOP Instance UID is already landed with another header is a conflict, never an overwrite.
        var rows = DeltaTable.Open(lake.PathOf(BronzeTables.DicomInstances)).Snapshot().ReadRows();
        var victim = rows.First(r => (string?)r["transfer_syntax_uid"] == "1.2.840.10008.1.2.1"); // explicit VR little endian: patchable in place
        string victimPath = (string)victim["source_path"]!;
        string donorPath = (string)rows.First(r => (string)r["source_path"]! != victimPath && (string?)r["sop_instance_uid"] != (string?)victim["sop_instance_uid"])["source_path"]!;
        byte[] bytes = File.ReadAllBytes(victimPath);
        byte[] patched = PatchStudyDescription(bytes);
        File.WriteAllBytes(victimPath, patched);
        File.SetLastWriteTimeUtc(victimPath, DateTime.UtcNow.AddMinutes(5));
        var fourth = new DicomIngestJob(lake, new DicomIngestOptions(source)).Run();
        fourth.Conflicts.Should().Be(1);
        fourth.Instances.Should().Be(0);
        DeltaTable.Open(lake.PathOf(BronzeTables.DicomInstances)).Snapshot().ReadRows()
            .Single(r => (string?)r["sop_instance_uid"] == (string?)victim["sop_instance_uid"])["header_sha256"].Should().Be(victim["header_sha256"]);
        donorPath.Should().NotBe(victimPath);
    }

    [Fact]
    public async Task A_fifo_in_the_export_is_an_error_row_not_a_hang_and_a_rerun_skips_it()
    {
        if (!OperatingSystem.IsLinux()) return; // mkfifo; the managed open elsewhere would block on it, as .NET does
        using var dir = new TempDirectory("ingest-fifo");
        SampleArchiveGenerator.Generate(new SampleArchiveOptions { OutputDirectory = dir.Combine("a"), Patients = 1, Seed = 5 });
        string source = Directory.Exists(dir.Combine("a", "dicom")) ? dir.Combine("a", "dicom") : dir.Combine("a");
        string fifo = Path.Combine(source, "Doe^Jane", "pipe.dcm");
        Directory.CreateDirectory(Path.GetDirectoryName(fifo)!);
        ExternalTool.Run(ExternalTool.Require("mkfifo"), [fifo]).Succeeded.Should().BeTrue();
        var lake = new LakeStore(dir.Combine("lake"));

        var first = await Task.Run(() => new DicomIngestJob(lake, new DicomIngestOptions(source)).Run()).WaitAsync(TimeSpan.FromMinutes(2)); // a block on the fifo times out
        var error = DeltaTable.Open(lake.PathOf(BronzeTables.DicomErrors)).Snapshot().ReadRows().Should().ContainSingle(e => (string)e["source_path"]! == fifo).Subject;
        error["reason"].Should().Be("IoError");
        ((string)error["message"]!).Should().NotContain("Doe").And.StartWith("file #");
        first.Instances.Should().BeGreaterThan(0);

        var again = new DicomIngestJob(lake, new DicomIngestOptions(source)).Run();
        again.FilesUnchanged.Should().Be(first.FilesFound, "the fifo's version is known from its error row");
        again.TableVersions.Should().BeEmpty();
    }

    [Fact]
    public void A_missing_source_is_a_user_error_that_names_no_path()
    {
        using var dir = new TempDirectory("ingest-missing");
        var act = () => new DicomIngestJob(new LakeStore(dir.Combine("lake")), new DicomIngestOptions(dir.Combine("nope"))).Run();
        act.Should().Throw<UserInputException>().Which.Message.Should().NotContain(dir.Path);
    }

    [Fact]
    public void Killed_runs_lose_at_most_their_batch_and_the_next_run_finishes_with_no_duplicate_rows()
    {
        using var dir = new TempDirectory("ingest-crash");
        SampleArchiveGenerator.Generate(new SampleArchiveOptions { OutputDirectory = dir.Combine("a"), Patients = 10, Seed = 21 });
        string source = Directory.Exists(dir.Combine("a", "dicom")) ? dir.Combine("a", "dicom") : dir.Combine("a");
        string crashLake = dir.Combine("crash-lake");
        var random = new Random(7);
        for (int kill = 0; kill < 4; kill++)
        {
            // One worker and two in turn: with two, batches hold files of both and still commit whole, in order.
            using var p = StartIngest(source, crashLake, batchSize: 40, threads: 1 + kill % 2);
            Thread.Sleep(random.Next(400, 2500));
            if (!p.HasExited) p.Kill(entireProcessTree: true); // SIGKILL: no cleanup runs
            p.WaitForExit();
        }
        using (var finish = StartIngest(source, crashLake, batchSize: 40, threads: 2))
        {
            finish.WaitForExit(120_000).Should().BeTrue();
            finish.ExitCode.Should().Be(0, finish.StandardError.ReadToEnd());
        }
        var clean = new LakeStore(dir.Combine("clean-lake"));
        new DicomIngestJob(clean, new DicomIngestOptions(source)).Run();

        foreach (var table in new[] { BronzeTables.DicomInstances, BronzeTables.DicomErrors, BronzeTables.DicomDuplicates })
        {
            var crashed = Keys(Path.Combine(crashLake, table.Schema, table.Table), table);
            var expected = Keys(clean.PathOf(table), table);
            crashed.Should().OnlyHaveUniqueItems($"{table} must have no duplicate rows after crashes");
            crashed.Should().BeEquivalentTo(expected, $"{table} must equal a clean single run");
        }
    }

    [Fact]
    public void A_failing_table_write_stops_the_run_with_its_error_keeps_committed_batches_and_a_rerun_finishes()
    {
        using var dir = new TempDirectory("ingest-write-fails");
        string lakeRoot = dir.Combine("lake");
        var lake = new LakeStore(lakeRoot);
        // A file where bronze.dicom_duplicates must go: the table cannot be created when the first duplicate is written,
        // on the writer thread, while parsing goes on.
        string blocker = lake.PathOf(BronzeTables.DicomDuplicates);
        Directory.CreateDirectory(Path.GetDirectoryName(blocker)!);
        File.WriteAllText(blocker, "not a table");
        var options = new DicomIngestOptions(fx.DicomRoot) { BatchSize = 10, Parallelism = 2 };

        var run = Task.Run(() => new DicomIngestJob(lake, options).Run());
        ((IAsyncResult)run).AsyncWaitHandle.WaitOne(TimeSpan.FromMinutes(2)).Should().BeTrue("a write failure ends the run instead of leaving it waiting for a writer that is gone");
        run.IsFaulted.Should().BeTrue("the run fails with the write's error");
        run.Exception!.InnerException.Should().BeAssignableTo<IOException>();
        DeltaTable.Exists(lake.PathOf(BronzeTables.DicomInstances)).Should().BeTrue("batches committed before the failure stay");

        File.Delete(blocker);
        new DicomIngestJob(lake, options).Run();
        var clean = new LakeStore(dir.Combine("clean"));
        new DicomIngestJob(clean, new DicomIngestOptions(fx.DicomRoot)).Run();
        foreach (var table in new[] { BronzeTables.DicomInstances, BronzeTables.DicomErrors, BronzeTables.DicomDuplicates })
            Keys(lake.PathOf(table), table).Should().BeEquivalentTo(Keys(clean.PathOf(table), table), $"{table} after the rerun equals a clean run");
    }

    [Fact]
    public void Every_batch_commits_its_own_files_and_small_batches_land_the_same_rows()
    {
        using var dir = new TempDirectory("ingest-batches");
        var lake = new LakeStore(dir.Combine("lake"));
        var summary = new DicomIngestJob(lake, new DicomIngestOptions(fx.DicomRoot) { BatchSize = 40, Parallelism = 2 }).Run();
        long files = summary.Instances + summary.Duplicates + summary.Conflicts + summary.Errors;
        var table = DeltaTable.Open(lake.PathOf(BronzeTables.DicomInstances));
        var active = table.Snapshot().ActiveFiles;
        active.Should().OnlyContain(f => f.NumRecords <= 40, "a batch holds at most --batch-size files");
        int commits = table.History().Count(h => h.Operation == "WRITE");
        commits.Should().BeInRange((int)((summary.Instances + 39) / 40), (int)((files + 39) / 40), "one commit per batch of 40 files");
        active.Count.Should().BeInRange(commits, 2 * commits, "each of the 2 workers writes at most one file of a batch");
        active.Sum(f => f.NumRecords).Should().Be(summary.Instances);
        files.Should().Be(fx.FirstRun.FilesFound);
        foreach (var name in new[] { BronzeTables.DicomInstances, BronzeTables.DicomErrors, BronzeTables.DicomDuplicates })
            Keys(lake.PathOf(name), name).Should().BeEquivalentTo(Keys(fx.Lake.PathOf(name), name), $"{name} equals the one-batch run");
    }

    [Fact]
    public void Many_workers_keep_the_same_files_as_one_worker()
    {
        // Workers finish chunks in any order; the classifier decides in walk order, so the instance kept for a SOP
        // Instance UID seen twice (and which copy is the duplicate or conflict) is the same with 1 or 4 workers, and
        // with batches that end inside chunks.
        using var dir = new TempDirectory("ingest-workers");
        var one = new LakeStore(dir.Combine("one"));
        var four = new LakeStore(dir.Combine("four"));
        var single = new DicomIngestJob(one, new DicomIngestOptions(fx.DicomRoot) { Parallelism = 1 }).Run();
        var many = new DicomIngestJob(four, new DicomIngestOptions(fx.DicomRoot) { Parallelism = 4, BatchSize = 7 }).Run();

        (many.Instances, many.Duplicates, many.Conflicts, many.Errors).Should().Be((single.Instances, single.Duplicates, single.Conflicts, single.Errors));
        if (OperatingSystem.IsLinux())
            ProcessDescriptors.Under(fx.DicomRoot).Should().Be(0, "every folder of the walk is closed after its files");
        (single.Duplicates + single.Conflicts).Should().BeGreaterThan(0, "the sample exports some instances twice");
        foreach (var table in new[] { BronzeTables.DicomInstances, BronzeTables.DicomErrors, BronzeTables.DicomDuplicates })
            Keys(four.PathOf(table), table).Should().BeEquivalentTo(Keys(one.PathOf(table), table), $"{table} is the same with 4 workers");
        foreach (var table in new[] { BronzeTables.DicomInstances, BronzeTables.DicomErrors, BronzeTables.DicomDuplicates })
        {
            var check = DeltaCheck.Check(four.PathOf(table), "--redact");
            check.ExitCode.Should().Be(0, $"{table}: {check.StdOut}");
        }
    }

    [Fact]
    public void Batched_opens_land_exactly_what_file_by_file_opens_land()
    {
        // io_uring batches (where the system allows them) against one open, statx and pread per file: every column of
        // every row is the same but the run's id and time.
        using var dir = new TempDirectory("ingest-batched");
        var plain = new LakeStore(dir.Combine("plain"));
        var batched = new LakeStore(dir.Combine("batched"));
        var a = new DicomIngestJob(plain, new DicomIngestOptions(fx.DicomRoot) { BatchedOpens = false }).Run();
        var b = new DicomIngestJob(batched, new DicomIngestOptions(fx.DicomRoot) { BatchedOpens = true }).Run();
        (b.Instances, b.Duplicates, b.Conflicts, b.Errors, b.BytesRead).Should().Be((a.Instances, a.Duplicates, a.Conflicts, a.Errors, a.BytesRead));
        foreach (var table in new[] { BronzeTables.DicomInstances, BronzeTables.DicomErrors, BronzeTables.DicomDuplicates })
            AllColumns(batched.PathOf(table)).Should().Equal(AllColumns(plain.PathOf(table)), $"{table} is the same opened in batches");
    }

    [Fact]
    public void Headers_of_every_length_land_the_same_through_batched_heads()
    {
        // Batched heads follow the longest header of the chunk before (4 to 64 KiB): an archive whose header lengths jump
        // around, from 1 KiB to 300 KiB, deflated or not, some cut inside the header, lands exactly what file-by-file
        // opens (one 16 KiB read, then more) land.
        using var dir = new TempDirectory("ingest-heads");
        string source = dir.Combine("export");
        Directory.CreateDirectory(source);
        var random = new Random(5);
        int[] textLengths = [200, 3_000, 6_000, 20_000, 70_000, 300_000];
        int valid = 0, cut = 0;
        for (int i = 0; i < 150; i++)
        {
            int text = textLengths[random.Next(textLengths.Length)];
            var syntax = random.Next(4) == 0 ? Udfs.Dicom.Writing.DicomTransferSyntax.DeflatedExplicitVRLittleEndian : Udfs.Dicom.Writing.DicomTransferSyntax.ExplicitVRLittleEndian;
            byte[] file = InstanceWithText(i, text, syntax, random);
            if (random.Next(10) == 0 && syntax != Udfs.Dicom.Writing.DicomTransferSyntax.DeflatedExplicitVRLittleEndian)
            {
                file = file.AsSpan(0, 400 + text / 2).ToArray(); // ends inside the long text: an error row
                cut++;
            }
            else valid++;
            File.WriteAllBytes(Path.Combine(source, $"{random.Next():x8}-{i}.dcm"), file);
        }
        var plain = new LakeStore(dir.Combine("plain"));
        var batched = new LakeStore(dir.Combine("batched"));
        var a = new DicomIngestJob(plain, new DicomIngestOptions(source) { BatchedOpens = false }).Run();
        var b = new DicomIngestJob(batched, new DicomIngestOptions(source) { BatchedOpens = true }).Run();
        (a.Instances, a.Errors).Should().Be((valid, cut));
        (b.Instances, b.Duplicates, b.Conflicts, b.Errors, b.BytesRead).Should().Be((a.Instances, a.Duplicates, a.Conflicts, a.Errors, a.BytesRead));
        foreach (var table in new[] { BronzeTables.DicomInstances, BronzeTables.DicomErrors })
            AllColumns(batched.PathOf(table)).Should().Equal(AllColumns(plain.PathOf(table)), $"{table} is the same opened in batches");
    }

    // An instance whose header holds a Text Value of `textLength` letters (random, so deflate cannot shrink it much),
    // followed by 64 KiB of pixel data.
    private static byte[] InstanceWithText(int i, int textLength, Udfs.Dicom.Writing.DicomTransferSyntax syntax, Random random)
    {
        var text = new char[textLength];
        for (int c = 0; c < text.Length; c++) text[c] = (char)('a' + random.Next(26));
        var ds = new Udfs.Dicom.DicomDataset()
            .Set(Udfs.Dicom.DicomElement.FromText(Udfs.Dicom.DicomTags.SOPClassUID, "1.2.840.10008.5.1.4.1.1.7"))
            .Set(Udfs.Dicom.DicomElement.FromText(Udfs.Dicom.DicomTags.SOPInstanceUID, $"1.2.826.0.1.3680043.10.9.{i}"))
            .Set(Udfs.Dicom.DicomElement.FromText(Udfs.Dicom.DicomTags.StudyInstanceUID, "1.2.826.0.1.3680043.10.9"))
            .Set(Udfs.Dicom.DicomElement.FromText(Udfs.Dicom.DicomTags.PatientID, $"P{i % 7}"))
            .Set(Udfs.Dicom.DicomElement.FromText(new Udfs.Dicom.DicomTag(0x0040, 0xA160), Udfs.Dicom.DicomVR.UT, new string(text)))
            .Set(new Udfs.Dicom.DicomElement(new Udfs.Dicom.DicomTag(0x7FE0, 0x0010), Udfs.Dicom.DicomVR.OW, new byte[64 * 1024]));
        var bytes = new MemoryStream();
        Udfs.Dicom.Writing.DicomWriter.WriteFile(bytes, ds, new Udfs.Dicom.Writing.DicomWriterOptions { TransferSyntax = syntax });
        return bytes.ToArray();
    }

    private static List<string> AllColumns(string tableDir) =>
        !DeltaTable.Exists(tableDir) ? [] : DeltaTable.Open(tableDir).Snapshot().ReadRows()
            .Select(r => string.Join("|", r.Where(c => c.Key is not ("ingest_run_id" or "ingested_at")).OrderBy(c => c.Key, StringComparer.Ordinal)
                .Select(c => c.Key + "=" + (c.Value is System.Collections.IEnumerable e and not string ? string.Join(",", e.Cast<object?>()) : c.Value))))
            .Order(StringComparer.Ordinal).ToList();

    private static List<string> Keys(string tableDir, Engine.LakeTableName table) =>
        !DeltaTable.Exists(tableDir) ? [] : DeltaTable.Open(tableDir).Snapshot().ReadRows()
            .Select(r => table == BronzeTables.DicomInstances ? (string)r["sop_instance_uid"]! + "|" + (string)r["source_path"]! : (string)r["source_path"]! + "|" + r.GetValueOrDefault("kind")).ToList();

    private static Process StartIngest(string source, string lake, int batchSize, int threads)
    {
        string cli = RepoPaths.CliDll;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in new[] { cli, "ingest", "dicom", "--source", source, "--lake", lake, "--batch-size", batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture), "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json" })
            psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    // Replaces the first character of the Study Description value with another letter: same length, other header.
    private static byte[] PatchStudyDescription(byte[] bytes)
    {
        byte[] copy = (byte[])bytes.Clone();
        for (int i = 0; i + 8 < copy.Length; i++)
        {
            if (copy[i] == 0x08 && copy[i + 1] == 0x00 && copy[i + 2] == 0x30 && copy[i + 3] == 0x10 && copy[i + 4] == (byte)'L' && copy[i + 5] == (byte)'O')
            {
                int start = i + 8;
                copy[start] = copy[start] == (byte)'Z' ? (byte)'Y' : (byte)'Z';
                return copy;
            }
        }
        throw new InvalidOperationException("no explicit-VR Study Description found in the file");
    }
}
