using System;
using Xunit;

namespace Gen.Runtime.Tests;

/// <summary>
/// Every per-step operation allocates nothing once the code is compiled: 1,000 calls after a warm-up
/// leave <see cref="GC.GetAllocatedBytesForCurrentThread"/> unchanged.
/// </summary>
/// <remarks>
/// Tiered compilation can attribute a one-off allocation of about 8 KB to the measured thread when it
/// promotes a method during the measured calls (seen here about once in 20 runs of the whole project,
/// more often with the JIT busy on other tests). So the class runs alone (its collection disables
/// parallelization) and an operation passes when one of up to five batches of 1,000 calls allocates
/// nothing: a per-call allocation would show in every batch.
/// </remarks>
[Collection(nameof(AllocationTests))]
public sealed class AllocationTests
{
    [Fact]
    public void GradientOperationsAllocateNothing()
    {
        var model = MixedModel.Create(1);
        var gradients = new MixedModel.Gradients(model);
        var other = new MixedModel.Gradients(model);
        TestData.Fill(gradients, new Random(2));
        TestData.Fill(other, new Random(3));
        double sink = 0;

        AssertNoAllocation(nameof(GradientsBase.Scale), () => gradients.Scale(1.0));
        AssertNoAllocation(nameof(GradientsBase.Add), () => gradients.Add(other));
        AssertNoAllocation(nameof(GradientsBase.L2Norm), () => sink += gradients.L2Norm());
        AssertNoAllocation(nameof(GradientsBase.ClipByGlobalNorm), () => sink += gradients.ClipByGlobalNorm(0.999 * gradients.L2Norm()));
        AssertNoAllocation(nameof(GradientsBase.ClipByValue), () => gradients.ClipByValue(0.5));
        AssertNoAllocation(nameof(GradientsBase.AllFinite), () => sink += gradients.AllFinite() ? 1 : 0);
        AssertNoAllocation(nameof(GradientsBase.TryFindNonFinite), () => sink += gradients.TryFindNonFinite(out _, out int index) ? index : 0);

        // The scaled second pass of the norm, and the search that finds something.
        var huge = TestData.DoubleGradients(new[] { 1e300, -1e300, 3.0 });
        AssertNoAllocation("L2Norm (scaled)", () => sink += huge.L2Norm());
        gradients.B1[7] = float.NaN;
        AssertNoAllocation("TryFindNonFinite (found)", () => sink += gradients.TryFindNonFinite(out _, out int index) ? index : 0);
        Assert.True(sink != 0);
    }

    [Fact]
    public void StepAllocatesNothingUnderEveryPolicy()
    {
        var model = MixedModel.Create(4);
        var gradients = new MixedModel.Gradients(model);
        TestData.Fill(gradients, new Random(5), 1e-3);
        var optimizer = new MixedModel.Full(model);

        foreach (NonFinitePolicy policy in new[] { NonFinitePolicy.Throw, NonFinitePolicy.SkipStep, NonFinitePolicy.Ignore })
        {
            optimizer.NonFinitePolicy = policy;
            AssertNoAllocation($"Step ({policy})", () => optimizer.Step(gradients));
        }

        gradients.Kernel[1, 2, 4] = double.PositiveInfinity;
        optimizer.NonFinitePolicy = NonFinitePolicy.SkipStep;
        AssertNoAllocation("Step (skipped)", () => optimizer.Step(gradients));
        Assert.True(optimizer.SkippedSteps >= 1100);
    }

    [Fact]
    public void AccumulatorAllocatesNothing()
    {
        var model = MixedModel.Create(6);
        var microBatch = new MixedModel.Gradients(model);
        TestData.Fill(microBatch, new Random(7), 1e-3);
        var optimizer = new MixedModel.Full(model);
        var accumulator = new GradientAccumulator<MixedModel.Gradients>(optimizer, new MixedModel.Gradients(model), 3);

        AssertNoAllocation("GradientAccumulator.Add", () => accumulator.Add(microBatch));
        AssertNoAllocation("GradientAccumulator.Flush", () =>
        {
            accumulator.Add(microBatch);
            accumulator.Flush();
        });
        Assert.True(optimizer.StepCount > 1000);
    }

    private static void AssertNoAllocation(string what, Action action)
    {
        for (int i = 0; i < 100; i++)
        {
            action();
        }

        long fewest = long.MaxValue;
        for (int batch = 0; batch < 5 && fewest > 0; batch++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++)
            {
                action();
            }

            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(fewest == 0, $"{what}: {fewest} bytes allocated in 1,000 calls (the fewest of five batches).");
    }
}

/// <summary>Runs <see cref="AllocationTests"/> alone, not in parallel with the other test classes.</summary>
[CollectionDefinition(nameof(AllocationTests), DisableParallelization = true)]
public sealed class AllocationTestsCollection
{
}
