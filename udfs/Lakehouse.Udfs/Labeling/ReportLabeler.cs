using Lakehouse.Udfs.Reports;

namespace Lakehouse.Udfs.Labeling;

/// <summary>
/// Rule-based CheXpert labeler for free-text chest radiograph reports: finds mentions of the 14 observations from a phrase
/// lexicon (data, <c>Data/labeling/lexicon.json</c>), decides each mention's label from negation and uncertainty cues
/// scoped to its clause, and aggregates per observation the CheXpert way (positive &gt; uncertain &gt; negative), with the
/// IMPRESSION section outranking the others. Pure and thread-safe; everything is compiled once at construction.
/// </summary>
/// <remarks>
/// Conventions (CheXpert's where it has one): historical ("history of") and hypothetical ("evaluate for", "rule out")
/// mentions are uncertain; "cannot exclude" outranks negation; resolved, cleared and removed findings are negative;
/// "no change in X" keeps X positive; anatomy terms ("heart size", "mediastinum", "lungs") count only with a qualifier
/// ("enlarged" positive, "borderline" uncertain, "normal"/"clear" negative); INDICATION, HISTORY, COMPARISON, TECHNIQUE and
/// RECOMMENDATION sections are not labeled; No Finding is positive only when no observation other than Support Devices,
/// and no other finding of the lexicon (emphysema, granuloma, scoliosis...), is positive or uncertain.
/// </remarks>
public sealed class ReportLabeler
{
    // Forward scope of a before-cue and backward scope of an after-cue, in words (punctuation does not count).
    private const int NegationScope = 12;
    private const int UncertainScope = 8;
    private const int AfterScope = 6;
    private const int QualifierForward = 8;
    private const int QualifierBackward = 4;
    private const int TargetCount = ChexpertObservations.Count + 1; // 13 mentionable observations + "other finding"

    private static readonly Lazy<ReportLabeler> DefaultLabeler = new(() => new ReportLabeler(LexiconResource.ReadJson()));

    private readonly LabelingLexicon _lexicon;
    private readonly ReportSectionSplitter _splitter;

    /// <summary>The labeler built from the shipped lexicon.</summary>
    public static ReportLabeler Default => DefaultLabeler.Value;

    /// <summary>Builds a labeler from a lexicon in the shipped JSON format (see <c>Data/labeling/lexicon.json</c>).</summary>
    public ReportLabeler(string lexiconJson, ReportSectionSplitter? splitter = null)
    {
        ArgumentNullException.ThrowIfNull(lexiconJson);
        _lexicon = LabelingLexicon.Parse(lexiconJson);
        _splitter = splitter ?? ReportSectionSplitter.Default;
    }

    /// <summary>Labels one report. Blank text gives all nulls.</summary>
    public ReportLabels Label(string reportText)
    {
        ArgumentNullException.ThrowIfNull(reportText);
        var run = new Run(this, reportText);
        return run.Execute();
    }

    /// <summary>One mention's verdict, kept until aggregation; offsets are characters in the report text.</summary>
    private readonly record struct MentionVerdict(
        int Target, MentionLabel Label, ReportSectionKind Section, int Start, int End,
        int SentenceStart, int SentenceEnd, CueKind CueKind, int CueStart, int CueEnd);

    private readonly record struct CueSpan(int Start, int End, CueRole Roles);

    /// <summary>The per-call state: kept off the labeler so that it stays immutable and thread-safe.</summary>
    private sealed class Run(ReportLabeler owner, string text)
    {
        private readonly string _lower = text.ToLowerInvariant(); // invariant lower-casing keeps every offset
        private readonly List<Token> _tokens = new(64);
        private readonly List<CueSpan> _cues = new(8);
        private readonly List<(int Start, int End)> _sentences = new(16);
        private bool[] _terminator = new bool[64];
        private bool[] _negationTerminator = new bool[64];
        private readonly MentionVerdict?[] _impression = new MentionVerdict?[TargetCount];
        private readonly MentionVerdict?[] _body = new MentionVerdict?[TargetCount];
        private ReportSectionKind _section;
        private (int Start, int End) _sentence;

        public ReportLabels Execute()
        {
            bool anyText = false;
            foreach (var section in owner._splitter.Split(text))
            {
                if (section.Kind is not (ReportSectionKind.Untitled or ReportSectionKind.Findings or ReportSectionKind.Impression)) continue;
                _section = section.Kind;
                _sentences.Clear();
                ReportTokenizer.SplitSentences(_lower, section.Start, section.End, _sentences);
                foreach (var sentence in _sentences)
                {
                    _sentence = sentence;
                    _tokens.Clear();
                    ReportTokenizer.Tokenize(_lower, sentence.Start, sentence.End, _tokens);
                    if (_tokens.Count == 0) continue;
                    anyText = true;
                    ScanCues();
                    ScanMentions();
                }
            }
            return Aggregate(anyText);
        }

