using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;

namespace Gen;

/// <summary>
/// The base rate times <see cref="Gamma"/> once at each milestone step: PyTorch's
/// <c>MultiStepLR(milestones, gamma)</c>.
/// </summary>
/// <remarks>
/// <code>lr(t) = base · gamma^(number of milestones ≤ t)</code>
/// As in PyTorch (which keeps the milestones in a <c>Counter</c>), the milestones may come in any
/// order, a milestone listed twice applies gamma twice, and a milestone 0 applies from step 0.
/// PyTorch silently ignores negative milestones in its chainable form but counts them in its closed
/// form; they are rejected here.
/// </remarks>
public sealed class MultiStepSchedule : LearningRateSchedule
{
    private readonly long[] _milestones;

    /// <summary>Multiplies the rate by <paramref name="gamma"/> at each of <paramref name="milestones"/>.</summary>
    /// <param name="milestones">0-based step indices, &gt;= 0, in any order; duplicates count once each.</param>
    /// <param name="gamma">The factor per milestone, finite and &gt;= 0.</param>
    /// <exception cref="ArgumentNullException"><paramref name="milestones"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A milestone is negative, or <paramref name="gamma"/> is out of its range.</exception>
    public MultiStepSchedule(IEnumerable<long> milestones, double gamma = 0.1)
    {
        long[] sorted = ScheduleArguments.NotNull(milestones, nameof(milestones)).ToArray();
        foreach (long milestone in sorted)
        {
            ScheduleArguments.AtLeast(milestone, 0, nameof(milestones));
        }

        Array.Sort(sorted);
        _milestones = sorted;
        Milestones = Array.AsReadOnly(sorted);
        Gamma = ScheduleArguments.NonNegativeFinite(gamma, nameof(gamma));
    }

    /// <summary>The milestones, sorted.</summary>
    public ReadOnlyCollection<long> Milestones { get; }

    /// <summary>The factor applied at each milestone.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        FormattableString.Invariant($"MultiStepSchedule(Milestones=[{string.Join(", ", _milestones)}], Gamma={Gamma:R})");

    /// <inheritdoc/>
    protected override double GetLearningRateCore(long step, double baseLearningRate)
    {
        // Number of milestones <= step (Python's bisect_right), by binary search.
        long[] milestones = _milestones;
        int low = 0, high = milestones.Length;
        while (low < high)
        {
            int middle = low + ((high - low) >> 1);
            if (milestones[middle] <= step)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return baseLearningRate * Math.Pow(Gamma, low);
    }
}
