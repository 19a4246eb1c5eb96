using System;
using Xunit;

namespace Gen.Schedules.Tests;

/// <summary>
/// A schedule attached to a generated optimizer: it sets the rate each step uses, the base rate it
/// scales, reset, detaching, a failing schedule that changes nothing, and no allocation.
/// </summary>
public sealed class OptimizerScheduleTests
{
    [Fact]
    public void AttachedScheduleSetsTheRateEachStepUses()
    {
        // Two identical models: one optimizer follows the schedule, the other is given the same rate by hand.
        var scheduled = TinyModel.Create(1);
        var manual = TinyModel.Create(1);
        var gradients = new TinyModel.Gradients(scheduled);
        var schedule = new LinearWarmupSchedule(5, 0.1, new CosineAnnealingSchedule(20, 1e-4));
        var optimizer = new TinyModel.RmsPropOptimizer(scheduled) { Schedule = schedule, BaseLearningRate = 0.05 };
        var reference = new TinyModel.RmsPropOptimizer(manual);
        var random = new Random(3);

        for (int step = 0; step < 40; step++)
        {
            TinyModel.Fill(gradients, random);
            reference.LearningRate = schedule.GetLearningRate(step, 0.05);
            optimizer.Step(gradients);
            reference.Step(gradients);

            Assert.Equal(reference.LearningRate, optimizer.LearningRate);
            Assert.Equal(manual.Snapshot(), scheduled.Snapshot());
        }

        Assert.Equal(0.005, schedule.GetLearningRate(0, 0.05), 1e-18);
        Assert.Equal(40, optimizer.StepCount);
        Assert.Same(schedule, optimizer.Schedule);
    }

    [Fact]
    public void BaseLearningRateStartsAtTheAttributesRateAndIsIndependentOfLearningRate()
    {
        var optimizer = new TinyModel.RmsPropOptimizer(TinyModel.Create(1));
        Assert.Equal(TinyModel.RmsPropOptimizer.DefaultLearningRate, optimizer.BaseLearningRate);
        Assert.Null(optimizer.Schedule);

        optimizer.LearningRate = 0.5;
        Assert.Equal(0.01, optimizer.BaseLearningRate);
        optimizer.BaseLearningRate = 0.2;
        Assert.Equal(0.5, optimizer.LearningRate);

        foreach (double value in new[] { -1e-3, double.NaN, double.PositiveInfinity })
        {
            ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.BaseLearningRate = value);
            Assert.Equal("BaseLearningRate", error.ParamName);
        }

