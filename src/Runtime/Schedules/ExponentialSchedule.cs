using System;

namespace Gen;

/// <summary>The base rate times <see cref="Gamma"/> at every step: PyTorch's <c>ExponentialLR(gamma)</c>.</summary>
/// <remarks>
/// <code>lr(t) = base · gamma^t</code>
/// PyTorch multiplies the previous rate by gamma at every step; this closed form differs from that
/// by rounding only. With gamma above 1 the rate grows, and a step whose rate overflows throws.
/// </remarks>
public sealed class ExponentialSchedule : LearningRateSchedule
{
    /// <summary>Multiplies the rate by <paramref name="gamma"/> at every step.</summary>
    /// <param name="gamma">The factor per step, finite and &gt;= 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="gamma"/> is out of its range.</exception>
    public ExponentialSchedule(double gamma)
    {
        Gamma = ScheduleArguments.NonNegativeFinite(gamma, nameof(gamma));
    }

    /// <summary>The factor per step.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    public override string ToString() => FormattableString.Invariant($"ExponentialSchedule(Gamma={Gamma:R})");

    /// <inheritdoc/>
    protected override double GetLearningRateCore(long step, double baseLearningRate) =>
        baseLearningRate * Math.Pow(Gamma, step);
}
