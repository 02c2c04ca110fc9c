namespace Lakehouse.Udfs.Dicom;

/// <summary>One attribute of the standard data dictionary (PS3.6).</summary>
/// <param name="Tag">The tag (for a mask entry, its lowest match).</param>
/// <param name="VR">The first VR the dictionary lists (the one used to read implicit VR data).</param>
/// <param name="AlternativeVRs">Further VRs separated by '/', as for "US or SS"; empty when there is one.</param>
/// <param name="VM">Value multiplicity, such as "1", "1-n", "2-2n".</param>
/// <param name="Keyword">The keyword, such as PatientName; empty for a few retired entries.</param>
/// <param name="Retired">True when the standard retired the attribute.</param>
public sealed record DicomDictionaryEntry(DicomTag Tag, DicomVR VR, string AlternativeVRs, string VM, string Keyword, bool Retired);

/// <summary>Look-ups in the generated data dictionary (see DicomDictionary.g.cs).</summary>
public static partial class DicomDictionary
{
    private static readonly Lazy<Dictionary<string, DicomDictionaryEntry>> ByKeyword = new(() =>
    {
        var map = new Dictionary<string, DicomDictionaryEntry>(StringComparer.Ordinal);
        foreach (var e in Entries)
            if (e.Keyword.Length > 0) map.TryAdd(e.Keyword, e);
        return map;
    });

    // Implicit VR data asks for the VR of every element: a hash look-up instead of a binary search over ~5,000 tags.
    // A nested class, so the table is built after Entries (field initializers of partial files run in no set order).
    private static class VRByTag
    {
        public static readonly System.Collections.Frozen.FrozenDictionary<uint, DicomVR> Table =
            System.Collections.Frozen.FrozenDictionary.ToFrozenDictionary(Entries.DistinctBy(e => e.Tag.Value), e => e.Tag.Value, e => e.VR);
    }

    /// <summary>The number of exact (non-mask) entries.</summary>
    public static int Count => Entries.Length;

    /// <summary>Finds the entry of a tag, including repeating-group masks such as (60xx,3000).</summary>
    public static bool TryGet(DicomTag tag, out DicomDictionaryEntry entry)
    {
        int i = Array.BinarySearch(TagValues, tag.Value);
        if (i >= 0)
        {
            entry = Entries[i];
            return true;
        }
        foreach (var (value, mask, e) in MaskEntries)
        {
            if ((tag.Value & mask) == value)
            {
                entry = e;
                return true;
            }
        }
        entry = null!;
        return false;
    }

    /// <summary>The VR to read an implicit-VR element with: the dictionary's, else UN (PS3.5 section 6.2.2).</summary>
    public static DicomVR ImplicitVR(DicomTag tag)
    {
        if (tag.IsGroupLength) return DicomVR.UL;
        if (tag.IsPrivateCreator) return DicomVR.LO;
        if (VRByTag.Table.TryGetValue(tag.Value, out var vr)) return vr;
        return TryGet(tag, out var e) ? e.VR : DicomVR.UN; // repeating-group masks
    }

    /// <summary>Finds an entry by keyword.</summary>
    public static bool TryGetByKeyword(string keyword, out DicomDictionaryEntry entry) =>
        ByKeyword.Value.TryGetValue(keyword, out entry!);
}
