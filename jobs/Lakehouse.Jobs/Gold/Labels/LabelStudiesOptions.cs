using System.Globalization;

namespace Lakehouse.Jobs.Gold.Labels;

/// <summary>Parameters of the <c>label-studies</c> job.</summary>
public sealed record LabelStudiesOptions
{
    /// <summary>Parameter name: days between a report without accession number and its study (0 = same day).</summary>
    public const string MatchWindowDaysParameter = "match_window_days";

    /// <summary>Parameter name: comma-separated modalities the labeler applies to.</summary>
    public const string ModalitiesParameter = "label_modalities";

    /// <summary>Parameter name: comma-separated normalized body parts (silver <c>body_part</c>) the labeler applies to.</summary>
    public const string BodyPartsParameter = "label_body_parts";

    /// <summary>Largest window accepted: beyond a few months a patient-and-date match means little.</summary>
    public const int MaxMatchWindowDays = 365;

    /// <summary>Days allowed between report_date and study_date when matching by person and date; 0 = same day.</summary>
    public int MatchWindowDays { get; init; }

    /// <summary>Modalities labeled (upper case): chest radiographs and CT by default.</summary>
    public IReadOnlyList<string> Modalities { get; init; } = ["CR", "DX", "CT"];

    /// <summary>Normalized body parts labeled (upper case).</summary>
    public IReadOnlyList<string> BodyParts { get; init; } = ["CHEST"];

    /// <summary>The options from job parameters; absent ones keep their defaults.</summary>
    /// <exception cref="UserInputException">A parameter that is not a valid value.</exception>
    public static LabelStudiesOptions From(IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var options = new LabelStudiesOptions();
        if (parameters.TryGetValue(MatchWindowDaysParameter, out var w) && w.Length > 0)
        {
            if (!int.TryParse(w, NumberStyles.None, CultureInfo.InvariantCulture, out int days) || days > MaxMatchWindowDays)
                throw new UserInputException($"label-studies: {MatchWindowDaysParameter} must be a whole number of days from 0 to {MaxMatchWindowDays}");
            options = options with { MatchWindowDays = days };
        }
        if (parameters.TryGetValue(ModalitiesParameter, out var m) && m.Length > 0)
            options = options with { Modalities = Codes(m, ModalitiesParameter) };
        if (parameters.TryGetValue(BodyPartsParameter, out var b) && b.Length > 0)
            options = options with { BodyParts = Codes(b, BodyPartsParameter) };
        return options;
    }

    /// <summary>The effective parameters, as recorded in lineage.</summary>
    public IReadOnlyDictionary<string, string> ToParameters() => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [MatchWindowDaysParameter] = MatchWindowDays.ToString(CultureInfo.InvariantCulture),
        [ModalitiesParameter] = string.Join(",", Modalities),
        [BodyPartsParameter] = string.Join(",", BodyParts),
    };

    // Codes are DICOM-like terms (CR, CHEST, LSPINE): letters, digits, '_' and '-' only, so they are safe SQL literals.
    private static string[] Codes(string text, string parameter)
    {
        var codes = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(c => c.ToUpperInvariant()).Distinct(StringComparer.Ordinal).ToArray();
        if (codes.Length == 0 || codes.Any(c => !c.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '_' or '-')))
            throw new UserInputException($"label-studies: {parameter} must be a comma-separated list of codes (letters, digits, '_' or '-'), e.g. CR,DX,CT");
        return codes;
    }
}
