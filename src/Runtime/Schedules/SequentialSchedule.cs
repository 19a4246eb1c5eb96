using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;

namespace Gen;

/// <summary>
/// Several schedules one after the other, switching at milestone steps; each starts from its own
/// step 0 at its milestone: PyTorch's <c>SequentialLR(schedulers, milestones)</c>.
/// </summary>
/// <remarks>
/// <code>lr(t) = schedules[i](t − milestones[i − 1])   where i = number of milestones ≤ t (milestones[−1] = 0)</code>
/// At a milestone PyTorch calls the next scheduler's <c>step(0)</c>, which restarts it from its
/// closed form at 0 (CosineAnnealingWarmRestarts and OneCycleLR compute step 0 directly), so each
/// PyTorch scheduler in a SequentialLR gives the rates of its counterpart here started at the
/// milestone (not OneCycleLR, whose constructor also rewrites the other schedulers' base rate).
/// PyTorch does not check the milestones; a milestone 0, an unsorted or a repeated
/// milestone gives rates that follow none of the schedules (a milestone 0 makes the second scheduler
/// continue from the first one's rate), so milestones here must be strictly increasing and &gt;= 1.
/// </remarks>
public sealed class SequentialSchedule : LearningRateSchedule
{
    private readonly LearningRateSchedule[] _schedules;
    private readonly long[] _milestones;

    /// <summary>Runs <paramref name="schedules"/>[0] until <paramref name="milestones"/>[0], then <paramref name="schedules"/>[1], and so on.</summary>
    /// <param name="schedules">One or more schedules.</param>
    /// <param name="milestones">One fewer than <paramref name="schedules"/>: the steps at which the next schedule starts, strictly increasing and &gt;= 1.</param>
    /// <exception cref="ArgumentNullException">An argument or one of the schedules is null.</exception>
    /// <exception cref="ArgumentException">There are no schedules, or the counts do not match.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The milestones are not strictly increasing from 1 or more.</exception>
    public SequentialSchedule(IEnumerable<LearningRateSchedule> schedules, IEnumerable<long> milestones)
    {
        LearningRateSchedule[] scheduleArray = ScheduleArguments.NotNull(schedules, nameof(schedules)).ToArray();
        long[] milestoneArray = ScheduleArguments.NotNull(milestones, nameof(milestones)).ToArray();
        if (scheduleArray.Length == 0)
        {
            throw new ArgumentException("At least one schedule is needed.", nameof(schedules));
        }

        if (Array.IndexOf(scheduleArray, null) is int index and >= 0)
        {
            throw new ArgumentNullException(nameof(schedules), FormattableString.Invariant($"Schedule {index} is null."));
        }

        if (milestoneArray.Length != scheduleArray.Length - 1)
        {
            throw new ArgumentException(
                FormattableString.Invariant($"{scheduleArray.Length} schedules need {scheduleArray.Length - 1} milestones, not {milestoneArray.Length}."),
                nameof(milestones));
        }

        for (int i = 0; i < milestoneArray.Length; i++)
        {
            long minimum = i == 0 ? 1 : milestoneArray[i - 1] + 1;
            if (milestoneArray[i] < minimum)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(milestones),
                    milestoneArray[i],
                    FormattableString.Invariant($"Milestone {i} is {milestoneArray[i]}; milestones must be strictly increasing and >= 1."));
            }
        }

        _schedules = scheduleArray;
        _milestones = milestoneArray;
        Schedules = Array.AsReadOnly(scheduleArray);
        Milestones = Array.AsReadOnly(milestoneArray);
    }

    /// <summary>The schedules, in order.</summary>
    public ReadOnlyCollection<LearningRateSchedule> Schedules { get; }

    /// <summary>The steps at which the second, third, ... schedule starts.</summary>
    public ReadOnlyCollection<long> Milestones { get; }

    /// <inheritdoc/>
    public override string ToString() => FormattableString.Invariant($"SequentialSchedule(Schedules=[{string.Join(", ", (IEnumerable<LearningRateSchedule>)_schedules)}], Milestones=[{string.Join(", ", _milestones)}])");

    /// <inheritdoc/>
    protected override double GetLearningRateCore(long step, double baseLearningRate)
    {
        long[] milestones = _milestones;
        int index = 0;
        while (index < milestones.Length && milestones[index] <= step)
        {
            index++;
        }

        long start = index == 0 ? 0 : milestones[index - 1];
        return _schedules[index].GetLearningRate(step - start, baseLearningRate);
    }
}
