using System;
using Xunit;

namespace Gen.Schedules.Tests;

/// <summary>
/// Every constructor argument out of its range throws <see cref="ArgumentOutOfRangeException"/> (or
/// <see cref="ArgumentNullException"/> / <see cref="ArgumentException"/>) naming the parameter, and
/// <see cref="LearningRateSchedule.GetLearningRate"/> checks its arguments and the rate it returns.
/// </summary>
public sealed class ScheduleArgumentTests
{
    private static readonly double[] NotNonNegativeFinite = { -1e-3, double.NaN, double.PositiveInfinity, double.NegativeInfinity };
    private static readonly double[] NotInUnitInterval = { -1e-3, 1.0000000000000002, double.NaN, double.PositiveInfinity };
    private static readonly double[] NotPositiveFinite = { 0.0, -1.0, double.NaN, double.PositiveInfinity };

    [Fact]
    public void ConstantScheduleRejectsOutOfRangeArguments()
    {
        AssertRejectsEach(NotInUnitInterval, "factor", v => new ConstantSchedule(v, 5));
        AssertRejects("totalSteps", () => new ConstantSchedule(0.5, 0));
        AssertRejects("totalSteps", () => new ConstantSchedule(0.5, -1));
        Assert.Equal(0.0, new ConstantSchedule(0.0, 1).Factor);
        Assert.Equal(1.0, new ConstantSchedule(1.0, 1).Factor);
    }

    [Fact]
    public void StepDecayScheduleRejectsOutOfRangeArguments()
    {
        AssertRejects("stepSize", () => new StepDecaySchedule(0, 0.1));
        AssertRejects("stepSize", () => new StepDecaySchedule(long.MinValue, 0.1));
        AssertRejectsEach(NotNonNegativeFinite, "gamma", v => new StepDecaySchedule(10, v));
    }

    [Fact]
    public void MultiStepScheduleRejectsOutOfRangeArguments()
    {
        Assert.Equal("milestones", Assert.Throws<ArgumentNullException>(() => new MultiStepSchedule(null!, 0.1)).ParamName);
        AssertRejects("milestones", () => new MultiStepSchedule(new long[] { 10, -1 }, 0.1));
        AssertRejectsEach(NotNonNegativeFinite, "gamma", v => new MultiStepSchedule(new long[] { 10 }, v));
        Assert.Empty(new MultiStepSchedule(Array.Empty<long>()).Milestones);
    }

    [Fact]
    public void ExponentialScheduleRejectsOutOfRangeArguments()
    {
        AssertRejectsEach(NotNonNegativeFinite, "gamma", v => new ExponentialSchedule(v));
    }

    [Fact]
    public void InverseTimeScheduleRejectsOutOfRangeArguments()
    {
        AssertRejects("decaySteps", () => new InverseTimeSchedule(0, 0.5));
        AssertRejectsEach(NotNonNegativeFinite, "decayRate", v => new InverseTimeSchedule(10, v));
    }

    [Fact]
    public void PolynomialScheduleRejectsOutOfRangeArguments()
    {
        AssertRejects("totalSteps", () => new PolynomialSchedule(0, 1.0));
        AssertRejectsEach(NotNonNegativeFinite, "power", v => new PolynomialSchedule(10, v));
    }

    [Fact]
    public void CosineAnnealingSchedulesRejectOutOfRangeArguments()
    {
        AssertRejects("annealingSteps", () => new CosineAnnealingSchedule(0));
        AssertRejectsEach(NotNonNegativeFinite, "minLearningRate", v => new CosineAnnealingSchedule(10, v));
        AssertRejects("firstPeriod", () => new CosineAnnealingWarmRestartsSchedule(0));
        AssertRejects("periodMultiplier", () => new CosineAnnealingWarmRestartsSchedule(10, 0));
        AssertRejectsEach(NotNonNegativeFinite, "minLearningRate", v => new CosineAnnealingWarmRestartsSchedule(10, 2, v));
    }

