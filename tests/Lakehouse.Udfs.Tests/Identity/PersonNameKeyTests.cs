using Lakehouse.Udfs.Identity;

namespace Lakehouse.Udfs.Tests.Identity;

public class PersonNameKeyTests
{
    [Theory]
    [InlineData("Braun^Stefan", "BRAUN^STEFAN")]
    [InlineData("Müller^Jürgen", "MUELLER^JUERGEN")]               // ICAO transliteration, as ASCII registries write it
    [InlineData("Strauß^Grete", "STRAUSS^GRETE")]
    [InlineData("Bjørnstad^Åse", "BJOERNSTAD^AASE")]
    [InlineData("Núñez^José", "NUNEZ^JOSE")]                       // other accents dropped
    [InlineData("Nu\u0301n\u0303ez^Jose\u0301", "NUNEZ^JOSE")]        // already decomposed
    [InlineData("Wałęsa^Łukasz", "WALESA^LUKASZ")]
    [InlineData("O'Brien-Smith^Mary Ann", "OBRIEN SMITH^MARYANN")] // punctuation and spaces do not count
    [InlineData("  brown ^ donna ", "BROWN^DONNA")]
    [InlineData("Doe^John^^Dr^Jr", "DOE^JOHN")]                    // prefix and suffix dropped
    [InlineData("Doe^John^^^", "Doe^John")]                        // trailing empty components
    [InlineData("YAMADA^TARO=山田^太郎=やまだ^たろう", "Yamada^Taro")] // only the alphabetic group
    public void Spellings_of_one_name_get_one_key(string a, string b)
    {
        string? key = PersonNameKey.Normalize(a);
        key.Should().NotBeNull();
        key.Should().Be(PersonNameKey.Normalize(b));
    }

    [Theory]
    [InlineData("Paul^John", "John^Paul")]           // order matters: swapping would merge different people
    [InlineData("Doe^John^A", "Doe^John^B")]          // middle names count
    [InlineData("Doe^John", "Doe^Joan")]
    [InlineData("=山田^太郎", "Yamada^Taro")]          // ideographic never matches alphabetic
    [InlineData("Mueller^Hans", "Muller^Hans")]       // a dropped umlaut is a different spelling: not guessed
    public void Different_names_get_different_keys(string a, string b)
    {
        string? ka = PersonNameKey.Normalize(a), kb = PersonNameKey.Normalize(b);
        ka.Should().NotBeNull();
        kb.Should().NotBeNull();
        ka.Should().NotBe(kb);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Doe")]          // no given name: too weak
    [InlineData("^John")]        // no family name
    [InlineData("--^..")]        // nothing left after folding
    [InlineData("UNKNOWN^JOHN")] // placeholder
    [InlineData("Trauma^Alpha")]
    public void Weak_or_placeholder_names_have_no_key(string? name) =>
        PersonNameKey.Normalize(name, new IdentityOptions().PlaceholderFamilyNames).Should().BeNull();

    [Fact]
    public void Ideographic_group_is_used_when_the_alphabetic_one_is_empty()
    {
        PersonNameKey.Normalize("=山田^太郎").Should().Be(PersonNameKey.Normalize("=山田^太郎=やまだ^たろう")).And.StartWith("1:");
    }
}
