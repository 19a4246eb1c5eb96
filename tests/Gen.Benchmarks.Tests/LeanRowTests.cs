using System;
using System.Linq;
using Gen.Benchmarks;
using Xunit;

namespace Gen.Benchmarks.Tests;

/// <summary>The lean-memory rows (<c>--lean</c>) compute what their names claim.</summary>
public sealed class LeanRowTests
{
    private const int Parameters = 4099;

    [Fact]
    public void EveryRowSteps()
    {
        foreach (string row in Lean.Rows)
        {
            IStepRow step = Lean.Create(row, Parameters);
            step.Step();
            step.Step();
        }
    }

    /// <summary>
    /// The fused row and the separate calls' row move the parameters to the same bits while each gradient is used once (A, then
    /// B): only the passes differ. Afterwards the separate row clips gradients it clipped before (by a factor that rounds to
    /// about 1 in float), the fused row the originals: the same work, other bits.
    /// </summary>
    [Fact]
    public void TheFusedClipRowComputesTheSeparateCallsRowsStep()
    {
        var separate = (Lean.StepRow)Lean.Create("ClipThenStep", Parameters);
        var fused = (Lean.StepRow)Lean.Create("FusedClipStep", Parameters);
        for (int i = 0; i < 2; i++)
        {
            separate.Step();
            fused.Step();
        }

        float[] p = separate.Optimizer.Model.GetParameter(0).AsSingleSpan().ToArray(), q = fused.Optimizer.Model.GetParameter(0).AsSingleSpan().ToArray();
        Assert.Equal(p.Select(BitConverter.SingleToInt32Bits), q.Select(BitConverter.SingleToInt32Bits));
        Assert.True(fused.Optimizer.GlobalNormClip is > 0);
        Assert.True(fused.Optimizer.LastGradientNorm > fused.Optimizer.GlobalNormClip, "the benchmark must clip at every step");
    }

    [Theory]
    [InlineData("AdamFloat32", TensorElement.Single, 8)]
    [InlineData("AdamBFloat16", TensorElement.BFloat16, 4)]
    [InlineData("AdamBFloat16Stochastic", TensorElement.BFloat16, 4)]
    [InlineData("AdamFloat16", TensorElement.Float16, 4)]
    public void TheAdamRowsKeepTheirStateAtTheirPrecision(string row, TensorElement element, int bytesPerParameter)
    {
        var step = (Lean.StepRow)Lean.Create(row, Parameters);
        Assert.Equal(element, step.Optimizer.GetState(0).Buffer.Element);
        Assert.Equal((long)bytesPerParameter * Parameters, step.Optimizer.StateBytes);
        Assert.Equal(NonFinitePolicy.Ignore, step.Optimizer.NonFinitePolicy);
    }

    /// <summary>The 8-bit row keeps one byte per element per buffer and one float per 256 (16M parameters: 2.03 bytes each).</summary>
    [Fact]
    public void TheEightBitRowKeepsBlockwiseState()
    {
        var step = (Lean.StepRow)Lean.Create("AdamInt8", Parameters);
        Assert.Equal(TensorElement.UInt8, step.Optimizer.GetState(0).Buffer.Element);
        Assert.Equal((2L * Parameters) + (2L * 4 * ((Parameters + 255) / 256)), step.Optimizer.StateBytes);
    }

    /// <summary>An in-cache row steps its small model as many times as cover the run's parameters, with the same optimizer configuration.</summary>
    [Theory]
    [InlineData("AdamFloat32InCache", "AdamFloat32")]
    [InlineData("AdamBFloat16InCache", "AdamBFloat16")]
    [InlineData("AdamInt8InCache", "AdamInt8")]
    public void AnInCacheRowStepsTheSameOptimizerOnACachedModelUntilItCoversTheParameters(string row, string configuration)
    {
        var inCache = (Lean.InCacheRow)Lean.Create(row, 3 * Lean.InCacheParameters);
        inCache.Step();

        Assert.Equal(Lean.InCacheParameters, inCache.Inner.Optimizer.Model.GetParameter(0).AsSingleSpan().Length);
        Assert.Equal(3, inCache.Inner.Optimizer.StepCount);
        Assert.Equal(configuration, inCache.Inner.Optimizer.GetType().Name);
    }
}