    [Fact]
    public void LinearSchedulesRejectOutOfRangeArguments()
    {
        AssertRejectsEach(NotInUnitInterval, "startFactor", v => new LinearSchedule(v, 1.0, 10));
        AssertRejectsEach(NotInUnitInterval, "endFactor", v => new LinearSchedule(0.5, v, 10));
        AssertRejects("totalSteps", () => new LinearSchedule(0.5, 1.0, 0));

        var after = new ConstantSchedule();
        AssertRejects("warmupSteps", () => new LinearWarmupSchedule(0, 0.1, after));
        AssertRejectsEach(NotInUnitInterval, "startFactor", v => new LinearWarmupSchedule(10, v, after));
        Assert.Equal("after", Assert.Throws<ArgumentNullException>(() => new LinearWarmupSchedule(10, 0.1, null!)).ParamName);
    }

    [Fact]
    public void SequentialScheduleRejectsInconsistentArguments()
    {
        var a = new ConstantSchedule();
        var b = new ExponentialSchedule(0.9);
        Assert.Equal("schedules", Assert.Throws<ArgumentNullException>(() => new SequentialSchedule(null!, Array.Empty<long>())).ParamName);
        Assert.Equal("milestones", Assert.Throws<ArgumentNullException>(() => new SequentialSchedule(new[] { a }, null!)).ParamName);
        Assert.Equal("schedules", Assert.Throws<ArgumentNullException>(() => new SequentialSchedule(new LearningRateSchedule[] { a, null! }, new long[] { 5 })).ParamName);
        Assert.Equal("schedules", Assert.Throws<ArgumentException>(() => new SequentialSchedule(Array.Empty<LearningRateSchedule>(), Array.Empty<long>())).ParamName);
        Assert.Equal("milestones", Assert.Throws<ArgumentException>(() => new SequentialSchedule(new LearningRateSchedule[] { a, b }, new long[] { 5, 6 })).ParamName);
        Assert.Equal("milestones", Assert.Throws<ArgumentException>(() => new SequentialSchedule(new LearningRateSchedule[] { a, b }, Array.Empty<long>())).ParamName);

        // PyTorch accepts these and then follows none of its schedulers.
        AssertRejects("milestones", () => new SequentialSchedule(new LearningRateSchedule[] { a, b }, new long[] { 0 }));
        AssertRejects("milestones", () => new SequentialSchedule(new LearningRateSchedule[] { a, b, a }, new long[] { 5, 5 }));
        AssertRejects("milestones", () => new SequentialSchedule(new LearningRateSchedule[] { a, b, a }, new long[] { 5, 3 }));
        Assert.Single(new SequentialSchedule(new[] { a }, Array.Empty<long>()).Schedules);
    }

    [Fact]
    public void OneCycleScheduleRejectsOutOfRangeArguments()
    {
        AssertRejects("totalSteps", () => new OneCycleSchedule(0));
        AssertRejectsEach(NotInUnitInterval, "pctStart", v => new OneCycleSchedule(100, v));
        AssertRejects("annealing", () => new OneCycleSchedule(100, annealing: (OneCycleAnnealing)2));
        AssertRejectsEach(NotPositiveFinite, "divFactor", v => new OneCycleSchedule(100, divFactor: v));
        AssertRejectsEach(NotPositiveFinite, "finalDivFactor", v => new OneCycleSchedule(100, finalDivFactor: v));

        // pct_start · total_steps == 1: PyTorch divides 0 by 0 in its first phase.
        ArgumentOutOfRangeException error = AssertRejects("pctStart", () => new OneCycleSchedule(10, pctStart: 0.1));
        Assert.Contains("no length", error.Message, StringComparison.Ordinal);
        AssertRejects("pctStart", () => new OneCycleSchedule(4, pctStart: 0.25, threePhase: true));
        AssertRejects("pctStart", () => new OneCycleSchedule(1, pctStart: 1.0));
    }

