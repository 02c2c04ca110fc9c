using Lakehouse.Udfs.Labeling;
using static Lakehouse.Udfs.Labeling.ChexpertObservation;

namespace Lakehouse.Udfs.Tests.Labeling;

/// <summary>
/// One test per cue type, on sentences that fool simple labelers. All sentences are invented for these tests.
/// Expected values use CheXpert's encoding: 1 positive, 0 negative, -1 uncertain, null not mentioned.
/// </summary>
public sealed class ReportLabelerTests
{
    private static readonly ReportLabeler Labeler = ReportLabeler.Default;

    private static int? Label(string text, ChexpertObservation observation) => Labeler.Label(text).Value(observation);

    [Theory]
    [InlineData("Small left pleural effusion.", PleuralEffusion, 1)]
    [InlineData("Right lower lobe consolidation.", Consolidation, 1)]
    [InlineData("Bibasilar atelectasis.", Atelectasis, 1)]
    [InlineData("Moderate cardiomegaly.", Cardiomegaly, 1)]
    [InlineData("Acute displaced fracture of the left seventh rib.", Fracture, 1)]
    [InlineData("Small right apical pneumothorax.", Pneumothorax, 1)]
    [InlineData("Mild interstitial pulmonary edema.", Edema, 1)]
    [InlineData("Patchy airspace opacities in the right lung base.", LungOpacity, 1)]
    [InlineData("A 2 cm spiculated nodule in the left upper lobe.", LungLesion, 1)]
    [InlineData("Left apical pleural thickening.", PleuralOther, 1)]
    [InlineData("Right lower lobe pneumonia.", Pneumonia, 1)]
    [InlineData("Widened mediastinum.", EnlargedCardiomediastinum, 1)]
    [InlineData("ET tube in place.", SupportDevices, 1)]
    [InlineData("Right IJ central line with tip in the SVC.", SupportDevices, 1)]
    [InlineData("Dual-chamber pacemaker leads are in good position.", SupportDevices, 1)]
    public void Asserted_mentions_are_positive(string text, ChexpertObservation observation, int expected) =>
        Label(text, observation).Should().Be(expected);

    [Theory]
    [InlineData("No evidence of pneumothorax or effusion.", Pneumothorax)]
    [InlineData("No evidence of pneumothorax or effusion.", PleuralEffusion)]
    [InlineData("No focal airspace consolidation, pleural effusion, or pneumothorax.", Pneumothorax)]
    [InlineData("The lungs are well expanded without consolidation.", Consolidation)]
    [InlineData("Negative for pneumonia.", Pneumonia)]
    [InlineData("Free of pleural effusion.", PleuralEffusion)]
    [InlineData("Absence of pulmonary edema.", Edema)]
    [InlineData("There is no acute displaced rib fracture.", Fracture)]
    public void Negation_before_the_mention_is_negative(string text, ChexpertObservation observation) =>
        Label(text, observation).Should().Be(0);

    [Theory]
    [InlineData("Pneumothorax is not seen.", Pneumothorax)]
    [InlineData("The previously seen effusion is no longer visualized.", PleuralEffusion)]
    [InlineData("The left pleural effusion has resolved.", PleuralEffusion)]
    [InlineData("The nasogastric tube has been removed.", SupportDevices)]
    public void Negation_after_the_mention_is_negative(string text, ChexpertObservation observation) =>
        Label(text, observation).Should().Be(0);

    [Fact]
    public void Resolved_finding_is_negative_by_CheXpert_convention()
    {
        // CheXpert's negation patterns include resolve/resolution: a resolved finding is absent now.
        Label("Resolved edema.", Edema).Should().Be(0);
        Label("Interval resolution of the right lower lobe pneumonia.", Pneumonia).Should().Be(0);
        // "Resolving" is still present.
        Label("Resolving right lower lobe pneumonia.", Pneumonia).Should().Be(1);
    }

    [Theory]
    [InlineData("Cannot exclude pneumonia.", Pneumonia)]
    [InlineData("A small effusion cannot be excluded.", PleuralEffusion)]
    [InlineData("Early pneumonia is not ruled out.", Pneumonia)]
    public void Cannot_exclude_is_uncertain_and_outranks_the_negation_inside_it(string text, ChexpertObservation observation) =>
        Label(text, observation).Should().Be(-1);

    [Theory]
    [InlineData("Probable atelectasis.", Atelectasis)]
    [InlineData("Possible right lower lobe infiltrate.", LungOpacity)]
    [InlineData("Opacity at the left base suspicious for pneumonia.", Pneumonia)]
    [InlineData("Findings may represent mild edema.", Edema)]
    [InlineData("Borderline cardiomegaly.", Cardiomegaly)]
    public void Hedge_before_the_mention_is_uncertain(string text, ChexpertObservation observation) =>
        Label(text, observation).Should().Be(-1);

