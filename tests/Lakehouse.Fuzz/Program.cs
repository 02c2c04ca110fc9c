using Lakehouse.Udfs.Dicom.Json;
using Lakehouse.Udfs.Dicom.Reading;

// libFuzzer target for the DICOM header reader (SharpFuzz). Any exception is a finding: the reader returns typed errors.
// Run (see README, Development): instrument Lakehouse.Udfs.dll with the `sharpfuzz` tool, then start libFuzzer with this
// program and a corpus of real files (pydicom's test files, ../shared/deid/synthphi-v1, a generated sample archive).
// With a file argument it replays that input once (to reproduce a finding without the fuzzer).
if (args.Length == 1 && File.Exists(args[0]))
{
    FuzzTargets.DicomHeader(File.ReadAllBytes(args[0]));
    return;
}
SharpFuzz.Fuzzer.LibFuzzer.Run(FuzzTargets.DicomHeader);

/// <summary>The fuzz targets.</summary>
internal static class FuzzTargets
{
    /// <summary>Reads a header from arbitrary bytes and serializes what it read, as ingestion does.</summary>
    public static void DicomHeader(ReadOnlySpan<byte> data)
    {
        var result = DicomFileReader.ReadHeader(data, "fuzz", new DicomReadOptions { MaxHeaderBytes = 1 << 20 });
        if (result.IsSuccess) _ = DicomJson.Serialize(result.Dataset!);
        else _ = result.Error!.ToString();
    }
}
