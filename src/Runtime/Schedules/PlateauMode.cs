namespace Gen;

/// <summary>Whether a <see cref="ReduceOnPlateauSchedule"/>'s metric improves by going down or up: PyTorch's <c>mode</c>.</summary>
public enum PlateauMode
{
    /// <summary>Lower is better, e.g. a loss (<c>"min"</c>, PyTorch's default).</summary>
    Min,

    /// <summary>Higher is better, e.g. an accuracy (<c>"max"</c>).</summary>
    Max,
}
