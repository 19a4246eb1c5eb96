using System;

namespace Gen;

/// <summary>
/// The base rate decayed to 0 over <see cref="TotalSteps"/> steps along a power curve: PyTorch's
/// <c>PolynomialLR(total_iters, power)</c>.
/// </summary>
/// <remarks>
/// <code>lr(t) = base · (1 − min(t, totalSteps) / totalSteps)^power</code>
/// The rate is 0 from step <see cref="TotalSteps"/> on (with power 0: the base rate throughout).
/// PyTorch keeps the base rate forever when <c>total_iters</c> is 0, unlike its own closed form
/// (which divides by zero), so 0 is rejected here; a negative power makes PyTorch raise at
/// <c>total_iters</c> and is rejected too.
/// </remarks>
public sealed class PolynomialSchedule : LearningRateSchedule
{
    /// <summary>Decays the base rate to 0 over <paramref name="totalSteps"/> steps.</summary>
    /// <param name="totalSteps">PyTorch's <c>total_iters</c>, &gt;= 1.</param>
    /// <param name="power">The exponent, finite and &gt;= 0 (1: linear).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range.</exception>
    public PolynomialSchedule(long totalSteps, double power = 1.0)
    {
        TotalSteps = ScheduleArguments.AtLeast(totalSteps, 1, nameof(totalSteps));
        Power = ScheduleArguments.NonNegativeFinite(power, nameof(power));
    }

    /// <summary>The step from which the rate is 0.</summary>
    public long TotalSteps { get; }

    /// <summary>The exponent of the decay.</summary>
    public double Power { get; }

    /// <inheritdoc/>
    public override string ToString() => FormattableString.Invariant($"PolynomialSchedule(TotalSteps={TotalSteps}, Power={Power:R})");

    /// <inheritdoc/>
    protected override double GetLearningRateCore(long step, double baseLearningRate) =>
        baseLearningRate * Math.Pow(1.0 - ((double)Math.Min(TotalSteps, step) / TotalSteps), Power);
}
