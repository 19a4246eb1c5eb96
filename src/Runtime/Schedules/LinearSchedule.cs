using System;

namespace Gen;

/// <summary>
/// The base rate times a factor that moves linearly from <see cref="StartFactor"/> to
/// <see cref="EndFactor"/> over <see cref="TotalSteps"/> steps, then stays: PyTorch's
/// <c>LinearLR(start_factor, end_factor, total_iters)</c>.
/// </summary>
/// <remarks>
/// <code>lr(t) = base · (start + (end − start) · min(t, totalSteps) / totalSteps)</code>
/// PyTorch 1.13's chainable LinearLR divides by <c>start_factor</c> and raises ZeroDivisionError at
/// step 1 when it is 0 (later versions reject 0); here 0 is allowed and gives the formula's value, so a
/// warm-up can start from a rate of 0. PyTorch keeps <c>base · start</c> forever when
/// <c>total_iters</c> is 0, so 0 is rejected here. For a warm-up followed by another schedule use
/// <see cref="LinearWarmupSchedule"/>.
/// </remarks>
public sealed class LinearSchedule : LearningRateSchedule
{
    /// <summary>Moves the factor linearly from <paramref name="startFactor"/> to <paramref name="endFactor"/> over <paramref name="totalSteps"/> steps.</summary>
    /// <param name="startFactor">The factor at step 0, in [0, 1].</param>
    /// <param name="endFactor">The factor from step <paramref name="totalSteps"/> on, in [0, 1].</param>
    /// <param name="totalSteps">PyTorch's <c>total_iters</c>, &gt;= 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range.</exception>
    public LinearSchedule(double startFactor, double endFactor, long totalSteps)
    {
        StartFactor = ScheduleArguments.UnitInterval(startFactor, nameof(startFactor));
        EndFactor = ScheduleArguments.UnitInterval(endFactor, nameof(endFactor));
        TotalSteps = ScheduleArguments.AtLeast(totalSteps, 1, nameof(totalSteps));
    }

    /// <summary>The factor at step 0.</summary>
    public double StartFactor { get; }

    /// <summary>The factor from <see cref="TotalSteps"/> on.</summary>
    public double EndFactor { get; }

    /// <summary>The number of steps over which the factor changes.</summary>
    public long TotalSteps { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        FormattableString.Invariant($"LinearSchedule(StartFactor={StartFactor:R}, EndFactor={EndFactor:R}, TotalSteps={TotalSteps})");

    /// <inheritdoc/>
    protected override double GetLearningRateCore(long step, double baseLearningRate) =>
        baseLearningRate * (StartFactor + ((EndFactor - StartFactor) * Math.Min(TotalSteps, step) / TotalSteps));
}
