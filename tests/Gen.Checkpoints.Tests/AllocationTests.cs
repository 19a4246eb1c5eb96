using System;
using System.IO;
using Gen.Tests;
using Xunit;

namespace Gen.Checkpoints.Tests;

/// <summary>Loading a checkpoint leaves the optimizer as allocation-free as a new one.</summary>
[Collection(RunsAloneCollection.Name)]
public sealed class AllocationTests
{
    [Fact]
    public void StepAllocatesNothingAfterALoad()
    {
        var model = Net.Create(seed: 14);
        var optimizer = new Net.RmsPropEverything(model);
        var gradients = new Net.Gradients(model);
        Optimizers.Train(optimizer, gradients, new Random(15), 3);
        var stream = new MemoryStream();
        Checkpoint.SaveOptimizer(optimizer, stream);
        var restored = new Net.RmsPropEverything(model);
        stream.Position = 0;
        Checkpoint.LoadOptimizer(restored, stream);

        int calls = Allocations.AssertNone("Step after a load", () => restored.Step(gradients));
        Assert.Equal(3 + calls, restored.StepCount);
    }
}
