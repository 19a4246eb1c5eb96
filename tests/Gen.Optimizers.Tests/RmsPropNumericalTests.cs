using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace Gen.Optimizers.Tests;

/// <summary>
/// Every flag combination against the scalar reference, for every length 0..49 (each SIMD width's
/// main loop, narrower-width remainder and scalar tail) and a few large ones, over 25 steps with a
/// learning-rate and weight-decay change half way. CI runs this class again under
/// DOTNET_PreferredVectorBitWidth=512, DOTNET_EnableAVX2=0 and DOTNET_EnableHWIntrinsic=0.
/// </summary>
[Trait("Category", "Numerical")]
public sealed class RmsPropNumericalTests
{
    private const int Steps = 25;

    private static readonly int[] Lengths = Enumerable.Range(0, 50).Concat(new[] { 257, 1000, 4099, 65_537 }).ToArray();

    public static TheoryData<string> SingleConfigurations => new(Optimizers.Names<SingleModel>());

    public static TheoryData<string> DoubleConfigurations => new(Optimizers.Names<DoubleModel>());

    [Theory]
    [MemberData(nameof(SingleConfigurations))]
    public void FloatMatchesFloatReferenceBitForBitAndDoubleReferenceClosely(string name)
    {
        RmsPropAttribute config = Optimizers.Configuration<SingleModel>(name);
        double worst = 0;
        foreach (int length in Lengths)
        {
            var random = new Random(Optimizers.StableSeed(name, length));
            double[] start = TestData.RoundToSingle(TestData.Parameters(random, length));
            var model = new SingleModel { P = TestData.ToSingle(start) };
            var gradients = new SingleModel.Gradients(model);
            Optimizer<SingleModel.Gradients> optimizer = Optimizers.Create<SingleModel, SingleModel.Gradients>(name, model);
            var exact = new RmsPropReference(config, length, single: true);
            var wide = new RmsPropReference(config, length, single: false);
            double[] exactParameters = (double[])start.Clone();
            double[] wideParameters = (double[])start.Clone();

            for (int step = 0; step < Steps; step++)
            {
                ChangeRatesHalfWay(optimizer, step);
                double[] g = TestData.RoundToSingle(TestData.Gradients(random, length));
                TestData.ToSingle(g).CopyTo(gradients.P, 0);

                optimizer.Step(gradients);
                exact.Step(exactParameters, g, optimizer.LearningRate, optimizer.WeightDecay);
                wide.Step(wideParameters, g, optimizer.LearningRate, optimizer.WeightDecay);

                for (int i = 0; i < length; i++)
                {
                    float expected = (float)exactParameters[i];
                    if (BitConverter.SingleToInt32Bits(model.P[i]) != BitConverter.SingleToInt32Bits(expected))
                    {
                        Assert.Fail($"{name}, length {length}, step {step + 1}, element {i}: generated {model.P[i]:R}, float reference {expected:R}.");
                    }
                }
            }

            Assert.Equal(Steps, optimizer.StepCount);
            for (int i = 0; i < length; i++)
            {
                double error = Math.Abs(model.P[i] - wideParameters[i]) / Math.Max(1, Math.Abs(wideParameters[i]));
                worst = Math.Max(worst, error);
            }
        }

        // Float arithmetic over 25 steps stays within 1e-5 of the same update computed in double.
        Assert.True(worst < 1e-5, $"{name}: float result differs from the double reference by {worst:E2} (relative to max(|p|, 1)).");
    }

    [Theory]
    [MemberData(nameof(DoubleConfigurations))]
    public void DoubleMatchesReferenceBitForBit(string name)
    {
        RmsPropAttribute config = Optimizers.Configuration<DoubleModel>(name);
        foreach (int length in Lengths)
        {
            var random = new Random(Optimizers.StableSeed(name, length));
            double[] start = TestData.Parameters(random, length);
            var model = new DoubleModel { P = (double[])start.Clone() };
            var gradients = new DoubleModel.Gradients(model);
            Optimizer<DoubleModel.Gradients> optimizer = Optimizers.Create<DoubleModel, DoubleModel.Gradients>(name, model);
            var reference = new RmsPropReference(config, length, single: false);
            double[] expected = (double[])start.Clone();

            for (int step = 0; step < Steps; step++)
            {
                ChangeRatesHalfWay(optimizer, step);
                double[] g = TestData.Gradients(random, length);
                g.CopyTo(gradients.P, 0);

                optimizer.Step(gradients);
                reference.Step(expected, g, optimizer.LearningRate, optimizer.WeightDecay);

                for (int i = 0; i < length; i++)
                {
                    if (BitConverter.DoubleToInt64Bits(model.P[i]) != BitConverter.DoubleToInt64Bits(expected[i]))
                    {
                        Assert.Fail($"{name}, length {length}, step {step + 1}, element {i}: generated {model.P[i]:R}, reference {expected[i]:R}.");
                    }
                }
            }
        }
    }

    private static void ChangeRatesHalfWay<TGradients>(Optimizer<TGradients> optimizer, int step)
        where TGradients : GradientsBase
    {
        if (step == Steps / 2)
        {
            optimizer.LearningRate *= 0.5;
            optimizer.WeightDecay = optimizer.WeightDecay == 0 ? 0.01 : optimizer.WeightDecay * 2;
        }
    }
}
