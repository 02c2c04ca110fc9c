using System.CommandLine;
using System.Text.Json;
using Lakehouse.Jobs;
using Lakehouse.Jobs.Identity;
using Lakehouse.Engine;
using Lakehouse.Udfs.Identity;

namespace Lakehouse.Cli.Commands;

/// <summary><c>lakehouse link-patients</c>: patient keys → persons, into the restricted zone.</summary>
public static class LinkPatientsCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var lake = CommonOptions.Lake();
        var json = CommonOptions.Json();
        var siteMap = new Option<FileInfo?>("--site-map")
        {
            Description = "A JSON file {\"issuers\": {\"ISSUER\": \"SITE\"}, \"institutions\": {\"NORMALIZED INSTITUTION NAME\": \"SITE\"}} naming sites",
        };
        var noNames = new Option<bool>("--no-name-match") { Description = "Do not link patients by normalized name + birth date + sex" };
        var noStudies = new Option<bool>("--no-shared-study") { Description = "Do not link patients whose instances share a Study Instance UID" };
        var command = new Command("link-patients", "Decide which patient keys (issuer or site + PatientID) are one person, from bronze.dicom_instances " +
            "and the conflicts in bronze.dicom_duplicates; rewrites restricted.patient_links, restricted.patient_persons and restricted.identity_conflicts. " +
            "Restricted tables hold PHI and are never exported.")
        {
            lake, json, siteMap, noNames, noStudies,
        };
        command.SetAction(int (ParseResult parse) =>
        {
            var options = ReadSiteMap(parse.GetValue(siteMap)) with
            {
                LinkByNameBirthDateSex = !parse.GetValue(noNames),
                LinkBySharedStudyInstanceUid = !parse.GetValue(noStudies),
            };
            var summary = new LinkPatientsJob(new LakeStore(parse.GetValue(lake)!.FullName), options).Run();
            parse.InvocationConfiguration.Output.WriteLine(parse.GetValue(json) ? JsonSerializer.Serialize(summary, JsonOutput.Options) : summary.ToString());
            return 0;
        });
        return command;
    }

    private static IdentityOptions ReadSiteMap(FileInfo? file)
    {
        if (file is null) return new IdentityOptions();
        if (!file.Exists) throw new UserInputException("link-patients: the --site-map file does not exist");
        try
        {
            var map = JsonSerializer.Deserialize<SiteMap>(File.ReadAllText(file.FullName), JsonOutput.Options)
                ?? throw new UserInputException("link-patients: the --site-map file is empty");
            return new IdentityOptions
            {
                SiteByIssuer = map.Issuers ?? [],
                SiteByInstitution = (map.Institutions ?? []).ToDictionary(p => PatientSite.NormalizeInstitution(p.Key) ?? p.Key, p => p.Value, StringComparer.Ordinal),
            };
        }
        catch (JsonException ex)
        {
            throw new UserInputException($"link-patients: the --site-map file is not valid JSON (line {ex.LineNumber}): expected {{\"issuers\": {{}}, \"institutions\": {{}}}}");
        }
    }

    private sealed record SiteMap(Dictionary<string, string>? Issuers, Dictionary<string, string>? Institutions);
}
