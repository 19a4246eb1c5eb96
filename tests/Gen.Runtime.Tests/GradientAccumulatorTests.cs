using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace Gen.Runtime.Tests;

/// <summary>
/// GradientAccumulator: what the optimizer sees is one step with the mean (or sum) of a cycle's
/// micro-batch gradients, bit for bit; counters, Flush, Reset and every argument error.
/// </summary>
[Trait("Category", "Numerical")]
public sealed class GradientAccumulatorTests
{
    [Theory]
    [InlineData(1, GradientAccumulationMode.Mean)]
    [InlineData(2, GradientAccumulationMode.Mean)]
    [InlineData(3, GradientAccumulationMode.Mean)]
    [InlineData(4, GradientAccumulationMode.Mean)]
    [InlineData(7, GradientAccumulationMode.Mean)]
    [InlineData(1, GradientAccumulationMode.Sum)]
    [InlineData(3, GradientAccumulationMode.Sum)]
    public void EachCycleIsOneStepWithTheMeanOrSumGradient(int k, GradientAccumulationMode mode)
    {
        var model = MixedModel.Create(1);
        var optimizer = new MixedModel.Full(model);
        var accumulator = new GradientAccumulator<MixedModel.Gradients>(optimizer, new MixedModel.Gradients(model), k, mode);
        var twinModel = MixedModel.Create(1);
        var twin = new MixedModel.Full(twinModel);
        var combined = new MixedModel.Gradients(twinModel);
        var microBatch = new MixedModel.Gradients(model);
        var random = new Random(2);

        for (int cycle = 0; cycle < 3; cycle++)
        {
            var cycleGradients = new List<double[][]>();
            for (int j = 0; j < k; j++)
            {
                TestData.Fill(microBatch, random);
                cycleGradients.Add(Enumerable.Range(0, microBatch.MemberCount).Select(m => TestData.Values(microBatch.GetMember(m))).ToArray());
                bool stepped = accumulator.Add(microBatch);
                Assert.Equal(j == k - 1, stepped);
                Assert.Equal((j + 1) % k, accumulator.PendingMicroBatches);
            }

            // The reference gradient: added left to right in each member's element type, then divided by k.
            SetCombined(combined, cycleGradients, mode == GradientAccumulationMode.Mean ? k : 1);
            twin.Step(combined);

            TestData.AssertSameBits(TestData.Bits(twinModel), TestData.Bits(model), $"k {k}, cycle {cycle}: parameters");
            TestData.AssertSameBits(TestData.StateBits(twin), TestData.StateBits(optimizer), $"k {k}, cycle {cycle}: state");
            TestData.AssertSameBits(TestData.Bits(combined), TestData.Bits(accumulator.Buffer), $"k {k}, cycle {cycle}: the gradient the optimizer saw");

            // ... which is the exact mean or sum up to the element type's rounding of k additions and a division.
            double[] exact = Enumerable.Range(0, combined.MemberCount)
                .SelectMany(m => Enumerable.Range(0, cycleGradients[0][m].Length).Select(i =>
                    cycleGradients.Sum(g => g[m][i]) / (mode == GradientAccumulationMode.Mean ? k : 1)))
                .ToArray();
            double[] seen = TestData.Values(accumulator.Buffer);
            double scale = cycleGradients.SelectMany(g => g.SelectMany(v => v)).Max(Math.Abs);
            for (int i = 0; i < exact.Length; i++)
            {
                Assert.True(Math.Abs(seen[i] - exact[i]) <= ((k * k) + 1) * Math.Pow(2, -24) * scale, $"k {k}: element {i}: {seen[i]:R} vs exact {exact[i]:R}.");
            }
        }

        Assert.Equal(3, optimizer.StepCount);
        Assert.Equal(3, accumulator.Steps);
        Assert.Equal(3 * k, accumulator.MicroBatches);
        Assert.Equal(0, accumulator.PendingMicroBatches);
    }

    [Fact]
    public void TheMicroBatchIsOnlyRead()
    {
        var model = MixedModel.Create(3);
        var accumulator = new GradientAccumulator<MixedModel.Gradients>(new MixedModel.Plain(model), new MixedModel.Gradients(model), 2);
        var microBatch = new MixedModel.Gradients(model);
        TestData.Fill(microBatch, new Random(4));
        long[][] before = TestData.Bits(microBatch);

        accumulator.Add(microBatch);
        accumulator.Add(microBatch);

        TestData.AssertSameBits(before, TestData.Bits(microBatch), "micro-batch after Add");
    }

