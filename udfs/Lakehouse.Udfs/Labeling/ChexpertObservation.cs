namespace Lakehouse.Udfs.Labeling;

/// <summary>The 14 CheXpert observations, in CheXpert's column order.</summary>
public enum ChexpertObservation
{
    /// <summary>No Finding: derived, positive only when no other observation but Support Devices is positive or uncertain.</summary>
    NoFinding,
    /// <summary>Enlarged Cardiomediastinum.</summary>
    EnlargedCardiomediastinum,
    /// <summary>Cardiomegaly.</summary>
    Cardiomegaly,
    /// <summary>Lung Opacity.</summary>
    LungOpacity,
    /// <summary>Lung Lesion.</summary>
    LungLesion,
    /// <summary>Edema.</summary>
    Edema,
    /// <summary>Consolidation.</summary>
    Consolidation,
    /// <summary>Pneumonia.</summary>
    Pneumonia,
    /// <summary>Atelectasis.</summary>
    Atelectasis,
    /// <summary>Pneumothorax.</summary>
    Pneumothorax,
    /// <summary>Pleural Effusion.</summary>
    PleuralEffusion,
    /// <summary>Pleural Other.</summary>
    PleuralOther,
    /// <summary>Fracture.</summary>
    Fracture,
    /// <summary>Support Devices.</summary>
    SupportDevices,
}

/// <summary>Names of the observations as tables and CSV files spell them.</summary>
public static class ChexpertObservations
{
    private static readonly string[] Columns =
    [
        "no_finding", "enlarged_cardiomediastinum", "cardiomegaly", "lung_opacity", "lung_lesion", "edema", "consolidation",
        "pneumonia", "atelectasis", "pneumothorax", "pleural_effusion", "pleural_other", "fracture", "support_devices",
    ];

    private static readonly string[] Displays =
    [
        "No Finding", "Enlarged Cardiomediastinum", "Cardiomegaly", "Lung Opacity", "Lung Lesion", "Edema", "Consolidation",
        "Pneumonia", "Atelectasis", "Pneumothorax", "Pleural Effusion", "Pleural Other", "Fracture", "Support Devices",
    ];

    /// <summary>Number of observations (14).</summary>
    public const int Count = 14;

    /// <summary>All observations in CheXpert's column order.</summary>
    public static IReadOnlyList<ChexpertObservation> All { get; } = Enumerable.Range(0, Count).Select(i => (ChexpertObservation)i).ToArray();

    /// <summary>The snake_case column name, e.g. <c>pleural_effusion</c>.</summary>
    public static string ColumnName(this ChexpertObservation observation) => Columns[(int)observation];

    /// <summary>CheXpert's display name, e.g. <c>Pleural Effusion</c>.</summary>
    public static string DisplayName(this ChexpertObservation observation) => Displays[(int)observation];

    /// <summary>Parses a snake_case column name or a display name (case-insensitive).</summary>
    public static bool TryParse(string name, out ChexpertObservation observation)
    {
        for (int i = 0; i < Count; i++)
        {
            if (string.Equals(name, Columns[i], StringComparison.OrdinalIgnoreCase) ||
                string.Equals(name, Displays[i], StringComparison.OrdinalIgnoreCase))
            {
                observation = (ChexpertObservation)i;
                return true;
            }
        }
        observation = default;
        return false;
    }
}