    [Fact]
    public void ReduceOnPlateauScheduleRejectsOutOfRangeArguments()
    {
        AssertRejects("mode", () => new ReduceOnPlateauSchedule(mode: (PlateauMode)2));
        AssertRejectsEach(new[] { 1.0, 1.5, -0.1, double.NaN, double.PositiveInfinity }, "factor", v => new ReduceOnPlateauSchedule(factor: v));
        AssertRejects("patience", () => new ReduceOnPlateauSchedule(patience: -1));
        AssertRejectsEach(NotNonNegativeFinite, "threshold", v => new ReduceOnPlateauSchedule(threshold: v));
        AssertRejects("thresholdMode", () => new ReduceOnPlateauSchedule(thresholdMode: (PlateauThresholdMode)(-1)));
        AssertRejects("cooldown", () => new ReduceOnPlateauSchedule(cooldown: -1));
        AssertRejectsEach(NotNonNegativeFinite, "minLearningRate", v => new ReduceOnPlateauSchedule(minLearningRate: v));
        AssertRejectsEach(NotNonNegativeFinite, "epsilon", v => new ReduceOnPlateauSchedule(epsilon: v));
        Assert.Equal(0.0, new ReduceOnPlateauSchedule(factor: 0.0).Factor);
    }

    [Fact]
    public void GetLearningRateRejectsANegativeStepAndAnInvalidBaseRate()
    {
        LearningRateSchedule schedule = new ExponentialSchedule(0.9);
        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => schedule.GetLearningRate(-1, 0.1));
        Assert.Equal("step", error.ParamName);
        foreach (double value in NotNonNegativeFinite)
        {
            Assert.Equal("baseLearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => schedule.GetLearningRate(0, value)).ParamName);
        }

        Assert.Equal(0.0, schedule.GetLearningRate(0, 0.0));
    }

    [Fact]
    public void OneCycleHasNoRateAtOrPastItsEnd()
    {
        var schedule = new OneCycleSchedule(100);
        Assert.Equal(0.1 / 25 / 1e4, schedule.GetLearningRate(99, 0.1), 1e-18);
        foreach (long step in new[] { 100L, 101L, long.MaxValue })
        {
            ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => schedule.GetLearningRate(step, 0.1));
            Assert.Equal("step", error.ParamName);
            Assert.Contains("steps 0 to 99", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ARateThatIsNotFiniteAndNonNegativeIsAnError()
    {
        // A growing schedule that overflows.
        var growing = new ExponentialSchedule(2.0);
        Assert.Equal(Math.Pow(2, 1000) * 0.5, growing.GetLearningRate(1000, 0.5));
        InvalidOperationException overflow = Assert.Throws<InvalidOperationException>(() => growing.GetLearningRate(1100, 0.5));
        Assert.Contains("ExponentialSchedule(Gamma=2)", overflow.Message, StringComparison.Ordinal);
        Assert.Contains("step 1100", overflow.Message, StringComparison.Ordinal);

        // A custom schedule with a bug.
        foreach (double bad in new[] { double.NaN, -0.5, double.PositiveInfinity })
        {
            var custom = new FixedSchedule(bad);
            Assert.Throws<InvalidOperationException>(() => custom.GetLearningRate(3, 0.1));
        }

        Assert.Equal(0.25, new FixedSchedule(0.25).GetLearningRate(3, 0.1));
    }

    private static ArgumentOutOfRangeException AssertRejects(string parameter, Func<object> create)
    {
        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(create);
        Assert.Equal(parameter, error.ParamName);
        Assert.Contains(parameter, error.Message, StringComparison.Ordinal);
        return error;
    }

    private static void AssertRejectsEach(double[] values, string parameter, Func<double, object> create)
    {
        foreach (double value in values)
        {
            ArgumentOutOfRangeException error = AssertRejects(parameter, () => create(value));
            Assert.Equal(value, (double)error.ActualValue!);
        }
    }

    /// <summary>A custom schedule: the same rate at every step.</summary>
    private sealed class FixedSchedule : LearningRateSchedule
    {
        private readonly double _rate;

        public FixedSchedule(double rate)
        {
            _rate = rate;
        }

        protected override double GetLearningRateCore(long step, double baseLearningRate) => _rate;
    }
}
