using System;

namespace Gen;

/// <summary>
/// Reduces the rate by <see cref="Factor"/> when a reported metric has stopped improving: PyTorch's
/// <c>ReduceLROnPlateau</c>. Unlike the other schedules this one is stateful: it learns from
/// <see cref="Report"/>, and its rate does not depend on the step.
/// </summary>
/// <remarks>
/// <para>
/// Call <see cref="Report"/> once per evaluation (usually per epoch) with the metric, as PyTorch's
/// <c>scheduler.step(metric)</c>; an attached optimizer uses the reduced rate from its next
/// <see cref="Optimizer{TGradients}.Step(TGradients)"/>. After each report, exactly as PyTorch: an improvement
/// beyond the threshold (see <see cref="PlateauThresholdMode"/>) makes the metric the new best and
/// clears the count of bad reports, anything else (including NaN) adds one; while a cooldown runs,
/// it counts down and the bad count is cleared; when the bad count exceeds <see cref="Patience"/>,
/// the schedule reduces, starts the cooldown and clears the bad count.
/// </para>
/// <para>
/// Each reduction acts on a rate as PyTorch's does on a parameter group's <c>lr</c>: the new rate
/// is <c>max(rate · factor, minLr)</c>, kept only if it is more than <see cref="Epsilon"/> below the
/// old one. The schedule stores the number of reductions, and <see cref="LearningRateSchedule.GetLearningRate"/> applies
/// them to the base rate it is given (the same arithmetic, so the same bits as PyTorch), which lets
/// one instance serve optimizers with different base rates, as PyTorch's serves several parameter groups.
/// The work per call grows with the number of reductions that still change the rate (a thousand at
/// most, when <see cref="Epsilon"/> and <see cref="MinLearningRate"/> are 0 and the rate halves to 0).
/// </para>
/// <para>
/// PyTorch's relative threshold compares with <c>best · (1 ∓ threshold)</c> also for negative
/// metrics, where that makes a slightly worse value count as an improvement; this is reproduced.
/// Not thread-safe: report from one thread, and do not report while an optimizer that uses the
/// schedule is stepping on another. <see cref="Optimizer{TGradients}.Reset"/> does not touch this
/// state (the schedule may be shared); call <see cref="Reset"/> for that.
/// </para>
/// </remarks>
public sealed class ReduceOnPlateauSchedule : LearningRateSchedule
{
    /// <summary>A plateau schedule with PyTorch's defaults unless given.</summary>
    /// <param name="mode">Whether the metric improves by going down (a loss) or up.</param>
    /// <param name="factor">The factor applied at a reduction, in [0, 1).</param>
    /// <param name="patience">The number of bad reports tolerated before a reduction, &gt;= 0.</param>
    /// <param name="threshold">The least improvement that counts, finite and &gt;= 0.</param>
    /// <param name="thresholdMode">Whether <paramref name="threshold"/> is relative or absolute.</param>
    /// <param name="cooldown">The number of reports after a reduction during which bad reports are not counted, &gt;= 0.</param>
    /// <param name="minLearningRate">PyTorch's <c>min_lr</c>: the rate is never reduced below it (an absolute rate), finite and &gt;= 0.</param>
    /// <param name="epsilon">PyTorch's <c>eps</c>: a reduction smaller than this is skipped, finite and &gt;= 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range.</exception>
    public ReduceOnPlateauSchedule(
        PlateauMode mode = PlateauMode.Min,
        double factor = 0.1,
        int patience = 10,
        double threshold = 1e-4,
        PlateauThresholdMode thresholdMode = PlateauThresholdMode.Relative,
        int cooldown = 0,
        double minLearningRate = 0.0,
        double epsilon = 1e-8)
    {
        if (mode is not (PlateauMode.Min or PlateauMode.Max))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown plateau mode.");
        }

        if (thresholdMode is not (PlateauThresholdMode.Relative or PlateauThresholdMode.Absolute))
        {
            throw new ArgumentOutOfRangeException(nameof(thresholdMode), thresholdMode, "Unknown threshold mode.");
        }

        if (!(factor >= 0 && factor < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "factor must be >= 0 and < 1.");
        }

