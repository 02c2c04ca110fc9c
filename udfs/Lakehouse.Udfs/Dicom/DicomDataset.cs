namespace Lakehouse.Udfs.Dicom;

/// <summary>
/// A set of data elements kept in ascending tag order, as PS3.5 section 7.1 requires on the wire.
/// Used for datasets and for sequence items.
/// </summary>
public sealed partial class DicomDataset
{
    private readonly SortedList<DicomTag, DicomElement> _elements = [];

    /// <summary>The elements in ascending tag order.</summary>
    public IEnumerable<DicomElement> Elements => _elements.Values;

    /// <summary>The number of elements at this level.</summary>
    public int Count => _elements.Count;

    /// <summary>Adds or replaces the element with the same tag.</summary>
    public DicomDataset Set(DicomElement element)
    {
        _elements[element.Tag] = element;
        return this;
    }

    /// <summary>Removes the element with this tag, if present.</summary>
    public bool Remove(DicomTag tag) => _elements.Remove(tag);

    /// <summary>Finds the element with this tag at this level.</summary>
    public bool TryGet(DicomTag tag, out DicomElement element)
    {
        if (_elements.TryGetValue(tag, out var e))
        {
            element = e;
            return true;
        }
        element = null!;
        return false;
    }

    /// <summary>True when this level holds the tag.</summary>
    public bool Contains(DicomTag tag) => _elements.ContainsKey(tag);
}
