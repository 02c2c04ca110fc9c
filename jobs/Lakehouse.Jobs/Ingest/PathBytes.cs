using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Lakehouse.Jobs.Ingest;

/// <summary>
/// File names on Linux are bytes, not text. A name that is valid UTF-8 decodes as usual; each byte of a sequence that is
/// not valid UTF-8 decodes to the lone surrogate U+DC00 + byte (the "surrogateescape" convention), which no valid UTF-8
/// name can produce, and <see cref="Encode"/> turns it back into that byte, so every walked path opens again through
/// <see cref="SourceTree.Open(string)"/>. (.NET's own file APIs replace such bytes with U+FFFD: those names cannot be opened with them.)
/// </summary>
internal static class PathBytes
{
    private const char FirstEscape = '\uDC80', LastEscape = '\uDCFF';

    /// <summary>Decodes a name into <paramref name="chars"/> (at least as long as <paramref name="bytes"/>); returns the chars written.</summary>
    public static int Decode(ReadOnlySpan<byte> bytes, Span<char> chars)
    {
        int written = 0;
        while (true)
        {
            var status = Utf8.ToUtf16(bytes, chars[written..], out int read, out int wrote, replaceInvalidSequences: false);
            written += wrote;
            bytes = bytes[read..];
            if (status == OperationStatus.Done) return written;
            // InvalidData or NeedMoreData (a sequence cut short by the end): escape the bytes of the invalid subsequence.
            Rune.DecodeFromUtf8(bytes, out _, out int invalid);
            foreach (byte b in bytes[..invalid]) chars[written++] = (char)(0xDC00 + b);
            bytes = bytes[invalid..];
        }
    }

    /// <summary>A decoded name or path as a string.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        char[]? rented = null;
        Span<char> chars = bytes.Length <= 512 ? stackalloc char[bytes.Length] : (rented = ArrayPool<char>.Shared.Rent(bytes.Length));
        string s = new(chars[..Decode(bytes, chars)]);
        if (rented is not null) ArrayPool<char>.Shared.Return(rented);
        return s;
    }

    /// <summary>The most bytes <see cref="Encode"/> writes for <paramref name="chars"/> chars, with the terminating NUL.</summary>
    public static int MaxBytes(int chars) => Encoding.UTF8.GetMaxByteCount(chars) + 1;

    /// <summary>Encodes a path, escapes back to their bytes, NUL-terminated; returns the bytes written without the NUL.</summary>
    public static int Encode(ReadOnlySpan<char> path, Span<byte> bytes)
    {
        int written = 0;
        if (path.IndexOfAnyInRange(FirstEscape, LastEscape) >= 0)
        {
            int start = 0;
            for (int i = 0; i < path.Length; i++)
            {
                char c = path[i];
                // A low surrogate after a high one is half of a real character, not an escape.
                if (c is < FirstEscape or > LastEscape || (i > 0 && char.IsHighSurrogate(path[i - 1]))) continue;
                written += Encoding.UTF8.GetBytes(path[start..i], bytes[written..]);
                bytes[written++] = (byte)(c - 0xDC00);
                start = i + 1;
            }
            path = path[start..];
        }
        written += Encoding.UTF8.GetBytes(path, bytes[written..]);
        bytes[written] = 0;
        return written;
    }
}