    [Theory]
    [InlineData("Left basilar atelectasis is suspected.", Atelectasis)]
    [InlineData("Right middle lobe pneumonia?", Pneumonia)]
    public void Hedge_after_the_mention_is_uncertain(string text, ChexpertObservation observation) =>
        Label(text, observation).Should().Be(-1);

    [Theory]
    [InlineData("History of pneumonia.", Pneumonia)]
    [InlineData("Evaluate for pneumothorax.", Pneumothorax)]
    [InlineData("Rule out pneumonia.", Pneumonia)]
    public void Historical_and_hypothetical_mentions_are_uncertain(string text, ChexpertObservation observation) =>
        Label(text, observation).Should().Be(-1);

    [Theory]
    [InlineData("No change in the small left effusion.", PleuralEffusion)]
    [InlineData("No significant interval change in the right basilar atelectasis.", Atelectasis)]
    [InlineData("No increase in the moderate right pleural effusion.", PleuralEffusion)]
    [InlineData("There is not only a right effusion but also a left effusion.", PleuralEffusion)]
    public void Pseudo_negations_leave_the_finding_present(string text, ChexpertObservation observation) =>
        Label(text, observation).Should().Be(1);

    [Theory]
    [InlineData("No pneumothorax, but there is a small right effusion.", PleuralEffusion, 1)]
    [InlineData("No pneumothorax, but there is a small right effusion.", Pneumothorax, 0)]
    [InlineData("No focal consolidation; patchy atelectasis at the left base.", Atelectasis, 1)]
    [InlineData("No effusion, however mild cardiomegaly persists.", Cardiomegaly, 1)]
    [InlineData("No new consolidation is seen and the left effusion is unchanged.", PleuralEffusion, 1)]
    [InlineData("Possible small effusion. No pneumothorax.", Pneumothorax, 0)]
    public void Scope_ends_at_the_clause(string text, ChexpertObservation observation, int expected) =>
        Label(text, observation).Should().Be(expected);

    [Theory]
    [InlineData("Heart size is normal.", Cardiomegaly, 0)]
    [InlineData("The heart is not enlarged.", Cardiomegaly, 0)]
    [InlineData("Normal heart size.", Cardiomegaly, 0)]
    [InlineData("The heart is enlarged.", Cardiomegaly, 1)]
    [InlineData("Heart size is at the upper limits of normal.", Cardiomegaly, -1)]
    [InlineData("The cardiomediastinal silhouette is within normal limits.", EnlargedCardiomediastinum, 0)]
    [InlineData("Lungs are clear.", LungOpacity, 0)]
    [InlineData("Heart size is stable.", Cardiomegaly, null)]
    public void Anatomy_terms_need_a_qualifier(string text, ChexpertObservation observation, int? expected) =>
        Label(text, observation).Should().Be(expected);

    [Fact]
    public void No_acute_cardiopulmonary_process_gives_No_Finding()
    {
        var labels = Labeler.Label("Heart size is normal. Lungs are clear. No acute cardiopulmonary process.");
        labels.Value(NoFinding).Should().Be(1);
        labels.EvidenceFor(NoFinding)!.CueKind.Should().Be(CueKind.Derived);
    }

    [Fact]
    public void No_Finding_ignores_support_devices_but_not_other_findings()
    {
        Labeler.Label("ET tube in place. No pneumothorax. Lungs are clear.").Value(NoFinding).Should().Be(1);
        Labeler.Label("Small left effusion.").Value(NoFinding).Should().BeNull();
        Labeler.Label("Possible small left effusion.").Value(NoFinding).Should().BeNull();
        // Findings outside the 14 observations block No Finding (CheXpert convention) unless negated.
        Labeler.Label("Emphysema. No acute process.").Value(NoFinding).Should().BeNull();
        Labeler.Label("No emphysema. No effusion.").Value(NoFinding).Should().Be(1);
        Labeler.Label("   ").Value(NoFinding).Should().BeNull();
    }

    [Fact]
    public void Exclusions_shield_look_alike_phrases()
    {
        Label("Small pericardial effusion.", PleuralEffusion).Should().BeNull();
        Label("Densely calcified nodule, a granuloma.", LungLesion).Should().BeNull();
        Label("Surgical clips in the right upper quadrant.", SupportDevices).Should().BeNull();
    }

    [Fact]
    public void Aggregation_prefers_positive_then_uncertain_then_negative()
    {
        Label("No effusion on the right. Small left effusion.", PleuralEffusion).Should().Be(1);
        Label("No right effusion. Possible small left effusion.", PleuralEffusion).Should().Be(-1);
        Label("No right effusion. No left effusion.", PleuralEffusion).Should().Be(0);
    }

    [Fact]
    public void Impression_outranks_findings()
    {
        const string report = "FINDINGS: Possible small left effusion.\nIMPRESSION: No pleural effusion.";
        var labels = Labeler.Label(report);
        labels.Value(PleuralEffusion).Should().Be(0);
        labels.EvidenceFor(PleuralEffusion)!.Section.Should().Be("impression");
    }

