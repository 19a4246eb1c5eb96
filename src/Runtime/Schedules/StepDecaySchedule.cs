using System;

namespace Gen;

/// <summary>
/// The base rate times <see cref="Gamma"/> once every <see cref="StepSize"/> steps: PyTorch's
/// <c>StepLR(step_size, gamma)</c>.
/// </summary>
/// <remarks>
/// <code>lr(t) = base · gamma^⌊t / stepSize⌋</code>
/// PyTorch multiplies the previous rate by gamma at each multiple of step_size; this closed form
/// (PyTorch's own <c>_get_closed_form_lr</c>) differs from that by rounding only.
/// </remarks>
public sealed class StepDecaySchedule : LearningRateSchedule
{
    /// <summary>Multiplies the rate by <paramref name="gamma"/> every <paramref name="stepSize"/> steps.</summary>
    /// <param name="stepSize">PyTorch's <c>step_size</c>: the period of the decay, &gt;= 1.</param>
    /// <param name="gamma">The factor per period, finite and &gt;= 0 (above 1 the rate grows).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range.</exception>
    public StepDecaySchedule(long stepSize, double gamma = 0.1)
    {
        StepSize = ScheduleArguments.AtLeast(stepSize, 1, nameof(stepSize));
        Gamma = ScheduleArguments.NonNegativeFinite(gamma, nameof(gamma));
    }

    /// <summary>The number of steps between two decays.</summary>
    public long StepSize { get; }

    /// <summary>The factor applied at each decay.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    public override string ToString() => FormattableString.Invariant($"StepDecaySchedule(StepSize={StepSize}, Gamma={Gamma:R})");

    /// <inheritdoc/>
    protected override double GetLearningRateCore(long step, double baseLearningRate) =>
        baseLearningRate * Math.Pow(Gamma, step / StepSize);
}
