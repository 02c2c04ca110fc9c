using System.Buffers.Binary;

namespace Lakehouse.Tables.Parquet;

/// <summary>
/// A growable byte buffer reused from page to page (its memory is kept across <see cref="Clear"/>), its array rented from
/// the shared pool so consecutive data files reuse the ~1 MiB page buffers instead of allocating them each time.
/// </summary>
internal sealed class ByteBuffer(int capacity) : IDisposable
{
    private byte[] _data = System.Buffers.ArrayPool<byte>.Shared.Rent(capacity);

    public int Length { get; set; }

    public ReadOnlySpan<byte> Written => _data.AsSpan(0, Length);

    public void Clear() => Length = 0;

    /// <summary>Room for <paramref name="bytes"/> more bytes at <see cref="Length"/>; advance <see cref="Length"/> by what was used.</summary>
    public Span<byte> Reserve(int bytes)
    {
        if (_data.Length - Length < bytes)
        {
            var larger = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(_data.Length * 2, Length + bytes));
            _data.AsSpan(0, Length).CopyTo(larger);
            System.Buffers.ArrayPool<byte>.Shared.Return(_data);
            _data = larger;
        }
        return _data.AsSpan(Length, bytes);
    }

    public void Dispose()
    {
        System.Buffers.ArrayPool<byte>.Shared.Return(_data);
        _data = [];
        Length = 0;
    }

    /// <summary>Drops <paramref name="count"/> bytes at <paramref name="start"/>, moving the bytes after them down.</summary>
    public void RemoveRange(int start, int count)
    {
        _data.AsSpan(start + count, Length - start - count).CopyTo(_data.AsSpan(start));
        Length -= count;
    }

    /// <summary>The <paramref name="length"/> bytes at <paramref name="offset"/>, within <see cref="Length"/>, to overwrite.</summary>
    public Span<byte> At(int offset, int length) => _data.AsSpan(0, Length).Slice(offset, length);

    public void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        Length += bytes.Length;
    }

    public void AppendByte(byte b)
    {
        Reserve(1)[0] = b;
        Length++;
    }

    public void Varint(uint v)
    {
        var span = Reserve(5);
        int i = 0;
        while (v >= 0x80)
        {
            span[i++] = (byte)(v | 0x80);
            v >>= 7;
        }
        span[i++] = (byte)v;
        Length += i;
    }

    /// <summary>Overwrites 4 bytes at <paramref name="offset"/> (a length prefix reserved before its data).</summary>
    public void PatchInt32(int offset, int value) => BinaryPrimitives.WriteInt32LittleEndian(_data.AsSpan(offset, 4), value);
}

/// <summary>
/// Repetition and definition levels in Parquet's RLE / bit-packing hybrid (Encodings.md), with the 4-byte length prefix
/// data page v1 puts before them. Runs of 8 or more equal levels become RLE runs; the rest is bit-packed in groups of 8.
/// </summary>
internal static class LevelEncoder
{
    // Some readers cap a bit-packed run's header at 63 groups (the old 6-bit count): stay under it.
    private const int MaxGroupsPerRun = 63;

    /// <summary>Bits per level for levels up to <paramref name="maxLevel"/>.</summary>
    public static int BitWidth(int maxLevel) => maxLevel == 0 ? 0 : 32 - int.LeadingZeroCount(maxLevel);

    /// <summary>Appends the 4-byte length and the encoded <paramref name="levels"/> to <paramref name="output"/>.</summary>
    public static void Write(ReadOnlySpan<byte> levels, int bitWidth, ByteBuffer output)
    {
        int lengthAt = output.Length;
        output.Reserve(4);
        output.Length += 4;
        int packedFrom = 0, i = 0;
        while (i < levels.Length)
        {
            byte v = levels[i];
            int run = 1;
            while (i + run < levels.Length && levels[i + run] == v) run++;
            // Bit-packed groups must hold 8 values (except the last): complete the pending one from this run first.
            int fill = (8 - (i - packedFrom) % 8) % 8;
            if (run - fill >= 8)
            {
                BitPack(levels[packedFrom..(i + fill)], bitWidth, output);
                output.Varint((uint)(run - fill) << 1);
                // A level fits one byte (bit width at most 8).
                output.AppendByte(v);
                i += run;
                packedFrom = i;
            }
            else i += run;
        }
        BitPack(levels[packedFrom..], bitWidth, output);
        output.PatchInt32(lengthAt, output.Length - lengthAt - 4);
    }

    private static void BitPack(ReadOnlySpan<byte> values, int bitWidth, ByteBuffer output)
    {
        while (values.Length > 0)
        {
            int groups = Math.Min((values.Length + 7) / 8, MaxGroupsPerRun);
            int count = Math.Min(groups * 8, values.Length);
            output.Varint((uint)groups << 1 | 1);
            var dest = output.Reserve(groups * bitWidth);
            dest.Clear();
            // Values are packed from the least significant bit of each byte up.
            int bit = 0;
            for (int j = 0; j < count; j++, bit += bitWidth)
            {
                int value = values[j];
                dest[bit >> 3] |= (byte)(value << (bit & 7));
                if ((bit & 7) + bitWidth > 8) dest[(bit >> 3) + 1] |= (byte)(value >> (8 - (bit & 7)));
            }
            output.Length += groups * bitWidth;
            values = values[count..];
        }
    }
}
