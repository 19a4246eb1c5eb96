using System;

namespace Gen;

/// <summary>
/// A linear warm-up from <see cref="StartFactor"/> times the base rate over <see cref="WarmupSteps"/>
/// steps, then <see cref="After"/> started from its own step 0: PyTorch's
/// <c>SequentialLR([LinearLR(start_factor, 1.0, warmup_steps), after], milestones=[warmup_steps])</c>.
/// </summary>
/// <remarks>
/// <code>lr(t) = base · (start + (1 − start) · t / warmupSteps)   for t &lt; warmupSteps
/// lr(t) = after(t − warmupSteps)                           for t ≥ warmupSteps</code>
/// As in PyTorch, the warm-up's last step uses <c>start + (1 − start) · (W − 1) / W</c> of the base
/// rate, not all of it; the first step of <see cref="After"/> (its step 0, usually the base rate)
/// comes next. <see cref="After"/> may be any schedule, including a <see cref="ReduceOnPlateauSchedule"/>
/// (which PyTorch's SequentialLR cannot hold).
/// </remarks>
public sealed class LinearWarmupSchedule : LearningRateSchedule
{
    /// <summary>Warms up linearly over <paramref name="warmupSteps"/> steps, then follows <paramref name="after"/>.</summary>
    /// <param name="warmupSteps">The number of warm-up steps, &gt;= 1.</param>
    /// <param name="startFactor">The factor of the base rate at step 0, in [0, 1].</param>
    /// <param name="after">The schedule from step <paramref name="warmupSteps"/> on, which sees that step as its step 0.</param>
    /// <exception cref="ArgumentNullException"><paramref name="after"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range.</exception>
    public LinearWarmupSchedule(long warmupSteps, double startFactor, LearningRateSchedule after)
    {
        WarmupSteps = ScheduleArguments.AtLeast(warmupSteps, 1, nameof(warmupSteps));
        StartFactor = ScheduleArguments.UnitInterval(startFactor, nameof(startFactor));
        After = ScheduleArguments.NotNull(after, nameof(after));
    }

    /// <summary>The number of warm-up steps.</summary>
    public long WarmupSteps { get; }

    /// <summary>The factor of the base rate at step 0.</summary>
    public double StartFactor { get; }

    /// <summary>The schedule after the warm-up.</summary>
    public LearningRateSchedule After { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        FormattableString.Invariant($"LinearWarmupSchedule(WarmupSteps={WarmupSteps}, StartFactor={StartFactor:R}, After={After})");

    /// <inheritdoc/>
    protected override double GetLearningRateCore(long step, double baseLearningRate) =>
        step < WarmupSteps
            ? baseLearningRate * (StartFactor + ((1.0 - StartFactor) * step / WarmupSteps))
            : After.GetLearningRate(step - WarmupSteps, baseLearningRate);
}