        private void ScanCues()
        {
            _cues.Clear();
            int n = _tokens.Count;
            if (_terminator.Length < n) { _terminator = new bool[n * 2]; _negationTerminator = new bool[n * 2]; }
            Array.Clear(_terminator, 0, n);
            Array.Clear(_negationTerminator, 0, n);
            for (int i = 0; i < n;)
            {
                int len = owner._lexicon.Cues.LongestMatch(_lower, _tokens, i, n, out var roles);
                if (len == 0) { i++; continue; }
                var combined = CueRole.None;
                foreach (var r in roles) combined |= r;
                if ((combined & CueRole.Terminator) != 0) for (int k = i; k < i + len; k++) _terminator[k] = true;
                if ((combined & CueRole.NegationTerminator) != 0) for (int k = i; k < i + len; k++) _negationTerminator[k] = true;
                if ((combined & ~(CueRole.Terminator | CueRole.NegationTerminator | CueRole.Pseudo)) != 0)
                    _cues.Add(new CueSpan(i, i + len, combined));
                i += len;
            }
        }

        private void ScanMentions()
        {
            int n = _tokens.Count;
            for (int i = 0; i < n;)
            {
                int len = owner._lexicon.Mentions.LongestMatch(_lower, _tokens, i, n, out var targets);
                if (len == 0) { i++; continue; }
                foreach (var target in targets)
                {
                    if (target.Observation == MentionTarget.Excluded) continue;
                    var verdict = Judge(target, i, i + len);
                    if (verdict is { } v) Offer(v);
                }
                i += len;
            }
        }

        private MentionVerdict? Judge(MentionTarget target, int start, int end)
        {
            int anchor = start;
            int spanStart = start, spanEnd = end;
            int qStart = -1, qEnd = -1;
            if (target.IsAnatomy)
            {
                if (!FindQualifier(owner._lexicon.Qualifiers[target.AnatomyGroup], start, end, out qStart, out qEnd, out var qLabel))
                    return null; // an anatomy term alone says nothing ("heart size is stable")
                spanStart = Math.Min(start, qStart);
                spanEnd = Math.Max(end, qEnd);
                if (qLabel == MentionLabel.Negative) return Verdict(target, MentionLabel.Negative, spanStart, spanEnd, CueKind.QualifierNormal, qStart, qEnd);
                if (qLabel == MentionLabel.Uncertain) return Verdict(target, MentionLabel.Uncertain, spanStart, spanEnd, CueKind.QualifierBorderline, qStart, qEnd);
                anchor = qStart; // the qualifier carries the assertion: "the heart is not enlarged"
            }

            // Priority: "cannot exclude" > negation > hedges (CheXpert's order of rule sets).
            int bestRank = 0, bestDistance = int.MaxValue;
            CueKind bestKind = CueKind.Affirmed;
            CueSpan bestCue = default;
            foreach (var cue in _cues)
            {
                if (cue.End <= anchor)
                {
                    int distance = Words(cue.End, anchor);
                    bool blocked = Blocked(cue.End, anchor, negation: false);
                    bool negBlocked = blocked || Blocked(cue.End, anchor, negation: true);
                    Consider(cue, CueRole.StrongUncertainBefore, 3, CueKind.UncertainNotExcluded, !blocked && distance <= NegationScope, distance);
                    Consider(cue, CueRole.NegationBefore, 2, CueKind.NegationBefore, !negBlocked && distance <= NegationScope, distance);
                    Consider(cue, CueRole.UncertainBefore, 1, CueKind.UncertainBefore, !blocked && distance <= UncertainScope, distance);
                    Consider(cue, CueRole.HistoricalBefore, 1, CueKind.Historical, !blocked && distance <= UncertainScope, distance);
                    Consider(cue, CueRole.HypotheticalBefore, 1, CueKind.Hypothetical, !blocked && distance <= UncertainScope, distance);
                }
                else if (cue.Start >= spanEnd)
                {
                    int distance = Words(spanEnd, cue.Start);
                    bool ok = distance <= AfterScope && !Blocked(spanEnd, cue.Start, negation: false) && !HasComma(spanEnd, cue.Start);
                    Consider(cue, CueRole.StrongUncertainAfter, 3, CueKind.UncertainNotExcluded, ok, distance);
                    Consider(cue, CueRole.NegationAfter, 2, CueKind.NegationAfter, ok, distance);
                    Consider(cue, CueRole.UncertainAfter, 1, CueKind.UncertainAfter, ok, distance);
                    Consider(cue, CueRole.HypotheticalAfter, 1, CueKind.Hypothetical, ok, distance);
                }
            }

            if (bestRank == 0)
            {
                return target.IsAnatomy
                    ? Verdict(target, MentionLabel.Positive, spanStart, spanEnd, CueKind.QualifierAbnormal, qStart, qEnd)
                    : Verdict(target, MentionLabel.Positive, spanStart, spanEnd, CueKind.Affirmed, -1, -1);
            }
            var label = bestRank == 2 ? MentionLabel.Negative : MentionLabel.Uncertain;
            return Verdict(target, label, spanStart, spanEnd, bestKind, bestCue.Start, bestCue.End);

            void Consider(CueSpan cue, CueRole role, int rank, CueKind kind, bool inScope, int distance)
            {
                if ((cue.Roles & role) == 0 || !inScope) return;
                if (rank > bestRank || (rank == bestRank && distance < bestDistance))
                {
                    bestRank = rank;
                    bestDistance = distance;
                    bestKind = kind;
                    bestCue = cue;
                }
            }
        }

