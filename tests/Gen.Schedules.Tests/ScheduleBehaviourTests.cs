using System;
using System.Globalization;
using System.Linq;
using System.Threading;
using Xunit;

namespace Gen.Schedules.Tests;

/// <summary>
/// What the golden cases cannot show: settings PyTorch cannot run, values far past any recorded step,
/// one instance shared by several base rates, the plateau schedule's state, and descriptions.
/// </summary>
public sealed class ScheduleBehaviourTests
{
    /// <summary>One of each built-in type, with settings that are linear in the base rate.</summary>
    private static LearningRateSchedule[] AllSchedules() => new LearningRateSchedule[]
    {
        new ConstantSchedule(),
        new ConstantSchedule(1.0 / 3, 5),
        new StepDecaySchedule(7, 0.5),
        new MultiStepSchedule(new long[] { 3, 9, 9 }, 0.1),
        new ExponentialSchedule(0.95),
        new InverseTimeSchedule(4, 0.5, staircase: true),
        new PolynomialSchedule(20, 2.0),
        new CosineAnnealingSchedule(12),
        new CosineAnnealingWarmRestartsSchedule(3, 2),
        new LinearSchedule(0.0, 1.0, 8),
        new LinearWarmupSchedule(5, 0.0, new CosineAnnealingSchedule(10)),
        new SequentialSchedule(new LearningRateSchedule[] { new ConstantSchedule(0.5, 10), new ExponentialSchedule(0.9) }, new long[] { 4 }),
        new OneCycleSchedule(60, threePhase: true),
        PlateauAfterReductions(new ReduceOnPlateauSchedule(factor: 0.5, patience: 0, epsilon: 0), 3),
    };

    [Fact]
    public void ConstantWithoutArgumentsIsTheBaseRateAtEveryStep()
    {
        var schedule = new ConstantSchedule();
        foreach (long step in new[] { 0L, 1L, 1_000_000L, long.MaxValue })
        {
            Assert.Equal(0.125, schedule.GetLearningRate(step, 0.125));
        }

        Assert.Equal((1.0, 0L), (schedule.Factor, schedule.TotalSteps));
    }

    /// <summary>PyTorch 1.13 raises ZeroDivisionError for these (its chainable forms divide by the factor); the closed forms are well defined.</summary>
    [Fact]
    public void FactorsOfZeroFollowTheFormulaWherePyTorchDividesByZero()
    {
        double[] Rates(LearningRateSchedule s, int n) => Enumerable.Range(0, n).Select(t => s.GetLearningRate(t, 0.8)).ToArray();

        Assert.Equal(new[] { 0, 0, 0, 0.8, 0.8 }, Rates(new ConstantSchedule(0.0, 3), 5));
        Assert.Equal(new[] { 0, 0.2, 0.4, 0.6000000000000001, 0.8, 0.8 }, Rates(new LinearSchedule(0.0, 1.0, 4), 6));
        Assert.Equal(new[] { 0, 0.2, 0.4, 0.6000000000000001, 0.8, 0.4 }, Rates(new LinearWarmupSchedule(4, 0.0, new ExponentialSchedule(0.5)), 6));
    }

    [Fact]
    public void LinearWarmupHandsOverAtItsLastStep()
    {
        var after = new StepDecaySchedule(2, 0.5);
        var schedule = new LinearWarmupSchedule(4, 0.2, after);
        double[] expected = { 0.2, 0.4, 0.6000000000000001, 0.8, 1.0, 1.0, 0.5, 0.5, 0.25 };
        double[] actual = Enumerable.Range(0, expected.Length).Select(t => schedule.GetLearningRate(t, 1.0)).ToArray();
        Assert.Equal(expected, actual);
        Assert.Same(after, schedule.After);
    }

    [Fact]
    public void SequentialStartsEachScheduleFromItsOwnStepZero()
    {
        var first = new ConstantSchedule(0.1, 100);
        var second = new ExponentialSchedule(0.5);
        var third = new LinearSchedule(0.5, 1.0, 2);
        var schedule = new SequentialSchedule(new LearningRateSchedule[] { first, second, third }, new long[] { 2, 5 });
        double[] expected = { 0.1, 0.1, 1, 0.5, 0.25, 0.5, 0.75, 1, 1 };
        Assert.Equal(expected, Enumerable.Range(0, expected.Length).Select(t => schedule.GetLearningRate(t, 1.0)));
        Assert.Equal(new[] { 2L, 5L }, schedule.Milestones);
        Assert.Equal(new LearningRateSchedule[] { first, second, third }, schedule.Schedules);
    }

