using System.Text;

namespace Lakehouse.Udfs.Dicom.Reading;

/// <summary>
/// Decodes text values under a Specific Character Set (0008,0005), PS3.3 C.12.1.1.2 and PS3.5 section 6.1:
/// single-byte sets, ISO_IR 192 (UTF-8), GB18030/GBK, and ISO 2022 code extensions with escape sequences
/// (Japanese IR 13/87/159, Korean IR 149, Chinese IR 58, and the single-byte G1 sets).
/// </summary>
public sealed class DicomCharacterSet
{
    private static readonly Lazy<bool> ProviderRegistered = new(() =>
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return true;
    });

    private static readonly Encoding Latin1 = Encoding.Latin1;

    /// <summary>The default repertoire (no Specific Character Set).</summary>
    public static DicomCharacterSet Default { get; } = new([""], Latin1, false);

    private readonly Encoding _initial;
    private readonly bool _usesEscapes;

    private DicomCharacterSet(string[] terms, Encoding initial, bool usesEscapes)
    {
        Terms = terms;
        _initial = initial;
        _usesEscapes = usesEscapes;
    }

    /// <summary>
    /// True when a value made of ASCII bytes with no escape decodes to the same ASCII characters (every set here but
    /// Shift-JIS, the decoder of IR 13, whose JIS X 0201 Roman half differs at 0x5C and 0x7E).
    /// </summary>
    internal bool DecodesAsciiAsAscii => _initial.CodePage is not 932;

    /// <summary>The defined terms as given in the data set.</summary>
    public IReadOnlyList<string> Terms { get; }

    /// <summary>Builds the decoder for the values of (0008,0005); unknown terms fall back to Latin-1 rather than failing.</summary>
    public static DicomCharacterSet FromTerms(IReadOnlyList<string> terms)
    {
        _ = ProviderRegistered.Value;
        if (terms.Count == 0) return Default;
        string first = terms[0].Trim();
        bool escapes = terms.Count > 1 || first.StartsWith("ISO 2022", StringComparison.Ordinal);
        var initial = EncodingOf(first) ?? Latin1;
        return new DicomCharacterSet(terms.Select(t => t.Trim()).ToArray(), initial, escapes);
    }

    private static Encoding? EncodingOf(string term) => term switch
    {
        "" or "ISO_IR 6" or "ISO 2022 IR 6" => Latin1,
        "ISO_IR 100" or "ISO 2022 IR 100" => Latin1,
        "ISO_IR 101" or "ISO 2022 IR 101" => Encoding.GetEncoding(28592),
        "ISO_IR 109" or "ISO 2022 IR 109" => Encoding.GetEncoding(28593),
        "ISO_IR 110" or "ISO 2022 IR 110" => Encoding.GetEncoding(28594),
        "ISO_IR 144" or "ISO 2022 IR 144" => Encoding.GetEncoding(28595),
        "ISO_IR 127" or "ISO 2022 IR 127" => Encoding.GetEncoding(28596),
        "ISO_IR 126" or "ISO 2022 IR 126" => Encoding.GetEncoding(28597),
        "ISO_IR 138" or "ISO 2022 IR 138" => Encoding.GetEncoding(28598),
        "ISO_IR 148" or "ISO 2022 IR 148" => Encoding.GetEncoding(28599),
        "ISO_IR 203" or "ISO 2022 IR 203" => Encoding.GetEncoding(28605),
        "ISO_IR 13" or "ISO 2022 IR 13" => Encoding.GetEncoding(932),
        "ISO_IR 166" or "ISO 2022 IR 166" => Encoding.GetEncoding(874),
        "ISO 2022 IR 149" => Encoding.GetEncoding(51949),
        "ISO 2022 IR 58" => Encoding.GetEncoding(936),
        "ISO 2022 IR 87" or "ISO 2022 IR 159" => Latin1, // G0 switched by escapes only
        "ISO_IR 192" => Encoding.UTF8,
        "GB18030" => Encoding.GetEncoding(54936),
        "GBK" => Encoding.GetEncoding(936),
        _ => null,
    };

    /// <summary>
    /// Decodes a text value. ASCII-only VRs never reach here; for PN, delimiters '^' and '=' return to the initial
    /// character set (PS3.5 6.1.2.5.3) as do the value delimiter and control characters.
    /// </summary>
    public string Decode(ReadOnlySpan<byte> value, bool isPersonName = false)
    {
        if (!_usesEscapes || value.IndexOf((byte)0x1B) < 0) return _initial.GetString(value);
        var sb = new StringBuilder(value.Length);
        var current = _initial;
        bool twoByteG0 = false; // JIS X 0208/0212 switched into G0: 7-bit byte pairs
        bool jisX0212 = false;
        int start = 0;
        int i = 0;
        while (i < value.Length)
        {
            byte b = value[i];
            if (b == 0x1B)
            {
                Flush(sb, value[start..i], current, twoByteG0, jisX0212);
                int escLength = ParseEscape(value[i..], out var next, out bool nextTwoByte, out bool next0212);
                if (escLength == 0)
                {
                    // Unknown escape: keep it as text rather than guessing.
                    start = i;
                    i++;
                    continue;
                }
                if (next is not null) current = next;
                twoByteG0 = nextTwoByte;
                jisX0212 = next0212;
                i += escLength;
                start = i;
                continue;
            }
            if (!twoByteG0 && (b is (byte)'\\' or 0x0D or 0x0A or 0x09 or 0x0C || (isPersonName && b is (byte)'^' or (byte)'=')))
            {
                // Delimiters return to the initial set; the delimiter itself is ASCII.
                Flush(sb, value[start..i], current, twoByteG0, jisX0212);
                sb.Append((char)b);
                current = _initial;
                i++;
                start = i;
                continue;
            }
            i++;
        }
        Flush(sb, value[start..], current, twoByteG0, jisX0212);
        return sb.ToString();
    }

    private static void Flush(StringBuilder sb, ReadOnlySpan<byte> run, Encoding encoding, bool twoByteG0, bool jisX0212)
    {
        if (run.IsEmpty) return;
        if (!twoByteG0)
        {
            sb.Append(encoding.GetString(run));
            return;
        }
        // JIS X 0208 in G0: shift to EUC-JP (set the high bits); JIS X 0212 is EUC-JP's 0x8F plane.
        Span<byte> euc = run.Length <= 512 ? stackalloc byte[run.Length * 3 / 2 + 2] : new byte[run.Length * 3 / 2 + 2];
        int n = 0;
        for (int k = 0; k + 1 < run.Length; k += 2)
        {
            if (jisX0212) euc[n++] = 0x8F;
            euc[n++] = (byte)(run[k] | 0x80);
            euc[n++] = (byte)(run[k + 1] | 0x80);
        }
        sb.Append(EucJp.GetString(euc[..n]));
    }

    private static Encoding EucJp => Encoding.GetEncoding(51932);

    // Returns the escape length (0 if unknown), the encoding to use for following bytes, and whether they are 7-bit pairs.
    private static int ParseEscape(ReadOnlySpan<byte> s, out Encoding? encoding, out bool twoByte, out bool jisX0212)
    {
        encoding = null;
        twoByte = false;
        jisX0212 = false;
        if (s.Length >= 3 && s[1] == (byte)'(')
        {
            if (s[2] == (byte)'B' || s[2] == (byte)'J') { encoding = Latin1; return 3; } // ASCII / JIS X 0201 Romaji
            return 0;
        }
        if (s.Length >= 3 && s[1] == (byte)')' && s[2] == (byte)'I') { encoding = Encoding.GetEncoding(932); return 3; } // JIS X 0201 katakana
        if (s.Length >= 3 && s[1] == (byte)'$' && s[2] == (byte)'B') { encoding = Latin1; twoByte = true; return 3; } // JIS X 0208
        if (s.Length >= 4 && s[1] == (byte)'$' && s[2] == (byte)'(' && s[3] == (byte)'D') { encoding = Latin1; twoByte = true; jisX0212 = true; return 4; }
        if (s.Length >= 4 && s[1] == (byte)'$' && s[2] == (byte)')')
        {
            if (s[3] == (byte)'C') { encoding = Encoding.GetEncoding(51949); return 4; } // KS X 1001
            if (s[3] == (byte)'A') { encoding = Encoding.GetEncoding(936); return 4; } // GB 2312
            return 0;
        }
        if (s.Length >= 3 && s[1] == (byte)'-')
        {
            encoding = s[2] switch
            {
                (byte)'A' => Latin1,
                (byte)'B' => Encoding.GetEncoding(28592),
                (byte)'C' => Encoding.GetEncoding(28593),
                (byte)'D' => Encoding.GetEncoding(28594),
                (byte)'L' => Encoding.GetEncoding(28595),
                (byte)'G' => Encoding.GetEncoding(28596),
                (byte)'F' => Encoding.GetEncoding(28597),
                (byte)'H' => Encoding.GetEncoding(28598),
                (byte)'M' => Encoding.GetEncoding(28599),
                (byte)'T' => Encoding.GetEncoding(874),
                (byte)'b' => Encoding.GetEncoding(28605),
                _ => null,
            };
            return encoding is null ? 0 : 3;
        }
        return 0;
    }
}