        private bool FindQualifier(PhraseTrie<MentionLabel> qualifiers, int start, int end, out int qStart, out int qEnd, out MentionLabel label)
        {
            int n = _tokens.Count;
            qStart = qEnd = -1;
            label = default;
            int bestDistance = int.MaxValue;
            // Forward: "heart size is normal", "mediastinal contours are within normal limits".
            for (int j = end, words = 0; j < n && words <= QualifierForward && !_terminator[j]; j++)
            {
                int len = qualifiers.LongestMatch(_lower, _tokens, j, n, out var labels);
                if (len > 0)
                {
                    qStart = j; qEnd = j + len; label = labels[0]; bestDistance = j - end;
                    break;
                }
                if (IsWord(j)) words++;
            }
            // Backward: "normal heart size", "enlarged cardiac silhouette"; a comma ends it.
            for (int j = start - 1, words = 0; j >= 0 && words < QualifierBackward && !_terminator[j] && !IsComma(j); j--)
            {
                if (start - (j + 1) > bestDistance) break; // the forward qualifier is nearer
                int len = qualifiers.LongestMatch(_lower, _tokens, j, start, out var labels);
                if (len > 0 && j + len <= start)
                {
                    qStart = j; qEnd = j + len; label = labels[0];
                    break;
                }
                words++;
            }
            return qStart >= 0;
        }

        private MentionVerdict Verdict(MentionTarget target, MentionLabel label, int startToken, int endToken, CueKind kind, int cueStart, int cueEnd) =>
            new(target.Observation, label, _section,
                _tokens[startToken].Start, _tokens[endToken - 1].End,
                _sentence.Start, _sentence.End, kind,
                cueStart >= 0 ? _tokens[cueStart].Start : -1, cueStart >= 0 ? _tokens[cueEnd - 1].End : -1);

        private bool Blocked(int from, int to, bool negation)
        {
            for (int k = from; k < to; k++)
                if (_terminator[k] || (negation && _negationTerminator[k])) return true;
            return false;
        }

        private bool HasComma(int from, int to)
        {
            for (int k = from; k < to; k++) if (IsComma(k)) return true;
            return false;
        }

        private int Words(int from, int to)
        {
            int words = 0;
            for (int k = from; k < to; k++) if (IsWord(k)) words++;
            return words;
        }

        private bool IsWord(int k) => char.IsLetterOrDigit(_lower[_tokens[k].Start]);

        private bool IsComma(int k) => _lower[_tokens[k].Start] == ',';

        private void Offer(MentionVerdict verdict)
        {
            var slots = _section == ReportSectionKind.Impression ? _impression : _body;
            int index = verdict.Target == MentionTarget.Other ? ChexpertObservations.Count : verdict.Target;
            if (slots[index] is not { } current || Rank(verdict.Label) > Rank(current.Label)) slots[index] = verdict;
        }

        private static int Rank(MentionLabel label) => label switch
        {
            MentionLabel.Positive => 2,
            MentionLabel.Uncertain => 1,
            _ => 0,
        };

        private ReportLabels Aggregate(bool anyText)
        {
            var labels = new MentionLabel?[ChexpertObservations.Count];
            var evidence = new List<LabelEvidence>(ChexpertObservations.Count);
            bool blocksNoFinding = false;
            for (int i = 0; i < TargetCount; i++)
            {
                // IMPRESSION outranks FINDINGS: when the impression mentions the observation, it decides.
                if ((_impression[i] ?? _body[i]) is not { } chosen) continue;
                bool isObservation = i < ChexpertObservations.Count;
                if (chosen.Label != MentionLabel.Negative && i != (int)ChexpertObservation.SupportDevices) blocksNoFinding = true;
                if (!isObservation) continue;
                labels[i] = chosen.Label;
                evidence.Add(ToEvidence((ChexpertObservation)i, chosen));
            }
            if (anyText && !blocksNoFinding)
            {
                labels[(int)ChexpertObservation.NoFinding] = MentionLabel.Positive;
                evidence.Insert(0, new LabelEvidence(ChexpertObservation.NoFinding, MentionLabel.Positive, "report", 0, 0, "", "",
                    CueKind.Derived, null));
            }
            return new ReportLabels(labels, evidence);
        }

        private LabelEvidence ToEvidence(ChexpertObservation observation, MentionVerdict v) =>
            new(observation, v.Label, ReportSection.KindName(v.Section), v.Start, v.End,
                text[v.SentenceStart..v.SentenceEnd], text[v.Start..v.End], v.CueKind,
                v.CueStart >= 0 ? text[v.CueStart..v.CueEnd] : null);
    }
}
