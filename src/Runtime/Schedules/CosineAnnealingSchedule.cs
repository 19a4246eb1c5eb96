using System;

namespace Gen;

/// <summary>
/// The rate follows a cosine from the base rate down to <see cref="MinLearningRate"/> over
/// <see cref="AnnealingSteps"/> steps: PyTorch's <c>CosineAnnealingLR(T_max, eta_min)</c>.
/// </summary>
/// <remarks>
/// <code>lr(t) = minLr + (base − minLr) · (1 + cos(π · t / annealingSteps)) / 2</code>
/// As in PyTorch, the rate does not stay at the minimum after <see cref="AnnealingSteps"/>: the cosine
/// goes on, back up to the base rate at 2 · annealingSteps, and so on with period 2 · annealingSteps.
/// Use <see cref="SequentialSchedule"/> to hold it, or <see cref="CosineAnnealingWarmRestartsSchedule"/>
/// to restart from the top. PyTorch computes this recursively, each rate from the previous one
/// (with an additive step at each minimum to avoid dividing by zero); that form equals this closed
/// form up to rounding (within 2e-14 relative over three periods for T_max up to 10,000).
/// </remarks>
public sealed class CosineAnnealingSchedule : LearningRateSchedule
{
    /// <summary>Anneals from the base rate to <paramref name="minLearningRate"/> over <paramref name="annealingSteps"/> steps.</summary>
    /// <param name="annealingSteps">PyTorch's <c>T_max</c>: the step at which the rate reaches the minimum, &gt;= 1.</param>
    /// <param name="minLearningRate">PyTorch's <c>eta_min</c>: the minimum rate (an absolute rate, not a factor), finite and &gt;= 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range.</exception>
    public CosineAnnealingSchedule(long annealingSteps, double minLearningRate = 0.0)
    {
        AnnealingSteps = ScheduleArguments.AtLeast(annealingSteps, 1, nameof(annealingSteps));
        MinLearningRate = ScheduleArguments.NonNegativeFinite(minLearningRate, nameof(minLearningRate));
    }

    /// <summary>The number of steps from the base rate to the minimum: half the period.</summary>
    public long AnnealingSteps { get; }

    /// <summary>The minimum rate.</summary>
    public double MinLearningRate { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        FormattableString.Invariant($"CosineAnnealingSchedule(AnnealingSteps={AnnealingSteps}, MinLearningRate={MinLearningRate:R})");

    /// <inheritdoc/>
    protected override double GetLearningRateCore(long step, double baseLearningRate)
    {
        double min = MinLearningRate;
        return min + ((baseLearningRate - min) * (1 + Math.Cos(Math.PI * step / AnnealingSteps)) / 2);
    }
}
