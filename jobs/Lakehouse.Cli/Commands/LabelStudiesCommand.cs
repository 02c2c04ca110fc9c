using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Lakehouse.Engine;
using Lakehouse.Jobs;
using Lakehouse.Jobs.Gold.Labels;

namespace Lakehouse.Cli.Commands;

/// <summary><c>lakehouse label-studies</c>: CheXpert labels of the silver reports aligned to studies, into gold tables.</summary>
public static class LabelStudiesCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var lake = CommonOptions.Lake();
        var json = CommonOptions.Json();
        var window = new Option<int>("--match-window-days")
        {
            Description = "Days between a report without accession number and its study (same person); 0 = same day",
            DefaultValueFactory = _ => 0,
        };
        var modalities = new Option<string>("--modalities") { Description = "Modalities the labeler applies to", DefaultValueFactory = _ => "CR,DX,CT" };
        var bodyParts = new Option<string>("--body-parts") { Description = "Normalized body parts (silver body_part) the labeler applies to", DefaultValueFactory = _ => "CHEST" };
        var command = new Command("label-studies",
            "Label silver.reports with the 14 CheXpert observations and align them to studies of silver.instances (accession number, " +
            "else person and date): writes gold.study_labels, gold.label_alignment_issues and gold.label_quality (overwrite)")
        {
            lake, window, modalities, bodyParts, json,
        };
        command.SetAction(int (ParseResult parse) =>
        {
            var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [LabelStudiesOptions.MatchWindowDaysParameter] = parse.GetValue(window).ToString(CultureInfo.InvariantCulture),
                [LabelStudiesOptions.ModalitiesParameter] = parse.GetValue(modalities) ?? "",
                [LabelStudiesOptions.BodyPartsParameter] = parse.GetValue(bodyParts) ?? "",
            };
            bool quiet = parse.GetValue(json);
            var stdout = parse.InvocationConfiguration.Output;
            var result = new LabelStudiesJob().Run(new JobContext(new LakeStore(parse.GetValue(lake)!.FullName), parameters, quiet ? TextWriter.Null : stdout));
            stdout.WriteLine(quiet ? JsonSerializer.Serialize(result, JsonOutput.Options) : result.Summary);
            return Cli.Success;
        });
        return command;
    }
}
