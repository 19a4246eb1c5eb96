using System;
using System.Linq;
using Gen.Tests;
using Xunit;

namespace Gen.Optimizers.Tests;

/// <summary>
/// GlobalNormClip and <c>Step(gradients, clearGradients: true)</c> fold gradient work into the update pass:
/// each must leave the parameters, the state and the gradients bit for bit as the separate calls do
/// (<see cref="GradientsBase.ClipByGlobalNorm"/> then <c>Step</c>; <c>Step</c> then <see cref="GradientsBase.Clear"/>),
/// for every kind and configuration, float and double, on every SIMD path (the Numerical category runs again under
/// each SIMD setting in CI) and split across threads.
/// </summary>
[Trait("Category", "Numerical")]
[Collection(RunsAloneCollection.Name)]
public sealed class FusedGradientTests
{
    // Not a multiple of any vector width or unroll: every part of the cascade runs.
    private const int Length = 1003;

    public static TheoryData<string> SingleNames => new(Optimizers.Names<SingleModel>());

    public static TheoryData<string> DoubleNames => new(Optimizers.Names<DoubleModel>());

    [Theory]
    [MemberData(nameof(SingleNames))]
    public void FusedClipAndClearAreTheSeparateCallsForFloat(string name) =>
        AssertFusedEqualsSeparate(
            name,
            p => new SingleModel { P = TestData.ToSingle(p) },
            m => new SingleModel.Gradients(m),
            (g, values) => TestData.ToSingle(values).CopyTo(g.P, 0));

    [Theory]
    [MemberData(nameof(DoubleNames))]
    public void FusedClipAndClearAreTheSeparateCallsForDouble(string name) =>
        AssertFusedEqualsSeparate(
            name,
            p => new DoubleModel { P = (double[])p.Clone() },
            m => new DoubleModel.Gradients(m),
            (g, values) => values.CopyTo(g.P, 0));

    /// <summary>Several members of both element types share one norm; each member is scaled in its own type.</summary>
    [Fact]
    public void FusedClipOverFloatAndDoubleMembersIsTheSeparateCalls()
    {
        MixedModel separate = MixedModel.Create(3), fused = MixedModel.Create(3);
        var separateOptimizer = new MixedModel.Full(separate);
        var fusedOptimizer = new MixedModel.Full(fused) { GlobalNormClip = 0.5 };
        var random = new Random(4);
        for (int step = 0; step < 4; step++)
        {
            var given = new MixedModel.Gradients(separate);
            MixedModel.Fill(given, random);
            var forSeparate = Copy(given, separate);
            var forFused = Copy(given, fused);
            double norm = forSeparate.ClipByGlobalNorm(0.5);
            separateOptimizer.Step(forSeparate);
            fusedOptimizer.Step(forFused, clearGradients: true);

            Assert.Equal(norm, fusedOptimizer.LastGradientNorm);
            Assert.True(norm > 0.5, "the case must clip");
            AssertSameBits(separate, fused);
            AssertSameState(separateOptimizer, fusedOptimizer);
            AssertAllZero(forFused);
        }
    }

    [Fact]
    public void ClipAndClearSplitAcrossThreadsAreTheSerialStep()
    {
        const int length = 300_007;
        var random = new Random(5);
        double[] start = TestData.Parameters(random, length);
        var serial = new SingleModel { P = TestData.ToSingle(start) };
        var parallel = new SingleModel { P = TestData.ToSingle(start) };
        var serialOptimizer = new SingleModel.AdamA1X1(serial) { GlobalNormClip = 1 };
        var parallelOptimizer = new SingleModel.AdamA1X1(parallel) { GlobalNormClip = 1, MaxDegreeOfParallelism = 4, ParallelThreshold = 1000 };
        for (int step = 0; step < 3; step++)
        {
            float[] values = TestData.ToSingle(TestData.Gradients(random, length));
            var g1 = new SingleModel.Gradients(serial);
            var g2 = new SingleModel.Gradients(parallel);
            values.CopyTo(g1.P, 0);
            values.CopyTo(g2.P, 0);
            serialOptimizer.Step(g1, clearGradients: true);
            parallelOptimizer.Step(g2, clearGradients: true);
            Assert.True(serial.P.AsSpan().SequenceEqual(parallel.P));
            AssertAllZero(g2);
        }

        AssertSameState(serialOptimizer, parallelOptimizer);
    }

