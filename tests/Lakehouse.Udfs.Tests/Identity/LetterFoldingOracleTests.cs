using System.Globalization;
using Lakehouse.Testing;
using Lakehouse.Udfs.Identity;

namespace Lakehouse.Udfs.Tests.Identity;

public class LetterFoldingOracleTests
{
    // ICAO 9303 two-letter folds, chosen on purpose over the Unicode decomposition.
    private static readonly HashSet<char> Transliterated = ['Ä', 'ä', 'Ö', 'ö', 'Ü', 'ü', 'Å', 'å'];

    [Fact]
    public void Accented_Latin_letters_fold_to_the_base_letter_of_their_Unicode_decomposition()
    {
        // Oracle: Python's unicodedata NFKD, for every Latin-1 and Latin Extended-A letter that decomposes to ASCII letters and marks (ligatures such as U+0132 give two letters).
        var python = ExternalTool.Run(ExternalTool.Require("python3"), ["-c",
            "import unicodedata\nfor cp in range(0xC0, 0x180):\n  d = unicodedata.normalize('NFKD', chr(cp))\n  if d[0].isascii() and d[0].isalpha(): print(cp, ''.join(x for x in d if x.isascii() and x.isalpha()).upper())"]);
        python.ExitCode.Should().Be(0, python.StdErr);
        var lines = python.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.Should().BeGreaterThan(150);
        foreach (string line in lines)
        {
            string[] parts = line.Split(' ');
            char c = (char)int.Parse(parts[0], CultureInfo.InvariantCulture);
            if (Transliterated.Contains(c)) continue;
            PersonNameKey.FoldLetters(c.ToString()).Should().Be(parts[1], $"U+{(int)c:X4}");
        }
    }
}