    [Fact]
    public void Indication_section_is_not_labeled()
    {
        var labels = Labeler.Label("INDICATION: Evaluate for pneumonia.\nFINDINGS: Lungs are clear. No effusion.");
        labels.Value(Pneumonia).Should().BeNull();
        labels.Value(NoFinding).Should().Be(1);
    }

    [Fact]
    public void Evidence_points_at_the_mention_sentence_and_cue()
    {
        const string report = "FINDINGS: Heart size is normal. There is no evidence of pneumothorax.";
        var evidence = Labeler.Label(report).EvidenceFor(Pneumothorax)!;
        evidence.Label.Should().Be(MentionLabel.Negative);
        evidence.Section.Should().Be("findings");
        report[evidence.Start..evidence.End].Should().Be("pneumothorax");
        evidence.Mention.Should().Be("pneumothorax");
        evidence.Sentence.Should().Be("There is no evidence of pneumothorax.");
        evidence.Cue.Should().Be("no evidence of");
        evidence.CueKind.Should().Be(CueKind.NegationBefore);

        var heart = Labeler.Label(report).EvidenceFor(Cardiomegaly)!;
        heart.CueKind.Should().Be(CueKind.QualifierNormal);
        heart.Cue.Should().Be("normal");
    }

    [Fact]
    public void Labeling_is_deterministic_and_case_insensitive()
    {
        const string report = "NO PNEUMOTHORAX. PROBABLE ATELECTASIS.";
        var a = Labeler.Label(report);
        var b = Labeler.Label(report.ToLowerInvariant());
        foreach (var o in ChexpertObservations.All) a.Value(o).Should().Be(b.Value(o));
        a.Value(Pneumothorax).Should().Be(0);
        a.Value(Atelectasis).Should().Be(-1);
    }

    [Fact]
    public void Column_names_are_the_snake_case_observations()
    {
        ChexpertObservations.All.Select(o => o.ColumnName()).Should().Equal(
            "no_finding", "enlarged_cardiomediastinum", "cardiomegaly", "lung_opacity", "lung_lesion", "edema", "consolidation",
            "pneumonia", "atelectasis", "pneumothorax", "pleural_effusion", "pleural_other", "fracture", "support_devices");
        ChexpertObservations.TryParse("Pleural Effusion", out var parsed).Should().BeTrue();
        parsed.Should().Be(PleuralEffusion);
    }

    [Fact]
    public void A_lexicon_with_an_unknown_observation_is_rejected()
    {
        var act = () => new ReportLabeler("""{"observations":{"lung_cancer":{"mentions":["cancer"]}}}""");
        act.Should().Throw<FormatException>().WithMessage("*lung_cancer*");
    }
}

public sealed class ReportLabelerTokenizationTests
{
    private static int? Label(string text, ChexpertObservation observation) => ReportLabeler.Default.Label(text).Value(observation);

    [Fact]
    public void Hyphens_and_slashes_split_words_like_the_lexicon_does()
    {
        Label("Patchy air-space disease at the right base.", LungOpacity).Should().Be(1);
        Label("Plate-like atelectasis at the left base.", Atelectasis).Should().Be(1);
        Label("Plate-like atelectasis at the left base.", SupportDevices).Should().BeNull();
        Label("R/O pneumonia.", Pneumonia).Should().Be(-1);
    }

    [Fact]
    public void Longest_phrase_wins_over_its_words()
    {
        // "Kerley B lines" is edema, not a line (support device); "hydropneumothorax" is both pneumothorax and effusion.
        Label("Kerley B lines.", Edema).Should().Be(1);
        Label("Kerley B lines.", SupportDevices).Should().BeNull();
        Label("Small left hydropneumothorax.", Pneumothorax).Should().Be(1);
        Label("Small left hydropneumothorax.", PleuralEffusion).Should().Be(1);
    }

    [Fact]
    public void Decimal_points_do_not_end_sentences()
    {
        // A split at "1.5" would cut the nodule's sentence in two and break its evidence.
        var labels = ReportLabeler.Default.Label("A 1.5 cm nodule in the right upper lobe. No pneumothorax.");
        labels.Value(LungLesion).Should().Be(1);
        labels.Value(Pneumothorax).Should().Be(0);
        labels.EvidenceFor(LungLesion)!.Sentence.Should().Be("A 1.5 cm nodule in the right upper lobe.");
    }

    [Fact]
    public void Labeler_is_safe_to_share_across_threads()
    {
        const string report = "FINDINGS: Possible small left effusion. No pneumothorax.\nIMPRESSION: Cardiomegaly.";
        var expected = ReportLabeler.Default.Label(report);
        var results = new int?[64][];
        Parallel.For(0, results.Length, i =>
            results[i] = ChexpertObservations.All.Select(o => ReportLabeler.Default.Label(report).Value(o)).ToArray());
        foreach (var r in results) r.Should().Equal(ChexpertObservations.All.Select(o => expected.Value(o)));
    }
}
