using System;
using Gen.Tests;
using Xunit;

namespace Gen.Schedules.Tests;

/// <summary>A step that asks every kind of schedule for its rate allocates nothing.</summary>
[Collection(RunsAloneCollection.Name)]
public sealed class AllocationTests
{
    [Fact]
    public void StepWithAScheduleAllocatesNothing()
    {
        var model = TinyModel.Create(1);
        var gradients = new TinyModel.Gradients(model);
        TinyModel.Fill(gradients, new Random(7));
        var plateau = new ReduceOnPlateauSchedule(factor: 0.5, patience: 0);
        plateau.Report(1.0);
        plateau.Report(1.0);
        plateau.Report(1.0);
        LearningRateSchedule[] schedules =
        {
            new ConstantSchedule(0.5, 10),
            new StepDecaySchedule(100, 0.5),
            new MultiStepSchedule(new long[] { 200, 500, 900 }),
            new ExponentialSchedule(0.999),
            new InverseTimeSchedule(10, 0.5),
            new PolynomialSchedule(800, 2.0),
            new CosineAnnealingSchedule(300, 1e-5),
            new CosineAnnealingWarmRestartsSchedule(50, 2),
            new LinearSchedule(0.1, 1.0, 500),
            new LinearWarmupSchedule(50, 0.0, new CosineAnnealingSchedule(1000)),
            new SequentialSchedule(new LearningRateSchedule[] { new LinearSchedule(0.1, 1.0, 50), new ExponentialSchedule(0.99), plateau }, new long[] { 50, 600 }),
            new OneCycleSchedule(Allocations.WarmUpCalls + (Allocations.MaxBatches * Allocations.BatchCalls), threePhase: true), // covers every call the check may make
            plateau,
        };

        foreach (LearningRateSchedule schedule in schedules)
        {
            var optimizer = new TinyModel.RmsPropOptimizer(model) { Schedule = schedule, BaseLearningRate = 1e-3 };
            int calls = Allocations.AssertNone(schedule.ToString()!, () => optimizer.Step(gradients));
            Assert.Equal(calls, optimizer.StepCount);
        }
    }
}