    /// <summary>
    /// A NaN gradient with clipping: Throw names the element as given and changes nothing (the gradients included);
    /// SkipStep skips, and clears when asked, as Step then Clear would; Ignore updates with what a separate clip stores.
    /// </summary>
    [Fact]
    public void ANonFiniteGradientWithClippingIsHandledAsAfterASeparateClip()
    {
        var random = new Random(6);
        float[] start = TestData.ToSingle(TestData.Parameters(random, Length));
        float[] values = TestData.ToSingle(TestData.Gradients(random, Length));
        values[517] = float.NaN;

        var model = new SingleModel { P = (float[])start.Clone() };
        var optimizer = new SingleModel.AdamA1X1(model) { GlobalNormClip = 1 };
        var gradients = new SingleModel.Gradients(model);
        values.CopyTo(gradients.P, 0);
        NonFiniteGradientException error = Assert.Throws<NonFiniteGradientException>(() => optimizer.Step(gradients, clearGradients: true));
        Assert.Equal(517, error.Index);
        Assert.True(model.P.AsSpan().SequenceEqual(start));
        Assert.True(gradients.P.AsSpan(0, 517).SequenceEqual(values.AsSpan(0, 517)));
        Assert.All(optimizer.GetState(0).Buffer.AsSingleSpan().ToArray(), x => Assert.Equal(0f, x));
        Assert.Equal(0, optimizer.StepCount);
        Assert.True(double.IsNaN(optimizer.LastGradientNorm));

        optimizer.NonFinitePolicy = NonFinitePolicy.SkipStep;
        optimizer.Step(gradients, clearGradients: true);
        Assert.Equal(1, optimizer.SkippedSteps);
        Assert.Equal(0, optimizer.StepCount);
        Assert.True(model.P.AsSpan().SequenceEqual(start));
        AssertAllZero(gradients);

        var separate = new SingleModel { P = (float[])start.Clone() };
        var separateOptimizer = new SingleModel.AdamA1X1(separate) { NonFinitePolicy = NonFinitePolicy.Ignore };
        var separateGradients = new SingleModel.Gradients(separate);
        values.CopyTo(separateGradients.P, 0);
        separateGradients.ClipByGlobalNorm(1);
        separateOptimizer.Step(separateGradients);

        var ignored = new SingleModel { P = (float[])start.Clone() };
        var ignoring = new SingleModel.AdamA1X1(ignored) { NonFinitePolicy = NonFinitePolicy.Ignore, GlobalNormClip = 1 };
        var ignoredGradients = new SingleModel.Gradients(ignored);
        values.CopyTo(ignoredGradients.P, 0);
        ignoring.Step(ignoredGradients);
        Assert.True(separate.P.AsSpan().SequenceEqual(ignored.P));
        Assert.True(ignoredGradients.P.AsSpan(0, 517).SequenceEqual(values.AsSpan(0, 517)), "the gradients are not rewritten");
    }