    [Fact]
    public void MultiStepSortsAndKeepsRepeatedMilestones()
    {
        var schedule = new MultiStepSchedule(new long[] { 9, 0, 3, 9 }, 0.5);
        Assert.Equal(new[] { 0L, 3L, 9L, 9L }, schedule.Milestones);
        Assert.Equal(new[] { 0.5, 0.5, 0.25, 0.25, 0.0625 }, new long[] { 0, 2, 3, 8, 9 }.Select(t => schedule.GetLearningRate(t, 1.0)));
    }

    [Fact]
    public void CosineAnnealingRisesAgainAfterItsMinimumAsInPyTorch()
    {
        var schedule = new CosineAnnealingSchedule(10, 0.01);
        Assert.Equal(1.0, schedule.GetLearningRate(0, 1.0));
        Assert.Equal(0.01, schedule.GetLearningRate(10, 1.0), 1e-15);
        Assert.Equal(1.0, schedule.GetLearningRate(20, 1.0), 1e-15);
        Assert.Equal(schedule.GetLearningRate(5, 1.0), schedule.GetLearningRate(15, 1.0), 1e-15);
    }

    [Fact]
    public void WarmRestartsFindTheirPeriodAtAnyStepWithoutOverflow()
    {
        // Periods 3, 6, 12, ...: restarts at 0, 3, 9, 21, 45.
        var schedule = new CosineAnnealingWarmRestartsSchedule(3, 2, 0.0);
        Assert.Equal(new[] { 1.0, 1.0, 1.0, 1.0 }, new long[] { 0, 3, 9, 45 }.Select(t => schedule.GetLearningRate(t, 1.0)));
        Assert.Equal(schedule.GetLearningRate(1, 1.0), schedule.GetLearningRate(3 + 2, 1.0)); // 1/3 and 2/6 of a period
        Assert.Equal((1 + Math.Cos(Math.PI * 11 / 24)) / 2, schedule.GetLearningRate(21 + 11, 1.0));

        foreach (int multiplier in new[] { 1, 2, 3, int.MaxValue })
        {
            var wide = new CosineAnnealingWarmRestartsSchedule(long.MaxValue / 3, multiplier, 0.001);
            foreach (long step in new[] { 0L, long.MaxValue / 3, long.MaxValue - 1, long.MaxValue })
            {
                double rate = wide.GetLearningRate(step, 0.1);
                Assert.InRange(rate, 0.001, 0.1);
            }
        }
    }

    [Fact]
    public void StepDecayAndExponentialUnderflowToZeroFarPastTheRecordedSteps()
    {
        Assert.Equal(0.0, new StepDecaySchedule(1, 0.5).GetLearningRate(long.MaxValue, 1.0));
        Assert.Equal(0.0, new ExponentialSchedule(0.9).GetLearningRate(100_000, 1.0));
        Assert.Equal(1.0, new ExponentialSchedule(1.0).GetLearningRate(long.MaxValue, 1.0));
        Assert.Equal(0.0, new PolynomialSchedule(10).GetLearningRate(long.MaxValue, 1.0));
        Assert.Equal(1.0 / (1 + (0.5 * 2)), new InverseTimeSchedule(10, 0.5, staircase: true).GetLearningRate(29, 1.0));
    }

    [Fact]
    public void OneInstanceServesSeveralBaseRates()
    {
        // Every operation scales with the base rate, and doubling is exact, so the rates for twice the
        // base are exactly twice the rates: nothing of one optimizer's rate leaks into another's.
        foreach (LearningRateSchedule schedule in AllSchedules())
        {
            for (long step = 0; step < 60; step++)
            {
                double small = schedule.GetLearningRate(step, 0.01);
                double large = schedule.GetLearningRate(step, 0.02);
                Assert.True(2 * small == large, $"{schedule} at step {step}: {small:R} and {large:R}.");
            }
        }
    }

    [Fact]
    public void RatesDependOnTheStepOnlyNotOnThePreviousCalls()
    {
        foreach (LearningRateSchedule schedule in AllSchedules())
        {
            double[] forward = Enumerable.Range(0, 60).Select(t => schedule.GetLearningRate(t, 0.1)).ToArray();
            double[] backward = Enumerable.Range(0, 60).Reverse().Select(t => schedule.GetLearningRate(t, 0.1)).Reverse().ToArray();
            Assert.Equal(forward, backward);
            Assert.All(forward, r => Assert.True(double.IsFinite(r) && r >= 0));
        }
    }