        Mode = mode;
        Factor = factor;
        Patience = ScheduleArguments.AtLeast(patience, 0, nameof(patience));
        Threshold = ScheduleArguments.NonNegativeFinite(threshold, nameof(threshold));
        ThresholdMode = thresholdMode;
        Cooldown = ScheduleArguments.AtLeast(cooldown, 0, nameof(cooldown));
        MinLearningRate = ScheduleArguments.NonNegativeFinite(minLearningRate, nameof(minLearningRate));
        Epsilon = ScheduleArguments.NonNegativeFinite(epsilon, nameof(epsilon));
        Reset();
    }

    /// <summary>Whether the metric improves by going down or up.</summary>
    public PlateauMode Mode { get; }

    /// <summary>The factor applied at a reduction.</summary>
    public double Factor { get; }

    /// <summary>The number of bad reports tolerated before a reduction.</summary>
    public int Patience { get; }

    /// <summary>The least improvement that counts.</summary>
    public double Threshold { get; }

    /// <summary>Whether <see cref="Threshold"/> is relative or absolute.</summary>
    public PlateauThresholdMode ThresholdMode { get; }

    /// <summary>The number of reports after a reduction during which bad reports are not counted.</summary>
    public int Cooldown { get; }

    /// <summary>The rate is never reduced below this.</summary>
    public double MinLearningRate { get; }

    /// <summary>A reduction smaller than this is skipped.</summary>
    public double Epsilon { get; }

    /// <summary>The best metric so far: +∞ (<see cref="PlateauMode.Min"/>) or −∞ before the first improvement.</summary>
    public double Best { get; private set; }

    /// <summary>The number of bad reports since the last improvement, reduction or cooldown report (PyTorch's <c>num_bad_epochs</c>).</summary>
    public int BadReports { get; private set; }

    /// <summary>The number of reports the current cooldown still lasts (PyTorch's <c>cooldown_counter</c>).</summary>
    public int CooldownRemaining { get; private set; }

    /// <summary>The number of reductions so far: the rate is the base rate reduced this many times.</summary>
    public int Reductions { get; private set; }

    /// <summary>The number of reports so far (PyTorch's <c>last_epoch</c>).</summary>
    public long ReportCount { get; private set; }

    /// <summary>Records one evaluation of the metric, as PyTorch's <c>scheduler.step(metric)</c>.</summary>
    /// <param name="metric">The metric; NaN never counts as an improvement.</param>
    /// <returns><see langword="true"/> when this report reduced the rate (a reduction that <see cref="MinLearningRate"/> or <see cref="Epsilon"/> makes a no-op still counts).</returns>
    public bool Report(double metric)
    {
        ReportCount++;
        if (IsBetter(metric, Best))
        {
            Best = metric;
            BadReports = 0;
        }
        else
        {
            BadReports++;
        }

        if (CooldownRemaining > 0)
        {
            CooldownRemaining--;
            BadReports = 0;
        }

        if (BadReports > Patience)
        {
            Reductions = checked(Reductions + 1);
            CooldownRemaining = Cooldown;
            BadReports = 0;
            return true;
        }

        return false;
    }

    /// <summary>Returns to the state after construction: no reports, no reductions.</summary>
    public void Reset()
    {
        Best = Mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity;
        BadReports = 0;
        CooldownRemaining = 0;
        Reductions = 0;
        ReportCount = 0;
    }

    /// <inheritdoc/>
    public override string ToString() => FormattableString.Invariant($"ReduceOnPlateauSchedule(Mode={Mode}, Factor={Factor:R}, Patience={Patience}, Threshold={Threshold:R}, ThresholdMode={ThresholdMode}, Cooldown={Cooldown}, MinLearningRate={MinLearningRate:R}, Epsilon={Epsilon:R}, Reductions={Reductions})");

    /// <summary>The base rate after <see cref="Reductions"/> reductions; the step does not matter.</summary>
    protected override double GetLearningRateCore(long step, double baseLearningRate)
    {
        double rate = baseLearningRate;
        for (int i = 0; i < Reductions; i++)
        {
            double reduced = Math.Max(rate * Factor, MinLearningRate);
            if (!(rate - reduced > Epsilon))
            {
                // A skipped reduction leaves the rate as it was, so every later one is skipped too.
                break;
            }

            rate = reduced;
        }

        return rate;
    }

    /// <summary>PyTorch's <c>is_better</c>, operation for operation.</summary>
    private bool IsBetter(double metric, double best) => (Mode, ThresholdMode) switch
    {
        (PlateauMode.Min, PlateauThresholdMode.Relative) => metric < best * (1.0 - Threshold),
        (PlateauMode.Min, PlateauThresholdMode.Absolute) => metric < best - Threshold,
        (PlateauMode.Max, PlateauThresholdMode.Relative) => metric > best * (Threshold + 1.0),
        _ => metric > best + Threshold,
    };
}
