namespace Lakehouse.Udfs.Deidentification;

/// <summary>Keyed, irreversible pseudonyms: the same key and input give the same pseudonym on every run and site.</summary>
public static class Pseudonyms
{
    /// <summary>Prefix of patient pseudonyms.</summary>
    public const string PatientPrefix = "PT-";

    private const string Base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    /// <summary>
    /// The patient pseudonym for a patient key (e.g. "issuer|patientid"): <c>PT-</c> and 16 base32 characters
    /// (80 bits of HMAC-SHA256), 19 characters, valid as LO Patient ID and as PN.
    /// </summary>
    public static string Patient(DeidKey key, string patientKey)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(patientKey);
        return PatientPrefix + Base32(key.Hash("patient", patientKey).AsSpan(0, 10));
    }

    private static string Base32(ReadOnlySpan<byte> bytes)
    {
        // 10 bytes = 80 bits = exactly 16 base32 digits, no padding.
        Span<char> chars = stackalloc char[bytes.Length * 8 / 5];
        int bits = 0, value = 0, n = 0;
        foreach (byte b in bytes)
        {
            value = (value << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                chars[n++] = Base32Alphabet[(value >> (bits - 5)) & 31];
                bits -= 5;
            }
        }
        return new string(chars[..n]);
    }
}