    [Fact]
    public void FlushStepsWithTheMeanOfThePendingMicroBatches()
    {
        var model = MixedModel.Create(5);
        var optimizer = new MixedModel.Full(model);
        var accumulator = new GradientAccumulator<MixedModel.Gradients>(optimizer, new MixedModel.Gradients(model), 4);
        var twinModel = MixedModel.Create(5);
        var twin = new MixedModel.Full(twinModel);
        var combined = new MixedModel.Gradients(twinModel);
        var microBatch = new MixedModel.Gradients(model);
        var random = new Random(6);

        Assert.False(accumulator.Flush());
        Assert.Equal(0, optimizer.StepCount);

        var cycleGradients = new List<double[][]>();
        for (int j = 0; j < 3; j++)
        {
            TestData.Fill(microBatch, random);
            cycleGradients.Add(Enumerable.Range(0, microBatch.MemberCount).Select(m => TestData.Values(microBatch.GetMember(m))).ToArray());
            Assert.False(accumulator.Add(microBatch));
        }

        Assert.True(accumulator.Flush());
        SetCombined(combined, cycleGradients, 3);
        twin.Step(combined);

        TestData.AssertSameBits(TestData.Bits(twinModel), TestData.Bits(model), "parameters after Flush");
        Assert.Equal((0, 1L, 3L), (accumulator.PendingMicroBatches, accumulator.Steps, accumulator.MicroBatches));
        Assert.False(accumulator.Flush());
        Assert.Equal(1, optimizer.StepCount);
    }

    [Fact]
    public void ResetDiscardsThePendingMicroBatchesAndZeroesTheCounters()
    {
        var model = MixedModel.Create(7);
        var optimizer = new MixedModel.Plain(model);
        var accumulator = new GradientAccumulator<MixedModel.Gradients>(optimizer, new MixedModel.Gradients(model), 2);
        var twinModel = MixedModel.Create(7);
        var twin = new MixedModel.Plain(twinModel);
        var microBatch = new MixedModel.Gradients(model);
        var discarded = new MixedModel.Gradients(model);
        TestData.Fill(microBatch, new Random(8));
        TestData.Fill(discarded, new Random(9), 100);

        // (g + g) / 2 = g exactly, so each cycle of two equal micro-batches is one step with g.
        accumulator.Add(microBatch);
        accumulator.Add(microBatch);
        twin.Step(microBatch);
        accumulator.Add(discarded);

        accumulator.Reset();

        Assert.Equal((0, 0L, 0L), (accumulator.PendingMicroBatches, accumulator.Steps, accumulator.MicroBatches));
        Assert.Equal(0.0, accumulator.Buffer.L2Norm());
        Assert.Equal(1, optimizer.StepCount);

        // The discarded micro-batch does not reach the next step.
        Assert.False(accumulator.Add(microBatch));
        Assert.True(accumulator.Add(microBatch));
        twin.Step(microBatch);
        TestData.AssertSameBits(TestData.Bits(twinModel), TestData.Bits(model), "parameters after Reset and a new cycle");
        Assert.Equal(2, optimizer.StepCount);
    }

    [Fact]
    public void AStepThatThrowsDiscardsTheCycle()
    {
        var model = MixedModel.Create(9);
        var optimizer = new MixedModel.Full(model);
        var accumulator = new GradientAccumulator<MixedModel.Gradients>(optimizer, new MixedModel.Gradients(model), 2);
        var microBatch = new MixedModel.Gradients(model);
        TestData.Fill(microBatch, new Random(10));
        long[][] parameters = TestData.Bits(model);

        microBatch.Kernel[1, 1, 1] = double.NaN;
        Assert.False(accumulator.Add(microBatch));
        microBatch.Kernel[1, 1, 1] = 0;
        var error = Assert.Throws<NonFiniteGradientException>(() => accumulator.Add(microBatch));

        Assert.Equal(("Kernel", 21), (error.Member, error.Index));
        Assert.Equal((0, 0L, 2L), (accumulator.PendingMicroBatches, accumulator.Steps, accumulator.MicroBatches));
        TestData.AssertSameBits(parameters, TestData.Bits(model), "parameters after a refused step");

        Assert.False(accumulator.Add(microBatch));
        Assert.True(accumulator.Add(microBatch));
        Assert.Equal(1, optimizer.StepCount);
    }

    [Fact]
    public void ASkippedStepCountsForTheAccumulatorAndTheOptimizer()
    {
        var model = MixedModel.Create(11);
        var optimizer = new MixedModel.Plain(model) { NonFinitePolicy = NonFinitePolicy.SkipStep };
        var accumulator = new GradientAccumulator<MixedModel.Gradients>(optimizer, new MixedModel.Gradients(model), 1);
        var microBatch = new MixedModel.Gradients(model);
        microBatch.B1[0] = float.PositiveInfinity;

        Assert.True(accumulator.Add(microBatch));

        Assert.Equal((1L, 0L, 1L), (accumulator.Steps, optimizer.StepCount, optimizer.SkippedSteps));
    }

