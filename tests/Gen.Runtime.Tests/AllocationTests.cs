using System;
using Gen.Tests;
using Xunit;

namespace Gen.Runtime.Tests;

/// <summary>
/// Every per-step operation allocates nothing once the code is compiled (see <see cref="Allocations"/>).
/// </summary>
[Collection(RunsAloneCollection.Name)]
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

        Allocations.AssertNone(nameof(GradientsBase.Scale), () => gradients.Scale(1.0));
        Allocations.AssertNone(nameof(GradientsBase.Add), () => gradients.Add(other));
        Allocations.AssertNone(nameof(GradientsBase.L2Norm), () => sink += gradients.L2Norm());
        Allocations.AssertNone(nameof(GradientsBase.ClipByGlobalNorm), () => sink += gradients.ClipByGlobalNorm(0.999 * gradients.L2Norm()));
        Allocations.AssertNone(nameof(GradientsBase.ClipByValue), () => gradients.ClipByValue(0.5));
        Allocations.AssertNone(nameof(GradientsBase.AllFinite), () => sink += gradients.AllFinite() ? 1 : 0);
        Allocations.AssertNone(nameof(GradientsBase.TryFindNonFinite), () => sink += gradients.TryFindNonFinite(out _, out int index) ? index : 0);

        // The scaled second pass of the norm, and the search that finds something.
        var huge = TestData.DoubleGradients(new[] { 1e300, -1e300, 3.0 });
        Allocations.AssertNone("L2Norm (scaled)", () => sink += huge.L2Norm());
        gradients.B1[7] = float.NaN;
        Allocations.AssertNone("TryFindNonFinite (found)", () => sink += gradients.TryFindNonFinite(out _, out int index) ? index : 0);
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
            Allocations.AssertNone($"Step ({policy})", () => optimizer.Step(gradients));
        }

        gradients.Kernel[1, 2, 4] = double.PositiveInfinity;
        optimizer.NonFinitePolicy = NonFinitePolicy.SkipStep;
        Allocations.AssertNone("Step (skipped)", () => optimizer.Step(gradients));
        Assert.True(optimizer.SkippedSteps >= 1100);
    }

    [Fact]
    public void MatrixProductsAllocateNothing()
    {
        // Edge tiles (the stack tile) and two depth blocks, with B transposed as Muon's X·Xᵀ is.
        float[] a = new float[37 * 300], b = new float[45 * 300], c = new float[37 * 45];
        var workspace = new Gen.__Internals.GemmWorkspace(45);
        Allocations.AssertNone("Gemm.Multiply", () => Gen.__Internals.Gemm.Multiply(37, 45, 300, 1f, a, false, b, true, 0.5f, c, workspace));

        // Muon's orthogonalization of a tall matrix (transposed in and out).
        float[] g = new float[40 * 24];
        g[5] = 1;
        var iterations = new Gen.__Internals.NewtonSchulzWorkspace(24, 40);
        Allocations.AssertNone("NewtonSchulz.Orthogonalize", () => Gen.__Internals.NewtonSchulz.Orthogonalize(g, 40, 24, c.AsSpan(0, g.Length), 3.4445f, -4.775f, 2.0315f, 5, 1e-7f, iterations));
    }

    [Fact]
    public void AccumulatorAllocatesNothing()
    {
        var model = MixedModel.Create(6);
        var microBatch = new MixedModel.Gradients(model);
        TestData.Fill(microBatch, new Random(7), 1e-3);
        var optimizer = new MixedModel.Full(model);
        var accumulator = new GradientAccumulator<MixedModel.Gradients>(optimizer, new MixedModel.Gradients(model), 3);

        Allocations.AssertNone("GradientAccumulator.Add", () => accumulator.Add(microBatch));
        Allocations.AssertNone("GradientAccumulator.Flush", () =>
        {
            accumulator.Add(microBatch);
            accumulator.Flush();
        });
        Assert.True(optimizer.StepCount > 1000);
    }
}