    [Fact]
    public void PlateauReducesAfterPatienceAndForgetsOnReset()
    {
        var schedule = new ReduceOnPlateauSchedule(factor: 0.5, patience: 1, cooldown: 1);
        Assert.Equal((double.PositiveInfinity, 0, 0, 0, 0L), (schedule.Best, schedule.BadReports, schedule.CooldownRemaining, schedule.Reductions, schedule.ReportCount));

        Assert.False(schedule.Report(1.0));          // improvement
        Assert.False(schedule.Report(1.0));          // bad 1
        Assert.True(schedule.Report(0.99995));       // within the 1e-4 relative threshold: bad 2 > patience
        Assert.Equal(0.05, schedule.GetLearningRate(123, 0.1));
        Assert.Equal((1.0, 0, 1, 1, 3L), (schedule.Best, schedule.BadReports, schedule.CooldownRemaining, schedule.Reductions, schedule.ReportCount));

        Assert.False(schedule.Report(double.NaN));   // bad, but cooldown clears it
        Assert.False(schedule.Report(double.NaN));   // bad 1
        Assert.True(schedule.Report(2.0));           // bad 2
        Assert.Equal(0.025, schedule.GetLearningRate(0, 0.1));

        schedule.Reset();
        Assert.Equal((double.PositiveInfinity, 0, 0, 0, 0L), (schedule.Best, schedule.BadReports, schedule.CooldownRemaining, schedule.Reductions, schedule.ReportCount));
        Assert.Equal(0.1, schedule.GetLearningRate(0, 0.1));
        Assert.Equal(double.NegativeInfinity, new ReduceOnPlateauSchedule(PlateauMode.Max).Best);
    }

    [Fact]
    public void PlateauStopsAtTheMinimumRateAndSkipsReductionsSmallerThanEpsilon()
    {
        var clamped = PlateauAfterReductions(new ReduceOnPlateauSchedule(factor: 0.1, patience: 0, minLearningRate: 0.002), 10);
        Assert.Equal(10, clamped.Reductions);
        Assert.Equal(0.002, clamped.GetLearningRate(0, 0.1));
        Assert.Equal(0.001, clamped.GetLearningRate(0, 0.001)); // a base below min_lr is never raised

        var skipped = PlateauAfterReductions(new ReduceOnPlateauSchedule(factor: 0.5, patience: 0, epsilon: 0.01), 10);
        Assert.Equal(0.0125, skipped.GetLearningRate(0, 0.1)); // 0.0125 → 0.00625 would change it by less than 0.01

        // With no epsilon and no minimum, the rate halves until it underflows to 0, and stays there.
        var endless = PlateauAfterReductions(new ReduceOnPlateauSchedule(factor: 0.5, patience: 0, epsilon: 0), 5000);
        Assert.Equal(0.0, endless.GetLearningRate(0, 0.1));
        Assert.Equal(0.1 / 1024, PlateauAfterReductions(new ReduceOnPlateauSchedule(factor: 0.5, patience: 0, epsilon: 0), 10).GetLearningRate(0, 0.1));
    }

    [Fact]
    public void PlateauRelativeThresholdOnNegativeMetricsIsPyTorchs()
    {
        // best = -10; best · (1 − 0.1) = -9, so -9.5 (worse than -10 in min mode) counts as an improvement.
        var schedule = new ReduceOnPlateauSchedule(patience: 0, threshold: 0.1);
        schedule.Report(-10);
        Assert.False(schedule.Report(-9.5));
        Assert.Equal(-9.5, schedule.Best);
        Assert.Equal(0, schedule.Reductions);
    }

    [Fact]
    public void DescriptionsAreInvariantAndComplete()
    {
        CultureInfo saved = Thread.CurrentThread.CurrentCulture;
        try
        {
            Thread.CurrentThread.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            Assert.Equal("StepDecaySchedule(StepSize=30, Gamma=0.1)", new StepDecaySchedule(30).ToString());
            Assert.Equal(
                "LinearWarmupSchedule(WarmupSteps=5, StartFactor=0.25, After=CosineAnnealingSchedule(AnnealingSteps=100, MinLearningRate=1E-05))",
                new LinearWarmupSchedule(5, 0.25, new CosineAnnealingSchedule(100, 1e-5)).ToString());
            Assert.Equal("MultiStepSchedule(Milestones=[3, 9], Gamma=0.5)", new MultiStepSchedule(new long[] { 9, 3 }, 0.5).ToString());
            Assert.Equal(
                "OneCycleSchedule(TotalSteps=100, PctStart=0.3, Annealing=Cosine, DivFactor=25, FinalDivFactor=10000, ThreePhase=False)",
                new OneCycleSchedule(100).ToString());
            foreach (LearningRateSchedule schedule in AllSchedules())
            {
                Assert.StartsWith(schedule.GetType().Name + "(", schedule.ToString(), StringComparison.Ordinal);
                Assert.DoesNotMatch(@"\d,\d", schedule.ToString());
            }
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = saved;
        }
    }

    private static ReduceOnPlateauSchedule PlateauAfterReductions(ReduceOnPlateauSchedule schedule, int reductions)
    {
        // With patience 0, every report that is not an improvement reduces.
        schedule.Report(1.0);
        for (int i = 0; i < reductions; i++)
        {
            Assert.True(schedule.Report(1.0));
        }

        return schedule;
    }
}