    [Fact]
    public void ConstructorRejectsInvalidArguments()
    {
        var model = MixedModel.Create(12);
        var optimizer = new MixedModel.Plain(model);
        var buffer = new MixedModel.Gradients(model);

        Assert.Equal("optimizer", Assert.Throws<ArgumentNullException>(() => new GradientAccumulator<MixedModel.Gradients>(null!, buffer, 2)).ParamName);
        Assert.Equal("buffer", Assert.Throws<ArgumentNullException>(() => new GradientAccumulator<MixedModel.Gradients>(optimizer, null!, 2)).ParamName);
        Assert.Equal("accumulationSteps", Assert.Throws<ArgumentOutOfRangeException>(() => new GradientAccumulator<MixedModel.Gradients>(optimizer, buffer, 0)).ParamName);
        Assert.Equal("mode", Assert.Throws<ArgumentOutOfRangeException>(() => new GradientAccumulator<MixedModel.Gradients>(optimizer, buffer, 2, (GradientAccumulationMode)2)).ParamName);

        var otherShape = new MixedModel.Gradients(model) { B1 = new float[5] };
        var shape = Assert.Throws<ArgumentException>(() => new GradientAccumulator<MixedModel.Gradients>(optimizer, otherShape, 2));
        Assert.Contains("'B1'", shape.Message, StringComparison.Ordinal);
        Assert.Equal("buffer", shape.ParamName);

        var nullMember = new MixedModel.Gradients(model) { Kernel = null! };
        Assert.Contains("'Kernel'", Assert.Throws<ArgumentNullException>(() => new GradientAccumulator<MixedModel.Gradients>(optimizer, nullMember, 2)).Message, StringComparison.Ordinal);

        var aliased = new MixedModel.Gradients(model) { W1 = model.W1 };
        Assert.Contains("'W1'", Assert.Throws<ArgumentException>(() => new GradientAccumulator<MixedModel.Gradients>(optimizer, aliased, 2)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddRejectsInvalidMicroBatchesAndChangesNothing()
    {
        var model = MixedModel.Create(13);
        var optimizer = new MixedModel.Plain(model);
        var accumulator = new GradientAccumulator<MixedModel.Gradients>(optimizer, new MixedModel.Gradients(model), 2);
        var good = new MixedModel.Gradients(model);
        TestData.Fill(good, new Random(14));
        accumulator.Add(good);
        long[][] buffer = TestData.Bits(accumulator.Buffer);

        Assert.Equal("microBatch", Assert.Throws<ArgumentNullException>(() => accumulator.Add(null!)).ParamName);
        Assert.Equal("microBatch", Assert.Throws<ArgumentException>(() => accumulator.Add(accumulator.Buffer)).ParamName);
        var shared = new MixedModel.Gradients(model) { Kernel = accumulator.Buffer.Kernel };
        Assert.Contains("'Kernel'", Assert.Throws<ArgumentException>(() => accumulator.Add(shared)).Message, StringComparison.Ordinal);
        var shape = new MixedModel.Gradients(model) { W1 = new float[32, 16] };
        Assert.Contains("'W1'", Assert.Throws<ArgumentException>(() => accumulator.Add(shape)).Message, StringComparison.Ordinal);

        Assert.Equal((1, 1L, 0L), (accumulator.PendingMicroBatches, accumulator.MicroBatches, accumulator.Steps));
        TestData.AssertSameBits(buffer, TestData.Bits(accumulator.Buffer), "buffer after rejected micro-batches");
        Assert.Equal(0, optimizer.StepCount);
    }

    /// <summary>Sets <paramref name="combined"/> to ((g₁ + g₂) + …) / divisor, computed in each member's element type.</summary>
    private static void SetCombined(MixedModel.Gradients combined, List<double[][]> cycle, int divisor)
    {
        for (int m = 0; m < combined.MemberCount; m++)
        {
            TensorRef member = combined.GetMember(m);
            for (int i = 0; i < member.Length; i++)
            {
                if (member.Element == TensorElement.Single)
                {
                    float sum = (float)cycle[0][m][i];
                    for (int j = 1; j < cycle.Count; j++)
                    {
                        sum += (float)cycle[j][m][i];
                    }

                    member.AsSingleSpan()[i] = divisor == 1 ? sum : sum / divisor;
                }
                else
                {
                    double sum = cycle[0][m][i];
                    for (int j = 1; j < cycle.Count; j++)
                    {
                        sum += cycle[j][m][i];
                    }

                    member.AsDoubleSpan()[i] = divisor == 1 ? sum : sum / divisor;
                }
            }
        }
    }
}
