using System.Security.Cryptography;
using System.Text;

namespace Lakehouse.Udfs.Deidentification;

/// <summary>
/// The secret behind every pseudonym, remapped UID and date shift. Loaded from <see cref="EnvironmentVariable"/> or a
/// key file; it is never written anywhere and <see cref="ToString"/> is redacted. Without the secret the mappings
/// cannot be recomputed or reversed; with the same secret they are stable across runs and sites.
/// </summary>
public sealed class DeidKey
{
    /// <summary>The environment variable that holds the secret.</summary>
    public const string EnvironmentVariable = "LAKEHOUSE_DEID_KEY";

    /// <summary>Minimum secret length in characters.</summary>
    public const int MinimumLength = 32;

    /// <summary>Minimum estimated entropy of the secret in bits (length × log2 of its distinct characters).</summary>
    public const double MinimumEntropyBits = 128;

    private readonly byte[] _secret;

    private DeidKey(byte[] secret) => _secret = secret;

    /// <summary>A key from the secret text itself (tests, or a caller that reads a vault). Checks length and entropy.</summary>
    /// <exception cref="DeidKeyException">The secret is too short or too uniform.</exception>
    public static DeidKey FromSecret(string secret) => FromSecret(secret, "the given secret");

    /// <summary>The key in <see cref="EnvironmentVariable"/>.</summary>
    /// <exception cref="DeidKeyException">The variable is unset, empty or too weak.</exception>
    public static DeidKey FromEnvironment()
    {
        string? value = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(value))
            throw new DeidKeyException($"no de-identification key: environment variable {EnvironmentVariable} is not set or empty");
        return FromSecret(value, "environment variable " + EnvironmentVariable);
    }

    /// <summary>The key in a file (its text, trimmed).</summary>
    /// <exception cref="DeidKeyException">The file is missing, unreadable, empty or too weak.</exception>
    public static DeidKey FromFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new DeidKeyException($"no de-identification key: key file {path} cannot be read ({e.GetType().Name})");
        }
        if (string.IsNullOrWhiteSpace(text))
            throw new DeidKeyException($"no de-identification key: key file {path} is empty");
        return FromSecret(text, "key file " + path);
    }

    /// <summary>The key from <paramref name="keyFilePath"/> when given, else from <see cref="EnvironmentVariable"/>.</summary>
    /// <exception cref="DeidKeyException">Neither holds a usable key; the message names where it looked.</exception>
    public static DeidKey Load(string? keyFilePath = null) =>
        string.IsNullOrEmpty(keyFilePath) ? FromEnvironment() : FromFile(keyFilePath);

    private static DeidKey FromSecret(string secret, string where)
    {
        ArgumentNullException.ThrowIfNull(secret);
        string s = secret.Trim();
        if (s.Length < MinimumLength)
            throw new DeidKeyException($"de-identification key from {where} is too short: {s.Length} characters, at least {MinimumLength} required");
        int distinct = s.Distinct().Count();
        double bits = s.Length * Math.Log2(Math.Max(distinct, 1));
        if (distinct < 8 || bits < MinimumEntropyBits)
            throw new DeidKeyException($"de-identification key from {where} is too uniform: about {bits:F0} bits, at least {MinimumEntropyBits:F0} required (use e.g. 32 random bytes in hex or base64)");
        return new DeidKey(Encoding.UTF8.GetBytes(s));
    }

    /// <summary>A short public fingerprint of the key, to record which key a table was made with.</summary>
    public string Fingerprint => Convert.ToHexStringLower(Hash("fingerprint", "")).Substring(0, 12);

    /// <summary>HMAC-SHA256 of <paramref name="value"/> in a named domain, so the same input yields unrelated outputs per use.</summary>
    internal byte[] Hash(string domain, string value)
    {
        int max = Encoding.UTF8.GetMaxByteCount(domain.Length + value.Length + 1);
        byte[]? rented = null;
        Span<byte> buffer = max <= 512 ? stackalloc byte[max] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(max));
        int n = Encoding.UTF8.GetBytes(domain, buffer);
        buffer[n++] = 0;
        n += Encoding.UTF8.GetBytes(value, buffer[n..]);
        byte[] mac = HMACSHA256.HashData(_secret, buffer[..n]);
        if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        return mac;
    }

    /// <summary>Redacted: the secret never reaches a log.</summary>
    public override string ToString() => "DeidKey(redacted)";
}

/// <summary>The de-identification key is missing or unusable. The message says where it looked, never the key.</summary>
public sealed class DeidKeyException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public DeidKeyException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public DeidKeyException() { }

    /// <summary>Creates the exception.</summary>
    public DeidKeyException(string message, Exception inner) : base(message, inner) { }
}
