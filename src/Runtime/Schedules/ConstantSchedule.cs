using System;

namespace Gen;

/// <summary>
/// The base rate times <see cref="Factor"/> for the first <see cref="TotalSteps"/> steps, then the
/// base rate: PyTorch's <c>ConstantLR(factor, total_iters)</c>. Without arguments, the base rate at every step.
/// </summary>
/// <remarks>
/// <code>lr(t) = base · factor   for t &lt; totalSteps
/// lr(t) = base            for t ≥ totalSteps</code>
/// PyTorch's ConstantLR raises ZeroDivisionError at step <c>total_iters</c> when <c>factor</c> is 0
/// (its chainable form divides by the factor); here 0 is allowed and gives the formula's value. It
/// keeps <c>base · factor</c> forever when <c>total_iters</c> is 0, unlike its own closed form, so
/// 0 is rejected here.
/// </remarks>
public sealed class ConstantSchedule : LearningRateSchedule
{
    /// <summary>The base rate at every step.</summary>
    public ConstantSchedule()
    {
        Factor = 1.0;
        TotalSteps = 0;
    }

    /// <summary>The base rate times <paramref name="factor"/> for the first <paramref name="totalSteps"/> steps, then the base rate.</summary>
    /// <param name="factor">PyTorch's <c>factor</c>, in [0, 1].</param>
    /// <param name="totalSteps">PyTorch's <c>total_iters</c>: the number of steps that use the factor, &gt;= 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range.</exception>
    public ConstantSchedule(double factor, long totalSteps)
    {
        Factor = ScheduleArguments.UnitInterval(factor, nameof(factor));
        TotalSteps = ScheduleArguments.AtLeast(totalSteps, 1, nameof(totalSteps));
    }

    /// <summary>The factor applied to the base rate before <see cref="TotalSteps"/>.</summary>
    public double Factor { get; }

    /// <summary>The number of steps that use <see cref="Factor"/>; 0 for a constant schedule.</summary>
    public long TotalSteps { get; }

    /// <inheritdoc/>
    public override string ToString() => FormattableString.Invariant($"ConstantSchedule(Factor={Factor:R}, TotalSteps={TotalSteps})");

    /// <inheritdoc/>
    protected override double GetLearningRateCore(long step, double baseLearningRate) =>
        step < TotalSteps ? baseLearningRate * Factor : baseLearningRate;
}
