using System.Buffers.Binary;
using System.Globalization;

namespace Lakehouse.Udfs.Deidentification;

/// <summary>
/// Maps every UID to <c>2.25.&lt;decimal&gt;</c> (PS3.5 B.2) from a keyed hash of the original, so the same UID maps to
/// the same new UID in every file and run: study/series hierarchy and references stay consistent.
/// </summary>
public static class UidRemapper
{
    /// <summary>Root of the new UIDs.</summary>
    public const string Root = "2.25.";

    /// <summary>The new UID (at most 44 characters). Trailing padding (space, NUL) of the original is ignored.</summary>
    public static string Remap(DeidKey key, string uid)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(uid);
        byte[] mac = key.Hash("uid", uid.TrimEnd(' ', '\0'));
        // 128 bits as an unsigned integer; its decimal form has no leading zero, as UID components require.
        UInt128 value = BinaryPrimitives.ReadUInt128BigEndian(mac);
        return Root + value.ToString(CultureInfo.InvariantCulture);
    }
}
