using Lakehouse.Testing;
using Lakehouse.Udfs.Deidentification;

namespace Lakehouse.Udfs.Tests.Deidentification;

public class DeidKeyTests
{
    private const string Secret = "k3y-f1le-Secret-7c0d9e8f6a5b4c3d2e1f0a9b8c7d";

    [Fact]
    public void Rejects_short_and_uniform_secrets_without_echoing_them()
    {
        var shortKey = () => DeidKey.FromSecret("tooShort-123");
        shortKey.Should().Throw<DeidKeyException>().Which.Message.Should().Contain("too short").And.NotContain("tooShort-123");
        var uniform = () => DeidKey.FromSecret(new string('a', 40) + "bbbb");
        uniform.Should().Throw<DeidKeyException>().Which.Message.Should().Contain("too uniform").And.NotContain("aaaa");
    }

    [Fact]
    public void Loads_from_a_file_and_names_the_file_when_missing()
    {
        using var dir = new TempDirectory("deid-key");
        string path = dir.Combine("deid.key");
        File.WriteAllText(path, Secret + "\n");
        DeidKey key = DeidKey.Load(path);
        key.ToString().Should().Be("DeidKey(redacted)");
        Pseudonyms.Patient(key, "x").Should().Be(Pseudonyms.Patient(DeidKey.FromSecret(Secret), "x"));
        key.Fingerprint.Should().HaveLength(12).And.NotContain(Secret[..6]);
        var missing = () => DeidKey.Load(dir.Combine("absent.key"));
        missing.Should().Throw<DeidKeyException>().Which.Message.Should().Contain("absent.key");
    }

    [Fact]
    public void Loads_from_the_environment_and_names_the_variable_when_unset()
    {
        string? saved = Environment.GetEnvironmentVariable(DeidKey.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(DeidKey.EnvironmentVariable, null);
            var unset = () => DeidKey.Load();
            unset.Should().Throw<DeidKeyException>().Which.Message.Should().Contain("LAKEHOUSE_DEID_KEY");
            Environment.SetEnvironmentVariable(DeidKey.EnvironmentVariable, Secret);
            UidRemapper.Remap(DeidKey.Load(), "1.2.3").Should().Be(UidRemapper.Remap(DeidKey.FromSecret(Secret), "1.2.3"));
            Environment.SetEnvironmentVariable(DeidKey.EnvironmentVariable, "weak");
            var weak = () => DeidKey.FromEnvironment();
            weak.Should().Throw<DeidKeyException>().Which.Message.Should().Contain("environment variable LAKEHOUSE_DEID_KEY").And.NotContain("weak\"");
        }
        finally
        {
            Environment.SetEnvironmentVariable(DeidKey.EnvironmentVariable, saved);
        }
    }

    [Fact]
    public void Invalid_json_fails_with_a_position_and_no_content()
    {
        var bad = () => DicomJsonDeidentifier.Deidentify("{\"00100010\": {\"vr\":\"PN\",\"Value\":[{\"Alphabetic\":\"SECRET^NAME\"}]", DeidOptions.Default, DeidTestKeys.A, "p", new DeidAudit());
        bad.Should().Throw<FormatException>().Which.Message.Should().Contain("line").And.NotContain("SECRET");
        var notTag = () => DicomJsonDeidentifier.Deidentify("{\"PatientName\": {\"vr\":\"PN\"}}", DeidOptions.Default, DeidTestKeys.A, "p", new DeidAudit());
        notTag.Should().Throw<FormatException>().Which.Message.Should().NotContain("PatientName");
    }
}