    [Fact]
    public void GlobalNormClipTakesNullZeroAndInfinityAndRejectsNegativeAndNaN()
    {
        var optimizer = new SingleModel.AdamA1X1(new SingleModel { P = new float[8] });
        Assert.Null(optimizer.GlobalNormClip);
        optimizer.GlobalNormClip = 0;
        optimizer.GlobalNormClip = double.PositiveInfinity;
        Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.GlobalNormClip = -1);
        Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.GlobalNormClip = double.NaN);
        Assert.Equal(double.PositiveInfinity, optimizer.GlobalNormClip);
        optimizer.GlobalNormClip = null;
        Assert.Null(optimizer.GlobalNormClip);
    }

    [Fact]
    public void AFusedClipAndClearStepAllocatesNothing()
    {
        var model = new SingleModel { P = new float[Length] };
        var optimizer = new SingleModel.AdamA1X1(model) { GlobalNormClip = 0.1 };
        var gradients = new SingleModel.Gradients(model);
        float[] values = TestData.ToSingle(TestData.Gradients(new Random(7), Length));
        Allocations.AssertNone("Step with GlobalNormClip and clearGradients", () =>
        {
            values.CopyTo(gradients.P, 0);
            optimizer.Step(gradients, clearGradients: true);
        });
    }

    /// <summary>
    /// Four steps, each with clipping that scales (a small limit), with no clipping needed (a large one) and with a
    /// limit of 0; the fused optimizer also clears. Parameters, state and norms must be the separate calls' bits.
    /// </summary>
    private static void AssertFusedEqualsSeparate<TModel, TGradients>(string name, Func<double[], TModel> create, Func<TModel, TGradients> gradientsOf, Action<TGradients, double[]> fill)
        where TModel : ITrainable
        where TGradients : GradientsBase
    {
        var random = new Random(Optimizers.StableSeed(name, 21));
        double[] start = TestData.Parameters(random, Length);
        TModel separate = create(start), fused = create(start);
        Optimizer<TGradients> separateOptimizer = Optimizers.Create<TModel, TGradients>(name, separate);
        Optimizer<TGradients> fusedOptimizer = Optimizers.Create<TModel, TGradients>(name, fused);
        foreach (double limit in new[] { 0.05, 1e6, 0.5, 0 })
        {
            fusedOptimizer.GlobalNormClip = limit;
            double[] values = TestData.Gradients(random, Length);
            TGradients forSeparate = gradientsOf(separate), forFused = gradientsOf(fused);
            fill(forSeparate, values);
            fill(forFused, values);

            double norm = forSeparate.ClipByGlobalNorm(limit);
            separateOptimizer.Step(forSeparate);
            forSeparate.Clear();
            fusedOptimizer.Step(forFused, clearGradients: true);

            Assert.Equal(norm, fusedOptimizer.LastGradientNorm);
            AssertSameBits(separate, fused, name + " limit " + limit);
            AssertSameState(separateOptimizer, fusedOptimizer, name);
            AssertAllZero(forFused);
        }

        // Clearing without clipping, and a plain step after fused ones: the kernels compiled without the switches.
        fusedOptimizer.GlobalNormClip = null;
        double[] last = TestData.Gradients(random, Length);
        TGradients a = gradientsOf(separate), b = gradientsOf(fused);
        fill(a, last);
        fill(b, last);
        separateOptimizer.Step(a);
        fusedOptimizer.Step(b);
        AssertSameBits(separate, fused, name);
        AssertSameState(separateOptimizer, fusedOptimizer, name);
        Assert.Equal(Bits(a), Bits(b));
    }

    private static MixedModel.Gradients Copy(MixedModel.Gradients source, MixedModel model)
    {
        var copy = new MixedModel.Gradients(model);
        copy.Add(source);
        return copy;
    }

    private static void AssertSameBits(ITrainable expected, ITrainable actual, string name = "")
    {
        for (int i = 0; i < expected.ParameterCount; i++)
        {
            long[] e = Bits(expected.GetParameter(i)), a = Bits(actual.GetParameter(i));
            int at = Enumerable.Range(0, e.Length).FirstOrDefault(k => e[k] != a[k], -1);
            Assert.True(at < 0, $"{name}: member {expected.GetParameter(i).Name} differs at {at}.");
        }
    }

    private static void AssertSameState<TGradients>(Optimizer<TGradients> expected, Optimizer<TGradients> actual, string name = "")
        where TGradients : GradientsBase
    {
        for (int i = 0; i < expected.StateCount; i++)
        {
            long[] e = Bits(expected.GetState(i).Buffer), a = Bits(actual.GetState(i).Buffer);
            int at = Enumerable.Range(0, e.Length).FirstOrDefault(k => e[k] != a[k], -1);
            Assert.True(at < 0, $"{name}: state {expected.GetState(i).Key} differs at {at} of {e.Length}: {(at >= 0 ? e[at] + " vs " + a[at] : "")}.");
        }
    }

    private static void AssertAllZero(GradientsBase gradients)
    {
        for (int i = 0; i < gradients.MemberCount; i++)
        {
            Assert.All(Bits(gradients.GetMember(i)), bits => Assert.Equal(0L, bits));
        }
    }

    private static long[] Bits(GradientsBase gradients) => Enumerable.Range(0, gradients.MemberCount).SelectMany(i => Bits(gradients.GetMember(i))).ToArray();

    private static long[] Bits(TensorRef tensor) => tensor.Element switch
    {
        TensorElement.Single => tensor.AsSingleSpan().ToArray().Select(x => (long)BitConverter.SingleToInt32Bits(x)).ToArray(),
        TensorElement.Double => tensor.AsDoubleSpan().ToArray().Select(BitConverter.DoubleToInt64Bits).ToArray(),
        _ => tensor.AsBitsSpan().ToArray().Select(x => (long)x).ToArray(),
    };
}
