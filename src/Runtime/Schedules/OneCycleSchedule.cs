using System;
using System.Runtime.CompilerServices;

namespace Gen;

/// <summary>
/// The 1cycle policy over a fixed number of steps: up from <c>base / divFactor</c> to the base rate,
/// then down to <c>base / divFactor / finalDivFactor</c>: PyTorch's <c>OneCycleLR</c>, whose
/// <c>max_lr</c> is the base rate here.
/// </summary>
/// <remarks>
/// <para>
/// With <c>initial = base / divFactor</c>, <c>min = initial / finalDivFactor</c> and P = pctStart · totalSteps:
/// </para>
/// <code>two phases:   initial → base over steps 0 … P − 1, then base → min until totalSteps − 1
/// three phases: initial → base over 0 … P − 1, base → initial until 2P − 2, initial → min until totalSteps − 1</code>
/// <para>
/// each phase annealed by <see cref="Annealing"/> with <c>pct = (t − phase start) / (phase end − phase start)</c>,
/// the phase ends being PyTorch's fractional <c>end_step</c>s. The arithmetic is PyTorch's, so the values
/// are the same bit for bit. The base rate is <c>max_lr</c>: PyTorch ignores the optimizer's own
/// <c>lr</c>, so set <see cref="Optimizer{TGradients}.BaseLearningRate"/> to the <c>max_lr</c> you would
/// give PyTorch. PyTorch's <c>epochs</c> and <c>steps_per_epoch</c> only set
/// <c>total_steps = epochs · steps_per_epoch</c>; pass that product. Momentum cycling
/// (<c>cycle_momentum</c>) is not part of this schedule.
/// </para>
/// <para>
/// PyTorch quirks and how they are handled: PyTorch lets the scheduler compute one rate past the
/// end (step <c>total_steps</c>, which extrapolates the last phase and is negative for linear
/// annealing) and raises ValueError on the next; here any step &gt;= <see cref="TotalSteps"/> throws
/// <see cref="ArgumentOutOfRangeException"/>. PyTorch raises ZeroDivisionError when
/// <c>pct_start · total_steps</c> is exactly 1 (its first phase then has no length); that is
/// rejected here at construction. When <c>pct_start · total_steps</c> is below 1 there is no warm-up:
/// step 0 is already a step down from the peak. With <c>pct_start</c> 1 PyTorch's scheduler.step()
/// after the last step raises ZeroDivisionError; the steps before it are followed.
/// </para>
/// </remarks>
public sealed class OneCycleSchedule : LearningRateSchedule
{
    private readonly double _firstEnd;
    private readonly double _secondEnd;

