namespace Gen;

/// <summary>How a <see cref="GradientAccumulator{TGradients}"/> combines the gradients of one cycle of micro-batches.</summary>
public enum GradientAccumulationMode
{
    /// <summary>
    /// The mean: the sum divided by the number of micro-batches. One step on k micro-batches of n
    /// samples then equals one step on a batch of k·n samples when each micro-batch gradient is a mean
    /// over its samples (Optax <c>MultiSteps</c>' default, Keras' <c>gradient_accumulation_steps</c>).
    /// </summary>
    Mean = 0,

    /// <summary>The sum, unscaled: for losses that are sums over samples rather than means.</summary>
    Sum = 1,
}
