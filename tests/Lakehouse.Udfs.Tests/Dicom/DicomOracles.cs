using System.Text.Json;
using Lakehouse.Testing;

namespace Lakehouse.Udfs.Tests.Dicom;

/// <summary>The real peers the reader is compared with: pydicom (through a python3 that has it) and dcmtk.</summary>
internal static class DicomOracles
{
    public static string Python => Lakehouse.Testing.Pydicom.Python;

    private static readonly Lazy<string> PydicomDataLazy = new(() =>
    {
        var r = ExternalTool.Run(Python, ["-c", "import pydicom,os;print(os.path.join(os.path.dirname(pydicom.__file__),'data'))"]);
        return r.StdOut.Trim();
    });

    /// <summary>pydicom's own test corpus (test_files and charset_files).</summary>
    public static IReadOnlyList<string> PydicomCorpus() =>
    [
        .. Directory.GetFiles(Path.Combine(PydicomDataLazy.Value, "test_files"), "*.dcm").Order(StringComparer.Ordinal),
        .. Directory.GetFiles(Path.Combine(PydicomDataLazy.Value, "charset_files"), "*.dcm").Order(StringComparer.Ordinal),
    ];

    public static string PydicomFile(string folder, string name) => Path.Combine(PydicomDataLazy.Value, folder, name);

    /// <summary>The synthetic PHI corpus in shared/ (7 transfer syntaxes).</summary>
    public static IReadOnlyList<string> SynthPhiCorpus() =>
        Directory.GetFiles(RepoPaths.SharedFile("deid", "synthphi-v1"), "*.dcm").Order(StringComparer.Ordinal).ToList();

    /// <summary>Keywords read by pydicom for each file, keyed by path; a file pydicom rejects maps to null.</summary>
    public const string PydicomScript = """
import json, sys, warnings
warnings.simplefilter('ignore')
import pydicom, pydicom.multival
kws = sys.argv[1].split(',')
out = {}
for path in sys.argv[2:]:
    try:
        ds = pydicom.dcmread(path, stop_before_pixels=True, force=True)
        rec = {}
        for kw in kws:
            v = ds.data_element(kw) if kw in ds else None
            if v is None or v.value is None or v.value == '' or v.value == b'':
                rec[kw] = None
                continue
            val = v.value
            if isinstance(val, pydicom.multival.MultiValue):
                rec[kw] = '\\'.join(str(x) for x in val)
            else:
                rec[kw] = str(val)
        ts = ds.file_meta.get('TransferSyntaxUID') if hasattr(ds, 'file_meta') else None
        rec['TransferSyntaxUID'] = str(ts) if ts is not None else None
        out[path] = rec
    except Exception as e:
        out[path] = None
print(json.dumps(out))
""";

    public static Dictionary<string, Dictionary<string, string?>?> Pydicom(IEnumerable<string> keywords, IReadOnlyList<string> files)
    {
        var r = ExternalTool.Run(Python, ["-c", PydicomScript, string.Join(',', keywords), .. files], TimeSpan.FromMinutes(5));
        r.Succeeded.Should().BeTrue(r.StdErr);
        return JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, string?>?>>(r.StdOut)!;
    }

    /// <summary>dcmtk's dcm2json of a file (null when dcmtk rejects it).</summary>
    public static JsonDocument? Dcm2Json(string file)
    {
        var r = ExternalTool.Run(ExternalTool.Require("dcm2json"), [file], TimeSpan.FromMinutes(1));
        if (!r.Succeeded || r.StdOut.Length == 0) return null;
        return JsonDocument.Parse(r.StdOut);
    }
}