    /// <summary>A 1cycle schedule over <paramref name="totalSteps"/> steps peaking at the base rate.</summary>
    /// <param name="totalSteps">PyTorch's <c>total_steps</c>: the number of steps the schedule covers, &gt;= 1.</param>
    /// <param name="pctStart">The fraction of the steps spent increasing the rate, in [0, 1]; <c>pctStart · totalSteps</c> must not be 1.</param>
    /// <param name="annealing">Cosine or linear annealing within each phase.</param>
    /// <param name="divFactor">The start rate is <c>base / divFactor</c>; finite and &gt; 0.</param>
    /// <param name="finalDivFactor">The final rate is <c>base / divFactor / finalDivFactor</c>; finite and &gt; 0.</param>
    /// <param name="threePhase">Whether to go back down to the start rate symmetrically before annealing to the final rate (the original paper's form).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range.</exception>
    public OneCycleSchedule(
        long totalSteps,
        double pctStart = 0.3,
        OneCycleAnnealing annealing = OneCycleAnnealing.Cosine,
        double divFactor = 25.0,
        double finalDivFactor = 1e4,
        bool threePhase = false)
    {
        TotalSteps = ScheduleArguments.AtLeast(totalSteps, 1, nameof(totalSteps));
        PctStart = ScheduleArguments.UnitInterval(pctStart, nameof(pctStart));
        if (annealing is not (OneCycleAnnealing.Cosine or OneCycleAnnealing.Linear))
        {
            throw new ArgumentOutOfRangeException(nameof(annealing), annealing, "Unknown annealing strategy.");
        }

        Annealing = annealing;
        DivFactor = ScheduleArguments.PositiveFinite(divFactor, nameof(divFactor));
        FinalDivFactor = ScheduleArguments.PositiveFinite(finalDivFactor, nameof(finalDivFactor));
        ThreePhase = threePhase;

        // PyTorch's end_step of each phase, in its arithmetic: float(pct_start * total_steps) - 1, and
        // float(2 * pct_start * total_steps) - 2 for the second of three phases.
        _firstEnd = (pctStart * totalSteps) - 1;
        _secondEnd = (2 * pctStart * totalSteps) - 2;
        if (_firstEnd == 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(pctStart),
                pctStart,
                FormattableString.Invariant($"pctStart · totalSteps is 1 ({pctStart:R} · {totalSteps}): the warm-up phase would have no length (PyTorch divides by zero). Use a pctStart that gives 0 or at least 2 warm-up steps."));
        }
    }

    /// <summary>The number of steps the schedule covers: steps 0 to <c>TotalSteps − 1</c>.</summary>
    public long TotalSteps { get; }

    /// <summary>The fraction of the steps spent increasing the rate.</summary>
    public double PctStart { get; }

    /// <summary>How the rate moves within a phase.</summary>
    public OneCycleAnnealing Annealing { get; }

    /// <summary>The start rate is the base rate divided by this.</summary>
    public double DivFactor { get; }

    /// <summary>The final rate is the start rate divided by this.</summary>
    public double FinalDivFactor { get; }

    /// <summary>Whether the schedule has three phases.</summary>
    public bool ThreePhase { get; }

    /// <inheritdoc/>
    public override string ToString() => FormattableString.Invariant($"OneCycleSchedule(TotalSteps={TotalSteps}, PctStart={PctStart:R}, Annealing={Annealing}, DivFactor={DivFactor:R}, FinalDivFactor={FinalDivFactor:R}, ThreePhase={ThreePhase})");

    /// <inheritdoc/>
    protected override double GetLearningRateCore(long step, double baseLearningRate)
    {
        if (step >= TotalSteps)
        {
            ThrowPastTheEnd(step);
        }

        double max = baseLearningRate;
        double initial = max / DivFactor;
        double min = initial / FinalDivFactor;
        double lastEnd = TotalSteps - 1;

        // PyTorch's phase search: the first phase whose end_step is >= step, else the last; each
        // phase starts where the previous one ended (the first at 0).
        if (ThreePhase)
        {
            if (step <= _firstEnd)
            {
                return Anneal(initial, max, step / _firstEnd);
            }

            if (step <= _secondEnd)
            {
                return Anneal(max, initial, (step - _firstEnd) / (_secondEnd - _firstEnd));
            }

            return Anneal(initial, min, (step - _secondEnd) / (lastEnd - _secondEnd));
        }

        if (step <= _firstEnd)
        {
            return Anneal(initial, max, step / _firstEnd);
        }

        return Anneal(max, min, (step - _firstEnd) / (lastEnd - _firstEnd));
    }

    private double Anneal(double start, double end, double pct) =>
        Annealing == OneCycleAnnealing.Cosine
            ? end + ((start - end) / 2.0 * (Math.Cos(Math.PI * pct) + 1))
            : ((end - start) * pct) + start;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowPastTheEnd(long step) =>
        throw new ArgumentOutOfRangeException(
            nameof(step),
            step,
            FormattableString.Invariant($"This OneCycleSchedule covers steps 0 to {TotalSteps - 1} (TotalSteps = {TotalSteps}); step {step} is past its end."));
}
