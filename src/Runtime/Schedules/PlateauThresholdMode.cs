namespace Gen;

/// <summary>How a <see cref="ReduceOnPlateauSchedule"/>'s threshold defines a significant improvement: PyTorch's <c>threshold_mode</c>.</summary>
public enum PlateauThresholdMode
{
    /// <summary>
    /// By a fraction of the best value (<c>"rel"</c>, PyTorch's default): better than <c>best · (1 − threshold)</c>
    /// in <see cref="PlateauMode.Min"/> mode, <c>best · (1 + threshold)</c> in <see cref="PlateauMode.Max"/> mode.
    /// </summary>
    Relative,

    /// <summary>By a fixed amount (<c>"abs"</c>): better than <c>best − threshold</c>, or <c>best + threshold</c> in <see cref="PlateauMode.Max"/> mode.</summary>
    Absolute,
}
