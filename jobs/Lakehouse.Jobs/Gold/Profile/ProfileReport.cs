using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ScottPlot;

namespace Lakehouse.Jobs.Gold.Profile;

/// <summary>The files <see cref="ProfileReport.Write"/> produced.</summary>
/// <param name="Html">The self-contained HTML report.</param>
/// <param name="CardMarkdown">dataset-card.md.</param>
/// <param name="CardJson">dataset-card.json.</param>
public sealed record ProfileReportFiles(string Html, string CardMarkdown, string CardJson);

/// <summary>
/// Renders a <see cref="DiversityProfileResult"/> as a self-contained HTML report (inline CSS, ScottPlot charts embedded as
/// base64 PNG data URIs) and a dataset card (Markdown and JSON). Intersection cells below the minimum size are suppressed.
/// Everything shown is aggregate: category names of normalized columns and counts, never identifiers.
/// </summary>
public static class ProfileReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly string[] SplitColors = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759"];

    /// <summary>Writes <c>report.html</c>, <c>dataset-card.md</c> and <c>dataset-card.json</c> into <paramref name="directory"/>.</summary>
    public static ProfileReportFiles Write(DiversityProfileResult result, string directory, DateTimeOffset? generatedAt = null)
    {
        Directory.CreateDirectory(directory);
        var at = generatedAt ?? DateTimeOffset.UtcNow;
        var gaps = KnownGaps(result);
        var files = new ProfileReportFiles(Path.Combine(directory, "report.html"), Path.Combine(directory, "dataset-card.md"), Path.Combine(directory, "dataset-card.json"));
        File.WriteAllText(files.Html, Html(result, gaps, at), new UTF8Encoding(false));
        File.WriteAllText(files.CardMarkdown, CardMarkdown(result, gaps, at), new UTF8Encoding(false));
        File.WriteAllText(files.CardJson, CardJson(result, gaps, at).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n", new UTF8Encoding(false));
        return files;
    }

    /// <summary>What a user of the data should know is missing or weak: missing values, unlabeled or unassigned studies, small cells, split shift.</summary>
    public static IReadOnlyList<string> KnownGaps(DiversityProfileResult result)
    {
        var gaps = new List<string>();
        if (!result.HasLabels) gaps.Add("gold.study_labels is missing: no label prevalence.");
        else if (result.Counts["labeled_studies"] < result.Counts["studies"])
            gaps.Add(F($"{result.Counts["studies"] - result.Counts["labeled_studies"]} of {result.Counts["studies"]} studies have no labels (no usable report)."));
        if (result.SplitVersion is null) gaps.Add("gold.splits is missing: the profile covers all data only, not the splits.");
        else if (result.Counts.GetValueOrDefault("studies_unassigned") > 0)
            gaps.Add(F($"{result.Counts["studies_unassigned"]} studies have no split in version {result.SplitVersion} (run the split job)."));
        foreach (var s in result.Summary.Where(s => s.Split == "all" && s.Dimension != ProfileJob.LabelDimension && s.MissingShare > 0))
            gaps.Add(F($"{s.Dimension}: {s.MissingShare:P1} of studies have no value."));
        int small = result.Profile.Count(r => r.Dimension == ProfileJob.IntersectionDimension && r.Split == "all" && r.SmallCell);
        if (small > 0) gaps.Add(F($"{small} sex × age band × site cells hold fewer than {ProfileJob.MinCellSize} studies or persons; their counts are suppressed in the report."));
        foreach (var s in result.Summary.Where(s => s.Split != "all" && s.JsDivergenceVsAll > 0.05))
            gaps.Add(F($"{s.Dimension} in {s.Split} differs from all data (Jensen–Shannon divergence {s.JsDivergenceVsAll:0.000} bits)."));
        foreach (var (field, count) in result.Unmapped) gaps.Add(F($"{count} instances have {field} left unmapped by normalization."));
        if (result.DeidKeyFingerprints > 1) gaps.Add(F($"{result.DeidKeyFingerprints} de-identification keys were used: pseudonyms do not join across them."));
        return gaps;
    }

    private static string F(FormattableString s) => s.ToString(Inv);

    private static string E(string? s) => WebUtility.HtmlEncode(s ?? "");

    private static IEnumerable<string> SplitsOf(DiversityProfileResult r) => ProfileJob.SplitNames.Where(s => s == "all" || r.SplitVersion is not null);

    private static string Html(DiversityProfileResult r, IReadOnlyList<string> gaps, DateTimeOffset at)
    {
        var splits = SplitsOf(r).ToList();
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Dataset diversity profile</title><style>")
         .Append("body{font-family:'DejaVu Sans',Arial,sans-serif;margin:24px auto;max-width:1100px;color:#222;background:#fafafa}")
         .Append("h1{font-size:26px;margin-bottom:4px}h2{font-size:20px;border-bottom:2px solid #4e79a7;padding-bottom:4px;margin-top:32px}")
         .Append(".meta{color:#666;font-size:13px}.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}")
         .Append(".card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px 16px;min-width:110px}.card b{display:block;font-size:22px}")
         .Append("table{border-collapse:collapse;margin:8px 0;font-size:13px;background:#fff}th,td{border:1px solid #ddd;padding:4px 8px;text-align:right}")
         .Append("th{background:#eef2f7}td:first-child,th:first-child{text-align:left}.sup{color:#999;font-style:italic}")
         .Append(".dim{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}img{max-width:100%;border:1px solid #ddd;background:#fff}")
         .Append("ul.gaps li{margin:3px 0}.sw{display:inline-block;width:12px;height:12px;margin:0 4px 0 10px;vertical-align:middle}</style></head><body>");
        h.Append("<h1>Dataset diversity profile</h1><div class=\"meta\">Generated ").Append(E(at.ToString("yyyy-MM-dd HH:mm 'UTC'", Inv)))
         .Append(" · unit: study · split version: ").Append(E(r.SplitVersion ?? "none")).Append(" · inputs: ")
         .Append(E(string.Join(", ", r.InputVersions.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => F($"{kv.Key} v{kv.Value}"))))).Append("</div>");
        h.Append("<div class=\"cards\">");
        foreach (var (name, value) in r.Counts) h.Append("<div class=\"card\"><b>").Append(value.ToString("N0", Inv)).Append("</b>").Append(E(name.Replace('_', ' '))).Append("</div>");
        h.Append("</div>");

        h.Append("<div class=\"meta\">Bars: ");
        for (int s = 0; s < splits.Count; s++) h.Append("<span class=\"sw\" style=\"background:").Append(SplitColors[s]).Append("\"></span>").Append(E(splits[s])).Append(' ');
        h.Append("</div>");
        h.Append("<h2>Known gaps</h2><ul class=\"gaps\">");
        if (gaps.Count == 0) h.Append("<li>None found.</li>");
        foreach (var g in gaps) h.Append("<li>").Append(E(g)).Append("</li>");
        h.Append("</ul>");

        foreach (var dim in ProfileJob.Dimensions.Append(ProfileJob.LabelDimension))
        {
            var rows = r.Profile.Where(p => p.Dimension == dim).ToList();
            if (rows.Count == 0 && dim == ProfileJob.LabelDimension) continue;
            h.Append("<h2>").Append(dim == ProfileJob.LabelDimension ? "Label prevalence (positive, per labeled study)" : E(dim.Replace('_', ' '))).Append("</h2><div class=\"dim\">");
            var categories = rows.Where(p => p.Split == "all").OrderByDescending(p => p.Count).ThenBy(p => p.Category, StringComparer.Ordinal).Select(p => p.Category).ToList();
            if (dim == "age_band") categories = [.. Lakehouse.Jobs.Profile.Metrics.AgeBands.All.Where(categories.Contains), .. categories.Where(c => !Lakehouse.Jobs.Profile.Metrics.AgeBands.All.Contains(c))];
            if (categories.Count > 0)
                h.Append("<img alt=\"").Append(E(dim)).Append(" shares by split\" src=\"data:image/png;base64,")
                 .Append(Convert.ToBase64String(Chart(rows, categories.Take(15).ToList(), splits, dim == ProfileJob.LabelDimension ? "prevalence" : "share of studies"))).Append("\">");
            h.Append("<table><tr><th>").Append(E(dim == ProfileJob.LabelDimension ? "observation" : "category")).Append("</th>");
            foreach (var s in splits) h.Append("<th>").Append(E(s)).Append("</th>");
            h.Append("</tr>");
            foreach (var c in categories)
            {
                h.Append("<tr><td>").Append(E(c)).Append("</td>");
                foreach (var s in splits)
                {
                    var row = rows.FirstOrDefault(p => p.Split == s && p.Category == c);
                    h.Append("<td>").Append(row is null ? "0" : F($"{row.Count:N0} ({row.Share:P1})")).Append("</td>");
                }
                h.Append("</tr>");
            }
            h.Append("</table></div>");
            h.Append("<table><tr><th>split</th><th>n</th><th>missing</th><th>entropy (bits)</th><th>evenness</th><th>Gini–Simpson</th><th>effective categories</th><th>imbalance</th><th>JSD vs all</th></tr>");
            foreach (var s in r.Summary.Where(x => x.Dimension == dim))
                h.Append(F($"<tr><td>{E(s.Split)}</td><td>{s.N:N0}</td><td>{s.MissingShare:P1}</td><td>{s.EntropyBits:0.000}</td><td>{Opt(s.Evenness)}</td><td>{s.Simpson:0.000}</td><td>{s.EffectiveCategories:0.00}</td><td>{Opt(s.ImbalanceRatio)}</td><td>{Opt(s.JsDivergenceVsAll)}</td></tr>"));
            h.Append("</table>");
        }

        h.Append("<h2>Sex × age band × site</h2><p class=\"meta\">Cells with fewer than ").Append(ProfileJob.MinCellSize)
         .Append(" studies or persons are suppressed (shown as &lt;").Append(ProfileJob.MinCellSize)
         .Append("); × marks split counts hidden so that the suppressed ones cannot be derived from the others.</p><table><tr><th>sex</th><th>age band</th><th>site</th>");
        foreach (var s in splits) h.Append("<th>").Append(E(s)).Append("</th>");
        h.Append("</tr>");
        var cells = r.Profile.Where(p => p.Dimension == ProfileJob.IntersectionDimension).ToList();
        foreach (var key in cells.Where(c => c.Split == "all").Select(c => c.Category))
        {
            h.Append("<tr>");
            foreach (var part in key.Split('|')) h.Append("<td>").Append(E(part)).Append("</td>");
            // Secondary suppression: when one split's cell is hidden, hide the other splits too, or all − visible would reveal it.
            bool hideSplits = splits.Skip(1).Any(s => cells.FirstOrDefault(c => c.Split == s && c.Category == key) is { SmallCell: true });
            foreach (var s in splits)
            {
                var cell = cells.FirstOrDefault(c => c.Split == s && c.Category == key);
                h.Append(cell is null ? (hideSplits && s != "all" ? "<td class=\"sup\">×</td>" : "<td>0</td>")
                    : cell.SmallCell ? F($"<td class=\"sup\">&lt;{ProfileJob.MinCellSize}</td>")
                    : hideSplits && s != "all" ? "<td class=\"sup\">×</td>"
                    : F($"<td>{cell.Count:N0}</td>"));
            }
            h.Append("</tr>");
        }
        h.Append("</table>");

        h.Append("<h2>De-identification</h2><table><tr><th>options</th><th>instances</th></tr>");
        foreach (var (o, n) in r.DeidOptions) h.Append("<tr><td>").Append(E(o)).Append("</td><td>").Append(n.ToString("N0", Inv)).Append("</td></tr>");
        h.Append("</table><p class=\"meta\">").Append(r.DeidKeyFingerprints.ToString(Inv)).Append(" de-identification key fingerprint(s).</p>");
        h.Append("</body></html>\n");
        return h.ToString();
    }

    private static string Opt(double? v) => v is { } x ? x.ToString("0.000", Inv) : "–";

    private static byte[] Chart(IReadOnlyList<ProfileRow> rows, IReadOnlyList<string> categories, IReadOnlyList<string> splits, string axis)
    {
        var plot = new Plot();
        var bars = new List<Bar>();
        double group = splits.Count + 1;
        for (int c = 0; c < categories.Count; c++)
            for (int s = 0; s < splits.Count; s++)
            {
                var row = rows.FirstOrDefault(p => p.Split == splits[s] && p.Category == categories[c]);
                // Most frequent category at the top.
                bars.Add(new Bar { Position = (categories.Count - 1 - c) * group + (splits.Count - 1 - s), Value = row?.Share ?? 0, FillColor = Color.FromHex(SplitColors[s]), LineWidth = 0, Orientation = Orientation.Horizontal });
            }
        plot.Add.Bars(bars);
        plot.Axes.Left.SetTicks(
            categories.Select((_, c) => (categories.Count - 1 - c) * group + (splits.Count - 1) / 2.0).ToArray(),
            categories.Select(c => c.Length > 28 ? c[..27] + "…" : c).ToArray());
        plot.Axes.Left.MajorTickStyle.Length = 0;
        plot.Axes.Margins(left: 0, right: 0.15);
        plot.XLabel(axis);
        plot.Font.Set("DejaVu Sans"); // the legend of the splits is in the HTML, once for all charts
        plot.Grid.YAxisStyle.MajorLineStyle.Width = 0;
        int height = Math.Clamp(60 + categories.Count * (splits.Count * 9 + 8), 180, 900);
        return plot.GetImageBytes(560, height, ImageFormat.Png);
    }

    private static JsonObject CardJson(DiversityProfileResult r, IReadOnlyList<string> gaps, DateTimeOffset at)
    {
        var card = new JsonObject
        {
            ["title"] = "Dataset card",
            ["generated_at"] = at.ToString("yyyy-MM-ddTHH:mm:ssZ", Inv),
            ["sources"] = new JsonArray(r.InputVersions.OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => (JsonNode)new JsonObject { ["table"] = kv.Key, ["version"] = kv.Value }).ToArray()),
            ["outputs"] = new JsonArray(r.OutputVersions.OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => (JsonNode)new JsonObject { ["table"] = kv.Key, ["version"] = kv.Value }).ToArray()),
            ["split_version"] = r.SplitVersion,
            ["unit"] = "study",
            ["counts"] = new JsonObject(r.Counts.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            ["deidentification"] = new JsonObject
            {
                ["options"] = new JsonArray(r.DeidOptions.Select(kv => (JsonNode)new JsonObject { ["options"] = kv.Key, ["instances"] = kv.Value }).ToArray()),
                ["key_fingerprints"] = r.DeidKeyFingerprints,
            },
            ["dimensions"] = new JsonArray(r.Summary.Where(s => s.Split == "all").Select(s => (JsonNode)new JsonObject
            {
                ["dimension"] = s.Dimension, ["n"] = s.N, ["missing_share"] = Math.Round(s.MissingShare, 6), ["entropy_bits"] = Math.Round(s.EntropyBits, 6),
                ["effective_categories"] = Math.Round(s.EffectiveCategories, 6),
            }).ToArray()),
            ["known_gaps"] = new JsonArray(gaps.Select(g => (JsonNode)JsonValue.Create(g)).ToArray()),
        };
        return card;
    }

    private static string CardMarkdown(DiversityProfileResult r, IReadOnlyList<string> gaps, DateTimeOffset at)
    {
        var m = new StringBuilder();
        m.Append("# Dataset card\n\nGenerated ").Append(at.ToString("yyyy-MM-dd HH:mm 'UTC'", Inv)).Append(". Unit of the profile: study. Split version: `")
         .Append(r.SplitVersion ?? "none").Append("`.\n\n## Sources\n\n| table | version |\n|---|---|\n");
        foreach (var (t, v) in r.InputVersions.OrderBy(kv => kv.Key, StringComparer.Ordinal)) m.Append(F($"| {t} | {v} |\n"));
        foreach (var (t, v) in r.OutputVersions.OrderBy(kv => kv.Key, StringComparer.Ordinal)) m.Append(F($"| {t} (written) | {v} |\n"));
        m.Append("\n## Counts\n\n| what | count |\n|---|---|\n");
        foreach (var (k, v) in r.Counts) m.Append(F($"| {k.Replace('_', ' ')} | {v} |\n"));
        m.Append("\n## De-identification\n\n| options | instances |\n|---|---|\n");
        foreach (var (o, n) in r.DeidOptions) m.Append(F($"| {o} | {n} |\n"));
        m.Append(F($"\nKey fingerprints: {r.DeidKeyFingerprints}.\n\n## Diversity (all data)\n\n| dimension | n | missing | entropy (bits) | effective categories |\n|---|---|---|---|---|\n"));
        foreach (var s in r.Summary.Where(s => s.Split == "all"))
            m.Append(F($"| {s.Dimension} | {s.N} | {s.MissingShare:P1} | {s.EntropyBits:0.000} | {s.EffectiveCategories:0.00} |\n"));
        m.Append("\n## Known gaps\n\n");
        if (gaps.Count == 0) m.Append("None found.\n");
        foreach (var g in gaps) m.Append("- ").Append(g).Append('\n');
        return m.ToString();
    }
}
