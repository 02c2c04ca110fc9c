namespace Lakehouse.Jobs.Sample;

/// <summary>
/// xoshiro256** seeded through SplitMix64: our own PRNG so the archive does not change with the .NET runtime's
/// <see cref="Random"/> implementation. Not thread-safe; fork one per independent stream.
/// </summary>
internal sealed class SampleRandom
{
    private ulong _s0, _s1, _s2, _s3;

    public SampleRandom(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>A generator for an independent stream, e.g. one per instance, so parallel work stays deterministic.</summary>
    public static SampleRandom For(long seed, ulong stream, ulong salt = 0)
    {
        ulong x = (ulong)seed ^ 0x9E3779B97F4A7C15UL;
        x = SplitMix(ref x) ^ stream;
        x = SplitMix(ref x) ^ salt;
        return new SampleRandom(SplitMix(ref x));
    }

    public static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, max) by multiply-shift (Lemire); bias is below 2^-32 for our ranges.</summary>
    public int Next(int max) => max <= 1 ? 0 : (int)(((NextUInt64() >> 32) * (ulong)max) >> 32);

    /// <summary>Uniform in [min, max] inclusive.</summary>
    public int Between(int min, int max) => min + Next(max - min + 1);

    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public bool Chance(double p) => NextDouble() < p;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>Picks by integer weights.</summary>
    public T Weighted<T>(IReadOnlyList<(T Item, int Weight)> items)
    {
        int total = 0;
        foreach (var (_, w) in items) total += w;
        int r = Next(total);
        foreach (var (item, w) in items)
        {
            if (r < w) return item;
            r -= w;
        }
        return items[^1].Item;
    }

    public string Digits(int count)
    {
        Span<char> s = stackalloc char[count];
        for (int i = 0; i < count; i++) s[i] = (char)('0' + Next(10));
        if (s[0] == '0') s[0] = (char)('1' + Next(9));
        return new string(s);
    }

    /// <summary>A UUID-derived UID under the 2.25 root (PS3.5 B.2): 128 random bits as a decimal number.</summary>
    public string Uid()
    {
        var value = new UInt128(NextUInt64(), NextUInt64());
        if (value == UInt128.Zero) value = UInt128.One;
        return "2.25." + value.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
