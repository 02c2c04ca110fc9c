using BenchmarkDotNet.Attributes;
using Lakehouse.Testing;
using Lakehouse.Udfs.Dicom.Json;
using Lakehouse.Udfs.Dicom.Reading;

namespace Lakehouse.Benchmarks.Dicom;

/// <summary>Micro-benchmarks of the header reader on in-memory files (run: Lakehouse.Benchmarks bdn --filter *DicomReader*).</summary>
[MemoryDiagnoser]
public class DicomReaderBenchmarks
{
    private byte[] _ct = [];
    private byte[] _implicitMr = [];

    [GlobalSetup]
    public void Setup()
    {
        _ct = File.ReadAllBytes(RepoPaths.SharedFile("deid", "synthphi-v1", "p1_ct_s1_se1_i1.dcm"));
        _implicitMr = File.ReadAllBytes(RepoPaths.SharedFile("deid", "synthphi-v1", "p2_mr_implicit.dcm"));
    }

    [Benchmark(Baseline = true)]
    public object? ExplicitCtHeader() => DicomFileReader.ReadHeader(_ct, "bench").Keys;

    [Benchmark]
    public object? ImplicitMrHeader() => DicomFileReader.ReadHeader(_implicitMr, "bench").Keys;

    [Benchmark]
    public string ExplicitCtHeaderToJson() => DicomJson.Serialize(DicomFileReader.ReadHeader(_ct, "bench").Dataset!);
}
