namespace Gen;

/// <summary>How a <see cref="OneCycleSchedule"/> moves between two rates within a phase: PyTorch's <c>anneal_strategy</c>.</summary>
public enum OneCycleAnnealing
{
    /// <summary>Half a cosine (<c>"cos"</c>, PyTorch's default).</summary>
    Cosine,

    /// <summary>A straight line (<c>"linear"</c>).</summary>
    Linear,
}
