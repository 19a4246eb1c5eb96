using System;

namespace Gen;

/// <summary>
/// The base rate divided by a term that grows linearly with the step: Keras's
/// <c>InverseTimeDecay(initial_learning_rate, decay_steps, decay_rate, staircase)</c>. PyTorch has no
/// such class.
/// </summary>
/// <remarks>
/// <code>p = t / decaySteps          (⌊t / decaySteps⌋ when staircase)
/// lr(t) = base / (1 + decayRate · p)</code>
/// Computed in double precision in Keras's order of operations (Keras computes in the learning
/// rate's dtype, float32 by default). Keras's <c>step</c> is the optimizer's iteration count before
/// the update, the same 0-based index as here.
/// </remarks>
public sealed class InverseTimeSchedule : LearningRateSchedule
{
    /// <summary>Divides the base rate by <c>1 + decayRate · t / decaySteps</c>.</summary>
    /// <param name="decaySteps">Keras's <c>decay_steps</c>, &gt;= 1.</param>
    /// <param name="decayRate">Keras's <c>decay_rate</c>, finite and &gt;= 0.</param>
    /// <param name="staircase">Whether <c>t / decaySteps</c> is rounded down, so the rate changes only every <paramref name="decaySteps"/> steps.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range.</exception>
    public InverseTimeSchedule(long decaySteps, double decayRate, bool staircase = false)
    {
        DecaySteps = ScheduleArguments.AtLeast(decaySteps, 1, nameof(decaySteps));
        DecayRate = ScheduleArguments.NonNegativeFinite(decayRate, nameof(decayRate));
        Staircase = staircase;
    }

    /// <summary>The number of steps over which the denominator grows by <see cref="DecayRate"/>.</summary>
    public long DecaySteps { get; }

    /// <summary>How much the denominator grows every <see cref="DecaySteps"/> steps.</summary>
    public double DecayRate { get; }

    /// <summary>Whether the rate changes only every <see cref="DecaySteps"/> steps.</summary>
    public bool Staircase { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        FormattableString.Invariant($"InverseTimeSchedule(DecaySteps={DecaySteps}, DecayRate={DecayRate:R}, Staircase={Staircase})");

    /// <inheritdoc/>
    protected override double GetLearningRateCore(long step, double baseLearningRate)
    {
        double p = (double)step / DecaySteps;
        if (Staircase)
        {
            p = Math.Floor(p);
        }

        return baseLearningRate / (1.0 + (DecayRate * p));
    }
}
