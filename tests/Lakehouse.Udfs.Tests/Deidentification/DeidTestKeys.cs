using Lakehouse.Udfs.Deidentification;

namespace Lakehouse.Udfs.Tests.Deidentification;

internal static class DeidTestKeys
{
    // Invented test secrets, not used anywhere else.
    public static readonly DeidKey A = DeidKey.FromSecret("test-key-A-9f3c1e77b2d84a06b5e1c3d2a4f60718");
    public static readonly DeidKey B = DeidKey.FromSecret("test-key-B-0d6a2b94c8e1f35a7b9c0e2d4f681a3c");
}
