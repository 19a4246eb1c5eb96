using System;
using Gen.Tests;
using Xunit;

namespace Gen.Optimizers.Tests;

/// <summary>Step allocates nothing, in every configuration shape, once the code is compiled.</summary>
[Collection(RunsAloneCollection.Name)]
public sealed class AllocationTests
{
    [Fact]
    public void StepsAllocateNothing()
    {
        var model = MixedModel.Create(1);
        var gradients = new MixedModel.Gradients(model);
        MixedModel.Fill(gradients, new Random(2));
        // RAdam's warm-up steps cross into its rectified form (step 6): both instantiations are measured.
        Optimizer<MixedModel.Gradients>[] optimizers =
        {
            new MixedModel.RmsPropOptimizer(model), new MixedModel.Full(model),
            new MixedModel.NAdamOptimizer(model), new MixedModel.RAdamOptimizer(model), new MixedModel.AdamaxOptimizer(model),
        };

        foreach (Optimizer<MixedModel.Gradients> optimizer in optimizers)
        {
            int calls = Allocations.AssertNone(optimizer.GetType().Name, () => optimizer.Step(gradients));
            Assert.Equal(calls, optimizer.StepCount);
        }
    }
}
