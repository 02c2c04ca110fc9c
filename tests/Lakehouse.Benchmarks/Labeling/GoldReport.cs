using Lakehouse.Jobs.Labels;
using Lakehouse.Udfs.Labeling;

namespace Lakehouse.Benchmarks.Labeling;

/// <summary>A labeled report of a gold CSV: its text and, per CheXpert observation (in <see cref="ChexpertObservations.All"/> order), whether it is positive.</summary>
internal sealed record GoldReport(string Text, bool[] Positive)
{
    /// <summary>Reads a gold CSV with a <c>text</c> column and one 0/1 column per observation (display names).</summary>
    public static List<GoldReport> Read(string path)
    {
        using var reader = new StreamReader(path);
        var result = new List<GoldReport>();
        int[]? columns = null;
        int text = -1;
        foreach (var record in CsvRecordReader.Read(reader, Path.GetFileName(path)))
        {
            if (columns is null)
            {
                columns = ChexpertObservations.All.Select(o => Array.IndexOf(record.Fields, o.DisplayName())).ToArray();
                text = Array.IndexOf(record.Fields, "text");
                if (columns.Any(c => c < 0) || text < 0) throw new InvalidDataException("gold CSV lacks 'text' or an observation column");
                continue;
            }
            result.Add(new GoldReport(record.Fields[text], columns.Select(c => record.Fields[c].Trim() == "1").ToArray()));
        }
        return result;
    }
}
