using System;

namespace Gen;

/// <summary>
/// Cosine annealing from the base rate to <see cref="MinLearningRate"/> that restarts at the base
/// rate, each period <see cref="PeriodMultiplier"/> times longer than the one before: PyTorch's
/// <c>CosineAnnealingWarmRestarts(T_0, T_mult, eta_min)</c> (SGDR).
/// </summary>
/// <remarks>
/// <code>period i lasts Tᵢ = firstPeriod · multiplier^i steps; t' = steps since the last restart
/// lr(t) = minLr + (base − minLr) · (1 + cos(π · t' / Tᵢ)) / 2</code>
/// The rate at a restart is the base rate; the minimum itself is never used (the step after
/// t' = Tᵢ − 1 is the next restart). PyTorch computes this directly from the same integers, so the
/// values are the same bit for bit.
/// </remarks>
public sealed class CosineAnnealingWarmRestartsSchedule : LearningRateSchedule
{
    /// <summary>Anneals over <paramref name="firstPeriod"/> steps, then restarts with periods <paramref name="periodMultiplier"/> times longer each time.</summary>
    /// <param name="firstPeriod">PyTorch's <c>T_0</c>: the length of the first period in steps, &gt;= 1.</param>
    /// <param name="periodMultiplier">PyTorch's <c>T_mult</c>: an integer &gt;= 1.</param>
    /// <param name="minLearningRate">PyTorch's <c>eta_min</c>: the minimum rate (an absolute rate), finite and &gt;= 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range.</exception>
    public CosineAnnealingWarmRestartsSchedule(long firstPeriod, int periodMultiplier = 1, double minLearningRate = 0.0)
    {
        FirstPeriod = ScheduleArguments.AtLeast(firstPeriod, 1, nameof(firstPeriod));
        PeriodMultiplier = ScheduleArguments.AtLeast(periodMultiplier, 1, nameof(periodMultiplier));
        MinLearningRate = ScheduleArguments.NonNegativeFinite(minLearningRate, nameof(minLearningRate));
    }

    /// <summary>The length of the first period in steps.</summary>
    public long FirstPeriod { get; }

    /// <summary>The factor by which each period is longer than the one before.</summary>
    public int PeriodMultiplier { get; }

    /// <summary>The minimum rate.</summary>
    public double MinLearningRate { get; }

    /// <inheritdoc/>
    public override string ToString() => FormattableString.Invariant($"CosineAnnealingWarmRestartsSchedule(FirstPeriod={FirstPeriod}, PeriodMultiplier={PeriodMultiplier}, MinLearningRate={MinLearningRate:R})");

    /// <inheritdoc/>
    protected override double GetLearningRateCore(long step, double baseLearningRate)
    {
        // PyTorch's T_cur (steps into the current period) and T_i (its length), exactly.
        long sinceRestart;
        double period;
        if (PeriodMultiplier == 1)
        {
            sinceRestart = step % FirstPeriod;
            period = FirstPeriod;
        }
        else
        {
            sinceRestart = step;
            long length = FirstPeriod;
            while (true)
            {
                if (sinceRestart < length)
                {
                    period = length;
                    break;
                }

                sinceRestart -= length;
                if (length > long.MaxValue / PeriodMultiplier)
                {
                    // The next period is longer than any step count: this is the last one.
                    period = (double)length * PeriodMultiplier;
                    break;
                }

                length *= PeriodMultiplier;
            }
        }

        double min = MinLearningRate;
        return min + ((baseLearningRate - min) * (1 + Math.Cos(Math.PI * sinceRestart / period)) / 2);
    }
}
