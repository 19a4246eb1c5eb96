using System;
using Xunit;

namespace Gen.Optimizers.Tests;

/// <summary>Step allocates nothing, in every configuration shape, once the code is compiled.</summary>
public sealed class AllocationTests
{
    [Fact]
    public void ThousandStepsAllocateNothing()
    {
        var model = MixedModel.Create(1);
        var gradients = new MixedModel.Gradients(model);
        MixedModel.Fill(gradients, new Random(2));
        Optimizer<MixedModel.Gradients>[] optimizers = { new MixedModel.RmsPropOptimizer(model), new MixedModel.Full(model) };

        foreach (Optimizer<MixedModel.Gradients> optimizer in optimizers)
        {
            for (int i = 0; i < 100; i++)
            {
                optimizer.Step(gradients);
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++)
            {
                optimizer.Step(gradients);
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(0, allocated);
        }
    }
}
