using System.CommandLine;
using Lakehouse.Jobs.Labels;
using Lakehouse.Udfs.Labeling;

namespace Lakehouse.Cli.Commands;

/// <summary><c>lakehouse label-reports</c>: labels a CSV or JSONL file of reports with the 14 CheXpert observations, without a lake.</summary>
public static class LabelReportsCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var source = new Option<FileInfo>("--source") { Description = "Reports to label: .csv with a header (report_id,text) or .jsonl ({\"report_id\":..,\"text\":..})", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "Labels CSV to write: report_id and the 14 observations as 1, 0, -1 or empty", Required = true };
        var evidence = new Option<FileInfo?>("--evidence") { Description = "Optional JSON Lines file of evidence: the mention, sentence, section, offsets and cue behind every label (contains report text)" };
        var json = CommonOptions.Json();
        var command = new Command("label-reports", "Label radiology reports with the 14 CheXpert observations (positive 1, negative 0, uncertain -1, not mentioned empty)")
        {
            source, output, evidence, json,
        };
        command.SetAction(int (ParseResult parse) =>
        {
            var src = parse.GetValue(source)!;
            var summary = LabelReportsJob.Run(src.FullName, parse.GetValue(output)!.FullName, parse.GetValue(evidence)?.FullName, src.Name);
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                var positives = string.Join(",", ChexpertObservations.All.Select(o => $"\"{o.ColumnName()}\":{summary.Positives[(int)o]}"));
                stdout.WriteLine($"{{\"reports\":{summary.Reports},\"positives\":{{{positives}}}}}");
            }
            else
            {
                stdout.WriteLine($"labeled {summary.Reports} reports");
                foreach (var o in ChexpertObservations.All) stdout.WriteLine($"  {o.ColumnName(),-28} {summary.Positives[(int)o],8} positive");
            }
            return Cli.Success;
        });
        return command;
    }
}