        Assert.Equal(0.2, optimizer.BaseLearningRate);
    }

    [Fact]
    public void WithoutAScheduleLearningRateIsUsedAsSetAndDetachingKeepsTheLastScheduledRate()
    {
        var model = TinyModel.Create(1);
        var gradients = new TinyModel.Gradients(model);
        TinyModel.Fill(gradients, new Random(4));
        var optimizer = new TinyModel.RmsPropOptimizer(model) { BaseLearningRate = 1.0 };

        optimizer.LearningRate = 0.03;
        optimizer.Step(gradients);
        Assert.Equal(0.03, optimizer.LearningRate);

        optimizer.Schedule = new ExponentialSchedule(0.5);
        optimizer.Step(gradients); // step 1
        optimizer.Step(gradients); // step 2
        Assert.Equal(0.25, optimizer.LearningRate);

        optimizer.Schedule = null;
        optimizer.Step(gradients);
        Assert.Equal(0.25, optimizer.LearningRate);
        Assert.Equal(4, optimizer.StepCount);
    }

    [Fact]
    public void ResetKeepsTheScheduleWhichStartsAgainFromStepZero()
    {
        var model = TinyModel.Create(1);
        var gradients = new TinyModel.Gradients(model);
        var schedule = new StepDecaySchedule(2, 0.5);
        var optimizer = new TinyModel.RmsPropOptimizer(model) { Schedule = schedule, BaseLearningRate = 0.1 };
        for (int i = 0; i < 5; i++)
        {
            optimizer.Step(gradients);
        }

        Assert.Equal(0.025, optimizer.LearningRate);
        optimizer.Reset();
        Assert.Same(schedule, optimizer.Schedule);
        Assert.Equal(0.1, optimizer.BaseLearningRate);
        Assert.Equal(0, optimizer.StepCount);

        optimizer.Step(gradients);
        Assert.Equal(0.1, optimizer.LearningRate);
    }

    [Fact]
    public void ResetLeavesAPlateauSchedulesReportsToTheSchedule()
    {
        var model = TinyModel.Create(1);
        var gradients = new TinyModel.Gradients(model);
        var plateau = new ReduceOnPlateauSchedule(patience: 0);
        var optimizer = new TinyModel.RmsPropOptimizer(model) { Schedule = plateau, BaseLearningRate = 0.1 };

        optimizer.Step(gradients);
        Assert.Equal(0.1, optimizer.LearningRate);
        plateau.Report(1.0);
        plateau.Report(1.0);
        optimizer.Step(gradients);
        Assert.Equal(0.1 * 0.1, optimizer.LearningRate);

        optimizer.Reset();
        optimizer.Step(gradients);
        Assert.Equal(0.1 * 0.1, optimizer.LearningRate);

        plateau.Reset();
        optimizer.Step(gradients);
        Assert.Equal(0.1, optimizer.LearningRate);
    }

    [Fact]
    public void AScheduleWithNoRateForTheStepThrowsAndChangesNothing()
    {
        var model = TinyModel.Create(1);
        var gradients = new TinyModel.Gradients(model);
        TinyModel.Fill(gradients, new Random(5));
        var schedule = new OneCycleSchedule(20);
        var optimizer = new TinyModel.RmsPropOptimizer(model) { Schedule = schedule, BaseLearningRate = 0.1 };
        for (int i = 0; i < 20; i++)
        {
            optimizer.Step(gradients);
        }

        double rate = optimizer.LearningRate;
        double[] before = model.Snapshot();
        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.Step(gradients));
        Assert.Equal("step", error.ParamName);
        Assert.Equal(before, model.Snapshot());
        Assert.Equal(20, optimizer.StepCount);
        Assert.Equal(rate, optimizer.LearningRate);
        Assert.Equal(schedule.GetLearningRate(19, 0.1), rate);

        // After a reset the schedule starts over, from base / divFactor, and training goes on.
        optimizer.Reset();
        optimizer.Step(gradients);
        Assert.Equal(schedule.GetLearningRate(0, 0.1), optimizer.LearningRate);
        Assert.Equal(0.1 / 25, optimizer.LearningRate, 1e-17);
    }

    [Fact]
    public void AnOverflowingScheduleThrowsAndChangesNothing()
    {
        var model = TinyModel.Create(1);
        var gradients = new TinyModel.Gradients(model);
        TinyModel.Fill(gradients, new Random(6));
        var optimizer = new TinyModel.RmsPropOptimizer(model) { Schedule = new ExponentialSchedule(1e300), BaseLearningRate = 1.0 };
        optimizer.Step(gradients); // step 0: 1.0
        optimizer.Step(gradients); // step 1: 1e300

        double[] before = model.Snapshot();
        Assert.Throws<InvalidOperationException>(() => optimizer.Step(gradients));
        Assert.Equal(before, model.Snapshot());
        Assert.Equal(1e300, optimizer.LearningRate);
        Assert.Equal(2, optimizer.StepCount);
    }

    [Fact]
    public void BadGradientsAreReportedBeforeTheScheduleIsAsked()
    {
        var model = TinyModel.Create(1);
        var gradients = new TinyModel.Gradients(model) { Weights = new float[36] };
        var optimizer = new TinyModel.RmsPropOptimizer(model) { LearningRate = 0.123 };
        optimizer.Schedule = new OneCycleSchedule(1);
        optimizer.BaseLearningRate = 0.1;

        ArgumentException error = Assert.Throws<ArgumentException>(() => optimizer.Step(gradients));
        Assert.Equal("gradients", error.ParamName);
        Assert.Equal(0.123, optimizer.LearningRate);
        Assert.Equal(0, optimizer.StepCount);
    }

    [Fact]
    public void SettingTheRateWhileAScheduleIsAttachedIsAnErrorNotASilentNoOp()
    {
        var optimizer = new TinyModel.RmsPropOptimizer(TinyModel.Create(1)) { Schedule = new CosineAnnealingSchedule(10) };
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => optimizer.LearningRate = 0.5);
        Assert.Contains("BaseLearningRate", error.Message, StringComparison.Ordinal);
        Assert.Equal(TinyModel.RmsPropOptimizer.DefaultLearningRate, optimizer.LearningRate);

        optimizer.Schedule = null;
        optimizer.LearningRate = 0.5;
        Assert.Equal(0.5, optimizer.LearningRate);
    }

    [Fact]
    public void PerEpochSchedulingByHandKeepsOneRatePerEpoch()
    {
        const int StepsPerEpoch = 4;
        var model = TinyModel.Create(1);
        var gradients = new TinyModel.Gradients(model);
        var schedule = new StepDecaySchedule(2, 0.1);
        var optimizer = new TinyModel.RmsPropOptimizer(model) { BaseLearningRate = 1.0 };
        var used = new double[3 * StepsPerEpoch];

        for (int epoch = 0; epoch < 3; epoch++)
        {
            optimizer.LearningRate = schedule.GetLearningRate(epoch, optimizer.BaseLearningRate);
            for (int i = 0; i < StepsPerEpoch; i++)
            {
                optimizer.Step(gradients);
                used[(epoch * StepsPerEpoch) + i] = optimizer.LearningRate;
            }
        }

        Assert.Equal(new[] { 1.0, 1, 1, 1, 1, 1, 1, 1, 0.1, 0.1, 0.1, 0.1 }, used);
    }
}
